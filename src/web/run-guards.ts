/**
 * What the page checks before it acts on a run: Resume of a checkpoint that
 * is already at its last step (Steps must be raised first), and a checkpoint
 * loaded over a run in progress (which that run would be lost to).
 */
import type { RunState } from './protocol.ts';

/** Why Resume cannot train a loaded checkpoint on to Steps (undefined when it can). */
export function atLastStep(step: number, steps: number): string | undefined {
  if (!(steps <= step)) return undefined;
  return `The checkpoint is at step ${step} and Steps is ${steps}: the run is already at its last step. Raise Steps above ${step} to train on, then press Resume.`;
}

/**
 * Asks before a loaded checkpoint replaces a run in progress (training, or
 * paused after training here), naming what is lost; true to go on. A run that
 * is done, or a checkpoint loaded and not trained on, is replaced without asking.
 */
export function confirmReplace(file: string, state: RunState, loadedWaiting: boolean, step: number, numSteps: number): boolean {
  const inProgress = state === 'training' || (state === 'paused' && !loadedWaiting);
  if (!inProgress) return true;
  return confirm(
    `Load ${file}? It replaces the run on screen, which is then lost: its model trained to step ${step} of ${numSteps}, its loss chart and its samples. To keep that run, press Cancel, then Download checkpoint.`,
  );
}
