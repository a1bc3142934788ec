/**
 * train(): the whole job as a library call. startRun() prepares the data and
 * the model; train() runs its steps, reports each one and stops on an
 * AbortSignal. Yields to the event loop every few milliseconds, so that a
 * signal, a UI or a worker's messages get their turn.
 */
import type { Checkpoint } from './checkpoint.ts';
import { checkFunction, checkSignal, refuse, shown } from './arguments.ts';
import { openRun, type RunOptions, type StepEvent, type TrainRun } from './run.ts';
import { ConfigError } from './settings.ts';

export type { StepEvent, TrainRun } from './run.ts';

export interface TrainOptions extends RunOptions {
  /** Stop once this many steps are done (of numSteps); the run can be resumed from there. */
  until?: number;
  signal?: AbortSignal;
  /** Called once the data and model are ready, before the first step. */
  onStart?: (run: TrainRun) => void;
  /** Called after each step. A returned promise is awaited before the next step; its rejection stops the run and train() rejects with it. */
  onStep?: ((event: StepEvent) => void) | ((event: StepEvent) => Promise<void>);
  /** Called every checkpointEvery steps with a checkpoint of that moment. */
  checkpointEvery?: number;
  onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>;
  /** Longest stretch without yielding to the event loop. Default 50 ms. */
  yieldEveryMs?: number;
}

export interface TrainResult extends TrainRun {
  /** 'done': all numSteps; 'until': stopped at options.until; 'aborted': by the signal. */
  stopped: 'done' | 'until' | 'aborted';
}

/** Trains to numSteps (or options.until). A DivergedError (src/core/errors.ts) is thrown as is, the weights left as before the bad step. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const run = openRun(options, WHERE, TRAIN_KEYS);
  checkTrainOptions(options, run);
  options.onStart?.(run);
  return trainSteps(run, options);
}

/** How trainSteps() runs: train()'s options after onStart, checked by the caller. */
export type StepLoop = Pick<TrainOptions, 'until' | 'signal' | 'onStep' | 'checkpointEvery' | 'onCheckpoint' | 'yieldEveryMs'>;

/** train()'s loop over a run that is ready (startRun(), or createRun() of a checked configuration); trusts loop. */
export async function trainSteps(run: TrainRun, loop: StepLoop): Promise<TrainResult> {
  const { numSteps } = run.train;
  const until = loop.until ?? numSteps;
  const yieldEveryMs = loop.yieldEveryMs ?? 50;
  let lastYield = performance.now();
  let stopped: TrainResult['stopped'] = 'done';
  while (run.step < until) {
    if (loop.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    const event = run.takeStep();
    const pending = loop.onStep?.(event);
    if (isThenable(pending)) await pending; // a sync callback's steps run on without a turn of the event loop
    if (loop.checkpointEvery && loop.onCheckpoint && run.step % loop.checkpointEvery === 0 && run.step < until) {
      await loop.onCheckpoint(run.checkpoint());
    }
    const now = performance.now();
    if (now - lastYield >= yieldEveryMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
  if (stopped === 'done' && run.step < numSteps) stopped = 'until';
  return Object.assign(run, { stopped });
}

/** Whether a callback returned a promise (or another thenable) to wait for. */
function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

const WHERE = 'train(options)';
const TRAIN_KEYS = ['until', 'signal', 'onStart', 'onStep', 'checkpointEvery', 'onCheckpoint', 'yieldEveryMs'];

/** What train() adds to startRun()'s options: each refused with its name when it would run wrong (an abort never seen, a stop never reached). */
function checkTrainOptions(options: TrainOptions, run: TrainRun): void {
  const { until, checkpointEvery, yieldEveryMs } = options;
  const { numSteps } = run.train;
  if (until !== undefined && !(Number.isSafeInteger(until) && until >= 1 && until <= numSteps))
    throw new ConfigError(`until must be an integer from 1 to numSteps (${numSteps}), got ${shown(until)}`);
  if (until !== undefined && until <= run.step)
    throw new ConfigError(`until must be after the checkpoint's step ${run.step}, got ${until}`);
  checkSignal(options.signal, WHERE, 'options.signal');
  for (const key of ['onStart', 'onStep', 'onCheckpoint'] as const) checkFunction(options[key], WHERE, `options.${key}`);
  if (checkpointEvery !== undefined) {
    if (!(Number.isSafeInteger(checkpointEvery) && checkpointEvery >= 1))
      refuse(WHERE, `options.checkpointEvery must be a whole number of steps from 1 up, got ${shown(checkpointEvery)}`);
    if (!options.onCheckpoint) refuse(WHERE, 'options.checkpointEvery needs options.onCheckpoint, the function that takes each checkpoint');
  }
  if (yieldEveryMs !== undefined && !(typeof yieldEveryMs === 'number' && Number.isFinite(yieldEveryMs) && yieldEveryMs >= 0)) {
    refuse(WHERE, `options.yieldEveryMs must be a number of milliseconds from 0 up, got ${shown(yieldEveryMs)}`);
  }
}
