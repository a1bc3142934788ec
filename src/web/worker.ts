/**
 * The training worker: runs train() off the page's thread, sends progress in
 * batches (every PROGRESS_MS, not every step), and answers sampling,
 * inspection and checkpoint requests.
 */
import { GPT, loadCheckpoint, Random, saveCheckpoint, train, type Checkpoint, type StepEvent, type TrainResult, type TrainRun } from '../index.ts';
import type { FromWorker, ModelInfo, Settings, ToWorker } from './protocol.ts';
import { defaultEngine } from '../core/engine-choice.ts';
import { pageHelpers } from './wasm-threads.ts';

const PROGRESS_MS = 100;
const PREVIEW_SAMPLES = 8;

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

let text = '';
let settings: Settings | undefined;
let gpt: GPT | undefined;
let run: TrainRun | undefined;
let paused: Checkpoint | undefined;
/** The checkpoint last loaded from a file, until training starts again. */
let loaded: Checkpoint | undefined;
let controller: AbortController | undefined;
let workerMs = 0;
/** Samples shown on the page come from their own stream, so that training's stays the CLI's. */
let previewRng = new Random(1);

function info(r: TrainRun | undefined, model: GPT, step: number, numSteps: number): ModelInfo {
  return {
    vocab: [...model.tokenizer.chars],
    numParams: model.numParams,
    numDocs: r?.dataset.docs.length ?? 0,
    valDocs: r?.dataset.valDocs.length ?? 0,
    step,
    numSteps,
    nLayer: model.config.nLayer,
    nHead: model.config.nHead,
    blockSize: model.config.blockSize,
  };
}

const preview = (model: GPT) => model.sample({ numSamples: PREVIEW_SAMPLES, temperature: 0.5, rng: previewRng });

async function runTraining(resume?: Checkpoint): Promise<void> {
  if (!settings) return;
  const s = settings;
  controller = new AbortController();
  let pending: StepEvent[] = [];
  let lastPost = performance.now();
  let t0 = performance.now();
  const flush = (withSamples: boolean) => {
    if (pending.length === 0) return;
    const ms = pending.reduce((a, e) => a + e.ms, 0);
    const tokens = pending.reduce((a, e) => a + e.tokens, 0);
    workerMs += performance.now() - t0;
    t0 = performance.now();
    post({
      type: 'progress',
      batch: {
        steps: pending.map((e) => e.step),
        losses: pending.map((e) => e.loss),
        valLosses: pending.map((e) => e.valLoss ?? NaN),
        msPerStep: ms / pending.length,
        tokensPerSecond: (tokens / ms) * 1000,
        workerMs,
      },
      samples: withSamples && gpt ? preview(gpt) : undefined,
    });
    pending = [];
  };
  post({ type: 'state', state: 'training', step: resume?.step ?? 0, workerMs });
  // 'fast' picks as the CLI does: the float64 engine at the original's size (the CLI's numbers), the SIMD engine above, threaded when the page is isolated
  const engine = s.engine === 'scalar' ? 'scalar' : (resume?.engine ?? defaultEngine(s, s.batchSize));
  const helpers = engine === 'wasm' ? await pageHelpers(s.batchSize) : undefined;
  const result: TrainResult = await train({
    text,
    model: { nLayer: s.nLayer, nEmbd: s.nEmbd, nHead: s.nHead, blockSize: s.blockSize },
    train: { numSteps: s.numSteps, batchSize: s.batchSize, learningRate: s.learningRate, seed: s.seed },
    valFraction: s.valFraction,
    evalEvery: s.valFraction > 0 ? Math.max(1, Math.round(s.numSteps / 20)) : 0,
    engine,
    helpers,
    resume,
    signal: controller.signal,
    yieldEveryMs: 30,
    onStart: (r) => {
      run = r;
      gpt = r.gpt;
      if (!resume) {
        previewRng = new Random(s.seed + 1);
        post({ type: 'ready', info: info(r, r.gpt, 0, s.numSteps), samples: preview(r.gpt), trained: false });
      }
    },
    onStep: (e) => {
      pending.push(e);
      const now = performance.now();
      if (now - lastPost >= PROGRESS_MS) {
        flush(true);
        lastPost = now;
      }
    },
  });
  flush(true);
  workerMs += performance.now() - t0; // the tail after the last flush
  if (result.stopped === 'aborted') {
    paused = result.checkpoint();
    post({ type: 'state', state: 'paused', step: result.step, workerMs });
  } else {
    paused = undefined;
    post({ type: 'state', state: 'done', step: result.step, workerMs });
  }
}

function handle(message: ToWorker): void | Promise<void> {
  switch (message.type) {
    case 'start':
      controller?.abort();
      text = message.text;
      settings = message.settings;
      paused = loaded = undefined;
      workerMs = 0;
      return runTraining();
    case 'pause':
      controller?.abort();
      return;
    case 'resume':
      if (paused) return runTraining(paused);
      return;
    case 'reset':
      controller?.abort();
      gpt = run = paused = loaded = undefined;
      workerMs = 0;
      post({ type: 'state', state: 'idle', step: 0, workerMs: 0 });
      return;
    case 'sample': {
      const model = requireModel();
      post({ type: 'samples', names: model.sample({ ...message.request, rng: previewRng }) });
      return;
    }
    case 'next-token': {
      const model = requireModel();
      const probs = model.nextTokenProbabilities(message.prefix, message.temperature, message.topK);
      const last = probs[probs.length - 1];
      const id = previewRng.choiceIndex(last);
      post({ type: 'next-token', prefix: message.prefix, char: id === model.tokenizer.BOS ? '' : model.tokenizer.chars[id], probs: Array.from(last), vocab: [...model.tokenizer.chars, 'BOS'] });
      return;
    }
    case 'inspect': {
      const model = requireModel();
      const r = model.inspect(message.text, message.temperature);
      post({
        type: 'inspection',
        inputs: r.inputs,
        probs: r.probs.map((p) => Array.from(p)),
        attention: r.attention.map((layer) => layer.map((head) => head.map((row) => Array.from(row)))),
        vocab: [...model.tokenizer.chars, 'BOS'],
      });
      return;
    }
    case 'save': {
      const ckpt = paused ?? run?.checkpoint() ?? loaded;
      if (!ckpt) throw new Error('nothing to save yet: train or load a model first');
      const bytes = saveCheckpoint(ckpt);
      post({ type: 'checkpoint', bytes: bytes.buffer as ArrayBuffer, step: ckpt.step }, [bytes.buffer as ArrayBuffer]);
      return;
    }
    case 'load': {
      const ckpt = loadCheckpoint(new Uint8Array(message.bytes));
      controller?.abort();
      run = undefined;
      paused = undefined;
      loaded = ckpt;
      gpt = GPT.fromCheckpoint(ckpt);
      post({ type: 'ready', info: info(undefined, gpt, ckpt.step, ckpt.train.numSteps), samples: preview(gpt), trained: ckpt.step > 0 });
      return;
    }
  }
}

function requireModel(): GPT {
  if (!gpt) throw new Error('no model yet: start training or load a checkpoint');
  return gpt;
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  try {
    await handle(event.data);
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
};
