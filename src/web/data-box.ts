/**
 * The text to train on: makemore's names.txt (names-source.ts), or the
 * learner's own. A small text is edited in the box; a large one (an upload
 * or ?data=) is read by the training worker (text-reader.ts) and the box
 * shows its summary and first lines, read-only, with a way back to typing.
 */
import { parseDocs } from '../core/parse-docs.ts';
import { formatBytes, vocabBound } from '../core/memory.ts';
import { clearNotes, notify } from './notices.ts';
import { loadNames, type NamesText } from './names-source.ts';
import type { FromWorker, TextRef, TextSummary, ToWorker } from './protocol.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (n: number) => n.toLocaleString('en');

export interface DataBox {
  /** The chosen text (waiting for names.txt); undefined after saying, beside the box, that there is none. */
  trainingText(): Promise<TextRef | undefined>;
  /** The chosen text's documents and vocabulary size (BOS included), for the checks before a run; undefined with none. */
  shape(): { docs: number; vocabSize: number } | undefined;
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
  /** The large text the worker holds, shown as its summary. */
  let large: TextSummary | undefined;
  /** Where the text being read came from: its messages show there. */
  let reading: { anchor: string; link: boolean } | undefined;

  const showLarge = (summary: TextSummary | undefined) => {
    large = summary;
    $('text-summary').hidden = !summary;
    $('field-custom-text').hidden = !!summary;
    if (!summary) return;
    const v = summary.vocab;
    $('text-summary-line').textContent =
      `${summary.name}: ${formatBytes(summary.bytes)}, ${fmt(summary.docs)} documents, vocabulary ${v.length + 1} (${v.length} characters and BOS). Too large to edit here: it trains as it is. The first lines:`;
    $('text-head').textContent = summary.head.join('\n');
  };
  // the line on names.txt is about the names option only
  const showSource = () => ($('dataset-source').hidden = select.value !== 'names');
  select.addEventListener('change', showSource);
  showSource();
  $('text-edit').onclick = () => {
    showLarge(undefined);
    box.focus();
  };

  const read = (source: Blob | string, name: string, anchor: string, link: boolean) => {
    reading = { anchor, link };
    notify($(anchor), `Reading ${name}${typeof source === 'string' ? '' : ` (${formatBytes(source.size)})`}…`, 'info');
    send({ type: 'data-load', source, name });
  };
  const upload = $<HTMLInputElement>('upload-text');
  upload.onchange = () => {
    const file = upload.files?.[0];
    upload.value = '';
    if (!file) return;
    clearNotes();
    read(file, file.name, 'field-upload-text', false);
  };
  // ?data=: a text file beside the page, fetched by the worker
  const linked = new URLSearchParams(location.search).get('data');
  if (linked) read(location.href, linked, 'field-dataset', true);

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

  return {
    async trainingText() {
      if (select.value === 'names') return (names ?? (await namesReady)).text;
      if (large) return { loaded: large.id };
      if (parseDocs(box.value).length === 0) {
        notify($('field-custom-text'), 'Your text has no non-empty line: paste or upload one document per line.');
        return undefined;
      }
      return box.value;
    },
    shape() {
      if (select.value === 'custom' && large) return { docs: large.docs, vocabSize: large.vocab.length + 1 };
      const text = select.value === 'names' ? (names?.text ?? '') : box.value;
      return text ? { docs: parseDocs(text).length, vocabSize: vocabBound(text) } : undefined;
    },
    identity() {
      if (select.value === 'names') return 'names';
      return large ? `loaded:${large.id}` : box.value;
    },
    panelText() {
      if (select.value === 'names') return names?.text ?? '';
      if (!large) return box.value;
      // one document of the same characters: the same vocabulary (a character that is not whitespace at each end, kept by strip)
      const v = large.vocab;
      const edge = v.find((c) => /[\p{L}\p{N}]/u.test(c)) ?? v.find((c) => c > ' ' && c.trim() !== '') ?? v[0];
      return `${edge}${v.join('')}${edge}`;
    },
    hear(m) {
      if (m.type === 'data-loaded' && reading) {
        const from = reading;
        reading = undefined;
        loaded(m.summary, from);
      } else if (m.type === 'error' && m.request === 'data-load' && reading) {
        notify($(reading.anchor), m.message);
        reading = undefined;
      }
    },
  };
}
