/**
 * The compiled kernels (assembly/, committed as base64 in kernels.wasm.ts;
 * the float64 ones, assembly/f64/, in kernels64.wasm.ts): which variant this
 * runtime runs, and its exports' types (the same for both dtypes). Relaxed SIMD
 * (a fused multiply-add) is used where the runtime validates it (Chromium; Node
 * 20 after the Node entry sets --experimental-wasm-relaxed-simd), else plain
 * SIMD; float64 never fuses (it keeps the fast engine's numbers). A
 * shared-memory variant serves threads. Every pointer is a byte offset.
 */
import type { DType } from '../engine.ts';
import * as modules32 from './kernels.wasm.ts';
import * as modules64 from './kernels64.wasm.ts';

const modules = { ...modules32, ...modules64 };
import type { WasmMemory, WasmModule } from './wasm-types.ts';

export interface Kernels {
  /** mode: float32, 0 (C =) or 1 (C +=); float64, 0 (C = the sum), 1 (C += the sum) or 2 (the sum starts from C), see assembly/f64/matmul.ts. */
  gemm(c: number, a: number, b: number, M: number, K: number, N: number, sai: number, sak: number, mode: number): void;
  gemmReference(c: number, a: number, b: number, M: number, K: number, N: number, sai: number, sak: number, accumulate: number): void;
  transpose(dst: number, src: number, rows: number, cols: number): void;
  transposeRows(dst: number, src: number, rows: number, cols: number, r0: number, r1: number): void;
  zero(p: number, n: number): void;
  encoderForward(out: number, tokens: number, positions: number, wte: number, wpe: number, r0: number, r1: number, C: number): void;
  encoderBackward(dwte: number, dwpe: number, dout: number, tokens: number, positions: number, r0: number, r1: number, C: number): void;
  rmsnormForward(out: number, scale: number, inp: number, r0: number, r1: number, C: number): void;
  rmsnormBackward(dinp: number, dout: number, inp: number, scale: number, r0: number, r1: number, C: number): void;
  add(out: number, a: number, b: number, n: number): void;
  reluForward(out: number, inp: number, n: number): void;
  reluBackward(d: number, inp: number, n: number): void;
  /** scratch: (T, T + hs), see layout.ts; float32 uses it only in backward. */
  attentionForward(
    out: number,
    att: number,
    scratch: number,
    q: number,
    k: number,
    v: number,
    base: number,
    attBase: number,
    t0: number,
    t1: number,
    T: number,
    C: number,
    NH: number,
  ): void;
  attentionBackward(
    dq: number,
    dk: number,
    dv: number,
    scratch: number,
    dout: number,
    att: number,
    q: number,
    k: number,
    v: number,
    base: number,
    attBase: number,
    n: number,
    T: number,
    C: number,
    NH: number,
  ): void;
  softmaxCrossEntropyForward(probs: number, logits: number, targets: number, r0: number, r1: number, V: number, result: number): void;
  softmaxCrossEntropyBackward(dlogits: number, probs: number, targets: number, r0: number, r1: number, V: number, dloss: number): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    lo: number,
    hi: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    eps: number,
    invSqrtBias2: number,
  ): void;
  sumInto(g0: number, stride: number, n: number, lo: number, hi: number): void;
  sumSquares(p: number, lo: number, hi: number, result: number): void;
  /** Thread w's part of a command (threads.ts), the buffers read from the table at byte `table` (layout.ts, writeTable). */
  execute(table: number, w: number, cmd: number): void;
  /** Thread w's rows r0..r1-1 to the logits, attention for sequences 0..seqs-1 from position t0 on (assembly/model.ts). */
  forward(table: number, w: number, r0: number, r1: number, seqs: number, t0: number): void;
  heapBase(): number;
}

const decoded = new Map<string, Uint8Array<ArrayBuffer>>();
const compiled = new Map<string, WebAssembly.Module>();

function bytesOf(name: keyof typeof modules): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(name);
  if (!bytes) {
    // a plain loop, not Uint8Array.from with a function: it runs once, cold, where a call per byte costs most
    const text = atob(modules[name]);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    decoded.set(name, bytes);
  }
  return bytes;
}

/** Whether this runtime accepts relaxed SIMD now (checked on each call: a Node entry may enable it after loading). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(bytesOf('relaxed'));
}

/** A module of one function returning v128.const 0: what a runtime with WebAssembly SIMD validates (43 bytes, not the kernels' 50 KB to decode). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 11,
]);

/** Whether this runtime runs WebAssembly with SIMD at all (else the wasm engine is not available). */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** Whether a shared WebAssembly.Memory can be made here (Node; a cross-origin isolated page). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/**
 * The compiled module for shared memory (threads) or not, relaxed SIMD where
 * supported (or as asked; float32 only); compiled once per variant.
 */
export function kernelModule(shared: boolean, relaxed?: boolean, dtype: DType = 'float32'): { module: WasmModule; relaxed: boolean } {
  // float64 never fuses: its relaxed check (a decode and a validation) is skipped
  relaxed = dtype === 'float64' ? false : (relaxed ?? relaxedSimdSupported());
  const name =
    dtype === 'float64'
      ? shared
        ? 'f64Shared'
        : 'f64'
      : relaxed
        ? shared
          ? 'relaxedShared'
          : 'relaxed'
        : shared
          ? 'simdShared'
          : 'simd';
  let module = compiled.get(name);
  if (!module) {
    module = new WebAssembly.Module(bytesOf(name));
    compiled.set(name, module);
  }
  return { module, relaxed };
}

/** Pages the shared memory may grow to: as compiled (assembly/build.mjs). */
export const MAX_PAGES = 65536;

/** An instance of the module on the given memory (the float64 kernels call JavaScript's log and pow, as the fast engine does). */
export function instantiate(module: WasmModule, memory: WasmMemory): Kernels {
  const env = { memory: memory as WebAssembly.Memory, log: Math.log, pow: Math.pow };
  return new WebAssembly.Instance(module as WebAssembly.Module, { env }).exports as unknown as Kernels;
}
