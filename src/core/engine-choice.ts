/**
 * Which engine trains when none is asked for. The float64 fast engine prints
 * microgpt.py's numbers and is the faster on small models (a WebAssembly call
 * per layer costs more than a small layer's arithmetic); the float32 SIMD
 * engine wins from about this size on, measured with `npm run bench`.
 */
import type { EngineName } from '../engines/engine.ts';
import { simdSupported } from '../engines/wasm/kernels.ts';

/** nLayer * nEmbd^2 * batchSize (the matrix work per token, times the batch) from which the wasm engine is the default. */
export const WASM_FROM = 4096;

export function defaultEngine(shape: { nLayer: number; nEmbd: number }, batchSize: number): EngineName {
  return shape.nLayer * shape.nEmbd * shape.nEmbd * batchSize >= WASM_FROM && simdSupported() ? 'wasm' : 'fast';
}
