/**
 * Train after Steps: the run the Steps took trains on from where they left it
 * (as Resume does), when nothing Train applies has changed since: the model
 * and training settings (the learning rate aside: it applies to the run as
 * it is changed), Documents, the engine, the dataset and its text. Otherwise Train
 * starts a new run from step 0, and the page says why.
 */
import { keysIn, SETTINGS } from '../core/settings.ts';
import type { ParamRef } from '../core/trace.ts';
import type { FromWorker, RunState, Settings, TextRef, ToWorker } from './protocol.ts';

/** What Train would apply; the learning rate is not among them. */
const KEYS = [...keysIn('model'), ...keysIn('train'), ...keysIn('data')].filter((k) => k !== 'learningRate');

export class StepsTaken {
  /** The run on screen while only Steps have trained it: what it was made from, and the steps taken. */
  private run: { settings: Settings; dataset: string; text: string; steps: number } | undefined;

  constructor(
    onMessage: (listener: (m: FromWorker) => void) => void,
    /** The dataset chosen on the page and what identifies its text. */
    private readonly chosen: () => { dataset: string; text: string },
  ) {
    onMessage((m) => {
      if (m.type === 'ready') this.run = m.fromCheckpoint ? undefined : { settings: m.settings, ...this.chosen(), steps: m.info.step };
      else if (m.type === 'trace' && !m.live && this.run) this.run.steps = m.trace.step;
      else if (m.type === 'state' && (m.state === 'training' || m.state === 'idle')) this.run = undefined; // trained by Train, or gone
    });
  }

  /** What changed since the Steps (empty: nothing Train applies). */
  private changes(settings: Settings, { dataset, text }: { dataset: string; text: string }): string[] {
    const run = this.run!;
    const changed: string[] = KEYS.filter((k) => String(settings[k]) !== String(run.settings[k])).map((k) => SETTINGS[k].label);
    if (settings.engine !== run.settings.engine) changed.push('Engine');
    if (dataset !== run.dataset) changed.push('Dataset');
    else if (text !== run.text) changed.push('the text');
    return changed;
  }

  /**
   * Train's request to the worker for these settings and text: go on from the Steps taken, or a new run.
   * say: called with the reason when a new run replaces steps taken.
   */
  request(state: RunState, settings: Settings, text: TextRef, param: ParamRef | undefined, say: (text: string) => void): ToWorker {
    const run = this.run;
    if (state === 'paused' && run && run.steps > 0) {
      const changed = this.changes(settings, this.chosen());
      if (changed.length === 0) return { type: 'resume', param };
      say(
        `Train started a new run from step 0, because ${changed.join(', ')} changed since the ${run.steps} step${run.steps === 1 ? '' : 's'} you took: that needs a new model. With nothing changed, Train goes on from the steps taken.`,
      );
    }
    return { type: 'start', settings, text, param };
  }
}
