/**
 * train(): the whole job as a library call. startRun() prepares the data and
 * the model; train() runs its steps, reports each one and stops on an
 * AbortSignal. Yields to the event loop every few milliseconds, so that a
 * signal, a UI or a worker's messages get their turn.
 */
import type { Checkpoint } from './checkpoint.ts';
import { startRun, type RunOptions, type StepEvent, type TrainRun } from './run.ts';

export type { StepEvent, TrainRun } from './run.ts';

export interface TrainOptions extends RunOptions {
  /** Stop once this many steps are done (of numSteps); the run can be resumed from there. */
  until?: number;
  signal?: AbortSignal;
  /** Called once the data and model are ready, before the first step. */
  onStart?: (run: TrainRun) => void;
  onStep?: (event: StepEvent) => void;
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
  const run = startRun(options);
  options.onStart?.(run);
  const { numSteps } = run.train;
  const until = Math.min(options.until ?? numSteps, numSteps);
  const yieldEveryMs = options.yieldEveryMs ?? 50;
  let lastYield = performance.now();
  let stopped: TrainResult['stopped'] = 'done';
  while (run.step < until) {
    if (options.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    const event = run.takeStep();
    options.onStep?.(event);
    if (options.checkpointEvery && options.onCheckpoint && run.step % options.checkpointEvery === 0 && run.step < until) {
      await options.onCheckpoint(run.checkpoint());
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
