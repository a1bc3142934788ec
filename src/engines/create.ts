import type { ModelConfig } from './shape.ts';
import type { DType, Engine, EngineName } from './engine.ts';
import { FastEngine } from './fast/engine.ts';
import { ScalarEngine } from './scalar/engine.ts';
import { WasmEngine } from './wasm/engine.ts';
import type { ThreadHelpers } from './wasm/threads.ts';

export interface EngineOptions {
  /** The fast engine's storage; the wasm engine is float32 always, the scalar float64. */
  dtype?: DType;
  /** The wasm engine's helper threads (threads = count + 1). */
  helpers?: ThreadHelpers;
}

/** An engine of the given kind with the given initial weights (flat, state-dict order). */
export function createEngine(name: EngineName, config: ModelConfig, weights: ArrayLike<number>, options: EngineOptions = {}): Engine {
  const { dtype = 'float64' } = options;
  if (name === 'wasm') return new WasmEngine(config, weights, { helpers: options.helpers });
  if (name === 'fast') return new FastEngine(config, weights, dtype);
  if (name === 'scalar') {
    if (dtype !== 'float64') throw new RangeError('--dtype float32 needs --engine fast: the scalar engine computes in float64');
    return new ScalarEngine(config, weights);
  }
  throw new RangeError(`unknown engine ${String(name)}`);
}
