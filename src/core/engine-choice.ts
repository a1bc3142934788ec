/**
 * Which engine trains when none is asked for. The float64 fast engine prints
 * microgpt.py's numbers, so the original's model at its batch of one (and
 * anything smaller) keeps it: such a run can be checked against the Python
 * original. Above that the float32 SIMD engine is the default: measured on
 * a 2-core AMD EPYC it trains faster at every size from the original's up
 * (about 4x at the original's shape, 5-11x at 2 to 16 times its work per
 * step), so there is no crossover to wait for, only the exactness to keep.
 */
import type { DType, EngineName } from '../engines/engine.ts';
import { simdSupported } from '../engines/wasm/kernels.ts';

/** nLayer * nEmbd^2 * batchSize (the matrix work per token, times the batch) from which the wasm engine is the default: above the original's 1 * 16^2 * 1. */
export const WASM_FROM = 257;

export function defaultEngine(shape: { nLayer: number; nEmbd: number }, batchSize: number): EngineName {
  return shape.nLayer * shape.nEmbd * shape.nEmbd * batchSize >= WASM_FROM && simdSupported() ? 'wasm' : 'fast';
}

/**
 * The engine a run trains on: the one asked for; else, when resuming, the
 * checkpoint's own (a float64 checkpoint that names none, as PyTorch writes,
 * stays on the float64 fast engine, so its continuation stays exact); else by size.
 */
export function chooseEngine(
  asked: EngineName | undefined,
  shape: { nLayer: number; nEmbd: number },
  batchSize: number,
  ckpt?: { engine?: EngineName; dtype: DType },
): EngineName {
  return asked ?? ckpt?.engine ?? (ckpt?.dtype === 'float64' ? 'fast' : defaultEngine(shape, batchSize));
}
