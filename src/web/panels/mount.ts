/**
 * The panels (training loop, the model, generation, attention): built into
 * a container of the page, fed by the worker's messages.
 */
import './panels.css';
import './charts.css';
import './training-loop.css';
import './heatmap.css';
import './backward.css';
import { ConfigError, keysIn, pickSettings } from '../../core/settings.ts';
import { validateModelConfig } from '../../core/config.ts';
import { parseDocs } from '../../core/parse-docs.ts';
import { Tokenizer } from '../../core/tokenizer.ts';
import type { ParamRef } from '../../core/trace.ts';
import type { ModelConfig } from '../../engines/shape.ts';
import type { FromWorker, Settings } from '../protocol.ts';
import type { PanelContext } from './panel.ts';
import { PANELS } from './registry.ts';

export interface PanelHost extends PanelContext {
  /** Registers for every worker answer of the current run. */
  onMessage(listener: (m: FromWorker) => void): void;
  /** The settings as the page's fields hold them. */
  settings(): Settings;
  text(): string;
}

export function mountPanels(container: HTMLElement, host: PanelHost): { param(): ParamRef | undefined } {
  const panels = PANELS.map((entry) => ({ entry, view: entry.view(host) }));
  container.replaceChildren(...panels.map((p) => p.view.element));
  const configure = (config: ModelConfig | undefined, why = '') => panels.forEach((p) => p.view.configure?.(config, why));

  // the model the settings describe; the vocabulary comes from the text (computed again only when it changes)
  let vocabOf: { text: string; size: number } | undefined;
  /** The vocabulary size of a text's documents (0: no document). */
  const vocabSize = (text: string) => {
    if (vocabOf?.text !== text) {
      const docs = parseDocs(text);
      vocabOf = { text, size: docs.length === 0 ? 0 : Tokenizer.fromDocs(docs).vocabSize };
    }
    return vocabOf.size;
  };
  const refreshModel = () => {
    const s = host.settings();
    const text = host.text();
    if (vocabSize(text) === 0) return configure(undefined, 'Choose some text to train on: the vocabulary comes from it.');
    const config: ModelConfig = { ...pickSettings(s, keysIn('model')), vocabSize: vocabSize(text) };
    try {
      validateModelConfig(config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return configure(undefined, `These settings do not make a model: ${e.describe((x) => x.label)}`);
    }
    configure(config);
  };
  const setup = document.getElementById('setup');
  setup?.addEventListener('change', refreshModel);
  setup?.addEventListener('input', (e) => (e.target as HTMLElement).tagName !== 'TEXTAREA' && refreshModel());
  refreshModel();

  /** A panel's line for what went wrong, under its controls; cleared by the panel's next answer. */
  const note = (panel: HTMLElement, text: string) => {
    let p = panel.querySelector<HTMLElement>('.panel-note');
    if (!p && text === '') return;
    if (!p) {
      p = Object.assign(document.createElement('p'), { className: 'panel-note' });
      p.setAttribute('role', 'alert');
      panel.querySelector('.buttons, .tl-controls')?.after(p);
    }
    p.textContent = text;
    p.hidden = text === '';
  };
  host.onMessage((m) => {
    if (m.type === 'ready') {
      // the model the worker built (a loaded checkpoint's may differ from the fields)
      const { nLayer, nEmbd, nHead, blockSize } = m.settings;
      configure({ nLayer, nEmbd, nHead, blockSize, vocabSize: m.info.vocab.length + 1 });
    }
    for (const { entry, view } of panels) {
      if (m.type === 'ready' || (m.type === 'state' && m.state === 'idle')) note(view.element, ''); // a new run, or none: what went wrong is over
      if (m.type === 'panel-error') {
        if (m.request in entry.answers) note(view.element, m.message);
        continue;
      }
      if (m.type in entry.answers) note(view.element, ''); // its own answer: what went wrong before is over
      view.hear?.(m);
    }
  });
  return { param: () => panels.find((p) => p.view.param)?.view.param?.() };
}
