/**
 * The compiled kernels (assembly/, committed as base64 in kernels.wasm.ts):
 * which variant this runtime runs, and its exports' types. Relaxed SIMD
 * (a fused multiply-add) is used where the runtime validates it (Chromium; Node
 * 20 after the Node entry sets --experimental-wasm-relaxed-simd), else plain
 * SIMD. A shared-memory variant serves threads. Every pointer is a byte offset.
 */
import * as modules from './kernels.wasm.ts';
import type { WasmMemory, WasmModule } from './wasm-types.ts';

export interface Kernels {
  gemm(c: number, a: number, b: number, M: number, K: number, N: number, sai: number, sak: number, accumulate: number): void;
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
  attentionForward(
    out: number,
    att: number,
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
    dAttRow: number,
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
  heapBase(): number;
}

const decoded = new Map<string, Uint8Array<ArrayBuffer>>();
const compiled = new Map<string, WebAssembly.Module>();

function bytesOf(name: keyof typeof modules): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(name);
  if (!bytes) {
    bytes = Uint8Array.from(atob(modules[name]), (c) => c.charCodeAt(0));
    decoded.set(name, bytes);
  }
  return bytes;
}

/** Whether this runtime accepts relaxed SIMD now (checked on each call: a Node entry may enable it after loading). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(bytesOf('relaxed'));
}

/** Whether this runtime runs WebAssembly with SIMD at all (else the wasm engine is not available). */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(bytesOf('simd'));
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

/** The compiled module for shared memory (threads) or not, relaxed SIMD where supported (or as asked); compiled once per variant. */
export function kernelModule(shared: boolean, relaxed = relaxedSimdSupported()): { module: WasmModule; relaxed: boolean } {
  const name = relaxed ? (shared ? 'relaxedShared' : 'relaxed') : shared ? 'simdShared' : 'simd';
  let module = compiled.get(name);
  if (!module) {
    module = new WebAssembly.Module(bytesOf(name));
    compiled.set(name, module);
  }
  return { module, relaxed };
}

/** Pages the shared memory may grow to: as compiled (assembly/build.mjs). */
export const MAX_PAGES = 65536;

/** An instance of the module on the given memory. */
export function instantiate(module: WasmModule, memory: WasmMemory): Kernels {
  return new WebAssembly.Instance(module as WebAssembly.Module, { env: { memory: memory as WebAssembly.Memory } })
    .exports as unknown as Kernels;
}
