/**
 * The float64 kernels of the wasm engine (dtype 'float64'): the same exports
 * as ../index.ts, on doubles, every sum in the fast engine's order, so that
 * one thread computes the fast engine's numbers bit for bit. JavaScript's
 * Math.log and Math.pow are imported (env.log, env.pow); exp.ts is Math.exp's
 * algorithm.
 */
export { gemm, gemmReference, transpose, transposeRows } from './matmul';
export {
  zero, encoderForward, encoderBackward, rmsnormForward, rmsnormBackward, add, reluForward, reluBackward,
  attentionForward, attentionBackward, softmaxCrossEntropyForward, softmaxCrossEntropyBackward,
} from './layers';
export { adam, sumInto, sumSquares } from './optimizer';
export { execute, forward } from './model';
/** For the tests: it must equal Math.exp bit for bit. */
export { exp } from './exp';

/** Where the module's own static data ends: the layout starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
