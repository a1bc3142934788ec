/**
 * The run on screen in the training worker: its model, its TrainRun (none yet
 * for a loaded checkpoint until it trains on), its settings and time counters,
 * and how one is made: from the page's settings, or from a checkpoint as the
 * CLI's --resume does, on the engine the CLI would pick.
 */
import {
  GPT,
  keysIn,
  pickSettings,
  Random,
  startRun,
  type Checkpoint,
  type EngineChoice,
  type StepEvent,
  type TrainRun,
} from '../index.ts';
import { chooseEngine, pageChoice } from '../core/engine-choice.ts';
import { valWindows } from '../core/stream.ts';
import { vocabBound } from '../core/memory.ts';
import { memoryProblem } from './memory-check.ts';
import { pageHelpers } from './wasm-threads.ts';
import type { DocOrigin, ModelInfo, RunState, Settings } from './protocol.ts';
import type { StepTrace } from '../core/trace.ts';
import { DocOrigins } from './panels/doc-origin.ts';
import { VAL_DOCS } from './protocol.ts';

/** Validation points on the chart over a run. */
const VAL_POINTS = 10;

/** The run on screen. */
export interface Current {
  /** Undefined for a loaded checkpoint until it trains on (Resume or Step). */
  run?: TrainRun;
  gpt: GPT;
  ckpt?: Checkpoint;
  settings: Settings;
  state: RunState;
  diverged?: { step: number; loss: number; gradNorm?: number };
  // time spent on this run, for the page's speed figures
  workerMs: number;
  trainMs: number;
  evalMs: number;
  stepsTrained: number;
  tokens: number;
  /** The text the run trains on, and where its documents came from in it (worked out at the first traced step). */
  text?: string;
  origins?: DocOrigins;
  /** Held-out documents for the validation loss, measured every evalEvery steps (0: never) and after the last. */
  valSeqs: number[][];
  evalEvery: number;
  /** Steps not yet posted. */
  pending: StepEvent[];
  lastProgress: number;
  lastPreview: number;
  /** Previews come from a stream of their own, so that training's stays the CLI's. */
  previewRng: Random;
  /** The user's samples: a copy of the model's stream taken at the step they were asked at, so a link always samples the same names. */
  sampling?: { rng: Random; step: number };
}

export const stepOf = (c: Current) => c.run?.step ?? c.ckpt?.step ?? 0;
export const numStepsOf = (c: Current) => c.run?.train.numSteps ?? c.settings.numSteps;

export function info(c: Current): ModelInfo {
  const { gpt, run } = c;
  return {
    vocab: [...gpt.tokenizer.chars],
    numParams: gpt.numParams,
    numDocs: run ? run.dataset.train.length + run.dataset.val.length : 0,
    valDocs: run?.dataset.stream ? c.valSeqs.length : (run?.dataset.val.length ?? 0),
    step: stepOf(c),
    numSteps: numStepsOf(c),
    nLayer: gpt.config.nLayer,
    nHead: gpt.config.nHead,
    blockSize: gpt.config.blockSize,
  };
}

/** The engine and dtype a run trains on, as the CLI picks them (pageChoice); wasm gets helper threads of its dtype when the page is isolated. */
export async function engineFor(s: Settings, ckpt?: Checkpoint): Promise<EngineChoice> {
  const { engine, dtype } = chooseEngine(pageChoice(s.engine), ckpt);
  return { engine, dtype, helpers: engine === 'wasm' ? await pageHelpers(s.batchSize, dtype) : undefined };
}

/** A run from the page's settings and text. */
export async function newRun(settings: Settings, text: string): Promise<Current> {
  const s = settings;
  // refused before anything is allocated, so that nothing is left half-built
  const tooBig = memoryProblem(s, vocabBound(text));
  if (tooBig) throw Object.assign(new Error(tooBig.message), { key: tooBig.key });
  const choice = await engineFor(s);
  const run = startRun({
    text,
    model: pickSettings(s, keysIn('model')),
    train: pickSettings(s, keysIn('train')),
    valFraction: s.valFraction,
    documents: s.documents,
    ...choice,
  });
  const c = withRun(fresh(run.gpt, settings), run);
  c.text = text;
  return c;
}

/** Where each document of a traced step sits in the run's text (null where it cannot be told: a stream of windows, a changed text). */
export function originsOf(c: Current, trace: StepTrace): (DocOrigin | null)[] | undefined {
  const run = c.run;
  if (!run || c.text === undefined || run.train.documents === 'stream') return undefined;
  c.origins ??= new DocOrigins(c.text, run.train.seed, run.train.valFraction);
  const origins = c.origins;
  return trace.docs.map((d, b) => origins.of(trace.step, b, run.train.batchSize, d.text) ?? null);
}

/** c trains run from now on: its model, its validation documents. */
export function withRun(c: Current, run: TrainRun): Current {
  c.run = run;
  c.gpt = run.gpt;
  // a stream's held-out windows (at most VAL_DOCS, spread over the held-out part), else the first held-out documents
  const { stream } = run.dataset;
  c.valSeqs = stream ? valWindows(stream.val, run.gpt.config.blockSize) : run.dataset.val.slice(0, VAL_DOCS);
  c.evalEvery = c.valSeqs.length > 0 ? Math.max(1, Math.round(run.train.numSteps / VAL_POINTS)) : 0;
  return c;
}

export function fresh(gpt: GPT, settings: Settings, ckpt?: Checkpoint): Current {
  return {
    gpt,
    ckpt,
    settings,
    state: 'paused',
    valSeqs: [],
    evalEvery: 0,
    workerMs: 0,
    trainMs: 0,
    evalMs: 0,
    stepsTrained: 0,
    tokens: 0,
    pending: [],
    lastProgress: performance.now(),
    lastPreview: 0,
    previewRng: new Random(settings.seed + 1),
  };
}

/** A loaded checkpoint trains on as the CLI's --resume does: same data, its settings, Steps may extend the schedule. */
export async function runFromCheckpoint(c: Current, text: string | undefined, numSteps: number | undefined): Promise<TrainRun> {
  if (c.run) return c.run;
  const ckpt = c.ckpt!;
  if (text === undefined) throw new Error('no training text: choose a dataset to train on');
  const steps = numSteps ?? ckpt.train.numSteps;
  const run = startRun({
    text,
    resume: ckpt,
    train: { numSteps: steps, learningRate: c.settings.learningRate },
    ...(await engineFor(c.settings, ckpt)),
  });
  withRun(c, run);
  c.text = text;
  c.settings = { ...c.settings, numSteps: steps };
  return run;
}

export function userStream(c: Current): Random {
  const step = stepOf(c);
  if (!c.sampling || c.sampling.step !== step) {
    const rng = new Random();
    rng.setstate(c.gpt.rng.getstate());
    c.sampling = { rng, step };
  }
  return c.sampling.rng;
}
