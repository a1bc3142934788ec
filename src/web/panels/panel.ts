/**
 * What a panel is: one entry of registry.ts, with its requests to the worker,
 * how the worker answers each (run in the worker), and its view on the page
 * (built by mount.ts, which hands it every worker answer of the run on screen).
 */
import type { GPT } from '../../core/gpt.ts';
import type { ParamRef } from '../../core/trace.ts';
import type { ModelConfig } from '../../engines/shape.ts';
import type { FromWorker, PanelAnswer, PanelRequest } from '../protocol.ts';

/** The worker's model, as a panel's answer reads it. */
export interface ModelState {
  gpt: GPT | undefined;
  /** Steps taken by the current run (0 before the first). */
  step: number;
}

/** For each request type a panel sends: how the worker answers it (the answer has the same type, or is a panel-error naming it). */
export type PanelAnswers = {
  [T in PanelRequest['type']]?: (request: Extract<PanelRequest, { type: T }>, state: ModelState) => PanelAnswer;
};

/** What a panel's view may use of the page. */
export interface PanelContext {
  send(request: PanelRequest): void;
  /** Takes one traced training step, as the page's Step button does. */
  step(): void;
  /** The training text chosen on the page ('' when none yet). */
  text?(): string;
}

export interface PanelView {
  readonly element: HTMLElement;
  /** Every worker answer of the run on screen (its own answers among them). */
  hear?(m: FromWorker): void;
  /** The model the settings describe, or the one the worker built (at 'ready'); undefined with the reason when there is none. */
  configure?(config: ModelConfig | undefined, why: string): void;
  /** The weight the page's Step button follows (the training loop's choice). */
  param?(): ParamRef | undefined;
}

export interface PanelEntry {
  /** The panel's requests to the worker, each with the worker's answer. */
  answers: PanelAnswers;
  /** Builds the panel's view. */
  view(context: PanelContext): PanelView;
}

/** Feeds BOS + text through the engine's KV cache (emptied first); f reads what it needs before the cache is emptied again. */
export function fed<T>(gpt: GPT, text: string, what: string, f: (ids: number[], logits: Float64Array[]) => T): T {
  const ids = [gpt.tokenizer.BOS, ...gpt.tokenizer.encode(text)];
  const T = gpt.config.blockSize;
  if (ids.length > T) throw new RangeError(`the ${what} has ${ids.length - 1} characters; the model reads at most ${T - 1}`);
  const engine = gpt.engine;
  engine.resetCache();
  try {
    return f(
      ids,
      ids.map((id, pos) => Float64Array.from(engine.forwardToken(id, pos))),
    );
  } finally {
    engine.resetCache();
  }
}

/** The vocabulary as the panels receive it: the characters, then 'BOS' (token id vocabSize - 1). */
export const vocabOf = (gpt: GPT): string[] => [...gpt.tokenizer.chars, 'BOS'];
