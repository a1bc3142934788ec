/**
 * Forward and backward of each layer but the matrix products (matmul.ts), on
 * f32 buffers in the one memory, for rows [r0, r1): a batch's tokens packed
 * one after another (no padding), so a (B, T, C) tensor is stored as
 * (rows, C). The same passes as src/engines/fast/layers.ts, in float32:
 * pointers are byte offsets; backward accumulates (+=) where the fast engine
 * does. Loss sums are kept in f64.
 */
import { madd } from './matmul';

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function set(p: usize, i: i32, x: f32): void {
  store<f32>(p + (<usize>i << 2), x);
}
// @ts-ignore: decorator
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** The sum of a[i] * b[i] for i < n, four lanes at a time. */
// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) sum += f(a, i) * f(b, i);
  return sum;
}

/** y[i] += alpha * x[i] for i < n. */
// @ts-ignore: decorator
@inline function axpy(y: usize, alpha: f32, x: usize, n: i32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(a, v128.load(x + o))));
  }
  for (; i < n; i++) set(y, i, f(y, i) + alpha * f(x, i));
}

/** y[i] = alpha * x[i] for i < n. */
// @ts-ignore: decorator
@inline function scale(y: usize, alpha: f32, x: usize, n: i32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.mul(a, v128.load(x + o)));
  }
  for (; i < n; i++) set(y, i, alpha * f(x, i));
}

/**
 * e^x in four lanes for x <= 0 (a softmax's inputs less their max), to about
 * 1 ulp: x = n ln 2 + r with |r| <= ln 2 / 2, e^r by Cephes' expf polynomial,
 * 2^n built in the exponent bits. Below -87 it gives about 2^-126, not 0.
 */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** p[i] = e^(p[i] - shift) for i < n (each p[i] <= shift); returns their sum. */
function expShifted(p: usize, n: i32, shift: f32): f32 {
  const s = f32x4.splat(shift);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = p + (<usize>i << 2);
    const e = exp4(f32x4.sub(v128.load(o), s));
    v128.store(o, e);
    acc = f32x4.add(acc, e);
  }
  let total = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) {
    const e = f32x4.extract_lane(exp4(f32x4.splat(f(p, i) - shift)), 0);
    set(p, i, e);
    total += e;
  }
  return total;
}

/** Float i of the buffer at p, as a pointer. */
// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** out[r] = wte[tokens[r]] + wpe[positions[r]]. */
export function encoderForward(out: usize, tokens: usize, positions: usize, wte: usize, wpe: usize, r0: i32, r1: i32, C: i32): void {
  for (let r = r0; r < r1; r++) {
    const te = idx(tokens, r) * C;
    const pe = idx(positions, r) * C;
    for (let i = 0; i < C; i++) set(out, r * C + i, f(wte, te + i) + f(wpe, pe + i));
  }
}

export function encoderBackward(dwte: usize, dwpe: usize, dout: usize, tokens: usize, positions: usize, r0: i32, r1: i32, C: i32): void {
  for (let r = r0; r < r1; r++) {
    const te = idx(tokens, r) * C;
    const pe = idx(positions, r) * C;
    for (let i = 0; i < C; i++) {
      const d = f(dout, r * C + i);
      set(dwte, te + i, f(dwte, te + i) + d);
      set(dwpe, pe + i, f(dwpe, pe + i) + d);
    }
  }
}

/** out = x * (mean(x^2) + 1e-5)^-0.5 per row; scale[r] keeps the factor. */
export function rmsnormForward(out: usize, scales: usize, inp: usize, r0: i32, r1: i32, C: i32): void {
  for (let r = r0; r < r1; r++) {
    const x = at(inp, r * C);
    const s: f32 = 1 / Mathf.sqrt(dot(x, x, C) / <f32>C + 1e-5);
    set(scales, r, s);
    scale(at(out, r * C), s, x, C);
  }
}

/** dinp += s*dy - x * s^3 * (dy . x) / C. */
export function rmsnormBackward(dinp: usize, dout: usize, inp: usize, scale: usize, r0: i32, r1: i32, C: i32): void {
  for (let r = r0; r < r1; r++) {
    const x = at(inp, r * C);
    const dy = at(dout, r * C);
    const dx = at(dinp, r * C);
    const s = f(scale, r);
    const k = (s * s * s * dot(dy, x, C)) / <f32>C;
    axpy(dx, s, dy, C);
    axpy(dx, -k, x, C);
  }
}

/** n floats set to 0. */
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/** out = a + b over n floats. */
export function add(out: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) set(out, i, f(a, i) + f(b, i));
}

export function reluForward(out: usize, inp: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.max(v128.load(inp + o), zero));
  }
  for (; i < n; i++) set(out, i, f(inp, i) > 0 ? f(inp, i) : 0);
}

/** In place: d stays where the input was positive, else 0. */
export function reluBackward(d: usize, inp: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, v128.and(v128.load(d + o), f32x4.gt(v128.load(inp + o), zero)));
  }
  for (; i < n; i++) if (!(f(inp, i) > 0)) set(d, i, 0);
}

/** The sums of the lanes of a, b, c and d, as one vector (a's sum in lane 0). */
// @ts-ignore: decorator
@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7)); // a0+a2 b0+b2 a1+a3 b1+b3
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/** x . y_j for the four rows y_0..y_3 of n floats, ld bytes apart: one vector, x . y_0 in lane 0. */
// @ts-ignore: decorator
@inline function dot4(x: usize, y: usize, ld: usize, n: i32): v128 {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  const y1 = y + ld, y2 = y1 + ld, y3 = y2 + ld;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    s0 = madd(xv, v128.load(y + o), s0);
    s1 = madd(xv, v128.load(y1 + o), s1);
    s2 = madd(xv, v128.load(y2 + o), s2);
    s3 = madd(xv, v128.load(y3 + o), s3);
  }
  let sums = sum4(s0, s1, s2, s3);
  if (i < n) {
    let r0: f32 = 0, r1: f32 = 0, r2: f32 = 0, r3: f32 = 0;
    for (; i < n; i++) {
      const xi = f(x, i);
      r0 += xi * f(y, i);
      r1 += xi * f(y1, i);
      r2 += xi * f(y2, i);
      r3 += xi * f(y3, i);
    }
    sums = f32x4.add(sums, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(r0), 1, r1), 2, r2), 3, r3));
  }
  return sums;
}

/**
 * out (n floats) (+)= sum over j < count of w_j * row_j: the weights ws bytes
 * apart from w, the rows ld bytes apart from rows. Each 16 floats of out are
 * summed in four registers over all j, then stored once.
 */
function weightedRows(out: usize, w: usize, ws: usize, rows: usize, ld: usize, count: i32, n: i32, accumulate: bool): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = out + (<usize>i << 2);
    let o0 = f32x4.splat(0), o1 = o0, o2 = o0, o3 = o0;
    if (accumulate) {
      o0 = v128.load(o);
      o1 = v128.load(o, 16);
      o2 = v128.load(o, 32);
      o3 = v128.load(o, 48);
    }
    let wp = w;
    let rp = rows + (<usize>i << 2);
    for (let j = 0; j < count; j++) {
      const x = v128.load32_splat(wp);
      o0 = madd(x, v128.load(rp), o0);
      o1 = madd(x, v128.load(rp, 16), o1);
      o2 = madd(x, v128.load(rp, 32), o2);
      o3 = madd(x, v128.load(rp, 48), o3);
      wp += ws;
      rp += ld;
    }
    v128.store(o, o0);
    v128.store(o, o1, 16);
    v128.store(o, o2, 32);
    v128.store(o, o3, 48);
  }
  for (; i + 4 <= n; i += 4) {
    const o = out + (<usize>i << 2);
    let o0 = accumulate ? v128.load(o) : f32x4.splat(0);
    let wp = w;
    let rp = rows + (<usize>i << 2);
    for (let j = 0; j < count; j++) {
      o0 = madd(v128.load32_splat(wp), v128.load(rp), o0);
      wp += ws;
      rp += ld;
    }
    v128.store(o, o0);
  }
  for (; i < n; i++) {
    let acc: f32 = accumulate ? f(out, i) : 0;
    let wp = w;
    let rp = rows + (<usize>i << 2);
    for (let j = 0; j < count; j++) {
      acc += load<f32>(wp) * load<f32>(rp);
      wp += ws;
      rp += ld;
    }
    set(out, i, acc);
  }
}

/**
 * Causal multi-head attention for positions t0..t1-1 of one sequence whose
 * position 0 is row `base`; its (NH, T, T) block of weights starts at float
 * attBase of att. Sampling feeds one position at a time (the KV cache).
 * The logits of four keys at a time, then the softmax, then the weighted sum
 * of the values in registers. (scratch is float64's: the same exports.)
 */
export function attentionForward(out: usize, att: usize, scratch: usize, q: usize, k: usize, v: usize, base: i32, attBase: i32, t0: i32, t1: i32, T: i32, C: i32, NH: i32): void {
  const hs = C / NH;
  const invScale: f32 = 1 / Mathf.sqrt(<f32>hs);
  const ld = <usize>C << 2;
  for (let t = t0; t < t1; t++) {
    const qRow = (base + t) * C;
    for (let h = 0; h < NH; h++) {
      const a = attBase + (h * T + t) * T;
      const qh = at(q, qRow + h * hs);
      const kh = at(k, base * C + h * hs);
      let maxv = f32x4.splat(-Infinity);
      let t2 = 0;
      for (; t2 + 4 <= t + 1; t2 += 4) {
        const logits = f32x4.mul(dot4(qh, kh + <usize>t2 * ld, ld, hs), f32x4.splat(invScale));
        v128.store(at(att, a + t2), logits);
        maxv = f32x4.max(maxv, logits);
      }
      let max = Mathf.max(Mathf.max(f32x4.extract_lane(maxv, 0), f32x4.extract_lane(maxv, 1)), Mathf.max(f32x4.extract_lane(maxv, 2), f32x4.extract_lane(maxv, 3)));
      for (; t2 <= t; t2++) {
        const logit = dot(qh, kh + <usize>t2 * ld, hs) * invScale;
        set(att, a + t2, logit);
        if (logit > max) max = logit;
      }
      const invTotal: f32 = 1 / expShifted(at(att, a), t + 1, max);
      scale(at(att, a), invTotal, at(att, a), t + 1);
      weightedRows(at(out, qRow + h * hs), at(att, a), 4, at(v, base * C + h * hs), ld, t + 1, hs, false);
    }
  }
}

/**
 * Accumulates dq, dk, dv for the n positions of one sequence; scratch starts
 * with (T, T) for one head's d logits. Per head: the d logits row by row (four
 * keys at a time), then dq row by row, then dk and dv key by key, each
 * summed in registers.
 */
export function attentionBackward(dq: usize, dk: usize, dv: usize, dAtt: usize, dout: usize, att: usize, q: usize, k: usize, v: usize, base: i32, attBase: i32, n: i32, T: i32, C: i32, NH: i32): void {
  const hs = C / NH;
  const invScale: f32 = 1 / Mathf.sqrt(<f32>hs);
  const ld = <usize>C << 2;
  const ldT = <usize>T << 2;
  for (let h = 0; h < NH; h++) {
    const a = at(att, attBase + h * T * T); // (T, T) this head's weights
    const first = base * C + h * hs; // this head's slice of the sequence's first row
    // d logits: through out = sum_t2 att[t2] v[t2], then the softmax and the scaled dot product
    for (let t = 0; t < n; t++) {
      const row = dAtt + <usize>t * ldT;
      const attRow = a + <usize>t * ldT;
      const d = at(dout, first + t * C);
      let t2 = 0;
      for (; t2 + 4 <= t + 1; t2 += 4) v128.store(row + (<usize>t2 << 2), dot4(d, at(v, first + t2 * C), ld, hs));
      for (; t2 <= t; t2++) set(row, t2, dot(d, at(v, first + t2 * C), hs));
      const weighted = dot(attRow, row, t + 1);
      const w4 = f32x4.splat(weighted), s4 = f32x4.splat(invScale);
      t2 = 0;
      for (; t2 + 4 <= t + 1; t2 += 4) {
        const o = <usize>t2 << 2;
        v128.store(row + o, f32x4.mul(f32x4.mul(v128.load(attRow + o), f32x4.sub(v128.load(row + o), w4)), s4));
      }
      for (; t2 <= t; t2++) set(row, t2, f(attRow, t2) * (f(row, t2) - weighted) * invScale);
    }
    // dq[t] += sum_t2 dlogit[t][t2] k[t2]
    for (let t = 0; t < n; t++) weightedRows(at(dq, first + t * C), dAtt + <usize>t * ldT, 4, at(k, first), ld, t + 1, hs, true);
    // dk[t2] += sum_t dlogit[t][t2] q[t]; dv[t2] += sum_t att[t][t2] dout[t] (t >= t2: down column t2)
    for (let t2 = 0; t2 < n; t2++) {
      const diag = (<usize>t2 * ldT) + (<usize>t2 << 2);
      const from = first + t2 * C;
      weightedRows(at(dk, from), dAtt + diag, ldT, at(q, from), ld, n - t2, hs, true);
      weightedRows(at(dv, from), a + diag, ldT, at(dout, from), ld, n - t2, hs, true);
    }
  }
}

/**
 * probs = softmax(logits) per row; the sum of -log probs[targets[r]] goes to
 * the f64 at `result` (written, not returned: a returned f64 costs the caller
 * a heap number).
 */
export function softmaxCrossEntropyForward(probs: usize, logits: usize, targets: usize, r0: i32, r1: i32, V: i32, result: usize): void {
  let loss: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const row = r * V;
    let max: f32 = -Infinity;
    for (let i = 0; i < V; i++) if (f(logits, row + i) > max) max = f(logits, row + i);
    memory.copy(at(probs, row), at(logits, row), <usize>V << 2);
    const invTotal: f32 = 1 / expShifted(at(probs, row), V, max);
    scale(at(probs, row), invTotal, at(probs, row), V);
    loss -= Math.log(<f64>f(probs, row + idx(targets, r)));
  }
  store<f64>(result, loss);
}

/** dlogits = (probs - onehot(target)) * dloss. */
export function softmaxCrossEntropyBackward(dlogits: usize, probs: usize, targets: usize, r0: i32, r1: i32, V: i32, dloss: f32): void {
  for (let r = r0; r < r1; r++) {
    const row = r * V;
    for (let i = 0; i < V; i++) set(dlogits, row + i, f(probs, row + i) * dloss);
    const t = row + idx(targets, r);
    set(dlogits, t, f(dlogits, t) - dloss);
  }
}
