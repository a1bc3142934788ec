/**
 * The library's configuration objects, with defaults and checks read from the
 * settings table (settings.ts), plus the checks that span several settings.
 */
import type { ModelConfig } from '../engines/shape.ts';
import { checkSetting, checkSettings, ConfigError, defaultsOf, keysIn, SETTINGS, type KeysIn } from './settings.ts';

export type { ModelConfig } from '../engines/shape.ts';
export { numParams, stateDictShapes, initialWeights, INIT_STD } from '../engines/shape.ts';
export { ConfigError } from './settings.ts';

/** How training runs: the table's 'train' settings (numSteps, learningRate, beta1, beta2, eps, batchSize, seed). */
export type TrainConfig = Record<KeysIn<'train'>, number>;

/** How names are drawn from a trained model. */
export interface SampleConfig {
  temperature: number;
  numSamples: number;
  /** Keep only the k most likely tokens; 0 keeps all. */
  topK: number;
  /** Longest sample in tokens; at most blockSize. */
  maxLength: number;
}

const S = SETTINGS;
export const DEFAULT_MODEL: Omit<ModelConfig, 'vocabSize'> = defaultsOf('model');
export const DEFAULT_TRAIN: TrainConfig = defaultsOf('train');

export const DEFAULT_SAMPLE: Omit<SampleConfig, 'maxLength'> = {
  temperature: S.temperature.default,
  numSamples: S.numSamples.default,
  topK: S.topK.default,
};

/** The model's shape; vocabSize comes from the data (2 stands for "not known yet"). */
export function validateModelConfig(c: ModelConfig): ModelConfig {
  for (const key of keysIn('model')) checkSetting(key, c[key]);
  if (!Number.isInteger(c.vocabSize) || c.vocabSize < 2) throw new ConfigError('the vocabulary needs at least one character besides BOS');
  if (c.nEmbd % c.nHead !== 0) throw new ConfigError(`must divide the embedding width (${c.nEmbd}), got ${c.nHead}`, 'nHead');
  return c;
}

export function validateTrainConfig(c: TrainConfig): TrainConfig {
  for (const key of keysIn('train')) checkSetting(key, c[key]);
  return c;
}

export function validateSampleConfig(c: SampleConfig, blockSize: number): SampleConfig {
  checkSettings({ temperature: c.temperature, numSamples: c.numSamples, topK: c.topK });
  checkSetting('maxLength', c.maxLength);
  if (c.maxLength > blockSize) throw new ConfigError(`must be at most the block size (${blockSize}), got ${c.maxLength}`, 'maxLength');
  return c;
}

/** The validation settings: a share held out, and how often it is measured. */
export function validateValidation(valFraction: number, evalEvery: number): void {
  checkSetting('valFraction', valFraction);
  checkSetting('evalEvery', evalEvery);
  if (evalEvery > 0 && valFraction === 0) throw new ConfigError('needs held-out documents: a validation share above 0', 'evalEvery');
}
