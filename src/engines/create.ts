import type { ModelConfig } from './shape.ts';
import type { DType, Engine, EngineName } from './engine.ts';
import { FastEngine } from './fast/engine.ts';
import { ScalarEngine } from './scalar/engine.ts';

export interface EngineOptions {
  dtype?: DType;
}

/** An engine of the given kind with the given initial weights (flat, state-dict order). */
export function createEngine(name: EngineName, config: ModelConfig, weights: ArrayLike<number>, options: EngineOptions = {}): Engine {
  const { dtype = 'float64' } = options;
  if (name === 'fast') return new FastEngine(config, weights, dtype);
  if (name === 'scalar') {
    if (dtype !== 'float64') throw new RangeError('--dtype float32 needs --engine fast: the scalar engine computes in float64');
    return new ScalarEngine(config, weights);
  }
  throw new RangeError(`unknown engine ${String(name)}`);
}
