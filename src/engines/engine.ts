/**
 * What the training driver, the sampler and checkpoints need from an engine.
 * Both engines keep parameters, gradients and Adam moments in state-dict order.
 */
import type { ModelConfig } from './shape.ts';

/** The engines, in the order messages and --help list them. */
export const ENGINES = ['fast', 'scalar', 'wasm'] as const;
export type EngineName = (typeof ENGINES)[number];
/** The storage an engine computes in. */
export const DTYPES = ['float64', 'float32'] as const;
export type DType = (typeof DTYPES)[number];

/** A list as a message words it: 'fast, scalar or wasm'. */
export const orList = (words: readonly string[]): string =>
  words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : (words[0] ?? '');
/** value is one of names (an engine's or a dtype's): a check that narrows. */
export const isOneOf = <T extends string>(names: readonly T[], value: unknown): value is T => (names as readonly unknown[]).includes(value);

/** Adam's settings for one step; lr is the decayed learning rate of that step. */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 0-based step index, for bias correction: 1 - beta ** (step + 1). */
  step: number;
}

export interface Engine {
  readonly name: EngineName;
  readonly dtype: DType;
  readonly config: ModelConfig;
  readonly numParams: number;
  /**
   * Forward and backward over a batch of token sequences (each BOS ... BOS),
   * each cut to blockSize + 1 tokens; the loss is the mean over all predicted
   * tokens of the batch. Then one Adam update. Returns the loss.
   * The same as lossAndGrad(batch) then update(adam).
   */
  trainStep(batch: readonly (readonly number[])[], adam: AdamStep): number;
  /** Forward and backward only: the loss, with gradients left in gradients(). */
  lossAndGrad(batch: readonly (readonly number[])[]): number;
  /** L2 norm of all the gradients lossAndGrad left (Infinity or NaN when they are not finite). */
  gradientNorm(): number;
  /** One Adam step with the gradients lossAndGrad left: moves the weights and the moments. */
  update(adam: AdamStep): void;
  /** The summed (not mean) loss over all predicted tokens of the batch, and their count; no gradients. */
  totalLoss(batch: readonly (readonly number[])[]): { total: number; tokens: number };
  /** Starts a new sequence for sampling (empties the KV cache). */
  resetCache(): void;
  /** Feeds one token at position posId and returns the next-token logits (valid until the next call). */
  forwardToken(tokenId: number, posId: number): Float64Array;
  /** Attention weights of the sequence fed by forwardToken: layer, head, query position t over key positions 0..t (a copy). */
  attentionRow(layer: number, head: number, t: number): Float64Array;
  /**
   * What attention reads for one head and query position t of the sequence fed by forwardToken:
   * the query, the keys and values of positions 0..t (head size each) and the head's output (copies).
   */
  attentionInputs(layer: number, head: number, t: number): { q: Float64Array; k: Float64Array[]; v: Float64Array[]; out: Float64Array };
  /** Copies of parameters, gradients and Adam moments, flattened in state-dict order. */
  weights(): Float64Array;
  gradients(): Float64Array;
  optimizerState(): { m: Float64Array; v: Float64Array };
  setWeights(w: ArrayLike<number>): void;
  setOptimizerState(m: ArrayLike<number>, v: ArrayLike<number>): void;
}
