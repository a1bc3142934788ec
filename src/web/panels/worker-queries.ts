/** The worker's answers to the panels' requests (worker.ts hands them here): each from the panel's entry in registry.ts. */
import type { PanelAnswer, PanelRequest } from '../protocol.ts';
import type { ModelState } from './panel.ts';
import { PANELS } from './registry.ts';

/** The answer to a panel's request; a request the model cannot answer gets a panel-error with the reason. */
export function answerPanelRequest(request: PanelRequest, state: ModelState): PanelAnswer {
  try {
    const answer = PANELS.map((p) => p.answers[request.type]).find((a) => a !== undefined);
    if (!answer) throw new Error(`no panel answers ${request.type}`);
    return (answer as (r: PanelRequest, s: ModelState) => PanelAnswer)(request, state);
  } catch (e) {
    return { type: 'panel-error', request: request.type, message: (e as Error).message };
  }
}
