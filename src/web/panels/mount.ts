/**
 * The panels (training loop, the model, generation, attention): built into
 * a container of the page, fed by the worker's messages.
 */
import './panels.css';
import './training-loop.css';
import { ConfigError, keysIn, pickSettings } from '../../core/settings.ts';
import { validateModelConfig } from '../../core/config.ts';
import { parseDocs } from '../../core/parse-docs.ts';
import { Tokenizer } from '../../core/tokenizer.ts';
import type { ParamRef } from '../../core/trace.ts';
import type { ModelConfig } from '../../engines/shape.ts';
import type { FromWorker, Settings } from '../protocol.ts';
import { ArchitecturePanel } from './architecture.ts';
import { AttentionPanel } from './attention.ts';
import { loadLinkedData } from './data-link.ts';
import { GenerationPanel } from './generation.ts';
import type { PanelRequest } from './messages.ts';
import { TrainingLoopPanel } from './training-loop.ts';

export interface PanelHost {
  send(request: PanelRequest): void;
  /** Registers for every worker answer of the current run. */
  onMessage(listener: (m: FromWorker) => void): void;
  /** Takes one traced training step (as the page's Step button), following the weight param() names. */
  step(): void;
  /** The settings as the page's fields hold them. */
  settings(): Settings;
  /** The training text chosen on the page ('' when none yet). */
  text(): string;
  /** Shows a line in the page's message area. */
  say(text: string, kind: 'error' | 'info'): void;
}

/** How often the shown matrix is refreshed while training runs. */
const LIVE_MS = 300;

export function mountPanels(container: HTMLElement, host: PanelHost): { param(): ParamRef | undefined } {
  const loop = new TrainingLoopPanel(() => host.step());
  const model = new ArchitecturePanel((name) => host.send({ type: 'panel-matrix', name }));
  const generation = new GenerationPanel((prefix) => host.send({ type: 'panel-logits', prefix }));
  const attention = new AttentionPanel((q) => host.send({ type: 'panel-attention', ...q }));
  container.replaceChildren(loop.element, model.element, generation.element, attention.element);

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
    if (vocabSize(text) === 0) return model.setConfig(undefined, 'Choose some text to train on: the vocabulary comes from it.');
    const config: ModelConfig = { ...pickSettings(s, keysIn('model')), vocabSize: vocabSize(text) };
    try {
      validateModelConfig(config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      model.setConfig(undefined, `These settings do not make a model: ${e.describe((x) => x.label)}`);
      loop.setConfig(undefined);
      return;
    }
    model.setConfig(config);
    loop.setConfig(config);
    attention.setShape(config.nLayer, config.nHead);
  };
  const setup = document.getElementById('setup');
  setup?.addEventListener('change', refreshModel);
  setup?.addEventListener('input', (e) => (e.target as HTMLElement).tagName !== 'TEXTAREA' && refreshModel());
  refreshModel();

  // the word the page inspects is the attention panel's word too
  document
    .getElementById('inspect-form')
    ?.addEventListener('submit', () => attention.inspect((document.getElementById('inspect-word') as HTMLInputElement).value));

  // ?data=: a text file beside the page
  void loadLinkedData(location.href).then((data) => {
    if (!data) return;
    if ('error' in data) return host.say(data.error, 'error');
    const dataset = document.getElementById('dataset') as HTMLSelectElement | null;
    const custom = document.getElementById('custom-text') as HTMLTextAreaElement | null;
    if (!dataset || !custom) return;
    custom.value = data.text;
    dataset.value = 'custom';
    dataset.dispatchEvent(new Event('change', { bubbles: true }));
    host.say(`Loaded ${data.name} from the link: ${data.docs} documents.`, 'info');
    document.body.dataset.linkedData = data.name;
  });

  /** A panel's line for what went wrong, under its controls; cleared by the panel's next answer. */
  const note = (panel: HTMLElement, text: string) => {
    let p = panel.querySelector<HTMLElement>('.panel-note');
    if (!p) {
      p = Object.assign(document.createElement('p'), { className: 'panel-note' });
      p.setAttribute('role', 'alert');
      panel.querySelector('.buttons, .tl-controls')?.after(p);
    }
    p.textContent = text;
    p.hidden = text === '';
  };
  let lastMatrix = 0;
  const refreshMatrix = () => {
    if (!model.selected) return;
    lastMatrix = performance.now();
    host.send({ type: 'panel-matrix', name: model.selected });
  };
  host.onMessage((m) => {
    switch (m.type) {
      case 'trace':
        loop.show(m.trace);
        refreshMatrix();
        return;
      case 'progress':
        if (performance.now() - lastMatrix > LIVE_MS) refreshMatrix();
        return;
      case 'ready': {
        // the model the worker built (a loaded checkpoint's may differ from the fields)
        const { nLayer, nEmbd, nHead, blockSize } = m.settings;
        const config = { nLayer, nEmbd, nHead, blockSize, vocabSize: m.info.vocab.length + 1 };
        model.setConfig(config);
        loop.setConfig(config);
        attention.setShape(nLayer, nHead);
        refreshMatrix();
        return;
      }
      case 'state':
        if (m.state === 'idle') loop.clear(); // Reset: the last step shown belonged to a run that is gone
        loop.setEnded(m.state === 'done' || m.state === 'diverged');
        refreshMatrix();
        return;
      case 'panel-matrix':
        note(model.element, '');
        model.showMatrix(m.name, m.view);
        return;
      case 'panel-logits':
        note(generation.element, '');
        generation.show(m.prefix, m.view);
        return;
      case 'panel-attention':
        note(attention.element, '');
        attention.show(m.view);
        return;
      case 'panel-error': {
        const panel = { 'panel-matrix': model.element, 'panel-logits': generation.element, 'panel-attention': attention.element }[
          m.request
        ];
        note(panel, m.message);
        return;
      }
    }
  });
  return { param: () => loop.param() };
}
