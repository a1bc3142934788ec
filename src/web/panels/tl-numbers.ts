/**
 * "What the numbers mean", in the Training loop panel: the vocabulary, the
 * first loss against ln(vocabulary), where microgpt.py's loss ends, the
 * parameter count, and why a tutorial's numbers differ. Computed from the
 * model and the run on screen; only microgpt.py's own result is quoted.
 */
import { el, showToken } from './dom.ts';

/**
 * microgpt.py's default run on names.txt (seed 42, 1000 steps), as the CLI prints it
 * (`microgpt --data names.txt`): vocab size, num params, the mean of the last 25 steps' losses, and the
 * lowest and highest single loss of the last 100 steps.
 */
export const REFERENCE = { steps: 1000, meanLast25: 2.3, low: 1.6, high: 3.3, vocab: 27, params: 4192 } as const;
/** What the seed tutorial page shows as microgpt.py's output: illustrative, not printed by it. */
const TUTORIAL = { vocab: 26, params: 4125, loss: 1.2 } as const;

const int = (x: number) => x.toLocaleString('en');

/** The characters, said briefly: "a–z" for a run of consecutive letters, else listed (or counted, when many). */
function describeChars(chars: string[]): string {
  const codes = chars.map((c) => c.codePointAt(0) ?? 0);
  const consecutive = chars.length > 2 && codes.every((c, i) => i === 0 || c === codes[i - 1] + 1);
  if (consecutive) return `${chars[0]}–${chars[chars.length - 1]}`;
  return chars.length <= 30 ? chars.map(showToken).join(' ') : `${chars.length} of them`;
}

export class NumbersNote {
  readonly element: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private model: { vocabSize: number; numParams: number; chars?: string[] } | undefined;
  private first: number | undefined;
  private recent: { step: number; losses: number[] } | undefined;

  constructor() {
    this.body = el('div', { class: 'tl-numbers-body' });
    this.element = el(
      'details',
      { class: 'tl-numbers', id: 'tl-numbers' },
      el('summary', {}, 'What the numbers mean: vocabulary, the first loss, where the loss goes'),
      this.body,
    );
    this.element.addEventListener('toggle', () => this.render());
    this.render();
  }

  /** The model on screen (chars: its vocabulary's characters, when a run made it). */
  setModel(model: { vocabSize: number; numParams: number; chars?: string[] } | undefined): void {
    this.model = model;
    this.render();
  }

  /** A new model or none: forget the run's losses. */
  clearRun(): void {
    this.first = this.recent = undefined;
    this.render();
  }

  /** Losses of the run on screen, in order (a batch of progress). */
  addLosses(steps: number[], losses: number[]): void {
    steps.forEach((s, i) => {
      if (!Number.isFinite(losses[i])) return;
      if (s === 1) this.first = losses[i];
      this.recent ??= { step: s, losses: [] };
      this.recent.step = s;
      this.recent.losses.push(losses[i]);
      if (this.recent.losses.length > 25) this.recent.losses.shift();
    });
    if (this.element.open) this.render(); // closed, it is drawn when opened
  }

  private render(): void {
    const m = this.model;
    if (!m) {
      this.body.replaceChildren(
        el('p', { class: 'hint' }, 'Choose some text to train on: the numbers below come from the model it makes.'),
      );
      return;
    }
    const V = m.vocabSize;
    const lnV = Math.log(V).toFixed(2);
    const chars = m.chars ? ` (${describeChars(m.chars)})` : '';
    const recent = this.recent;
    const mean = recent ? recent.losses.reduce((a, b) => a + b, 0) / recent.losses.length : NaN;
    this.body.replaceChildren(
      el(
        'ul',
        {},
        el(
          'li',
          {},
          el('strong', {}, `Vocabulary ${V}`),
          `: the ${V - 1} different characters of the text${chars}, and BOS. Each prediction is one of these ${V} tokens.`,
        ),
        el(
          'li',
          {},
          el('strong', {}, `The first loss is near ln ${V} = ${lnV}`),
          `: untrained, the model gives every token about the same probability, 1/${V}, and the loss of a character it gave 1/${V} is −ln(1/${V}) = ln ${V}: random guessing, the chart's dotted line.`,
          this.first === undefined ? '' : ` This run's first step: ${this.first.toFixed(4)}.`,
        ),
        el(
          'li',
          {},
          el('strong', {}, `Where it goes`),
          `: on names.txt with the default settings, microgpt.py's ${REFERENCE.steps} steps end near ${REFERENCE.meanLast25.toFixed(1)} (the mean of its last 25 steps is ${REFERENCE.meanLast25.toFixed(2)}), and one step's loss still jumps between about ${REFERENCE.low} and ${REFERENCE.high} with how unusual its name is.`,
          recent ? ` This run, at step ${int(recent.step)}: ${mean.toFixed(2)}, the mean of its last ${recent.losses.length} steps.` : '',
        ),
        el(
          'li',
          {},
          el('strong', {}, `${int(m.numParams)} parameters`),
          `: every number in the model's matrices, as microgpt.py's "num params" counts them.`,
        ),
        el(
          'li',
          {},
          el('strong', {}, 'Other pages’ numbers'),
          `: a tutorial that shows "vocab size: ${TUTORIAL.vocab}", "num params: ${int(TUTORIAL.params)}" and a final loss of ${TUTORIAL.loss} uses illustrative numbers, not what the program prints. microgpt.py on names.txt prints vocab size ${REFERENCE.vocab} and num params ${REFERENCE.params}, and its loss ends near ${REFERENCE.meanLast25.toFixed(1)}.`,
        ),
      ),
    );
  }
}
