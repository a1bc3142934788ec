/**
 * Which engine trains, and in which floats, when not asked. float64 is the
 * default everywhere: it prints microgpt.py's numbers at any size. The engine
 * is the fastest for the dtype: the wasm engine (WebAssembly SIMD, threads),
 * which in float64 is the fast engine's numbers bit for bit on one thread;
 * the fast engine where WebAssembly SIMD is missing. float32 is asked for
 * (--dtype float32): faster on big models, and its digits differ.
 */
import type { DType, EngineName } from '../engines/engine.ts';
import { simdSupported } from '../engines/wasm/kernels.ts';

/** The engine and floats a run trains on. */
export interface EngineAndDType {
  engine: EngineName;
  dtype: DType;
}

/** The fastest engine here for either dtype: wasm where WebAssembly SIMD runs, else fast. */
export function fastestEngine(): EngineName {
  return simdSupported() ? 'wasm' : 'fast';
}

/**
 * The engine and dtype a run trains on. The dtype: the one asked for; else
 * float64 on the scalar engine; else a resumed checkpoint's (a float32 one
 * resumes in float32, a float64 one in float64); else float64. The engine: the
 * one asked for; else the checkpoint's, when it names one (so a resume
 * continues on the engine that trained it); else the fastest (a checkpoint
 * PyTorch wrote names none: float64, on the float64 wasm engine).
 */
export function chooseEngine(asked: { engine?: EngineName; dtype?: DType }, ckpt?: { engine?: EngineName; dtype: DType }): EngineAndDType {
  const dtype = asked.dtype ?? (asked.engine === 'scalar' ? 'float64' : (ckpt?.dtype ?? 'float64'));
  return { engine: asked.engine ?? ckpt?.engine ?? fastestEngine(), dtype };
}

/** The page's engine field (auto, float32, or an engine by name) as what it asks of chooseEngine. */
export function pageChoice(field: 'auto' | 'float32' | EngineName): { engine?: EngineName; dtype?: DType } {
  return field === 'auto' ? {} : field === 'float32' ? { dtype: 'float32' } : { engine: field };
}

/**
 * About how many times faster float32 wasm trains than float64 wasm at this
 * size, where it is at least 1.5x; undefined below. Measured (2-core AMD EPYC
 * and Xeon, one thread): at a batch of 1 or 2 the two are within noise of each
 * other at every width tried (the step is too small for SIMD width to tell);
 * from a batch of 4 and nLayer * nEmbd^2 * batchSize of 2048 up, float32 is
 * 2-3x faster (2x on the bench's 4-layer, 64-wide model at batch 32).
 */
export function float32Gain(shape: { nLayer: number; nEmbd: number }, batchSize: number): number | undefined {
  return batchSize >= 4 && shape.nLayer * shape.nEmbd * shape.nEmbd * batchSize >= 2048 ? 2 : undefined;
}
