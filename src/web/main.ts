/** The playground page: settings, the worker, and what it shows. */
import { ConfigError, DEFAULT_TRAIN, loadCheckpoint, validateModelConfig, validateTrainConfig } from '../index.ts';
import { LossChart } from './chart.ts';
import { mountDataBox } from './data-box.ts';
import { mountDocumentsHint } from './documents-hint.ts';
import { memoryProblem } from './memory-check.ts';
import {
  buildFields,
  DATA_KEYS,
  fillSettings,
  field,
  loadFromUrl,
  markPending,
  MODEL_KEYS,
  readSettings,
  SAMPLE_KEYS,
  saveToUrl,
  TRAIN_KEYS,
  valShare,
} from './form.ts';
import { anchorFor, announce, clearNotes, notify } from './notices.ts';
import {
  NO_RUN,
  REPLACES_RUN,
  type Envelope,
  type FromWorker,
  type RunState,
  type Settings,
  type TextRef,
  type ToWorker,
  VAL_DOCS,
} from './protocol.ts';
import { saveBytes } from './files.ts';
import { mountSampling, showPreview as showSamplesNow } from './sampling.ts';
import { seconds, showTimes } from './views.ts';
import { keepFocusClearOf } from './sticky-bar.ts';
import { atLastStep, confirmReplace } from './run-guards.ts';
import { showToken } from './panels/dom.ts';
import { mountPanels } from './panels/mount.ts';
import { StepsTaken } from './train-after-steps.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const button = (id: string) => $<HTMLButtonElement>(id);

$('val-docs').textContent = String(VAL_DOCS);
buildFields($('data-fields'), DATA_KEYS);
buildFields($('model-fields'), MODEL_KEYS);
buildFields($('train-fields'), TRAIN_KEYS);
buildFields($('sample-fields'), SAMPLE_KEYS);

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
  if (event.data.run !== runId && event.data.run !== NO_RUN) return;
  for (const listener of listeners) listener(event.data.message);
};
worker.onerror = (e) => notify($('run-buttons'), `The training worker failed: ${e.message}`);

const chart = new LossChart($<HTMLCanvasElement>('chart'), $('smooth-window'));
// a panel mounts with the two hooks: it sends through send() and hears every answer of the run on screen
mountSampling({ send, onMessage });
const data = mountDataBox(send);
onMessage((m) => data.hear(m));
const stepsTaken = new StepsTaken(onMessage, () => ({ dataset: $<HTMLSelectElement>('dataset').value, text: data.identity() }));

// --- the run on screen
let state: RunState = 'idle';
/** Its settings (what the address holds) and its dataset; undefined with no run. */
let run: { settings: Settings; dataset: string; vocabSize: number; numParams: number } | undefined;
/** A loaded checkpoint that has not trained here yet: Resume continues it to Steps. */
let loadedWaiting = false;
let step = 0;
let numSteps = 0;
let lastVal = NaN;
/** The CLI's line for the last step the Step button took. */
let traced: { step: number; line: string } | undefined;
/** The step of the last milestone said aloud. */
let announced = 0;

const canTrainLive = () => state === 'training' || state === 'paused';
const refreshPending = () => {
  markPending(run?.settings, canTrainLive(), run?.dataset);
  if (loadedWaiting) $('pending-numSteps').textContent = 'applies at Resume';
  else $('pending-numSteps').textContent = 'applies at the next Train';
};
const updateUrl = () => saveToUrl(run?.settings, run?.dataset);

function setState(next: RunState): void {
  const had = document.activeElement;
  state = next;
  document.body.dataset.state = next;
  button('start').disabled = next === 'training';
  button('pause').disabled = next !== 'training';
  button('resume').disabled = next !== 'paused';
  button('step').disabled = next === 'done' || next === 'diverged';
  // keep the focus on a button that still works
  if (had instanceof HTMLButtonElement && had.disabled && had.closest('#run-buttons')) {
    const target = next === 'training' ? 'pause' : next === 'paused' ? 'resume' : 'start';
    button(target).focus();
  }
  refreshPending();
}

function showStep(s: number, total: number): void {
  step = s;
  numSteps = total;
  $('stat-step').textContent = `${s} / ${total}`;
  const bar = $<HTMLProgressElement>('progress-bar');
  bar.max = Math.max(1, total);
  bar.value = s;
}

function clearRun(): void {
  run = undefined;
  loadedWaiting = false;
  lastVal = NaN;
  announced = 0;
  chart.reset(1, 27);
  showStep(0, 0);
  $('stat-step').textContent = '–';
  for (const id of ['stat-loss', 'stat-val', 'stat-ms', 'stat-tps', 'stat-eval', 'stat-worker']) $(id).textContent = '–';
  $('time-left').textContent = '';
  $('preview').replaceChildren();
  $('preview-note').textContent = 'Train a model to see what it writes.';
}

// --- the worker's answers
onMessage((m) => {
  switch (m.type) {
    case 'ready': {
      const loaded = m.fromCheckpoint;
      clearRun();
      run = {
        settings: m.settings,
        dataset: $<HTMLSelectElement>('dataset').value,
        vocabSize: m.info.vocab.length + 1,
        numParams: m.info.numParams,
      };
      loadedWaiting = loaded;
      if (loaded) fillSettings(m.settings);
      chart.reset(m.info.numSteps, run.vocabSize);
      if (m.info.valDocs > 0) $('val-docs').textContent = String(Math.min(VAL_DOCS, m.info.valDocs));
      showStep(m.info.step, m.info.numSteps);
      showPreview(m.samples, m.info.step);
      updateUrl();
      refreshPending();
      if (loaded) {
        notify(
          $('load-row'),
          `Loaded a checkpoint: ${m.info.numParams} parameters, step ${m.info.step} of ${m.info.numSteps}, vocabulary ${m.info.vocab.map(showToken).join('')}. Its settings are in the fields; press Resume to train on (raise Steps to train longer), or Sample.`,
          'info',
        );
      }
      return;
    }
    case 'progress': {
      const b = m.batch;
      if (b.steps.length) {
        chart.add(b.steps, b.losses, b.valLosses);
        showStep(b.steps[b.steps.length - 1], numSteps);
        for (const v of b.valLosses) if (!Number.isNaN(v)) lastVal = v;
        $('stat-loss').textContent = chart.smoothedLoss().toFixed(4);
        $('stat-val').textContent = Number.isNaN(lastVal) ? '–' : lastVal.toFixed(4);
        showTimes(b);
        $('stat-tps').textContent = Math.round(b.tokensPerSecond).toLocaleString('en');
        const left = (b.workerMs / Math.max(1, b.stepsTrained)) * (numSteps - step);
        if (state === 'training') $('time-left').textContent = `about ${Math.ceil(left / 1000)} s left`;
        // say the progress aloud every tenth of the run
        if (state === 'training' && step - announced >= numSteps / 10) {
          announced = step;
          announce(`Training: step ${step} of ${numSteps}, loss ${chart.smoothedLoss().toFixed(2)}.`);
        }
      }
      if (m.samples) showPreview(m.samples, step);
      return;
    }
    case 'state':
      return showState(m);
    case 'checkpoint':
      saveBytes(m.bytes, `microgpt-step${m.step}.safetensors`);
      return;
    case 'trace':
      if (!m.live) traced = { step: m.trace.step, line: m.trace.line.replace(/\s+/g, ' ') };
      return;
    case 'error':
      if (m.request === 'data-load') return; // the data box says it beside the file's control
      // a Train or a load that failed has replaced the run all the same: the worker holds none
      if (m.request === 'start' || m.request === 'load') {
        clearRun();
        setState('idle');
        updateUrl();
      }
      notify(anchorFor(m.request, m.key), m.message);
      return;
  }
});

const showPreview = (names: string[], at: number) => showSamplesNow(names, at, run?.vocabSize ?? 27, run?.settings.documents === 'stream');

function showState(m: Extract<FromWorker, { type: 'state' }>): void {
  setState(m.state);
  if (m.state === 'idle') {
    clearRun();
    announce('Reset: no model. Press Train to start.');
    updateUrl();
    return;
  }
  if (run && m.numSteps !== run.settings.numSteps) {
    run.settings = { ...run.settings, numSteps: m.numSteps };
    chart.setNumSteps(m.numSteps);
    updateUrl();
  }
  if (m.state !== 'paused') loadedWaiting = false;
  refreshPending();
  showStep(m.step, m.numSteps);
  showTimes(m);
  const perStep = m.stepsTrained ? `, ${(m.trainMs / m.stepsTrained).toFixed(3)} ms a step` : '';
  switch (m.state) {
    case 'training':
      announced = m.step;
      announce(`Training from step ${m.step} of ${m.numSteps}.`);
      return;
    case 'paused':
      $('time-left').textContent = 'paused';
      if (loadedWaiting) announce(`Loaded a checkpoint at step ${m.step} of ${m.numSteps}: press Resume to train on, or Sample.`);
      else announce(`${traced?.step === m.step ? `Took one step: ${traced.line}. ` : ''}Paused at step ${m.step} of ${m.numSteps}.`);
      return;
    case 'done':
      $('time-left').textContent = 'done';
      $('stat-worker').textContent = `${seconds(m.workerMs)} for ${m.stepsTrained} steps`;
      announce(`Done: ${m.step} steps, loss ${chart.smoothedLoss().toFixed(2)}${perStep}. Sample some names below.`);
      return;
    case 'diverged': {
      const d = m.diverged!;
      $('time-left').textContent = 'diverged';
      $('preview-note').textContent = `What it wrote at step ${d.step - 1}, the last step before the run diverged:`;
      chart.setNumSteps(Math.max(2, d.step)); // the steps it took, close up
      const what = d.gradNorm === undefined ? `the loss became ${d.loss}` : `the gradients became ${d.gradNorm}`;
      const rate = run?.settings.learningRate ?? NaN;
      notify(
        $('field-learningRate'),
        `The run diverged at step ${d.step}: ${what}. The learning rate ${rate} is too high for this model; lower it (try ${Number((rate / 3).toPrecision(1))}) and press Train.`,
      );
      announce(`Diverged at step ${d.step}: lower the learning rate.`);
      return;
    }
  }
}

// --- controls
const trainingText = () => data.trainingText();

/** The settings in the fields, checked (the model's memory too); undefined after saying what is wrong beside the field. */
function checkedSettings(): Settings | undefined {
  const shape = data.shape() ?? { docs: 0, chars: 0, vocabSize: 2 };
  const settings = readSettings(valShare(shape, readSettings(0)));
  try {
    validateModelConfig({ ...settings, vocabSize: 2 });
    validateTrainConfig({ ...DEFAULT_TRAIN, ...settings });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    notify(
      e.key ? $(`field-${e.key}`) : $('run-buttons'),
      e.describe((s) => s.label),
    );
    return undefined;
  }
  const tooBig = memoryProblem(settings, shape.vocabSize);
  if (tooBig) {
    notify($(`field-${tooBig.key}`), tooBig.message);
    return undefined;
  }
  return settings;
}

button('start').onclick = async () => {
  clearNotes();
  const text = await trainingText();
  const settings = text === undefined ? undefined : checkedSettings();
  if (!settings || text === undefined) return;
  send(stepsTaken.request(state, settings, text, panels.param(), (why) => notify($('run-buttons'), why, 'info')));
};
button('pause').onclick = () => send({ type: 'pause' });
button('resume').onclick = async () => {
  clearNotes();
  if (!loadedWaiting) return send({ type: 'resume', param: panels.param() });
  const last = atLastStep(step, readSettings(0).numSteps);
  if (last) return void notify($('run-buttons'), last);
  const text = await trainingText();
  if (text !== undefined) send({ type: 'resume', text, numSteps: readSettings(0).numSteps, param: panels.param() });
};
button('step').onclick = async () => {
  clearNotes();
  const param = panels.param(); // the weight the Training loop panel follows
  if (run && !loadedWaiting) return send({ type: 'step', settings: run.settings, text: '', param });
  const text: TextRef | undefined = await trainingText();
  const settings =
    text === undefined ? undefined : loadedWaiting && run ? { ...run.settings, numSteps: readSettings(0).numSteps } : checkedSettings();
  if (settings && text !== undefined) send({ type: 'step', settings, text, param });
};
button('reset').onclick = () => (clearNotes(), send({ type: 'reset' }));
button('download').onclick = () => (clearNotes(), send({ type: 'save' }));

// edits: model and training settings wait for the next Train; the learning rate applies live
for (const key of [...MODEL_KEYS, ...TRAIN_KEYS, ...DATA_KEYS, 'engine', 'dataset']) {
  $(key).addEventListener('input', refreshPending);
  $(key).addEventListener('change', () => {
    if (key === 'learningRate' && run && canTrainLive()) return changeRate();
    refreshPending();
    if (!run) updateUrl();
  });
}
for (const key of SAMPLE_KEYS) $(key).addEventListener('change', updateUrl);
$('dataset').addEventListener('change', () => ($('custom-data').hidden = $<HTMLSelectElement>('dataset').value !== 'custom'));
$<HTMLInputElement>('log-scale').onchange = () => {
  chart.log = $<HTMLInputElement>('log-scale').checked;
  chart.redraw();
};

function changeRate(): void {
  clearNotes();
  const lr = Number(field('learningRate').value);
  const settings = readSettings(0);
  try {
    validateTrainConfig({ ...DEFAULT_TRAIN, ...run!.settings, learningRate: settings.learningRate });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    notify(
      $('field-learningRate'),
      e.describe((s) => s.label),
    );
    return;
  }
  send({ type: 'learning-rate', learningRate: lr });
  run!.settings = { ...run!.settings, learningRate: lr };
  updateUrl();
  notify(
    $('field-learningRate'),
    `Now ${lr} from step ${step + 1} on (still decaying to 0 by the last step). A link replays the whole run at this rate.`,
    'info',
  );
}

// a checkpoint is checked here first: a bad file leaves the run on screen alone
field('load').onchange = async () => {
  const file = field('load').files?.[0];
  if (!file) return;
  clearNotes();
  const bytes = await file.arrayBuffer();
  field('load').value = '';
  try {
    loadCheckpoint(new Uint8Array(bytes));
  } catch (e) {
    notify($('load-row'), `${file.name}: ${(e as Error).message}`);
    return;
  }
  if (!confirmReplace(file.name, state, loadedWaiting, step, numSteps))
    return void notify($('load-row'), `${file.name} is not loaded: the run on screen goes on.`, 'info');
  send({ type: 'load', bytes }, [bytes]);
};

loadFromUrl();
data.showChoice();
mountDocumentsHint(data);
setState('idle');
keepFocusClearOf($('run-buttons'));

const panels = mountPanels($('panels'), {
  send,
  onMessage,
  step: () => button('step').click(),
  settings: () => readSettings(0),
  text: () => data.panelText(),
});
