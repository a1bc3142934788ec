/**
 * The Samples panel: names drawn at the fields' temperature, top-k and
 * prompt, with a note saying exactly how (one token at a time, with its
 * numbers, is the Generation panel's). Cleared when the model on screen changes.
 */
import { ConfigError } from '../index.ts';
import { field, readSample } from './form.ts';
import { clearNotes, notify } from './notices.ts';
import type { FromWorker, SampleSettings, ToWorker } from './protocol.ts';
import { showToken } from './panels/dom.ts';

const $ = (id: string) => document.getElementById(id)!;

/** The names, one an item, their spaces kept (white-space: pre-wrap) and each run of them marked, so a reader sees them. */
export function showNames(list: HTMLElement, names: string[]): void {
  list.replaceChildren(
    ...names.map((n) => {
      const li = document.createElement('li');
      if (!n) li.textContent = '(empty)';
      for (const part of n.split(/( +)/)) {
        if (!part.startsWith(' ')) li.append(part);
        else li.append(Object.assign(document.createElement('span'), { className: 'space', textContent: part }));
      }
      return li;
    }),
  );
}

export function mountSampling({ send, onMessage }: { send: (m: ToWorker) => void; onMessage: (f: (m: FromWorker) => void) => void }): void {
  const clear = (haveModel: boolean) => {
    $('samples').replaceChildren();
    $('samples-note').textContent = haveModel
      ? 'Press Sample to draw names from the model as it is now, at the settings above.'
      : 'Train a model, then press Sample.';
  };

  /** The sampling fields, checked; undefined after saying what is wrong beside the field. */
  const request = (): SampleSettings | undefined => {
    try {
      return {
        numSamples: readSample('numSamples'),
        temperature: readSample('temperature'),
        topK: readSample('topK'),
        prompt: field('prompt').value,
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
  onMessage((m) => {
    switch (m.type) {
      case 'ready':
        return clear(true);
      case 'state':
        if (m.state === 'idle') clear(false);
        return;
      case 'samples': {
        const { temperature, topK, prompt } = m.request;
        showNames($('samples'), m.names);
        $('samples-note').textContent =
          `${m.names.length} names drawn at temperature ${temperature}${topK > 0 ? `, top-k ${topK}` : ''}${prompt ? `, starting with “${[...prompt].map(showToken).join('')}”` : ''}, from the model at step ${m.step}.`;
        return;
      }
    }
  });
}
