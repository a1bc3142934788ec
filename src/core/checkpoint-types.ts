/**
 * What a checkpoint holds, as the library passes it around: the types both
 * checkpoint.ts (the file format) and checkpoint-check.ts (what makes one
 * valid) speak of, kept below both so that neither imports the other.
 */
import type { TrainConfig } from './config.ts';
import type { RandomState } from './random.ts';
import type { DocumentMode } from './settings.ts';
import type { ModelConfig } from '../engines/shape.ts';
import type { DType, EngineName } from '../engines/engine.ts';

/**
 * A run's training settings as a checkpoint keeps them: TrainConfig, the validation share and how the
 * text became documents (absent, as in a file written before streams: 'lines').
 */
export type CheckpointTrain = TrainConfig & { valFraction: number; documents?: DocumentMode };

/** What sampling and evaluating need: the model, its vocabulary and weights. A weights-only file (as exported from PyTorch) holds no more. */
export interface ModelCheckpoint {
  model: ModelConfig;
  /** The tokenizer's characters, in id order (BOS is id vocab.length). */
  vocab: string[];
  dtype: DType;
  /** Parameters flattened in state-dict order. */
  weights: Float64Array;
  /** Adam's moments, for an exact resume; absent in a weights-only file. */
  adam?: { m: Float64Array; v: Float64Array };
  /** The training state (see Checkpoint); absent in a weights-only file. */
  train?: CheckpointTrain;
  step?: number;
  rng?: RandomState;
  dataHash?: string;
  /** The engine that trained it (a resume without an engine named continues on it); any engine loads any checkpoint. */
  engine?: EngineName;
}

/** Everything a run needs to continue: the model and the training state. */
export interface Checkpoint extends ModelCheckpoint {
  train: CheckpointTrain;
  /** Training steps done. */
  step: number;
  /** The Random state after the steps done, so that sampling continues as in one run. */
  rng: RandomState;
  /** Identifies the training text, so that a resume on other data is refused ('' when unknown). */
  dataHash: string;
}
