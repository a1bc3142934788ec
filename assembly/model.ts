/**
 * One thread's part of a training step, in WebAssembly: forward over the
 * sequences of its share (already packed into its rows), backward into its
 * own gradient buffer, and its slices of the shared work (summing the
 * threads' gradients, Adam, the transposes). A step is one call from
 * JavaScript per command (execute), not one per kernel: the default run's
 * thousand steps made sixty thousand calls, and each cost more than the
 * small kernels it ran. The engine runs thread 0's part; helper threads run
 * the others' with the same code (src/engines/wasm/threads.ts).
 *
 * This file is compiled twice: here, on the float32 kernels, and as
 * f64/model.ts on the float64 ones (assembly/build.mjs hands asc this text
 * for that name), so its imports are whichever kernels sit beside it.
 * Where each buffer lies is read from the table that layout.ts writes
 * (writeTable: its header, THREAD_FIELDS and LAYER_FIELDS, in this order).
 * Nothing here allocates.
 */
import { float, SET, ADD, DW } from './precision';
import { gemm, transposeRows } from './matmul';
import {
  zero, encoderForward, encoderBackward, rmsnormForward, rmsnormBackward, add, reluForward, reluBackward,
  attentionForward, attentionBackward, softmaxCrossEntropyForward, softmaxCrossEntropyBackward,
} from './layers';
import { adam, sumInto, sumSquares } from './optimizer';

// the commands (Command in threads.ts)
const LOSS: i32 = 1;
const TRAIN: i32 = 2;
const SUM: i32 = 3;
const ADAM: i32 = 4;
const TRANSPOSE: i32 = 5;

// the table's header (layout.ts's TABLE_HEADER): the shape, then byte offsets, then float offsets of the matrices
const VOCAB = 0, NLAYER = 1, EMBD = 2, HEADS = 3, BLOCK = 4, THREADS = 5, FB = 6, NUM_PARAMS = 7, PARAMS = 8, PARAMS_T = 9;
const MOMENT1 = 10, MOMENT2 = 11, GRAD_STRIDE = 12, DLOSS_AT = 13, ADAM_AT = 14, WTE = 15, WPE = 16, LM_HEAD = 17;
const HEADER = 18;
// then cuts (threads + 1), then each layer's six matrices, then each thread's record: THREAD_FIELDS, then each layer's LAYER_FIELDS
const ATTN_WQ = 0, ATTN_WK = 1, ATTN_WV = 2, ATTN_WO = 3, MLP_FC1 = 4, MLP_FC2 = 5;
const GRADS = 0, ENCODED = 1, LN0 = 2, LN0_SCALE = 3, LOGITS = 4, PROBS = 5, D_RESID = 6, D_LN = 7, DQ = 8, DK = 9, DV = 10;
const D_ATT_OUT = 11, D_FC = 12, D_LOGITS = 13, ATT_SCRATCH = 14, TOKENS = 15, POSITIONS = 16, TARGETS = 17, STARTS = 18;
const SEQS_AT = 19, LOSS_AT = 20, NORM_AT = 21;
const THREAD_FIELDS = 22;
const LN1 = 0, LN1_SCALE = 1, QUERIES = 2, KEYS = 3, VALUES = 4, ATT = 5, ATT_OUT = 6, ATT_PROJ = 7, RESID2 = 8, LN2 = 9, LN2_SCALE = 10;
const FC1 = 11, RELU = 12, FC2 = 13, RESID3 = 14;
const LAYER_FIELDS = 15;

/** Entry i of the table at tab. */
// @ts-ignore: decorator
@inline function get(tab: usize, i: i32): i32 {
  return load<i32>(tab + (<usize>i << 2));
}

/** Entry i of the table as a byte offset. */
// @ts-ignore: decorator
@inline function ptr(tab: usize, i: i32): usize {
  return <usize>load<i32>(tab + (<usize>i << 2));
}

/** Where the cuts begin: thread w's slice of the parameters is [cut(w), cut(w + 1)). */
// @ts-ignore: decorator
@inline function cut(tab: usize, w: i32): i32 {
  return get(tab, HEADER + w);
}

/** Float offset of layer l's matrix `which`. */
// @ts-ignore: decorator
@inline function matrix(tab: usize, l: i32, which: i32): i32 {
  return get(tab, HEADER + get(tab, THREADS) + 1 + l * 6 + which);
}

/** Index in the table of thread w's record. */
function record(tab: usize, w: i32): i32 {
  const L = get(tab, NLAYER);
  return HEADER + get(tab, THREADS) + 1 + 6 * L + w * (THREAD_FIELDS + LAYER_FIELDS * L);
}

/** Row where sequence b of thread record t starts. */
// @ts-ignore: decorator
@inline function start(tab: usize, t: i32, b: i32): i32 {
  return load<i32>(ptr(tab, t + STARTS) + (<usize>b << 2));
}

/** Byte offset of field `which` of layer l in thread record t. */
// @ts-ignore: decorator
@inline function act(tab: usize, t: i32, l: i32, which: i32): usize {
  return ptr(tab, t + THREAD_FIELDS + l * LAYER_FIELDS + which);
}

/** One thread's part of a command. */
export function execute(tab: usize, w: i32, cmd: i32): void {
  const t = record(tab, w);
  const seqs = load<i32>(ptr(tab, t + SEQS_AT));
  if (cmd == LOSS || cmd == TRAIN) {
    if (seqs > 0) lossSum(tab, w, seqs, ptr(tab, t + LOSS_AT));
    else store<f64>(ptr(tab, t + LOSS_AT), 0);
    if (cmd == TRAIN) backward(tab, w, seqs, load<f64>(ptr(tab, DLOSS_AT)));
  } else if (cmd == SUM) {
    sumGradients(tab, w, ptr(tab, t + NORM_AT));
  } else if (cmd == ADAM) {
    const a = ptr(tab, ADAM_AT);
    adamSlice(tab, w, load<f64>(a), load<f64>(a, 8), load<f64>(a, 16), load<f64>(a, 24), load<f64>(a, 32));
  } else if (cmd == TRANSPOSE) {
    transposeWeights(tab, w);
  }
}

/**
 * Runs thread w's rows r0..r1-1 through every layer to the logits, attention for
 * sequences 0..seqs-1 from position t0 on (training: r0 = 0, t0 = 0; sampling
 * one position of sequence 0 with the earlier keys and values in place).
 */
export function forward(tab: usize, w: i32, r0: i32, r1: i32, seqs: i32, t0: i32): void {
  const T = get(tab, BLOCK), C = get(tab, EMBD), NH = get(tab, HEADS), fb = get(tab, FB);
  const P = ptr(tab, PARAMS);
  const t = record(tab, w);
  const n = r1 - r0;
  const rC = <usize>(r0 * C * fb); // byte offset of row r0 in an (R, C) buffer
  const scratch = ptr(tab, t + ATT_SCRATCH);
  encoderForward(ptr(tab, t + ENCODED), ptr(tab, t + TOKENS), ptr(tab, t + POSITIONS), P + <usize>(get(tab, WTE) * fb), P + <usize>(get(tab, WPE) * fb), r0, r1, C); // (R, C) wte[token] + wpe[pos]
  rmsnormForward(ptr(tab, t + LN0), ptr(tab, t + LN0_SCALE), ptr(tab, t + ENCODED), r0, r1, C); // (R, C) the residual stream starts normalized
  let resid = ptr(tab, t + LN0);
  for (let l = 0; l < get(tab, NLAYER); l++) {
    const ln1 = act(tab, t, l, LN1), q = act(tab, t, l, QUERIES), k = act(tab, t, l, KEYS), v = act(tab, t, l, VALUES);
    const attOut = act(tab, t, l, ATT_OUT), att = act(tab, t, l, ATT), resid2 = act(tab, t, l, RESID2);
    // 1) multi-head attention block
    rmsnormForward(ln1, act(tab, t, l, LN1_SCALE), resid, r0, r1, C); // (R, C)
    linear(tab, q, ln1, matrix(tab, l, ATTN_WQ), C, C, r0, n); // (R, C) queries
    linear(tab, k, ln1, matrix(tab, l, ATTN_WK), C, C, r0, n); // (R, C) keys
    linear(tab, v, ln1, matrix(tab, l, ATTN_WV), C, C, r0, n); // (R, C) values
    for (let b = 0; b < seqs; b++) {
      const base = start(tab, t, b);
      attentionForward(attOut, att, scratch, q, k, v, base, b * NH * T * T, t0, start(tab, t, b + 1) - base, T, C, NH); // (R, C); att (S, NH, T, T)
    }
    const attProj = act(tab, t, l, ATT_PROJ);
    linear(tab, attProj, attOut, matrix(tab, l, ATTN_WO), C, C, r0, n); // (R, C)
    add(resid2 + rC, attProj + rC, resid + rC, n * C); // (R, C) + x_residual
    // 2) MLP block
    const ln2 = act(tab, t, l, LN2), fc1 = act(tab, t, l, FC1), relu = act(tab, t, l, RELU), fc2 = act(tab, t, l, FC2);
    rmsnormForward(ln2, act(tab, t, l, LN2_SCALE), resid2, r0, r1, C); // (R, C)
    linear(tab, fc1, ln2, matrix(tab, l, MLP_FC1), C, 4 * C, r0, n); // (R, 4C)
    reluForward(relu + 4 * rC, fc1 + 4 * rC, n * 4 * C); // (R, 4C)
    linear(tab, fc2, relu, matrix(tab, l, MLP_FC2), 4 * C, C, r0, n); // (R, C)
    const resid3 = act(tab, t, l, RESID3);
    add(resid3 + rC, fc2 + rC, resid2 + rC, n * C); // (R, C) + x_residual
    resid = resid3;
  }
  linear(tab, ptr(tab, t + LOGITS), resid, get(tab, LM_HEAD), C, get(tab, VOCAB), r0, n); // (R, V)
}

/** Rows r0..r0+n-1: y (n, OC) = x (n, IC) W^T, with W^T (IC, OC) kept transposed; w is the matrix's float offset. */
function linear(tab: usize, out: usize, inp: usize, w: i32, IC: i32, OC: i32, r0: i32, n: i32): void {
  const fb = get(tab, FB);
  gemm(out + <usize>(r0 * OC * fb), inp + <usize>(r0 * IC * fb), ptr(tab, PARAMS_T) + <usize>(w * fb), n, IC, OC, IC, 1, SET);
}

/**
 * dx (N, IC) += dy (N, OC) W; dW (OC, IC) += dy^T x, into thread t's gradients
 * (in float64 each dW sum starts from dW, as the fast engine's does: DW).
 */
function linearBackward(tab: usize, t: i32, dinp: usize, dout: usize, inp: usize, w: i32, IC: i32, OC: i32, N: i32): void {
  const fb = get(tab, FB);
  gemm(dinp, dout, ptr(tab, PARAMS) + <usize>(w * fb), N, OC, IC, OC, 1, ADD);
  gemm(ptr(tab, t + GRADS) + <usize>(w * fb), dout, inp, OC, N, IC, 1, OC, DW);
}

/** Forward over thread w's N rows; the summed (not mean) cross-entropy to the f64 at byte `result`. */
function lossSum(tab: usize, w: i32, seqs: i32, result: usize): void {
  const t = record(tab, w);
  const N = start(tab, t, seqs);
  forward(tab, w, 0, N, seqs, 0);
  softmaxCrossEntropyForward(ptr(tab, t + PROBS), ptr(tab, t + LOGITS), ptr(tab, t + TARGETS), 0, N, get(tab, VOCAB), result);
}

/** Gradients of dloss times the last lossSum into thread w's buffer (set, not accumulated). */
function backward(tab: usize, w: i32, seqs: i32, dloss: f64): void {
  const T = get(tab, BLOCK), C = get(tab, EMBD), NH = get(tab, HEADS), V = get(tab, VOCAB), L = get(tab, NLAYER), fb = get(tab, FB);
  const t = record(tab, w);
  const g = ptr(tab, t + GRADS);
  const N = start(tab, t, seqs);
  const dResid = ptr(tab, t + D_RESID), dLn = ptr(tab, t + D_LN), dFc = ptr(tab, t + D_FC), dAttOut = ptr(tab, t + D_ATT_OUT);
  const dq = ptr(tab, t + DQ), dk = ptr(tab, t + DK), dv = ptr(tab, t + DV), scratch = ptr(tab, t + ATT_SCRATCH);
  zero(g, get(tab, NUM_PARAMS));
  softmaxCrossEntropyBackward(ptr(tab, t + D_LOGITS), ptr(tab, t + PROBS), ptr(tab, t + TARGETS), 0, N, V, <float>dloss);
  zero(dResid, N * C);
  linearBackward(tab, t, dResid, ptr(tab, t + D_LOGITS), L > 0 ? act(tab, t, L - 1, RESID3) : ptr(tab, t + LN0), get(tab, LM_HEAD), C, V, N);
  for (let l = L - 1; l >= 0; l--) {
    const resid = l == 0 ? ptr(tab, t + LN0) : act(tab, t, l - 1, RESID3);
    // MLP block: dResid is d resid3, and resid3 = fc2 + resid2
    zero(dFc, N * 4 * C);
    linearBackward(tab, t, dFc, dResid, act(tab, t, l, RELU), matrix(tab, l, MLP_FC2), 4 * C, C, N);
    reluBackward(dFc, act(tab, t, l, FC1), N * 4 * C);
    zero(dLn, N * C);
    linearBackward(tab, t, dLn, dFc, act(tab, t, l, LN2), matrix(tab, l, MLP_FC1), C, 4 * C, N);
    rmsnormBackward(dResid, dLn, act(tab, t, l, RESID2), act(tab, t, l, LN2_SCALE), 0, N, C); // now d resid2
    // attention block: resid2 = attProj + resid
    zero(dAttOut, N * C);
    linearBackward(tab, t, dAttOut, dResid, act(tab, t, l, ATT_OUT), matrix(tab, l, ATTN_WO), C, C, N);
    zero(dq, N * C);
    zero(dk, N * C);
    zero(dv, N * C);
    const att = act(tab, t, l, ATT), q = act(tab, t, l, QUERIES), k = act(tab, t, l, KEYS), v = act(tab, t, l, VALUES);
    for (let b = 0; b < seqs; b++) {
      const base = start(tab, t, b);
      attentionBackward(dq, dk, dv, scratch, dAttOut, att, q, k, v, base, b * NH * T * T, start(tab, t, b + 1) - base, T, C, NH);
    }
    zero(dLn, N * C);
    const ln1 = act(tab, t, l, LN1);
    linearBackward(tab, t, dLn, dq, ln1, matrix(tab, l, ATTN_WQ), C, C, N);
    linearBackward(tab, t, dLn, dk, ln1, matrix(tab, l, ATTN_WK), C, C, N);
    linearBackward(tab, t, dLn, dv, ln1, matrix(tab, l, ATTN_WV), C, C, N);
    rmsnormBackward(dResid, dLn, resid, act(tab, t, l, LN1_SCALE), 0, N, C); // now d resid
  }
  // the rmsnorm after the embedding
  zero(dLn, N * C);
  rmsnormBackward(dLn, dResid, ptr(tab, t + ENCODED), ptr(tab, t + LN0_SCALE), 0, N, C);
  encoderBackward(g + <usize>(get(tab, WTE) * fb), g + <usize>(get(tab, WPE) * fb), dLn, ptr(tab, t + TOKENS), ptr(tab, t + POSITIONS), 0, N, C);
}

/** Thread 0's buffer += every other thread's, on thread w's slice, in thread order; the slice's squared norm to the f64 at byte `result`. */
function sumGradients(tab: usize, w: i32, result: usize): void {
  const lo = cut(tab, w), hi = cut(tab, w + 1);
  const g0 = ptr(tab, record(tab, 0) + GRADS);
  const threads = get(tab, THREADS);
  if (threads > 1) sumInto(g0, ptr(tab, GRAD_STRIDE), threads, lo, hi);
  sumSquares(g0, lo, hi, result);
}

/** Adam on thread w's slice with thread 0's (summed) gradients, then the slice's rows into the transposed weights. */
function adamSlice(tab: usize, w: i32, stepSize: f64, beta1: f64, beta2: f64, eps: f64, invSqrtBias2: f64): void {
  const g0 = ptr(tab, record(tab, 0) + GRADS);
  adam(ptr(tab, PARAMS), g0, ptr(tab, MOMENT1), ptr(tab, MOMENT2), cut(tab, w), cut(tab, w + 1), <float>stepSize, <float>beta1, <float>beta2, <float>eps, <float>invSqrtBias2);
  transposeWeights(tab, w);
}

/** Refreshes the transposed weights (the forward's) of the rows in thread w's slice. */
function transposeWeights(tab: usize, w: i32): void {
  const C = get(tab, EMBD);
  transposeSlice(tab, w, get(tab, LM_HEAD), get(tab, VOCAB), C);
  for (let l = 0; l < get(tab, NLAYER); l++) {
    transposeSlice(tab, w, matrix(tab, l, ATTN_WQ), C, C);
    transposeSlice(tab, w, matrix(tab, l, ATTN_WK), C, C);
    transposeSlice(tab, w, matrix(tab, l, ATTN_WV), C, C);
    transposeSlice(tab, w, matrix(tab, l, ATTN_WO), C, C);
    transposeSlice(tab, w, matrix(tab, l, MLP_FC1), 4 * C, C);
    transposeSlice(tab, w, matrix(tab, l, MLP_FC2), C, 4 * C);
  }
}

/** The rows of the (rows, cols) matrix at float offset `at` that lie in thread w's slice (slices are cut at row starts). */
function transposeSlice(tab: usize, w: i32, at: i32, rows: i32, cols: i32): void {
  const lo = cut(tab, w) - at, hi = cut(tab, w + 1) - at; // the slice, from the matrix's start
  const r0 = lo <= 0 ? 0 : (lo + cols - 1) / cols; // max(0, ceil(lo / cols))
  const r1 = hi <= 0 ? 0 : min(rows, (hi + cols - 1) / cols); // min(rows, ceil(hi / cols))
  const fb = <usize>get(tab, FB);
  if (r0 < r1) transposeRows(ptr(tab, PARAMS_T) + <usize>at * fb, ptr(tab, PARAMS) + <usize>at * fb, rows, cols, r0, r1);
}
