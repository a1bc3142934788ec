/**
 * What ./model.ts (the step) needs to know of the float32 kernels: their
 * float, and the mode argument of gemm for each kind of product.
 * assembly/f64/precision.ts says the same of the float64 ones.
 */
export type float = f32;
/** C = A B (the forward's y = x W^T). */
export const SET: bool = false;
/** C += A B (dx += dy W). */
export const ADD: bool = true;
/** dW += dy^T x: float32 adds the product to dW. */
export const DW: bool = true;
