/**
 * The kernels the wasm engine calls (src/engines/wasm/), all on byte offsets
 * into one imported memory: the layout is the caller's (layout.ts), and
 * nothing here allocates or keeps state.
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
