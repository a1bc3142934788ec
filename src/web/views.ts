/** The speed figures of a run. */

/** Milliseconds as the page shows them: 1.23 s. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The speed figures of the steps trained here ('–' before the first). */
export function showTimes(t: { workerMs: number; trainMs: number; evalMs: number; stepsTrained: number }): void {
  const none = t.stepsTrained === 0;
  byId('stat-ms').textContent = none ? '–' : (t.trainMs / t.stepsTrained).toFixed(3);
  byId('stat-eval').textContent = none ? '–' : seconds(t.evalMs);
  byId('stat-worker').textContent = none ? '–' : seconds(t.workerMs);
}

const byId = (id: string) => document.getElementById(id) as HTMLElement;
