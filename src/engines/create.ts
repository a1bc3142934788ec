import { numParams, type ModelConfig } from './shape.ts';
import { DTYPES, ENGINES, isOneOf, orList, type DType, type Engine, type EngineName } from './engine.ts';
import { FastEngine } from './fast/engine.ts';
import { ScalarEngine } from './scalar/engine.ts';
import { WasmEngine } from './wasm/engine.ts';
import type { ThreadHelpers } from './wasm/threads.ts';

export interface EngineOptions {
  /** The fast and wasm engines' floats (default float64 for fast; for wasm its helpers', else float32); the scalar engine is float64. */
  dtype?: DType;
  /** The wasm engine's helper threads (threads = count + 1). */
  helpers?: ThreadHelpers;
}

/** An engine of the given kind with the given initial weights (flat, state-dict order); every argument checked. */
export function createEngine(name: EngineName, config: ModelConfig, weights: ArrayLike<number>, options: EngineOptions = {}): Engine {
  // the wasm engine's default: its helper threads' kernels, else float32
  const { dtype = name === 'wasm' ? (options?.helpers?.dtype ?? 'float32') : 'float64' } = options ?? {};
  checkArguments(name, config, weights, dtype);
  checkHelpers(options?.helpers);
  return makeEngine(name, config, weights, { dtype, helpers: options?.helpers });
}

/** createEngine() for a caller whose arguments are checked already (a run's RunConfig, a loaded checkpoint): trusts them. */
export function makeEngine(name: EngineName, config: ModelConfig, weights: ArrayLike<number>, options: EngineOptions = {}): Engine {
  const { helpers } = options;
  const dtype = options.dtype ?? (name === 'wasm' ? (helpers?.dtype ?? 'float32') : 'float64');
  if (name === 'wasm') return new WasmEngine(config, weights, { helpers, dtype });
  if (name === 'fast') return new FastEngine(config, weights, dtype);
  if (dtype !== 'float64') throw new RangeError('--dtype float32 needs --engine fast: the scalar engine computes in float64');
  return new ScalarEngine(config, weights);
}

const show = (v: unknown) =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : v === null
      ? 'null'
      : typeof v === 'object' || typeof v === 'function'
        ? `a ${typeof v}`
        : String(v);

/** helpers, when given, are what spawnHelpers() resolves to (a count, a shared memory, a module and close()). */
export function checkHelpers(h: unknown): void {
  if (h == null) return;
  const o = h as Partial<Record<keyof ThreadHelpers, unknown>>;
  const ok =
    typeof h === 'object' &&
    Number.isSafeInteger(o.count) &&
    typeof o.close === 'function' &&
    o.memory instanceof WebAssembly.Memory &&
    o.module instanceof WebAssembly.Module;
  if (!ok) throw new TypeError(`createEngine: options.helpers must be helper threads from spawnHelpers(), got ${show(h)}`);
}

/** createEngine's arguments, each named when wrong (the engines trust them after this). */
function checkArguments(name: unknown, config: ModelConfig, weights: ArrayLike<number>, dtype: unknown): void {
  const where = 'createEngine';
  if (!isOneOf(ENGINES, name)) throw new RangeError(`${where}: engine must be ${orList(ENGINES)}, got ${show(name)}`);
  if (!isOneOf(DTYPES, dtype)) throw new RangeError(`${where}: dtype must be ${orList(DTYPES)}, got ${show(dtype)}`);
  if (typeof config !== 'object' || config === null)
    throw new TypeError(
      `${where}: config must be a model configuration ({ vocabSize, nLayer, nEmbd, nHead, blockSize }), got ${show(config)}`,
    );
  for (const key of ['vocabSize', 'nLayer', 'nEmbd', 'nHead', 'blockSize'] as const) {
    if (!(Number.isSafeInteger(config[key]) && config[key] >= 1))
      throw new RangeError(`${where}: config.${key} must be a positive integer, got ${show(config[key])}`);
  }
  if (config.nEmbd % config.nHead !== 0)
    throw new RangeError(`${where}: config.nHead (${config.nHead}) must divide config.nEmbd (${config.nEmbd})`);
  if (typeof weights !== 'object' || weights === null || typeof weights.length !== 'number')
    throw new TypeError(`${where}: weights must be an array of numbers, got ${show(weights)}`);
  const n = numParams(config);
  if (weights.length !== n) throw new RangeError(`${where}: weights must hold the model's ${n} parameters, got ${weights.length}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(weights[i]))
      throw new RangeError(`${where}: weights[${i}] is ${show(weights[i])}; weights must be finite numbers`);
  }
}
