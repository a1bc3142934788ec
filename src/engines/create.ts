import type { ModelConfig } from '../core/config.ts';
import type { DType, Engine, EngineName } from './engine.ts';
import { ScalarEngine } from './scalar/engine.ts';

/** An engine of the given kind with the given initial weights (flat, state-dict order). */
export function createEngine(name: EngineName, config: ModelConfig, weights: ArrayLike<number>, dtype: DType = 'float64'): Engine {
  if (name === 'scalar') {
    if (dtype !== 'float64') throw new RangeError('the scalar engine computes in float64 only');
    return new ScalarEngine(config, weights);
  }
  throw new RangeError(`unknown engine ${name}`);
}
