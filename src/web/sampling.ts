/**
 * The Samples panel: names drawn at the fields' temperature, top-k and
 * prompt, with a note saying exactly how (one token at a time, with its
 * numbers, is the Generation panel's). The worker streams them in chunks
 * (sample-stream.ts): they are counted as they come, the first SHOWN_MAX are
 * listed, all of them can be downloaded, and Stop ends the drawing.
 * Cleared when the model on screen changes.
 */
import { ConfigError, SETTINGS } from '../index.ts';
import { saveBytes } from './files.ts';
import { field, readSample } from './form.ts';
import { clearNotes, notify } from './notices.ts';
import type { FromWorker, SampleSettings, ToWorker } from './protocol.ts';
import { showToken } from './panels/dom.ts';

/** Names listed on the page at most; the rest are counted and downloadable. */
export const SHOWN_MAX = 200;

const $ = (id: string) => document.getElementById(id)!;
const fmt = (n: number) => n.toLocaleString('en');

/** A name as a list item, its spaces kept (white-space: pre-wrap) and each run of them marked, so a reader sees them. */
function item(n: string): HTMLLIElement {
  const li = document.createElement('li');
  if (!n) li.textContent = '(empty)';
  for (const part of n.split(/( +)/)) {
    if (!part.startsWith(' ')) li.append(part);
    else li.append(Object.assign(document.createElement('span'), { className: 'space', textContent: part }));
  }
  return li;
}

/** A passage (a stream model's sample) as a list item: a block of text, its spaces and newlines kept as written. */
function passage(text: string): HTMLLIElement {
  return Object.assign(document.createElement('li'), { textContent: text });
}

/**
 * Shows names as the list's items (appended when append is true), a fragment at a time: no argument list as long as the names.
 * passages: a stream model's samples, shown as paragraphs (the list's class 'passages': not numbered, white-space kept).
 */
export function showNames(list: HTMLElement, names: readonly string[], append = false, passages = false): void {
  const fragment = document.createDocumentFragment();
  for (const n of names) fragment.append(passages ? passage(n) : item(n));
  list.classList.toggle('passages', passages);
  if (append) list.append(fragment);
  else list.replaceChildren(fragment);
}

export function mountSampling({ send, onMessage }: { send: (m: ToWorker) => void; onMessage: (f: (m: FromWorker) => void) => void }): void {
  /** Every name of the request on screen, for the download. */
  let all: string[] = [];
  let asked = 0;
  /** The samples on screen are a stream model's passages. */
  let stream = false;
  const stop = $('sample-stop');
  const download = $('sample-download');
  const clear = (haveModel: boolean) => {
    all = [];
    $('samples').replaceChildren();
    stop.hidden = download.hidden = true;
    $('samples-note').textContent = !haveModel
      ? 'Train a model, then press Sample.'
      : stream
        ? 'Press Sample to write passages from the model as it is now, each Sample length characters, at the settings above.'
        : 'Press Sample to draw names from the model as it is now, at the settings above.';
  };

  /** The sampling fields, checked; undefined after saying what is wrong beside the field. */
  const request = (): SampleSettings | undefined => {
    try {
      return {
        numSamples: readSample('numSamples'),
        temperature: readSample('temperature'),
        topK: readSample('topK'),
        prompt: field('prompt').value,
        length: readSample('sampleLength'),
      };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      notify(
        e.key ? $(`field-${e.key}`) : $('sample-buttons'),
        e.describe((s) => s.label),
      );
      return undefined;
    }
  };

  $('sample-form').onsubmit = (e) => {
    e.preventDefault();
    clearNotes();
    const r = request();
    if (r) send({ type: 'sample', request: r });
  };
  stop.onclick = () => send({ type: 'sample-stop' });
  download.onclick = () =>
    stream
      ? saveBytes(`${all.join('\n\n')}\n`, `microgpt-${all.length}-passages.txt`, 'text/plain')
      : saveBytes(`${all.join('\n')}\n`, `microgpt-${all.length}-names.txt`, 'text/plain');

  const describe = (r: SampleSettings, step: number, done: boolean, stream: boolean) => {
    if (stream) return describePassages(r, step, done);
    const { temperature, topK, prompt } = r;
    const how = `at temperature ${temperature}${topK > 0 ? `, top-k ${topK}` : ''}${prompt ? `, starting with “${[...prompt].map(showToken).join('')}”` : ''}, from the model at step ${step}`;
    const shown = all.length > SHOWN_MAX ? ` The first ${SHOWN_MAX} are listed; Download all names saves every one.` : '';
    if (!done) return `Drawing names ${how}: ${fmt(all.length)} of ${fmt(asked)} so far.${shown}`;
    const stopped = all.length < asked ? ` (stopped: ${fmt(asked)} were asked for)` : '';
    return `${all.length > SHOWN_MAX ? fmt(all.length) : all.length} names drawn ${how}${stopped}.${shown}`;
  };
  /** A stream model's samples: passages of r.length characters after the prompt. */
  const describePassages = (r: SampleSettings, step: number, done: boolean) => {
    const { temperature, topK, prompt, length } = r;
    const after = prompt ? `after “${[...prompt].map(showToken).join('')}”` : 'from the start (after BOS)';
    const how = `${fmt(length)} characters ${after}, at temperature ${temperature}${topK > 0 ? `, top-k ${topK}` : ''}, from the model at step ${step}`;
    const shown = all.length > SHOWN_MAX ? ` The first ${SHOWN_MAX} are shown; Download saves every one.` : '';
    if (!done) return `Writing passages of ${how}: ${fmt(all.length)} of ${fmt(asked)} so far.${shown}`;
    const stopped = all.length < asked ? ` (stopped: ${fmt(asked)} were asked for)` : '';
    return `${fmt(all.length)} passage${all.length === 1 ? '' : 's'} of ${how}${stopped}; each goes on across newlines, as the text does.${shown}`;
  };
  onMessage((m) => {
    switch (m.type) {
      case 'ready':
        stream = m.settings.documents === 'stream';
        sayMode(stream);
        return clear(true);
      case 'state':
        if (m.state === 'idle') {
          stream = false;
          sayMode(false);
          clear(false);
        }
        return;
      case 'samples': {
        if (m.first) {
          all = [];
          asked = m.request.numSamples;
          $('samples').replaceChildren();
          $('samples').setAttribute('aria-label', `Sampled ${m.stream ? 'passages' : 'names'} (scrolls when long)`);
        }
        const room = Math.max(0, SHOWN_MAX - all.length);
        showNames($('samples'), m.names.slice(0, room), true, m.stream);
        stream = m.stream;
        for (const n of m.names) all.push(n);
        stop.hidden = m.done;
        download.hidden = all.length <= SHOWN_MAX;
        $('samples-note').textContent = describe(m.request, m.step, m.done, m.stream);
        if (m.done && document.activeElement === stop) $('sample').focus();
        return;
      }
    }
  });
}

/** The sampling fields' words for the model on screen: names, or (a stream model's) passages. */
function sayMode(stream: boolean): void {
  const s = SETTINGS.numSamples;
  document.querySelector('label[for="numSamples"]')!.textContent = stream ? 'Passages' : s.label;
  $('help-numSamples').textContent = stream ? 'How many passages to write.' : `${s.help[0].toUpperCase()}${s.help.slice(1)}.`;
  $('help-prompt').textContent = `Every ${stream ? 'passage' : 'name'} starts with these characters (Enter samples).`;
}

/** What it writes now (the Training panel's preview): names, or a stream model's passages, with a line on what they are. */
export function showPreview(names: string[], at: number, vocabSize: number, stream: boolean): void {
  showNames($('preview'), names, false, stream);
  const what = stream ? 'passages' : 'names';
  $('preview-note').textContent =
    at === 0
      ? `Before training these are junk: the weights are random, so every character is about equally likely (loss ≈ ln(${vocabSize}) = ${Math.log(vocabSize).toFixed(2)}). Watch them turn into ${stream ? 'something like the text' : 'names'} as the loss falls.`
      : `At step ${at}: ${names.length} ${what}${stream ? ` of ${SETTINGS.sampleLength.default} characters` : ''} at temperature ${SETTINGS.temperature.default}, refreshed as it trains.`;
}
