/** The worker's answers to the panels' requests (worker.ts hands them here). */
import type { GPT } from '../../core/gpt.ts';
import { paramIndex } from '../../core/trace.ts';
import { createEngine } from '../../engines/create.ts';
import { FastEngine } from '../../engines/fast/engine.ts';
import { stateDictShapes } from '../../engines/shape.ts';
import type { PanelAnswer, PanelRequest } from './messages.ts';

export interface ModelState {
  gpt: GPT | undefined;
  /** Steps taken by the current run (0 before the first). */
  step: number;
}

/** The answer to a panel's request; a request the model cannot answer gets a panel-error with the reason. */
export function answerPanelRequest(request: PanelRequest, state: ModelState): PanelAnswer {
  try {
    return answer(request, state);
  } catch (e) {
    return { type: 'panel-error', request: request.type, message: (e as Error).message };
  }
}

function answer(request: PanelRequest, { gpt, step }: ModelState): PanelAnswer {
  switch (request.type) {
    case 'panel-matrix': {
      if (!gpt) return { type: 'panel-matrix', name: request.name, view: null };
      const shape = stateDictShapes(gpt.config).find(([n]) => n === request.name);
      if (!shape) throw new RangeError(`no matrix named ${JSON.stringify(request.name)}`);
      const [name, rows, cols] = shape;
      const at = paramIndex(gpt.config, { name, row: 0, col: 0 });
      const part = (all: Float64Array) => Array.from(all.subarray(at, at + rows * cols));
      return {
        type: 'panel-matrix',
        name,
        view: { name, rows, cols, weights: part(gpt.engine.weights()), grads: part(gpt.engine.gradients()), step },
      };
    }
    case 'panel-logits': {
      if (!gpt) return { type: 'panel-logits', prefix: request.prefix, view: null };
      const ids = [gpt.tokenizer.BOS, ...gpt.tokenizer.encode(request.prefix)];
      const T = gpt.config.blockSize;
      if (ids.length > T) throw new RangeError(`the text has ${ids.length - 1} characters; the model reads at most ${T - 1}`);
      const engine = gpt.engine;
      engine.resetCache();
      let logits: ArrayLike<number> = [];
      ids.forEach((id, pos) => (logits = engine.forwardToken(id, pos)));
      const view = {
        prefix: request.prefix,
        pos: ids.length - 1,
        logits: Array.from(logits),
        vocab: [...gpt.tokenizer.chars, 'BOS'],
        full: ids.length === T,
      };
      engine.resetCache();
      return { type: 'panel-logits', prefix: request.prefix, view };
    }
    case 'panel-attention': {
      if (!gpt) return { type: 'panel-attention', view: null };
      const { text, layer, head } = request;
      const { nLayer, nHead, blockSize } = gpt.config;
      const ids = [gpt.tokenizer.BOS, ...gpt.tokenizer.encode(text)];
      if (ids.length > blockSize)
        throw new RangeError(`the word has ${ids.length - 1} characters; the model reads at most ${blockSize - 1}`);
      if (!(layer >= 0 && layer < nLayer && head >= 0 && head < nHead))
        throw new RangeError(`the model has ${nLayer} layers of ${nHead} heads`);
      const pos = Math.min(Math.max(0, request.pos), ids.length - 1);
      // the fast engine keeps q, k and v; with the scalar engine, a fast copy of the same weights computes the same numbers
      const engine = gpt.engine instanceof FastEngine ? gpt.engine : (createEngine('fast', gpt.config, gpt.engine.weights()) as FastEngine);
      engine.resetCache();
      ids.forEach((id, t) => engine.forwardToken(id, t));
      const weights = ids.map((_, t) => Array.from(engine.attentionRow(layer, head, t)));
      const inputs = engine.attentionInputs(layer, head, pos);
      engine.resetCache();
      return {
        type: 'panel-attention',
        view: {
          inputs: ['BOS', ...[...text]],
          layer,
          head,
          pos,
          nLayer,
          nHead,
          weights,
          q: Array.from(inputs.q),
          k: inputs.k.map((r) => Array.from(r)),
          v: inputs.v.map((r) => Array.from(r)),
          out: Array.from(inputs.out),
        },
      };
    }
  }
}
