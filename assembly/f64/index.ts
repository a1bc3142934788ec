/**
 * The float64 kernels of the wasm engine (dtype 'float64'): the same exports
 * as ../index.ts, on doubles, every sum in the fast engine's order, so that
 * one thread computes the fast engine's numbers bit for bit. JavaScript's
 * Math.exp, Math.log and Math.pow are imported (env.exp, env.log, env.pow).
 */
export { gemm, gemmReference, transpose, transposeRows } from './matmul';
export {
  zero, encoderForward, encoderBackward, rmsnormForward, rmsnormBackward, add, reluForward, reluBackward,
  attentionForward, attentionBackward, softmaxCrossEntropyForward, softmaxCrossEntropyBackward,
} from './layers';
export { adam, sumInto, sumSquares } from './optimizer';
export { execute, forward } from './model';

/** Where the module's own static data ends: the layout starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
