/** Trains through the library the way the CLI does, for tests that need the numbers. */
import { DEFAULT_TRAIN, initialWeights, type ModelConfig, type TrainConfig } from '../../src/core/config.ts';
import { prepareDataset } from '../../src/core/dataset.ts';
import { Random } from '../../src/core/random.ts';
import { Trainer } from '../../src/core/trainer.ts';
import { createEngine } from '../../src/engines/create.ts';
import type { DType, EngineName } from '../../src/engines/engine.ts';

export interface Shape {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  blockSize: number;
}

export const DEFAULT_SHAPE: Shape = { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };

export function trainLosses(
  engine: EngineName,
  text: string,
  steps: number,
  shape: Shape = DEFAULT_SHAPE,
  train: Partial<TrainConfig> = {},
  dtype?: DType,
): number[] {
  const rng = new Random(train.seed ?? 42);
  const data = prepareDataset(text, rng);
  const model: ModelConfig = { ...shape, vocabSize: data.tokenizer.vocabSize };
  const e = createEngine(engine, model, initialWeights(model, rng), dtype ? { dtype } : {});
  const trainer = new Trainer(e, data.train, { ...DEFAULT_TRAIN, numSteps: steps, ...train });
  return Array.from({ length: steps }, () => trainer.trainStep());
}
