/**
 * Every setting with microgpt.py's default, and the one place that checks them.
 */

/** The shape of the network. vocabSize comes from the data. */
export interface ModelConfig {
  vocabSize: number;
  nLayer: number;
  nEmbd: number;
  nHead: number;
  blockSize: number;
}

/** How training runs. */
export interface TrainConfig {
  numSteps: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  eps: number;
  batchSize: number;
  seed: number;
}

/** How names are drawn from a trained model. */
export interface SampleConfig {
  temperature: number;
  numSamples: number;
  /** Keep only the k most likely tokens; 0 keeps all. */
  topK: number;
  /** Longest sample in tokens; at most blockSize. */
  maxLength: number;
}

export const DEFAULT_MODEL: Omit<ModelConfig, 'vocabSize'> = { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };

export const DEFAULT_TRAIN: TrainConfig = {
  numSteps: 1000,
  learningRate: 0.01,
  beta1: 0.85,
  beta2: 0.99,
  eps: 1e-8,
  batchSize: 1,
  seed: 42,
};

export const DEFAULT_SAMPLE: Omit<SampleConfig, 'maxLength'> = { temperature: 0.5, numSamples: 20, topK: 0 };

/** A setting that is out of range; the message names the setting in CLI terms. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const flagName = (key: string): string => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

function positiveInt(key: string, v: number, max = 1_000_000_000): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new ConfigError(`${flagName(key)} must be an integer from 1 to ${max}, got ${v}`);
}

function inRange(key: string, v: number, lo: number, hi: number, what: string): void {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new ConfigError(`${flagName(key)} must be ${what}, got ${v}`);
}

export function validateModelConfig(c: ModelConfig): ModelConfig {
  positiveInt('nLayer', c.nLayer, 64);
  positiveInt('nEmbd', c.nEmbd, 4096);
  positiveInt('nHead', c.nHead, 4096);
  positiveInt('blockSize', c.blockSize, 4096);
  if (!Number.isInteger(c.vocabSize) || c.vocabSize < 2) throw new ConfigError(`the vocabulary needs at least one character besides BOS`);
  if (c.nEmbd % c.nHead !== 0) throw new ConfigError(`--n-embd (${c.nEmbd}) must be divisible by --n-head (${c.nHead})`);
  return c;
}

export function validateTrainConfig(c: TrainConfig): TrainConfig {
  positiveInt('numSteps', c.numSteps);
  positiveInt('batchSize', c.batchSize, 65536);
  inRange('learningRate', c.learningRate, 0, 10, 'a number from 0 to 10');
  if (!(c.learningRate > 0)) throw new ConfigError(`--learning-rate must be greater than 0, got ${c.learningRate}`);
  inRange('beta1', c.beta1, 0, 0.999999, 'in [0, 1)');
  inRange('beta2', c.beta2, 0, 0.999999, 'in [0, 1)');
  if (!(c.eps > 0) || !Number.isFinite(c.eps)) throw new ConfigError(`--eps must be greater than 0, got ${c.eps}`);
  if (!Number.isSafeInteger(c.seed)) throw new ConfigError(`--seed must be an integer, got ${c.seed}`);
  return c;
}

export function validateSampleConfig(c: SampleConfig, blockSize: number): SampleConfig {
  if (!(c.temperature > 0) || !Number.isFinite(c.temperature)) throw new ConfigError(`--temperature must be greater than 0, got ${c.temperature}`);
  if (!Number.isInteger(c.numSamples) || c.numSamples < 0 || c.numSamples > 1_000_000) throw new ConfigError(`--num-samples must be an integer from 0 to 1000000, got ${c.numSamples}`);
  if (!Number.isInteger(c.topK) || c.topK < 0) throw new ConfigError(`--top-k must be a non-negative integer, got ${c.topK}`);
  positiveInt('maxLength', c.maxLength, blockSize);
  return c;
}

/** Parameter count: wte, wpe, lm_head, and per layer 4 attention and 2 MLP matrices. */
export function numParams(c: ModelConfig): number {
  return 2 * c.vocabSize * c.nEmbd + c.blockSize * c.nEmbd + c.nLayer * 12 * c.nEmbd * c.nEmbd;
}

/**
 * The state dict's matrices in the original's order, with their shapes (rows = nout, cols = nin).
 * Initialisation, flattening, checkpoints and the fast engine's views all follow this list.
 */
export function stateDictShapes(c: ModelConfig): [name: string, rows: number, cols: number][] {
  const shapes: [string, number, number][] = [
    ['wte', c.vocabSize, c.nEmbd],
    ['wpe', c.blockSize, c.nEmbd],
    ['lm_head', c.vocabSize, c.nEmbd],
  ];
  for (let i = 0; i < c.nLayer; i++) {
    shapes.push([`layer${i}.attn_wq`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.attn_wk`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.attn_wv`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.attn_wo`, c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.mlp_fc1`, 4 * c.nEmbd, c.nEmbd]);
    shapes.push([`layer${i}.mlp_fc2`, c.nEmbd, 4 * c.nEmbd]);
  }
  return shapes;
}

/** Initial weights, flattened in state-dict order: gauss(0, 0.08) each, as matrix() draws them. */
export function initialWeights(c: ModelConfig, rng: { gauss(mu: number, sigma: number): number }): Float64Array {
  const w = new Float64Array(numParams(c));
  for (let i = 0; i < w.length; i++) w[i] = rng.gauss(0, 0.08);
  return w;
}
