/**
 * The matrix products of the linear layers, y = x W^T with W (OC, IC) as the
 * state dict stores it (rows = outputs). The unrolled kernels keep several
 * sums in registers at once; the plain ones at the end say the same thing in
 * three loops, for reading and for the tests that compare the two (as llm.c
 * keeps matmul_forward_naive beside its fast matmul_forward).
 */
import type { Floats } from './tensors.ts';

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
      let a0 = w[w0] * x0,
        a1 = w[w1] * x0,
        a2 = w[w2] * x0,
        a3 = w[w3] * x0;
      let b0 = w[w0] * xb0,
        b1 = w[w1] * xb0,
        b2 = w[w2] * xb0,
        b3 = w[w3] * xb0;
      for (let i = 1; i < IC; i++) {
        const xi = inp[x + i];
        const xbi = inp[xb + i];
        const v0 = w[w0 + i],
          v1 = w[w1 + i],
          v2 = w[w2 + i],
          v3 = w[w3 + i];
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
    let a0 = w[w0] * x0,
      a1 = w[w1] * x0,
      a2 = w[w2] * x0,
      a3 = w[w3] * x0;
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
export function matmulBackward(
  dinp: Floats,
  dw: Floats,
  dout: Floats,
  inp: Floats,
  w: Floats,
  r0: number,
  r1: number,
  IC: number,
  OC: number,
): void {
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
      let a0 = w[i] * d0,
        a1 = w[i + 1] * d0,
        a2 = w[i + 2] * d0,
        a3 = w[i + 3] * d0;
      let b0 = w[i] * db0,
        b1 = w[i + 1] * db0,
        b2 = w[i + 2] * db0,
        b3 = w[i + 3] * db0;
      for (let o = 1, wo = i + IC; o < OC; o++, wo += IC) {
        const d = dout[y + o];
        const db = dout[yb + o];
        const v0 = w[wo],
          v1 = w[wo + 1],
          v2 = w[wo + 2],
          v3 = w[wo + 3];
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
        let a0 = dw[wo + i],
          a1 = dw[wo + i + 1],
          a2 = dw[wo + i + 2],
          a3 = dw[wo + i + 3];
        let b0 = dw[wb + i],
          b1 = dw[wb + i + 1],
          b2 = dw[wb + i + 2],
          b3 = dw[wb + i + 3];
        for (let r = t0; r < t1; r++) {
          const y = r * OC + o;
          const d = dout[y];
          const e = dout[y + 1];
          const x = r * IC + i;
          const x0 = inp[x],
            x1 = inp[x + 1],
            x2 = inp[x + 2],
            x3 = inp[x + 3];
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

/** The plain forward: out (rows, OC) = inp (rows, IC) times w^T, each output a left fold over i. */
export function matmulForwardNaive(out: Floats, inp: Floats, w: Floats, r0: number, r1: number, IC: number, OC: number): void {
  for (let r = r0; r < r1; r++) {
    for (let o = 0; o < OC; o++) {
      let acc = w[o * IC] * inp[r * IC];
      for (let i = 1; i < IC; i++) acc += w[o * IC + i] * inp[r * IC + i];
      out[r * OC + o] = acc;
    }
  }
}

/** The plain backward: dinp (rows, IC) += dout W; dw (OC, IC) += dout^T inp. */
export function matmulBackwardNaive(
  dinp: Floats,
  dw: Floats,
  dout: Floats,
  inp: Floats,
  w: Floats,
  r0: number,
  r1: number,
  IC: number,
  OC: number,
): void {
  for (let r = r0; r < r1; r++) {
    for (let i = 0; i < IC; i++) {
      let acc = 0;
      for (let o = 0; o < OC; o++) acc += w[o * IC + i] * dout[r * OC + o];
      dinp[r * IC + i] += acc;
    }
  }
  for (let o = 0; o < OC; o++) {
    for (let i = 0; i < IC; i++) {
      let acc = 0;
      for (let r = r0; r < r1; r++) acc += dout[r * OC + o] * inp[r * IC + i];
      dw[o * IC + i] += acc;
    }
  }
}
