/**
 * Drawing names from a model, as microgpt.py's inference loop does, plus the
 * controls a tool needs (top-k, a prompt, a length limit).
 */
import type { Engine } from '../engines/engine.ts';
import type { Random } from './random.ts';

export interface SampleOptions {
  temperature: number;
  /** Keep the k most likely tokens; 0 keeps all. */
  topK?: number;
  /** Tokens fed after BOS before sampling starts; they begin the sample. */
  prompt?: readonly number[];
  /** Positions to run at most (the original runs blockSize). */
  maxLength?: number;
}

/**
 * probs = softmax([l / temperature for l in logits]) on plain numbers, in the
 * same operations as the Value version: l * temperature**-1, exp(l - max),
 * a left-to-right total, then e * total**-1. Writes into out and returns it.
 */
export function probabilities(logits: ArrayLike<number>, temperature: number, topK: number, out: Float64Array): Float64Array {
  const n = logits.length;
  const invTemperature = temperature ** -1;
  let cutoff = -Infinity;
  if (topK > 0 && topK < n) cutoff = kthLargest(logits, topK);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const l = logits[i] * invTemperature;
    out[i] = l;
    if (l > max) max = l;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = logits[i] >= cutoff ? Math.exp(out[i] + -max) : 0;
    out[i] = e;
    total += e;
  }
  const invTotal = total ** -1;
  for (let i = 0; i < n; i++) out[i] = out[i] * invTotal;
  return out;
}

function kthLargest(xs: ArrayLike<number>, k: number): number {
  return Array.from(xs).sort((a, b) => b - a)[k - 1];
}

/** One sample: token ids after BOS (prompt included) up to BOS or the length limit. */
export function sampleTokens(engine: Engine, BOS: number, rng: Random, options: SampleOptions): number[] {
  const { temperature, topK = 0, prompt = [] } = options;
  const maxLength = Math.min(options.maxLength ?? engine.config.blockSize, engine.config.blockSize);
  const probs = new Float64Array(engine.config.vocabSize);
  const sample = [...prompt];
  engine.resetCache();
  let tokenId = BOS;
  for (let posId = 0; posId < maxLength; posId++) {
    const logits = engine.forwardToken(tokenId, posId);
    if (posId < prompt.length) {
      tokenId = prompt[posId]; // teacher-force the prompt
      continue;
    }
    tokenId = rng.choiceIndex(probabilities(logits, temperature, topK, probs));
    if (tokenId === BOS) break;
    sample.push(tokenId);
  }
  engine.resetCache();
  return sample;
}

/**
 * A stream's sample (--documents stream): length characters after BOS and the
 * prompt, newlines included. BOS is the start symbol at position 0 (the model
 * never trained on it, so the prompt, or the first characters drawn, soon
 * outweigh it) and is never drawn: its logit counts as -Infinity. Once the
 * context is longer than the block, the KV cache restarts on its last
 * blockSize tokens (BOS drops out first), which is nanoGPT's crop of the
 * context, one restart per character from then on.
 */
export function sampleStream(engine: Engine, BOS: number, rng: Random, options: SampleOptions & { length: number }): number[] {
  const { temperature, topK = 0, prompt = [], length } = options;
  const T = engine.config.blockSize;
  const probs = new Float64Array(engine.config.vocabSize);
  const scratch = new Float64Array(engine.config.vocabSize);
  const context = [BOS, ...prompt];
  const out: number[] = [];
  /** Feeds the last T tokens of the context from position 0; returns the last position's logits. */
  const restart = (): Float64Array => {
    engine.resetCache();
    const from = Math.max(0, context.length - T);
    let logits = engine.forwardToken(context[from], 0);
    for (let i = from + 1; i < context.length; i++) logits = engine.forwardToken(context[i], i - from);
    return logits;
  };
  let logits = restart();
  for (let n = 0; n < length; n++) {
    scratch.set(logits);
    scratch[BOS] = -Infinity;
    const tokenId = rng.choiceIndex(probabilities(scratch, temperature, topK, probs));
    out.push(tokenId);
    context.push(tokenId);
    if (n === length - 1) break;
    logits = context.length <= T ? engine.forwardToken(tokenId, context.length - 1) : restart();
  }
  engine.resetCache();
  return out;
}
