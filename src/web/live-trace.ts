/**
 * The traced steps of a run, in the worker: every Step, and while Train runs
 * the last step before a progress message now and then, and the run's last
 * step, so that the Training loop panel shows a recent step and not the one
 * before Train. A traced step costs about two plain ones (the positions'
 * probabilities are computed again), so Train traces one at most every
 * GAP_FACTOR times as long as the last one took: a few per cent of its time.
 *
 * The weight the panel follows through Adam stays the same from step to step:
 * the one the page names, or else the default the first traced step picked.
 */
import type { TrainRun } from '../index.ts';
import type { ParamRef, StepTrace } from '../core/trace.ts';
import { weightsBeforeStep } from './panels/backward-answer.ts';

const GAP_FACTOR = 50;

interface Tracing {
  param?: ParamRef;
  /** When the last traced step ended, and how long it took (ms). */
  at: number;
  ms: number;
}

const tracing = new WeakMap<TrainRun, Tracing>();
const of = (run: TrainRun): Tracing => {
  let t = tracing.get(run);
  if (!t) tracing.set(run, (t = { at: -Infinity, ms: 0 }));
  return t;
};

/** The weight to follow from now on (undefined: keep the one followed, or pick the default at the next trace). */
export function follow(run: TrainRun, param: ParamRef | undefined): void {
  if (param) of(run).param = param;
}

/** Whether Train should trace the next step: the run's last, or one before a progress message when tracing has rested long enough. */
export function traceDue(run: TrainRun, progressDue: boolean, now = performance.now()): boolean {
  if (run.step + 1 >= run.train.numSteps) return true;
  const t = of(run);
  return progressDue && now - t.at >= GAP_FACTOR * t.ms;
}

/** One traced step of run (the Backward view keeps the weights it starts from). */
export function tracedStep(run: TrainRun): StepTrace {
  const t = of(run);
  const t0 = performance.now();
  weightsBeforeStep(run.gpt, run.step);
  const trace = run.traceStep(t.param);
  t.param ??= { name: trace.param.name, row: trace.param.row, col: trace.param.col };
  t.at = performance.now();
  t.ms = t.at - t0;
  return trace;
}
