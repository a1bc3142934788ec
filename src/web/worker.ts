/**
 * The training worker: one run at a time (core/run.ts's startRun), trained in
 * slices of a few milliseconds so that the page's requests (pause, step,
 * sample, a new learning rate) get their turn between them. Progress goes out
 * in batches every PROGRESS_MS; every answer carries the run's id (see
 * protocol.ts), and a run that was reset or replaced posts nothing more.
 */
import { DivergedError, GPT, keysIn, loadCheckpoint, pickSettings, saveCheckpoint, SETTINGS, type StepEvent } from '../index.ts';
import type { Envelope, FromWorker, Settings, ToWorker } from './protocol.ts';
import { isPanelRequest, NO_RUN, REPLACES_RUN } from './protocol.ts';
import { fresh, info, newRun, numStepsOf, originsOf, runFromCheckpoint, stepOf, userStream, type Current } from './worker-run.ts';
import { SampleStream } from './sample-stream.ts';
import { readBuiltinText, readLinkedFile, readTextFile, textOf } from './text-reader.ts';
import { answerPanelRequest } from './panels/worker-queries.ts';
import { follow, traceDue, tracedStep } from './live-trace.ts';
import type { StepTrace } from '../core/trace.ts';

/** Longest stretch of training before the worker reads its messages. */
const SLICE_MS = 20;
const PROGRESS_MS = 100;
const PREVIEW_MS = 1000;
const PREVIEW_SAMPLES = 8;
const PREVIEW_PASSAGES = 2;

let runId = 0;
let cur: Current | undefined;

function post(message: FromWorker, transfer: Transferable[] = [], run = runId): void {
  const envelope: Envelope = { run, message };
  (self as unknown as Worker).postMessage(envelope, transfer);
}
const samples = new SampleStream((m) => post(m));

/** What the model writes now: a few names, or with documents 'stream' a few passages (the Sample length's default each). */
function preview(c: Current): string[] {
  c.lastPreview = performance.now();
  const temperature = SETTINGS.temperature.default;
  if (c.settings.documents === 'stream')
    return Array.from({ length: PREVIEW_PASSAGES }, () => c.gpt.sampleText({ temperature, rng: c.previewRng }));
  return c.gpt.sample({ numSamples: PREVIEW_SAMPLES, temperature, rng: c.previewRng });
}

function postState(c: Current): void {
  const { state, workerMs, trainMs, evalMs, stepsTrained, diverged } = c;
  post({ type: 'state', state, step: stepOf(c), numSteps: numStepsOf(c), workerMs, trainMs, evalMs, stepsTrained, diverged });
}

/** Posts the steps not yet posted, with a preview of the samples when asked. */
function flush(c: Current, withPreview: boolean): void {
  const t0 = performance.now();
  const samples = withPreview ? preview(c) : undefined;
  c.workerMs += performance.now() - t0;
  c.lastProgress = performance.now();
  if (c.pending.length === 0 && !samples) return;
  const p = c.pending;
  c.pending = [];
  post({
    type: 'progress',
    batch: {
      steps: p.map((e) => e.step),
      losses: p.map((e) => e.loss),
      valLosses: p.map((e) => e.valLoss ?? NaN),
      msPerStep: c.trainMs / Math.max(1, c.stepsTrained),
      tokensPerSecond: (c.tokens / Math.max(1e-9, c.trainMs)) * 1000,
      workerMs: c.workerMs,
      trainMs: c.trainMs,
      evalMs: c.evalMs,
      stepsTrained: c.stepsTrained,
    },
    samples,
  });
}

/** Counts a step just trained (wallMs long), with the validation loss on eval steps (its time counted apart). */
function count(c: Current, e: StepEvent, wallMs: number): void {
  c.trainMs += wallMs;
  if (c.evalEvery > 0 && (e.step % c.evalEvery === 0 || e.step === e.numSteps)) {
    const t0 = performance.now();
    const r = c.gpt.engine.totalLoss(c.valSeqs);
    e.valLoss = r.total / r.tokens;
    c.evalMs += performance.now() - t0;
  }
  c.stepsTrained++;
  c.tokens += e.tokens;
  c.pending.push(e);
}

// --- training in slices: a MessageChannel turn (no timer clamping) between them
const tick = new MessageChannel();
let scheduled = false;
tick.port1.onmessage = () => {
  scheduled = false;
  if (cur) pump(cur);
};
function kick(): void {
  if (!scheduled) {
    scheduled = true;
    tick.port2.postMessage(null);
  }
}

function pump(c: Current): void {
  const run = c.run;
  if (c !== cur || c.state !== 'training' || !run) return;
  const t0 = performance.now();
  /** The slice's last step, traced when a progress message follows it (live-trace.ts says how often). */
  let trace: StepTrace | undefined;
  try {
    while (!run.done && performance.now() - t0 < SLICE_MS) {
      const t = performance.now();
      if (traceDue(run, t - c.lastProgress >= PROGRESS_MS, t)) {
        trace = tracedStep(run);
        count(c, trace.event, performance.now() - t);
        break;
      }
      const e = run.takeStep();
      count(c, e, performance.now() - t);
    }
  } catch (e) {
    c.workerMs += performance.now() - t0;
    try {
      stopWith(c, e);
    } catch (err) {
      postError(err as Error, 'resume'); // training in the background: told beside the run's buttons
    }
    return;
  }
  c.workerMs += performance.now() - t0;
  const now = performance.now();
  if (run.done) {
    c.state = 'done';
    flush(c, true);
    if (trace) post({ type: 'trace', trace, live: true, origins: originsOf(c, trace) });
    postState(c);
    return;
  }
  if (now - c.lastProgress >= PROGRESS_MS || trace) flush(c, now - c.lastPreview >= PREVIEW_MS);
  if (trace) post({ type: 'trace', trace, live: true, origins: originsOf(c, trace) });
  kick();
}

/** A step that failed: a diverged run ends there (its weights as before the bad step); anything else pauses it and is rethrown. */
function stopWith(c: Current, e: unknown): void {
  const diverged = e instanceof DivergedError;
  flush(c, diverged); // what a diverged model writes is part of the lesson
  if (e instanceof DivergedError) {
    c.state = 'diverged';
    c.diverged = { step: e.step, loss: e.loss, gradNorm: e.gradNorm };
    postState(c);
    return;
  }
  c.state = 'paused';
  postState(c);
  throw e;
}

function begin(c: Current): void {
  c.state = 'training';
  c.lastProgress = performance.now();
  postState(c);
  kick();
}

async function handle(message: ToWorker): Promise<void> {
  if (isPanelRequest(message)) return post(answerPanelRequest(message, { gpt: cur?.gpt, step: cur ? stepOf(cur) : 0 }));
  if (REPLACES_RUN.includes(message.type)) {
    runId++;
    cur = undefined;
    samples.drop();
  }
  switch (message.type) {
    case 'data-load':
      return post(
        {
          type: 'data-loaded',
          summary: await (typeof message.source === 'string'
            ? readLinkedFile(message.source)
            : message.source instanceof Blob
              ? readTextFile(message.source, message.name)
              : readBuiltinText(message.source.builtin, message.name)),
        },
        [],
        NO_RUN,
      );
    case 'start': {
      const c = await newRun(message.settings, textOf(message.text));
      cur = c;
      follow(c.run!, message.param);
      post({ type: 'ready', info: info(c), settings: c.settings, samples: preview(c), trained: false, fromCheckpoint: false });
      begin(c);
      return;
    }
    case 'pause':
      if (cur?.state === 'training') {
        cur.state = 'paused';
        flush(cur, true);
        postState(cur);
      }
      return;
    case 'resume': {
      const c = cur;
      if (c?.state !== 'paused') return;
      follow(await runFromCheckpoint(c, textOf(message.text), message.numSteps), message.param);
      if (c !== cur) return; // reset or replaced meanwhile
      begin(c);
      return;
    }
    case 'step':
      return step(message);
    case 'reset':
      post({ type: 'state', state: 'idle', step: 0, numSteps: 0, workerMs: 0, trainMs: 0, evalMs: 0, stepsTrained: 0 });
      return;
    case 'learning-rate':
      if (!cur) return;
      cur.settings = { ...cur.settings, learningRate: message.learningRate };
      cur.run?.setLearningRate(message.learningRate);
      return;
    case 'sample': {
      const c = requireModel();
      samples.start(c.gpt, userStream(c), message.request, stepOf(c), c.settings.documents === 'stream');
      return;
    }
    case 'sample-stop':
      return samples.stop();
    case 'save': {
      const ckpt = cur?.run?.checkpoint() ?? cur?.ckpt;
      if (!ckpt) throw new Error('nothing to save yet: train or load a model first');
      const bytes = saveCheckpoint(ckpt);
      post({ type: 'checkpoint', bytes: bytes.buffer as ArrayBuffer, step: ckpt.step }, [bytes.buffer as ArrayBuffer]);
      return;
    }
    case 'load': {
      const ckpt = loadCheckpoint(new Uint8Array(message.bytes));
      const { model, train } = ckpt;
      const settings: Settings = {
        ...pickSettings(model, keysIn('model')),
        ...pickSettings(train, keysIn('train')),
        engine: 'auto',
        valFraction: train.valFraction,
        documents: train.documents ?? SETTINGS.documents.default,
      };
      const c = fresh(GPT.fromCheckpoint(ckpt), settings, ckpt);
      cur = c;
      post({ type: 'ready', info: info(c), settings, samples: preview(c), trained: ckpt.step > 0, fromCheckpoint: true });
      postState(c);
      return;
    }
  }
}

/** Step: one traced step of the run on screen, paused after it; with no run, a new one from the message's settings. */
async function step(message: Extract<ToWorker, { type: 'step' }>): Promise<void> {
  let c = cur;
  if (!c) {
    c = cur = await newRun(message.settings, textOf(message.text));
    post({ type: 'ready', info: info(c), settings: c.settings, samples: preview(c), trained: false, fromCheckpoint: false });
  }
  if (c.state === 'diverged') throw new Error(`the run diverged at step ${c.diverged?.step}: press Train to start a new one`);
  const run = await runFromCheckpoint(c, textOf(message.text), message.settings.numSteps);
  if (run.done) throw new Error(`the run is done (${run.step} of ${run.train.numSteps} steps): press Train to start a new one`);
  if (c.state === 'training') flush(c, false);
  c.state = 'paused';
  follow(run, message.param);
  const t0 = performance.now();
  let trace;
  try {
    trace = tracedStep(run); // the Backward view records this step's graph from the weights it starts from, when asked
  } catch (e) {
    c.workerMs += performance.now() - t0;
    stopWith(c, e);
    return;
  }
  const wall = performance.now() - t0;
  c.workerMs += wall;
  count(c, trace.event, wall);
  if (run.done) c.state = 'done';
  flush(c, true);
  post({ type: 'trace', trace, origins: originsOf(c, trace) });
  postState(c);
}

function requireModel(): Current {
  if (!cur) throw new Error('no model yet: train one or load a checkpoint');
  return cur;
}

// one message at a time, in order, though starting a wasm run waits for its helper threads
let queue = Promise.resolve();
self.onmessage = (event: MessageEvent<ToWorker>) => {
  queue = queue.then(() => handle(event.data)).catch((e) => postError(e as Error, event.data.type));
};

function postError(e: Error & { key?: string }, request: ToWorker['type']): void {
  // a text file's problem belongs to no run: the page shows it whatever run is on screen
  post({ type: 'error', message: describe(e), request, key: e.key }, [], request === 'data-load' ? NO_RUN : runId);
}

/** One line for the page: a setting's problem names the setting by its label. */
function describe(e: Error & { key?: string; problem?: string }): string {
  if (e.name === 'ConfigError' && e.key && e.key in SETTINGS && e.problem)
    return `${SETTINGS[e.key as keyof typeof SETTINGS].label} ${e.problem}`;
  return e.message;
}
