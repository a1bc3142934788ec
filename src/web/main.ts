/** The playground page: settings, the worker, and what it shows. */
import { ConfigError, DEFAULT_TRAIN, parseDocs, validateModelConfig, validateTrainConfig } from '../index.ts';
import { LossChart } from './chart.ts';
import { BUILTIN_NAMES } from './datasets.ts';
import { REPLACES_RUN, type Envelope, type FromWorker, type ModelInfo, type RunState, type Settings, type ToWorker } from './protocol.ts';
import { attentionHeatmaps, probabilityBars } from './views.ts';
import { mountPanels } from './panels/mount.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
/** The run the page shows: counted as the worker counts it (protocol.ts), so answers from replaced runs are dropped. */
let runId = 0;
/** Every request to the worker goes through here. */
function send(message: ToWorker, transfer: Transferable[] = []): void {
  if (REPLACES_RUN.includes(message.type)) runId++;
  worker.postMessage(message, transfer);
}
/** Whoever wants the worker's answers (this page, the panels): each gets every answer of the current run. */
const listeners: ((message: FromWorker) => void)[] = [];
const onMessage = (listener: (message: FromWorker) => void) => listeners.push(listener);
/** The one place every worker message arrives. */
worker.onmessage = (event: MessageEvent<Envelope>) => {
  if (event.data.run !== runId) return;
  for (const listener of listeners) listener(event.data.message);
};
const chart = new LossChart($<HTMLCanvasElement>('chart'));

let info: ModelInfo | undefined;
let customText = '';
let tokenPrefix = '';
let lastVal = NaN;

// --- settings, kept in the address so that a link reproduces a run
const NUMBER_FIELDS = ['nLayer', 'nEmbd', 'nHead', 'blockSize', 'numSteps', 'batchSize', 'learningRate', 'seed'] as const;

function readSettings(): Settings {
  const n = (id: string) => Number(input(id).value);
  return {
    nLayer: n('nLayer'), nEmbd: n('nEmbd'), nHead: n('nHead'), blockSize: n('blockSize'),
    numSteps: n('numSteps'), batchSize: n('batchSize'), learningRate: n('learningRate'), seed: n('seed'),
    engine: $<HTMLSelectElement>('engine').value as Settings['engine'],
    valFraction: 0.1,
  };
}

function saveToUrl(): void {
  const params = new URLSearchParams();
  for (const f of NUMBER_FIELDS) params.set(f, input(f).value);
  params.set('engine', $<HTMLSelectElement>('engine').value);
  params.set('dataset', $<HTMLSelectElement>('dataset').value);
  params.set('temperature', input('temperature').value);
  params.set('topK', input('topK').value);
  const data = new URLSearchParams(location.search).get('data');
  if (data && $<HTMLSelectElement>('dataset').value === 'custom') params.set('data', data);
  history.replaceState(null, '', `?${params}`);
}

function loadFromUrl(): void {
  const params = new URLSearchParams(location.search);
  for (const f of [...NUMBER_FIELDS, 'temperature', 'topK']) {
    const v = params.get(f);
    if (v !== null && v !== '' && Number.isFinite(Number(v))) input(f).value = v;
  }
  for (const f of ['engine', 'dataset']) {
    const v = params.get(f);
    const select = $<HTMLSelectElement>(f);
    if (v && [...select.options].some((o) => o.value === v)) select.value = v;
  }
  $('custom-data').hidden = $<HTMLSelectElement>('dataset').value !== 'custom';
  $('temperature-value').textContent = input('temperature').value;
}

// --- messages to the user
function say(text: string, kind: 'error' | 'info' = 'error'): void {
  const m = $('message');
  m.textContent = text;
  m.className = kind;
  m.hidden = false;
}
const quiet = () => ($('message').hidden = true);

function setState(state: RunState): void {
  document.body.dataset.state = state;
  $<HTMLButtonElement>('start').disabled = state === 'training';
  $<HTMLButtonElement>('pause').disabled = state !== 'training';
  $<HTMLButtonElement>('resume').disabled = state !== 'paused';
  $<HTMLButtonElement>('step').disabled = state === 'done' || state === 'diverged';
}

function showSamples(names: string[], trained: boolean): void {
  $('samples').replaceChildren(...names.map((n) => Object.assign(document.createElement('li'), { textContent: n || '(empty)' })));
  $('samples-note').textContent = trained
    ? `Drawn at temperature 0.5 from the model at step ${info?.step ?? 0}.`
    : `Before training these are junk: the weights are random, so every character is about equally likely (loss ≈ ln(${info ? info.vocab.length + 1 : 27}) = ${Math.log(info ? info.vocab.length + 1 : 27).toFixed(2)}). Watch them turn into names as the loss falls.`;
}

// --- the worker's answers
onMessage((m) => {
  switch (m.type) {
    case 'ready':
      info = m.info;
      chart.reset(m.info.numSteps, m.info.vocab.length + 1);
      showSamples(m.samples, m.trained);
      $('stat-step').textContent = `${m.info.step} / ${m.info.numSteps}`;
      if (m.trained) say(`Loaded a checkpoint: ${m.info.numParams} parameters, step ${m.info.step}, vocabulary ${m.info.vocab.join('')}`, 'info');
      return;
    case 'progress': {
      const b = m.batch;
      chart.add(b.steps, b.losses, b.valLosses);
      const step = b.steps[b.steps.length - 1];
      if (info) info.step = step;
      for (const v of b.valLosses) if (!Number.isNaN(v)) lastVal = v;
      $('stat-step').textContent = `${step} / ${info?.numSteps ?? '?'}`;
      $('stat-loss').textContent = chart.smoothedLoss().toFixed(4);
      $('stat-val').textContent = Number.isNaN(lastVal) ? '–' : lastVal.toFixed(4);
      $('stat-ms').textContent = b.msPerStep.toFixed(3);
      $('stat-tps').textContent = Math.round(b.tokensPerSecond).toLocaleString('en');
      $('stat-worker').textContent = `${(b.workerMs / 1000).toFixed(2)} s`;
      if (m.samples) showSamples(m.samples, true);
      return;
    }
    case 'state':
      setState(m.state);
      if (m.state === 'done') $('stat-worker').textContent = `${(m.workerMs / 1000).toFixed(2)} s for ${m.stepsTrained} steps`;
      if (m.state === 'diverged' && m.diverged) say(`The run diverged at step ${m.diverged.step}: the loss became ${m.diverged.loss}. Lower the learning rate and press Train.`);
      if (m.state === 'idle') {
        info = undefined;
        chart.reset(1, 27);
        $('samples').replaceChildren();
        for (const id of ['stat-step', 'stat-loss', 'stat-val', 'stat-ms', 'stat-tps', 'stat-worker']) $(id).textContent = '–';
      }
      return;
    case 'samples':
      showSamples(m.names, true);
      return;
    case 'next-token':
      tokenPrefix = m.prefix + m.char;
      $('token-text').textContent = m.char ? tokenPrefix : `${m.prefix} ⏎ (end of name)`;
      if (!m.char) tokenPrefix = '';
      probabilityBars($('token-bars'), m.probs, m.vocab, m.char ? m.vocab.indexOf(m.char) : m.vocab.length - 1);
      return;
    case 'inspection': {
      const probs = $('inspect-probs');
      probs.replaceChildren(
        ...m.probs.map((p, t) => {
          const box = document.createElement('div');
          box.className = 'position';
          const title = document.createElement('h3');
          title.textContent = `after “${m.inputs.slice(1, t + 1).join('')}” (input ${m.inputs[t]})`;
          const bars = document.createElement('div');
          bars.className = 'bars';
          probabilityBars(bars, p, m.vocab);
          box.append(title, bars);
          return box;
        }),
      );
      attentionHeatmaps($('attention'), m.attention, m.inputs);
      return;
    }
    case 'checkpoint': {
      const url = URL.createObjectURL(new Blob([m.bytes], { type: 'application/octet-stream' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: `microgpt-step${m.step}.safetensors` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return;
    }
    case 'trace':
      say(`Took one step: ${m.trace.line}`, 'info');
      return;
    case 'error':
      say(m.message);
      return;
  }
});
worker.onerror = (e) => say(`the worker failed: ${e.message}`);

// --- controls
function trainingText(): string | undefined {
  if ($<HTMLSelectElement>('dataset').value === 'names') return BUILTIN_NAMES;
  const text = $<HTMLTextAreaElement>('custom-text').value || customText;
  if (parseDocs(text).length === 0) {
    say('Your text has no non-empty line: paste or upload one document per line.');
    return undefined;
  }
  return text;
}

/** The settings on the page, checked; undefined after saying what is wrong. */
function checkedSettings(): Settings | undefined {
  const settings = readSettings();
  try {
    validateModelConfig({ ...settings, vocabSize: 2 });
    validateTrainConfig({ ...DEFAULT_TRAIN, ...settings });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    say(e.describe((s) => s.label));
    return undefined;
  }
  return settings;
}

$('start').onclick = () => {
  quiet();
  const settings = checkedSettings();
  const text = settings && trainingText();
  if (!settings || text === undefined) return;
  if (parseDocs(text).length < 20) settings.valFraction = 0;
  lastVal = NaN;
  saveToUrl();
  send({ type: 'start', settings, text });
};
$('pause').onclick = () => send({ type: 'pause' });
$('resume').onclick = () => send({ type: 'resume', text: trainingText(), numSteps: readSettings().numSteps });
$('step').onclick = () => {
  quiet();
  const settings = checkedSettings();
  const text = settings && trainingText();
  if (settings && text !== undefined) send({ type: 'step', settings, text, param: panels.param() });
};
$('reset').onclick = () => {
  quiet();
  send({ type: 'reset' });
};
$('sample').onclick = () => {
  quiet();
  send({ type: 'sample', request: { numSamples: Number(input('numSamples').value), temperature: Number(input('temperature').value), topK: Number(input('topK').value), prompt: input('prompt').value } });
};
$('next-token').onclick = () => {
  quiet();
  send({ type: 'next-token', prefix: tokenPrefix, temperature: Number(input('temperature').value), topK: Number(input('topK').value) });
};
$('clear-token').onclick = () => {
  tokenPrefix = '';
  $('token-text').textContent = '';
  $('token-bars').replaceChildren();
};
$('inspect').onclick = () => {
  quiet();
  send({ type: 'inspect', text: input('inspect-word').value, temperature: 1 });
};
$('download').onclick = () => {
  quiet();
  send({ type: 'save' });
};
input('temperature').oninput = () => {
  $('temperature-value').textContent = input('temperature').value;
  saveToUrl();
};
$('dataset').onchange = () => {
  $('custom-data').hidden = $<HTMLSelectElement>('dataset').value !== 'custom';
  saveToUrl();
};
for (const f of [...NUMBER_FIELDS, 'engine', 'topK']) $(f).addEventListener('change', saveToUrl);

/** A file's text, or an error for an empty or binary file. */
async function readTextUpload(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length === 0) throw new Error(`${file.name} is empty`);
  if (bytes.includes(0)) throw new Error(`${file.name} is not a text file`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${file.name} is not UTF-8 text`);
  }
}

input('upload-text').onchange = async () => {
  const file = input('upload-text').files?.[0];
  if (!file) return;
  try {
    const text = await readTextUpload(file);
    if (parseDocs(text).length === 0) throw new Error(`${file.name} has no non-empty line`);
    customText = text;
    $<HTMLTextAreaElement>('custom-text').value = text.slice(0, 100_000);
    say(`Loaded ${file.name}: ${parseDocs(text).length} documents.`, 'info');
  } catch (e) {
    say((e as Error).message);
  } finally {
    input('upload-text').value = '';
  }
};

input('load').onchange = async () => {
  const file = input('load').files?.[0];
  if (!file) return;
  quiet();
  const bytes = await file.arrayBuffer();
  input('load').value = '';
  send({ type: 'load', bytes }, [bytes]);
};

loadFromUrl();
setState('idle');

const panels = mountPanels($('panels'), {
  send,
  onMessage,
  step: () => $('step').click(),
  settings: readSettings,
  text: () => ($<HTMLSelectElement>('dataset').value === 'names' ? BUILTIN_NAMES : $<HTMLTextAreaElement>('custom-text').value || customText),
  say,
});
