/**
 * Forward and backward of each layer but the matrix products (matmul.ts), on
 * f64 buffers in the one memory, for rows [r0, r1): the fast engine's passes
 * (src/engines/fast/layers.ts) with its every sum in its order and its
 * Math.exp (exp.ts: the same algorithm), Math.log and ** (imported from
 * JavaScript), so that the numbers are the fast engine's bit for bit. f64x2 lanes run across independent
 * elements (the columns of a row), never along a sum. Pointers are byte
 * offsets; backward accumulates (+=) where the fast engine does.
 */

import { exp } from './exp';
// @ts-ignore: decorator
@external("env", "log") declare function log(x: f64): f64;
// @ts-ignore: decorator
@external("env", "pow") declare function pow(x: f64, y: f64): f64;

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function set(p: usize, i: i32, x: f64): void {
  store<f64>(p + (<usize>i << 3), x);
}
// @ts-ignore: decorator
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
/** Double i of the buffer at p, as a pointer. */
// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/** a[0] b[0] + a[1] b[1] + ... in order, from the first term. */
// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, n: i32): f64 {
  let acc = f(a, 0) * f(b, 0);
  for (let i = 1; i < n; i++) acc += f(a, i) * f(b, i);
  return acc;
}

/** y[i] = y[i] + alpha * x[i]. */
// @ts-ignore: decorator
@inline function axpy(y: usize, alpha: f64, x: usize, n: i32): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(a, v128.load(x + o))));
  }
  if (i < n) set(y, i, f(y, i) + alpha * f(x, i));
}

/** y[i] = x[i] * alpha. */
// @ts-ignore: decorator
@inline function scale(y: usize, x: usize, alpha: f64, n: i32): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.mul(v128.load(x + o), a));
  }
  if (i < n) set(y, i, f(x, i) * alpha);
}

/** out[i] = a[i] + b[i]. */
// @ts-ignore: decorator
@inline function sum2(out: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, f64x2.add(v128.load(a + o), v128.load(b + o)));
  }
  if (i < n) set(out, i, f(a, i) + f(b, i));
}

/** p[i] = e^(p[i] + -max) for i < n; returns their sum, from 0, in order. */
function expShifted(p: usize, n: i32, max: f64): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = exp(f(p, i) + -max);
    set(p, i, e);
    total += e;
  }
  return total;
}

export function encoderForward(out: usize, tokens: usize, positions: usize, wte: usize, wpe: usize, r0: i32, r1: i32, C: i32): void {
  for (let r = r0; r < r1; r++) sum2(at(out, r * C), at(wte, idx(tokens, r) * C), at(wpe, idx(positions, r) * C), C);
}

export function encoderBackward(dwte: usize, dwpe: usize, dout: usize, tokens: usize, positions: usize, r0: i32, r1: i32, C: i32): void {
  for (let r = r0; r < r1; r++) {
    const d = at(dout, r * C);
    const te = at(dwte, idx(tokens, r) * C);
    const pe = at(dwpe, idx(positions, r) * C);
    sum2(te, te, d, C);
    sum2(pe, pe, d, C);
  }
}

/** out = x * (x.x * C^-1 + 1e-5)^-0.5 per row; scale[r] keeps the factor. */
export function rmsnormForward(out: usize, scales: usize, inp: usize, r0: i32, r1: i32, C: i32): void {
  const invC = pow(<f64>C, -1);
  for (let r = r0; r < r1; r++) {
    const x = at(inp, r * C);
    const s = pow(dot(x, x, C) * invC + 1e-5, -0.5);
    set(scales, r, s);
    scale(at(out, r * C), x, s, C);
  }
}

/** dinp += s * dy - k * x, k = s^3 (dy . x) / C. */
export function rmsnormBackward(dinp: usize, dout: usize, inp: usize, scales: usize, r0: i32, r1: i32, C: i32): void {
  for (let r = r0; r < r1; r++) {
    const x = at(inp, r * C);
    const dy = at(dout, r * C);
    const dx = at(dinp, r * C);
    const s = f(scales, r);
    let d: f64 = 0;
    for (let i = 0; i < C; i++) d += f(dy, i) * f(x, i);
    const k = (s * s * s * d) / <f64>C;
    const sv = f64x2.splat(s), kv = f64x2.splat(k);
    let i = 0;
    for (; i + 2 <= C; i += 2) {
      const o = <usize>i << 3;
      const t = f64x2.sub(f64x2.mul(sv, v128.load(dy + o)), f64x2.mul(kv, v128.load(x + o)));
      v128.store(dx + o, f64x2.add(v128.load(dx + o), t));
    }
    if (i < C) set(dx, i, f(dx, i) + (s * f(dy, i) - k * f(x, i)));
  }
}

/** n doubles set to 0. */
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 3);
}

/** out = a + b over n doubles. */
export function add(out: usize, a: usize, b: usize, n: i32): void {
  sum2(out, a, b, n);
}

/** out = x where x > 0, else 0 (NaN and -0 give 0, as x > 0 ? x : 0 does). */
export function reluForward(out: usize, inp: usize, n: i32): void {
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const x = v128.load(inp + o);
    v128.store(out + o, v128.and(x, f64x2.gt(x, zero)));
  }
  if (i < n) set(out, i, f(inp, i) > 0 ? f(inp, i) : 0);
}

/** In place: d stays where the input was positive, else 0. */
export function reluBackward(d: usize, inp: usize, n: i32): void {
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(d + o, v128.and(v128.load(d + o), f64x2.gt(v128.load(inp + o), zero)));
  }
  if (i < n && !(f(inp, i) > 0)) set(d, i, 0);
}

/** dst (n, T) = the (rows, n) slice at src, rows ld bytes apart, transposed: one head's keys or values, a column per position. */
function transposeHead(dst: usize, src: usize, ld: usize, rows: i32, n: i32, T: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * ld;
    for (let i = 0; i < n; i++) set(dst, i * T + r, f(s, i));
  }
}

/**
 * out (n doubles) = sum over j < count of w_j * row_j, in order of j: from
 * the first term (`fromFirst`) or from out's values. The weights ws bytes
 * apart, the rows ld bytes apart; eight doubles of out in four registers.
 */
function weightedRows(out: usize, w: usize, ws: usize, rows: usize, ld: usize, count: i32, n: i32, fromFirst: bool): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = out + (<usize>i << 3);
    let wp = w;
    let rp = rows + (<usize>i << 3);
    let j = 0;
    let o0: v128, o1: v128, o2: v128, o3: v128;
    if (fromFirst) {
      const x = v128.load64_splat(wp);
      o0 = f64x2.mul(x, v128.load(rp));
      o1 = f64x2.mul(x, v128.load(rp, 16));
      o2 = f64x2.mul(x, v128.load(rp, 32));
      o3 = f64x2.mul(x, v128.load(rp, 48));
      j = 1;
      wp += ws;
      rp += ld;
    } else {
      o0 = v128.load(o);
      o1 = v128.load(o, 16);
      o2 = v128.load(o, 32);
      o3 = v128.load(o, 48);
    }
    for (; j < count; j++) {
      const x = v128.load64_splat(wp);
      o0 = f64x2.add(o0, f64x2.mul(x, v128.load(rp)));
      o1 = f64x2.add(o1, f64x2.mul(x, v128.load(rp, 16)));
      o2 = f64x2.add(o2, f64x2.mul(x, v128.load(rp, 32)));
      o3 = f64x2.add(o3, f64x2.mul(x, v128.load(rp, 48)));
      wp += ws;
      rp += ld;
    }
    v128.store(o, o0);
    v128.store(o, o1, 16);
    v128.store(o, o2, 32);
    v128.store(o, o3, 48);
  }
  for (; i + 2 <= n; i += 2) {
    const o = out + (<usize>i << 3);
    let wp = w;
    let rp = rows + (<usize>i << 3);
    let j = 0;
    let o0: v128;
    if (fromFirst) {
      o0 = f64x2.mul(v128.load64_splat(wp), v128.load(rp));
      j = 1;
      wp += ws;
      rp += ld;
    } else o0 = v128.load(o);
    for (; j < count; j++) {
      o0 = f64x2.add(o0, f64x2.mul(v128.load64_splat(wp), v128.load(rp)));
      wp += ws;
      rp += ld;
    }
    v128.store(o, o0);
  }
  if (i < n) {
    let wp = w;
    let rp = rows + (<usize>i << 3);
    let j = 0;
    let acc: f64;
    if (fromFirst) {
      acc = load<f64>(wp) * load<f64>(rp);
      j = 1;
      wp += ws;
      rp += ld;
    } else acc = f(out, i);
    for (; j < count; j++) {
      acc += load<f64>(wp) * load<f64>(rp);
      wp += ws;
      rp += ld;
    }
    set(out, i, acc);
  }
}

/**
 * Causal attention for positions t0..t1-1 of the sequence whose position 0
 * is row `base`; its (NH, T, T) weights start at double attBase of att.
 * scratch holds one head's keys transposed, (hs, T), so that eight logits
 * are summed at a time (weightedRows down its columns), each in the fast
 * engine's order.
 */
export function attentionForward(out: usize, att: usize, scratch: usize, q: usize, k: usize, v: usize, base: i32, attBase: i32, t0: i32, t1: i32, T: i32, C: i32, NH: i32): void {
  const hs = C / NH;
  const invScale = pow(pow(<f64>hs, 0.5), -1);
  const ld = <usize>C << 3;
  const ldT = <usize>T << 3;
  for (let h = 0; h < NH; h++) {
    const first = base * C + h * hs; // this head's slice of the sequence's first row
    transposeHead(scratch, at(k, first), ld, t1, hs, T); // kT (hs, T)
    for (let t = t0; t < t1; t++) {
      const a = at(att, attBase + (h * T + t) * T);
      const qh = at(q, first + t * C);
      // logit[t2] = q . k[t2] (from the first term), times 1/sqrt(hs): down the columns of kT, eight at a time
      weightedRows(a, qh, 8, scratch, ldT, hs, t + 1, true);
      scale(a, a, invScale, t + 1);
      let max = -Infinity;
      for (let t2 = 0; t2 <= t; t2++) if (f(a, t2) > max) max = f(a, t2);
      const invTotal = pow(expShifted(a, t + 1, max), -1);
      scale(a, a, invTotal, t + 1);
      // out[j] = att[0] v[0][j] + att[1] v[1][j] + ...
      weightedRows(at(out, first + t * C), a, 8, at(v, first), ld, t + 1, hs, true);
    }
  }
}

/**
 * Accumulates dq, dk, dv for the n positions of one sequence. scratch is
 * (T, T + hs): one head's d logits (T, T), then its values transposed
 * (hs, T). Per head: the d logits row by row (eight at a time), then dq row
 * by row, then dk and dv position by position, each element's sum in the
 * fast engine's order (dq over t2, dk and dv over t, ascending).
 */
export function attentionBackward(dq: usize, dk: usize, dv: usize, scratch: usize, dout: usize, att: usize, q: usize, k: usize, v: usize, base: i32, attBase: i32, n: i32, T: i32, C: i32, NH: i32): void {
  const hs = C / NH;
  const invScale = pow(pow(<f64>hs, 0.5), -1);
  const ld = <usize>C << 3;
  const ldT = <usize>T << 3;
  const vT = at(scratch, T * T);
  for (let h = 0; h < NH; h++) {
    const a = at(att, attBase + h * T * T); // (T, T) this head's weights
    const first = base * C + h * hs;
    transposeHead(vT, at(v, first), ld, n, hs, T); // (hs, T)
    for (let t = 0; t < n; t++) {
      const row = scratch + <usize>t * ldT;
      const attRow = a + <usize>t * ldT;
      const dy = at(dout, first + t * C);
      // through out = sum_t2 att[t2] * v[t2]: dw[t2] = dy . v[t2], from 0, down the columns of vT
      memory.fill(row, 0, <usize>(t + 1) << 3);
      weightedRows(row, dy, 8, vT, ldT, hs, t + 1, false);
      let weighted: f64 = 0;
      for (let t2 = 0; t2 <= t; t2++) weighted += f(attRow, t2) * f(row, t2);
      // through the softmax and the scaled dot product: dlogit = att (dw - weighted) / sqrt(hs)
      const w2 = f64x2.splat(weighted), s2 = f64x2.splat(invScale);
      let t2 = 0;
      for (; t2 + 2 <= t + 1; t2 += 2) {
        const o = <usize>t2 << 3;
        v128.store(row + o, f64x2.mul(f64x2.mul(v128.load(attRow + o), f64x2.sub(v128.load(row + o), w2)), s2));
      }
      if (t2 <= t) set(row, t2, f(attRow, t2) * (f(row, t2) - weighted) * invScale);
    }
    // dq[t] += dlogit[t][t2] k[t2], t2 ascending
    for (let t = 0; t < n; t++) weightedRows(at(dq, first + t * C), scratch + <usize>t * ldT, 8, at(k, first), ld, t + 1, hs, false);
    // dk[t2] += dlogit[t][t2] q[t] and dv[t2] += att[t][t2] dout[t], t ascending from t2 (down column t2)
    for (let t2 = 0; t2 < n; t2++) {
      const diag = <usize>t2 * ldT + (<usize>t2 << 3);
      const from = first + t2 * C;
      weightedRows(at(dk, from), scratch + diag, ldT, at(q, from), ld, n - t2, hs, false);
      weightedRows(at(dv, from), a + diag, ldT, at(dout, from), ld, n - t2, hs, false);
    }
  }
}

/** probs = softmax(logits) per row; the sum of -log probs[targets[r]], from 0 in row order, to the f64 at `result`. */
export function softmaxCrossEntropyForward(probs: usize, logits: usize, targets: usize, r0: i32, r1: i32, V: i32, result: usize): void {
  let loss: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const row = r * V;
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (f(logits, row + i) > max) max = f(logits, row + i);
    const p = at(probs, row);
    memory.copy(p, at(logits, row), <usize>V << 3);
    const invTotal = pow(expShifted(p, V, max), -1);
    scale(p, p, invTotal, V);
    loss += -log(f(p, idx(targets, r)));
  }
  store<f64>(result, loss);
}

/** dlogits = probs * dloss, less dloss at the target. */
export function softmaxCrossEntropyBackward(dlogits: usize, probs: usize, targets: usize, r0: i32, r1: i32, V: i32, dloss: f64): void {
  for (let r = r0; r < r1; r++) {
    const row = r * V;
    scale(at(dlogits, row), at(probs, row), dloss, V);
    const t = row + idx(targets, r);
    set(dlogits, t, f(dlogits, t) - dloss);
  }
}
