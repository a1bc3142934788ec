/**
 * Forward and backward of each layer over flat buffers, for rows [r0, r1):
 * a batch's tokens packed one after another, sequence by sequence (no
 * padding), so row r is one position of one document and a (B, T, C) tensor
 * is stored as (rows, C). Attention alone needs to know where a sequence
 * starts. Forward sums run in the faithful engine's order (a left fold
 * starting at the first term), so the two engines compute the same forward
 * numbers; backward accumulates into its outputs (+=), and callers zero what
 * must start at zero. The matrix products are in matmul.ts.
 */
import type { Floats } from './tensors.ts';

export { matmulBackward, matmulForward } from './matmul.ts';

/** out[r] = wte[tokens[r]] + wpe[positions[r]] for rows r0..r1-1. */
export function encoderForward(
  out: Floats,
  tokens: Int32Array,
  positions: Int32Array,
  wte: Floats,
  wpe: Floats,
  r0: number,
  r1: number,
  C: number,
): void {
  for (let r = r0; r < r1; r++) {
    const o = r * C;
    const te = tokens[r] * C;
    const pe = positions[r] * C;
    for (let i = 0; i < C; i++) out[o + i] = wte[te + i] + wpe[pe + i];
  }
}

export function encoderBackward(
  dwte: Floats,
  dwpe: Floats,
  dout: Floats,
  tokens: Int32Array,
  positions: Int32Array,
  r0: number,
  r1: number,
  C: number,
): void {
  for (let r = r0; r < r1; r++) {
    const o = r * C;
    const te = tokens[r] * C;
    const pe = positions[r] * C;
    for (let i = 0; i < C; i++) {
      dwte[te + i] += dout[o + i];
      dwpe[pe + i] += dout[o + i];
    }
  }
}

/** out = x * (mean(x^2) + 1e-5)^-0.5 per row; scale[r] keeps the factor. */
export function rmsnormForward(out: Floats, scale: Floats, inp: Floats, r0: number, r1: number, C: number): void {
  const invC = C ** -1;
  for (let r = r0; r < r1; r++) {
    const x = r * C;
    let ss = inp[x] * inp[x];
    for (let i = 1; i < C; i++) ss += inp[x + i] * inp[x + i];
    const s = (ss * invC + 1e-5) ** -0.5;
    scale[r] = s;
    for (let i = 0; i < C; i++) out[x + i] = inp[x + i] * s;
  }
}

/** dinp += d/dx of y = x * s(x), s = (mean(x^2) + eps)^-1/2: s*dy - x * s^3 * (dy . x) / C. */
export function rmsnormBackward(dinp: Floats, dout: Floats, inp: Floats, scale: Floats, r0: number, r1: number, C: number): void {
  for (let r = r0; r < r1; r++) {
    const x = r * C;
    const s = scale[r];
    let dot = 0;
    for (let i = 0; i < C; i++) dot += dout[x + i] * inp[x + i];
    const k = (s * s * s * dot) / C;
    for (let i = 0; i < C; i++) dinp[x + i] += s * dout[x + i] - k * inp[x + i];
  }
}

export function residualForward(out: Floats, a: Floats, b: Floats, r0: number, r1: number, C: number): void {
  for (let i = r0 * C; i < r1 * C; i++) out[i] = a[i] + b[i];
}

export function reluForward(out: Floats, inp: Floats, r0: number, r1: number, C: number): void {
  for (let i = r0 * C; i < r1 * C; i++) out[i] = inp[i] > 0 ? inp[i] : 0;
}

/** In place: d stays where the input was positive, else 0. */
export function reluBackward(d: Floats, inp: Floats, r0: number, r1: number, C: number): void {
  for (let i = r0 * C; i < r1 * C; i++) if (!(inp[i] > 0)) d[i] = 0;
}

/**
 * Causal multi-head attention for the positions t0..t1-1 of one sequence,
 * each query t over keys 0..t: logits q.k * (hs^0.5)^-1, softmax, weighted
 * sum of values. `base` is the row of the sequence's position 0 in q, k, v
 * and out (B, T, C); `attBase` is where its (NH, T, T) block starts in att
 * (B, NH, T, T). Sampling feeds one position at a time (t1 = t0 + 1) with the
 * earlier keys and values already in place: that is the KV cache.
 */
export function attentionForward(
  out: Floats,
  att: Floats,
  q: Floats,
  k: Floats,
  v: Floats,
  base: number,
  attBase: number,
  t0: number,
  t1: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  const invScale = (hs ** 0.5) ** -1;
  for (let t = t0; t < t1; t++) {
    const qRow = (base + t) * C;
    for (let h = 0; h < NH; h++) {
      const a = attBase + (h * T + t) * T; // att[b, h, t, :]
      const qh = qRow + h * hs;
      let max = -Infinity;
      for (let t2 = 0; t2 <= t; t2++) {
        const kh = (base + t2) * C + h * hs;
        let dot = q[qh] * k[kh];
        for (let j = 1; j < hs; j++) dot += q[qh + j] * k[kh + j];
        const logit = dot * invScale;
        att[a + t2] = logit;
        if (logit > max) max = logit;
      }
      let total = 0;
      for (let t2 = 0; t2 <= t; t2++) {
        const e = Math.exp(att[a + t2] + -max);
        att[a + t2] = e;
        total += e;
      }
      const invTotal = total ** -1;
      for (let t2 = 0; t2 <= t; t2++) att[a + t2] = att[a + t2] * invTotal;
      for (let j = 0; j < hs; j++) {
        let acc = att[a] * v[base * C + h * hs + j];
        for (let t2 = 1; t2 <= t; t2++) acc += att[a + t2] * v[(base + t2) * C + h * hs + j];
        out[qRow + h * hs + j] = acc;
      }
    }
  }
}

/** Accumulates dq, dk, dv for the n positions of one sequence (base and attBase as in attentionForward). dAttRow is (T) scratch. */
export function attentionBackward(
  dq: Floats,
  dk: Floats,
  dv: Floats,
  dAttRow: Floats,
  dout: Floats,
  att: Floats,
  q: Floats,
  k: Floats,
  v: Floats,
  base: number,
  attBase: number,
  n: number,
  T: number,
  C: number,
  NH: number,
): void {
  const hs = C / NH;
  const invScale = (hs ** 0.5) ** -1;
  for (let t = 0; t < n; t++) {
    const qRow = (base + t) * C;
    for (let h = 0; h < NH; h++) {
      const a = attBase + (h * T + t) * T;
      const qh = qRow + h * hs;
      // through out = sum_t2 att[t2] * v[t2]
      let weighted = 0;
      for (let t2 = 0; t2 <= t; t2++) {
        const vh = (base + t2) * C + h * hs;
        const w = att[a + t2];
        let dw = 0;
        for (let j = 0; j < hs; j++) {
          dw += dout[qh + j] * v[vh + j];
          dv[vh + j] += w * dout[qh + j];
        }
        dAttRow[t2] = dw;
        weighted += w * dw;
      }
      // through the softmax and the scaled dot product
      for (let t2 = 0; t2 <= t; t2++) {
        const dlogit = att[a + t2] * (dAttRow[t2] - weighted) * invScale;
        const kh = (base + t2) * C + h * hs;
        for (let j = 0; j < hs; j++) {
          dq[qh + j] += dlogit * k[kh + j];
          dk[kh + j] += dlogit * q[qh + j];
        }
      }
    }
  }
}

/**
 * probs = softmax(logits) per row, as the faithful engine computes it
 * (exp(l - max), a left-to-right total, e * total^-1); returns the sum of
 * -log probs[targets[r]] over rows r0..r1-1 as one left fold, as sum(losses).
 */
export function softmaxCrossEntropyForward(probs: Floats, logits: Floats, targets: Int32Array, r0: number, r1: number, V: number): number {
  let loss = 0;
  for (let r = r0; r < r1; r++) {
    const row = r * V;
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (logits[row + i] > max) max = logits[row + i];
    let total = 0;
    for (let i = 0; i < V; i++) {
      const e = Math.exp(logits[row + i] + -max);
      probs[row + i] = e;
      total += e;
    }
    const invTotal = total ** -1;
    for (let i = 0; i < V; i++) probs[row + i] = probs[row + i] * invTotal;
    loss += -Math.log(probs[row + targets[r]]);
  }
  return loss;
}

/** dlogits = (probs - onehot(target)) * dloss, for a loss that is dloss times the summed cross-entropy. */
export function softmaxCrossEntropyBackward(
  dlogits: Floats,
  probs: Floats,
  targets: Int32Array,
  r0: number,
  r1: number,
  V: number,
  dloss: number,
): void {
  for (let r = r0; r < r1; r++) {
    const row = r * V;
    for (let i = 0; i < V; i++) dlogits[row + i] = probs[row + i] * dloss;
    dlogits[row + targets[r]] -= dloss;
  }
}
