import type { ModelConfig } from '../core/config.ts';
import type { DType, Engine, EngineName } from './engine.ts';
import { FastEngine } from './fast/engine.ts';
import { ScalarEngine } from './scalar/engine.ts';

export interface EngineOptions {
  dtype?: DType;
  /** Largest batch the engine will train on (the fast engine allocates for it). */
  batchSize?: number;
}

/** An engine of the given kind with the given initial weights (flat, state-dict order). */
export function createEngine(name: EngineName, config: ModelConfig, weights: ArrayLike<number>, options: EngineOptions = {}): Engine {
  const { dtype = 'float64', batchSize = 1 } = options;
  if (name === 'fast') return new FastEngine(config, weights, dtype, batchSize);
  if (name === 'scalar') {
    if (dtype !== 'float64') throw new RangeError('--dtype float32 needs --engine fast: the scalar engine computes in float64');
    return new ScalarEngine(config, weights);
  }
  throw new RangeError(`unknown engine ${String(name)}`);
}
