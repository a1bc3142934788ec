/**
 * What ../model.ts (the step, compiled here as f64/model.ts: see
 * assembly/build.mjs) needs to know of the float64 kernels: their float, and
 * the mode argument of gemm for each kind of product (f64/matmul.ts).
 */
export type float = f64;
/** C = A B (the forward's y = x W^T). */
export const SET: i32 = 0;
/** C += A B (dx += dy W: the sum, then added). */
export const ADD: i32 = 1;
/** dW += dy^T x: the sum starts from dW, as the fast engine's does. */
export const DW: i32 = 2;
