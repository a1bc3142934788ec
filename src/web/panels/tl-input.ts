/**
 * The Training loop panel's first step, Input: the step's documents with
 * their tokens (BOS at both ends), or in stream mode (--documents stream) the
 * windows of the text the step drew, each at its offset, with no BOS. Also the
 * two notes under the code, which say how a step picks its input in each mode.
 */
import type { StepTrace } from '../../core/trace.ts';
import { BOS_MARK, el, scroller, showToken, table } from './dom.ts';

type Doc = StepTrace['docs'][number];

/** The characters at a document's token positions: BOS, its characters, BOS; a stream's window: its characters alone. */
export const tokenChars = (d: Doc): string[] => (d.offset === undefined ? ['BOS', ...d.text, 'BOS'] : [...d.text]);

/** Whether a traced step trained on a stream's windows. */
export const isStream = (t: StepTrace) => t.docs[0]?.offset !== undefined;

const fmt = (n: number) => n.toLocaleString('en');

export const SHUFFLE_NOTE = {
  lines:
    'random.shuffle(docs) puts the documents in a random order once, before the first step (seeded: every run with this seed gets the same order), so step 1 reads docs[0], seldom the text’s first line.',
  stream:
    'Stream mode shuffles no lines: instead of random.shuffle(docs) and docs[step % len(docs)], each step draws a random offset into the text, offset = random.randrange(len(text) − block_size), from the run’s seeded Random (the one that drew the initial weights), and trains on the block_size + 1 characters from there, newlines included.',
} as const;

export const BOS_NOTE = {
  lines: `${BOS_MARK} marks both the start and the end of a document: the model reads it first, and drawing it ends what the model writes.`,
  stream: `A window has no ${BOS_MARK} at either end: it is a piece from the middle of the text, and every character but the first is a target. ${BOS_MARK} only starts what the model writes.`,
} as const;

/** Step 1's numbers: each document (or window) of the batch, with where it sits in the text when that is known. */
export function inputValues(t: StepTrace, origin: (b: number) => string | undefined): Node[] {
  const many = t.docs.length > 1;
  return t.docs.flatMap((d, b) => {
    const n = t.positions.filter((p) => p.doc === b).length;
    const chars = tokenChars(d);
    const tokens = (caption: string) =>
      scroller(
        'tokens',
        table(
          caption,
          ['position', ...d.tokens.map((_, j) => String(j))],
          [
            ['character', ...chars.map((c) => el('code', {}, showToken(c)))],
            ['token id', ...d.tokens.map(String)],
          ],
          { class: 'tokens' },
        ),
      );
    if (d.offset !== undefined) {
      const o = d.offset;
      const last = o + d.tokens.length - 1;
      return [
        el('p', {}, many ? `window ${b + 1}: ` : '', el('code', {}, `tokens = text[${o}:${last + 1}]`), ` · n = ${n}`),
        el(
          'p',
          { class: 'tl-origin' },
          `Window at offset ${fmt(o)} of the text (characters ${fmt(o)} to ${fmt(o)} + ${d.tokens.length - 1} = ${fmt(last)}): `,
          el('q', { class: 'tl-window' }, d.text.replace(/\n/g, showToken('\n'))),
          `. ${d.tokens.length} characters (${showToken('\n')} is a newline), no ${BOS_MARK} at either end: position i predicts the character at i + 1.`,
        ),
        tokens(`tokens of the window at offset ${fmt(o)}, no ${BOS_MARK}`),
      ];
    }
    const where = origin(b);
    return [
      el('p', {}, many ? `document ${b + 1}: ` : '', el('code', {}, `doc = "${d.text}"`), ` · n = ${n}`),
      ...(where ? [el('p', { class: 'tl-origin' }, `“${d.text}” is ${where}.`)] : []),
      tokens(`tokens of “${d.text}”, ${BOS_MARK} on both ends`),
    ];
  });
}
