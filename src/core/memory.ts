/**
 * How much memory a model takes to train, estimated from its shape before
 * anything is allocated, so that a shape too large is refused in one line
 * instead of allocating until the machine gives out. Every dimension has a
 * range in settings.ts; their product is limited here. Browser-safe: the
 * CLI, the library, the page and the checkpoint loader can all use it.
 */
import type { DType, EngineName } from '../engines/engine.ts';
import { numParams, type ModelConfig } from '../engines/shape.ts';
import { ConfigError, SETTINGS, type Setting, type SettingKey } from './settings.ts';

const GiB = 2 ** 30;
/** The default limit: 4 GiB. */
export const DEFAULT_MEMORY_LIMIT = 4 * GiB;
/** The most elements a typed array holds in V8 (Node 20, Chromium). */
export const MAX_ARRAY_LENGTH = 2 ** 32;
/** The most a WebAssembly memory holds (32-bit addresses): the wasm engine's all. */
export const WASM_MEMORY_BYTES = 4 * GiB;

export interface MemoryOptions {
  /** Sequences per step (training), or per forward pass (evaluation, 64). */
  batchSize?: number;
  dtype?: DType;
  engine?: EngineName | string;
  /** The wasm engine's threads (each holds a gradient buffer and its share's activations); 1 when absent. */
  threads?: number;
}

export interface MemoryEstimate {
  /** All of it, in bytes. */
  bytes: number;
  /** Weights, gradients, Adam's moments, and the float64 copies a run and a checkpoint make. */
  parameterBytes: number;
  /** The activations of a batch (the fast engine) or the autograd graph of a step (the scalar engine). */
  activationBytes: number;
  /** The most elements in any one array (a checkpoint's bytes count as elements). */
  largestArray: number;
  /** The wasm engine's one WebAssembly memory, which holds at most WASM_MEMORY_BYTES (engine wasm only). */
  wasmBytes?: number;
}

/**
 * The estimate, generous rather than tight. P parameters, width w bytes
 * (8, or 4 for float32): the engine holds weights, gradients and two Adam
 * moments (4Pw); a run keeps its initial weights in float64 and a checkpoint
 * copies weights and moments and then writes them as bytes (56P). A batch of
 * B sequences of T positions holds per layer about 18TC + NH T^2 numbers of
 * activations, plus 12TC + 3TV outside the layers. The scalar engine's graph
 * has about 24C^2 nodes per position and layer (each multiply-add of a matrix
 * product is two), 52 bytes a node, in arrays that double as they grow.
 */
export function estimateMemory(model: ModelConfig, options: MemoryOptions = {}): MemoryEstimate {
  const { vocabSize: V, nLayer: L, nEmbd: C, nHead: NH, blockSize: T } = model;
  const B = options.batchSize ?? 1;
  const w = options.dtype === 'float32' ? 4 : 8;
  const P = numParams(model);
  const checkpointBytes = 3 * P * w;
  let parameterBytes = 4 * P * w + 56 * P;
  let activationBytes: number;
  let largestArray: number;
  if (options.engine === 'scalar') {
    const perPosition = L * (24 * C * C + 15 * C) + 2 * V * C + 3 * V + 5 * C;
    const attention = L * (4 * C + 3 * NH) * ((T * (T + 1)) / 2);
    const nodes = B * (T * perPosition + attention);
    activationBytes = 2 * 52 * nodes;
    parameterBytes += 2 * 16 * P; // the weights as graph leaves (value and gradient)
    largestArray = Math.max(2 * 2 * nodes, checkpointBytes);
  } else {
    const perSequence = L * (18 * T * C + NH * T * T + 2 * T) + 12 * T * C + 3 * T * V + 2 * T;
    activationBytes = B * perSequence * w + 12 * B * T;
    largestArray = Math.max(P, B * NH * T * T, 4 * B * T * C, B * T * V, checkpointBytes);
    if (options.engine === 'wasm') {
      // weights, their transposes, Adam's moments; per thread its gradients, attention's (T, T + hs) scratch and its share of the batch (src/engines/wasm/layout.ts)
      const W = Math.max(1, options.threads ?? 1);
      const share = Math.ceil(B / W);
      const wasmBytes = 2 ** 17 + (4 + W) * P * w + W * (T * (T + C / NH) * w + share * (perSequence * w + 12 * T + 4));
      return { bytes: parameterBytes + activationBytes, parameterBytes, activationBytes, largestArray, wasmBytes };
    }
  }
  return { bytes: parameterBytes + activationBytes, parameterBytes, activationBytes, largestArray };
}

/** A size as a person reads it: '812 KiB', '3.2 MiB', '25 GiB'. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A limit in GiB as given ('4', '0.5'), not rounded. */
const gib = (bytes: number) => `${Number((bytes / GiB).toPrecision(6))} GiB`;

/** A shape that needs more memory than the limit, or an array larger than a typed array holds. */
export class MemoryError extends ConfigError {
  override name = 'MemoryError';
  constructor(
    readonly estimate: MemoryEstimate,
    readonly limit: number,
    /** The settings that decide the size, with their values: named in the message by each face. */
    readonly settings: Partial<Record<SettingKey, number>>,
  ) {
    super(MemoryError.problemText(estimate, limit, (s) => s.key, settings));
  }

  private static problemText(
    e: MemoryEstimate,
    limit: number,
    name: (s: Setting) => string,
    settings: Partial<Record<SettingKey, number>>,
  ): string {
    const shape = Object.entries(settings)
      .map(([k, v]) => `${name(SETTINGS[k as SettingKey])} ${v}`)
      .join(', ');
    if (e.bytes > limit)
      return `the model (${shape}) needs about ${formatBytes(e.bytes)} for its weights, Adam's moments and activations, more than the limit of ${gib(limit)}`;
    if (e.largestArray > MAX_ARRAY_LENGTH)
      return `the model (${shape}) would need an array of ${e.largestArray} elements; JavaScript's typed arrays hold at most ${MAX_ARRAY_LENGTH}`;
    return `the model (${shape}) needs about ${formatBytes(e.wasmBytes ?? 0)} in the wasm engine, more than a WebAssembly memory holds (4 GiB): use the fast engine (--engine fast)`;
  }

  /** Over the limit (which a larger limit would lift), rather than an array too large for JavaScript. */
  get overLimit(): boolean {
    return this.estimate.bytes > this.limit;
  }

  override describe(name: (s: Setting) => string): string {
    return MemoryError.problemText(this.estimate, this.limit, name, this.settings);
  }
}

/**
 * The estimate, or a MemoryError when it exceeds limit bytes (or an array
 * would exceed what a typed array holds). The error names the shape's
 * settings, and the batch size unless nameBatch is false (evaluation's batch
 * is not a setting).
 */
export function checkMemory(
  model: ModelConfig,
  options: MemoryOptions = {},
  limit = DEFAULT_MEMORY_LIMIT,
  nameBatch = true,
): MemoryEstimate {
  const e = estimateMemory(model, options);
  if (e.bytes > limit || e.largestArray > MAX_ARRAY_LENGTH || (e.wasmBytes ?? 0) > WASM_MEMORY_BYTES) {
    const { nLayer, nEmbd, nHead, blockSize } = model;
    throw new MemoryError(e, limit, {
      nLayer,
      nEmbd,
      nHead,
      blockSize,
      ...(nameBatch && options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    });
  }
  return e;
}

/** At least the vocabulary size of a text (its distinct UTF-16 code units, plus BOS), for checkMemory before the tokenizer is built. */
export function vocabBound(text: string): number {
  const seen = new Uint8Array(65536);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!seen[c]) {
      seen[c] = 1;
      n++;
    }
  }
  return n + 1;
}
