/**
 * Forward and backward of each layer over flat buffers, for rows [r0, r1):
 * a batch's tokens packed one after another, sequence by sequence (no
 * padding). Attention alone needs to know where a sequence starts. Forward sums run in
 * the faithful engine's order (a left fold starting at the first term), so
 * the two engines compute the same forward numbers; backward accumulates into
 * its outputs (+=), and callers zero what must start at zero.
 */
import type { Floats } from './tensors.ts';

/** out[r] = wte[tokens[r]] + wpe[positions[r]] for rows r0..r1-1. */
export function encoderForward(out: Floats, tokens: Int32Array, positions: Int32Array, wte: Floats, wpe: Floats, r0: number, r1: number, C: number): void {
  for (let r = r0; r < r1; r++) {
    const o = r * C;
    const te = tokens[r] * C;
    const pe = positions[r] * C;
    for (let i = 0; i < C; i++) out[o + i] = wte[te + i] + wpe[pe + i];
  }
}

export function encoderBackward(dwte: Floats, dwpe: Floats, dout: Floats, tokens: Int32Array, positions: Int32Array, r0: number, r1: number, C: number): void {
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

/**
 * out[r, o] = sum_i w[o, i] * inp[r, i]; w is (OC, IC) as the state dict
 * stores it. Each output is one left fold over i, in the faithful order.
 * Two rows and four outputs are folded side by side (eight independent
 * chains, each weight loaded once for both rows).
 */
export function matmulForward(out: Floats, inp: Floats, w: Floats, r0: number, r1: number, IC: number, OC: number): void {
  const OC4 = OC - (OC % 4);
  let r = r0;
  for (; r + 1 < r1; r += 2) {
    const x = r * IC;
    const xb = x + IC;
    const y = r * OC;
    const yb = y + OC;
    const x0 = inp[x];
    const xb0 = inp[xb];
    let o = 0;
    for (; o < OC4; o += 4) {
      const w0 = o * IC;
      const w1 = w0 + IC;
      const w2 = w1 + IC;
      const w3 = w2 + IC;
      let a0 = w[w0] * x0, a1 = w[w1] * x0, a2 = w[w2] * x0, a3 = w[w3] * x0;
      let b0 = w[w0] * xb0, b1 = w[w1] * xb0, b2 = w[w2] * xb0, b3 = w[w3] * xb0;
      for (let i = 1; i < IC; i++) {
        const xi = inp[x + i];
        const xbi = inp[xb + i];
        const v0 = w[w0 + i], v1 = w[w1 + i], v2 = w[w2 + i], v3 = w[w3 + i];
        a0 += v0 * xi;
        a1 += v1 * xi;
        a2 += v2 * xi;
        a3 += v3 * xi;
        b0 += v0 * xbi;
        b1 += v1 * xbi;
        b2 += v2 * xbi;
        b3 += v3 * xbi;
      }
      out[y + o] = a0;
      out[y + o + 1] = a1;
      out[y + o + 2] = a2;
      out[y + o + 3] = a3;
      out[yb + o] = b0;
      out[yb + o + 1] = b1;
      out[yb + o + 2] = b2;
      out[yb + o + 3] = b3;
    }
    for (; o < OC; o++) {
      const wo = o * IC;
      let a = w[wo] * x0;
      let b = w[wo] * xb0;
      for (let i = 1; i < IC; i++) {
        a += w[wo + i] * inp[x + i];
        b += w[wo + i] * inp[xb + i];
      }
      out[y + o] = a;
      out[yb + o] = b;
    }
  }
  if (r < r1) matmulForwardRow(out, inp, w, r, IC, OC);
}

/** One row of matmulForward: four outputs side by side. */
function matmulForwardRow(out: Floats, inp: Floats, w: Floats, r: number, IC: number, OC: number): void {
  const OC4 = OC - (OC % 4);
  const x = r * IC;
  const y = r * OC;
  const x0 = inp[x];
  let o = 0;
  for (; o < OC4; o += 4) {
    const w0 = o * IC;
    const w1 = w0 + IC;
    const w2 = w1 + IC;
    const w3 = w2 + IC;
    let a0 = w[w0] * x0, a1 = w[w1] * x0, a2 = w[w2] * x0, a3 = w[w3] * x0;
    for (let i = 1; i < IC; i++) {
      const xi = inp[x + i];
      a0 += w[w0 + i] * xi;
      a1 += w[w1 + i] * xi;
      a2 += w[w2 + i] * xi;
      a3 += w[w3 + i] * xi;
    }
    out[y + o] = a0;
    out[y + o + 1] = a1;
    out[y + o + 2] = a2;
    out[y + o + 3] = a3;
  }
  for (; o < OC; o++) {
    const wo = o * IC;
    let acc = w[wo] * x0;
    for (let i = 1; i < IC; i++) acc += w[wo + i] * inp[x + i];
    out[y + o] = acc;
  }
}

/**
 * dinp[r] += w^T dout[r]; dw += sum_r dout[r] (outer) inp[r]. Sums are held
 * in registers, several columns at a time, and start from their first term
 * (V8 keeps such accumulators as unboxed doubles from the start).
 */
export function matmulBackward(dinp: Floats, dw: Floats, dout: Floats, inp: Floats, w: Floats, r0: number, r1: number, IC: number, OC: number): void {
  const IC4 = IC - (IC % 4);
  for (let r = r0; r < r1; r += 2) {
    // rows r and rb (rb = r when r is the last row: computed twice, added once)
    const two = r + 1 < r1;
    const x = r * IC;
    const xb = two ? x + IC : x;
    const y = r * OC;
    const yb = two ? y + OC : y;
    const d0 = dout[y];
    const db0 = dout[yb];
    let i = 0;
    for (; i < IC4; i += 4) {
      let a0 = w[i] * d0, a1 = w[i + 1] * d0, a2 = w[i + 2] * d0, a3 = w[i + 3] * d0;
      let b0 = w[i] * db0, b1 = w[i + 1] * db0, b2 = w[i + 2] * db0, b3 = w[i + 3] * db0;
      for (let o = 1, wo = i + IC; o < OC; o++, wo += IC) {
        const d = dout[y + o];
        const db = dout[yb + o];
        const v0 = w[wo], v1 = w[wo + 1], v2 = w[wo + 2], v3 = w[wo + 3];
        a0 += v0 * d;
        a1 += v1 * d;
        a2 += v2 * d;
        a3 += v3 * d;
        b0 += v0 * db;
        b1 += v1 * db;
        b2 += v2 * db;
        b3 += v3 * db;
      }
      dinp[x + i] += a0;
      dinp[x + i + 1] += a1;
      dinp[x + i + 2] += a2;
      dinp[x + i + 3] += a3;
      if (two) {
        dinp[xb + i] += b0;
        dinp[xb + i + 1] += b1;
        dinp[xb + i + 2] += b2;
        dinp[xb + i + 3] += b3;
      }
    }
    for (; i < IC; i++) {
      let a = w[i] * d0;
      let b = w[i] * db0;
      for (let o = 1; o < OC; o++) {
        a += w[o * IC + i] * dout[y + o];
        b += w[o * IC + i] * dout[yb + o];
      }
      dinp[x + i] += a;
      if (two) dinp[xb + i] += b;
    }
  }
  // dw in tiles of ROWS_PER_TILE rows, so a tile of inp stays in cache across all of dw;
  // two rows of dw and four columns at a time (each dout and inp value loaded once for two sums)
  const OC2 = OC - (OC % 2);
  for (let t0 = r0; t0 < r1; t0 += ROWS_PER_TILE) {
    const t1 = Math.min(r1, t0 + ROWS_PER_TILE);
    let o = 0;
    for (; o < OC2; o += 2) {
      const wo = o * IC;
      const wb = wo + IC;
      let i = 0;
      for (; i < IC4; i += 4) {
        let a0 = dw[wo + i], a1 = dw[wo + i + 1], a2 = dw[wo + i + 2], a3 = dw[wo + i + 3];
        let b0 = dw[wb + i], b1 = dw[wb + i + 1], b2 = dw[wb + i + 2], b3 = dw[wb + i + 3];
        for (let r = t0; r < t1; r++) {
          const y = r * OC + o;
          const d = dout[y];
          const e = dout[y + 1];
          const x = r * IC + i;
          const x0 = inp[x], x1 = inp[x + 1], x2 = inp[x + 2], x3 = inp[x + 3];
          a0 += d * x0;
          a1 += d * x1;
          a2 += d * x2;
          a3 += d * x3;
          b0 += e * x0;
          b1 += e * x1;
          b2 += e * x2;
          b3 += e * x3;
        }
        dw[wo + i] = a0;
        dw[wo + i + 1] = a1;
        dw[wo + i + 2] = a2;
        dw[wo + i + 3] = a3;
        dw[wb + i] = b0;
        dw[wb + i + 1] = b1;
        dw[wb + i + 2] = b2;
        dw[wb + i + 3] = b3;
      }
      for (; i < IC; i++) {
        let a = dw[wo + i];
        let b = dw[wb + i];
        for (let r = t0; r < t1; r++) {
          a += dout[r * OC + o] * inp[r * IC + i];
          b += dout[r * OC + o + 1] * inp[r * IC + i];
        }
        dw[wo + i] = a;
        dw[wb + i] = b;
      }
    }
    for (; o < OC; o++) {
      const wo = o * IC;
      for (let i = 0; i < IC; i++) {
        let a = dw[wo + i];
        for (let r = t0; r < t1; r++) a += dout[r * OC + o] * inp[r * IC + i];
        dw[wo + i] = a;
      }
    }
  }
}

const ROWS_PER_TILE = 32;

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
 * Causal multi-head attention for queries t0..t1-1 of the sequence whose
 * position 0 is row base, over keys 0..t: logits q.k * (hs^0.5)^-1, softmax,
 * weighted sum of values. att is (B, NH, T, T), the sequence's block at attBase.
 */
export function attentionForward(out: Floats, att: Floats, q: Floats, k: Floats, v: Floats, base: number, attBase: number, t0: number, t1: number, T: number, C: number, NH: number): void {
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

/** Accumulates dq, dk, dv for queries 0..n-1 of one sequence. dAttRow is (T) scratch. */
export function attentionBackward(dq: Floats, dk: Floats, dv: Floats, dAttRow: Floats, dout: Floats, att: Floats, q: Floats, k: Floats, v: Floats, base: number, attBase: number, n: number, T: number, C: number, NH: number): void {
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
export function softmaxCrossEntropyBackward(dlogits: Floats, probs: Floats, targets: Int32Array, r0: number, r1: number, V: number, dloss: number): void {
  for (let r = r0; r < r1; r++) {
    const row = r * V;
    for (let i = 0; i < V; i++) dlogits[row + i] = probs[row + i] * dloss;
    dlogits[row + targets[r]] -= dloss;
  }
}
