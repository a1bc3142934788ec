/**
 * Node's side of the wasm engine. Node 20 compiles relaxed SIMD (the fused
 * multiply-add of the matrix kernels) only behind a V8 flag, which
 * NODE_OPTIONS refuses but v8.setFlagsFromString sets before the first
 * module is compiled. The Node entry and the CLI call this at load.
 */
import { setFlagsFromString } from 'node:v8';

export function enableRelaxedSimd(): void {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}
