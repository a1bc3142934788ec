/**
 * The float64 matrix product of every linear layer, forward and backward:
 * C (M, N) from A (M, K) and B (K, N), A's element (i, k) at
 * a + (i * sai + k * sak) doubles, B and C row-major. Each element of C is
 * one sequential sum over k, in the fast engine's order
 * (src/engines/fast/matmul.ts), with a separate multiply and add per term,
 * so the results are the fast engine's bit for bit. SIMD runs across
 * independent elements of C (two columns per f64x2), never across k.
 *
 * mode 0: C = a_0 b_0 + a_1 b_1 + ...          (forward y = x W^T, the first term first)
 * mode 1: C += (a_0 b_0 + a_1 b_1 + ...)       (dx += dy W: the sum, then added)
 * mode 2: C = C + a_0 b_0 + a_1 b_1 + ...      (dW += dy^T x: the sum starts from C)
 *
 * The tile: 4 rows of C by 4 columns (two f64x2 each) in 8 registers; each k
 * loads 4 doubles of B once and broadcasts 4 of A. Leftover rows and columns
 * go 1 row and 2 or 1 columns at a time, so any M, K, N works. In mode 2
 * (dW, K = the batch's rows) K is done 64 at a time, all of C per pass.
 */

// @ts-ignore: decorator
@inline function mac(acc: v128, x: v128, b: v128): v128 {
  return f64x2.add(acc, f64x2.mul(x, b));
}

/** Terms per pass in mode 2: a pass over all of C per 64 k's keeps that many rows of B in cache. */
const KC = 64;

export function gemm(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, sai: i32, sak: i32, mode: i32): void {
  // mode 2 sums from C, so K may be cut into passes without changing a bit: each pass goes on from what the last stored
  if (mode == 2 && K > KC) {
    for (let k0 = 0; k0 < K; k0 += KC) {
      tiles(c, a + <usize>k0 * (<usize>sak << 3), b + <usize>k0 * (<usize>N << 3), M, min(KC, K - k0), N, sai, sak, 2);
    }
    return;
  }
  tiles(c, a, b, M, K, N, sai, sak, mode);
}

function tiles(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, sai: i32, sak: i32, mode: i32): void {
  if (K <= 0) {
    if (mode == 0) memory.fill(c, 0, <usize>M * <usize>N << 3);
    return;
  }
  const rowA = <usize>sai << 3;
  const stepA = <usize>sak << 3;
  const ld = <usize>N << 3; // B and C
  const N4 = N & ~3;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = a + <usize>i * rowA;
    const c0 = c + <usize>i * ld;
    let j = 0;
    for (; j < N4; j += 4) tile4x4(c0 + (<usize>j << 3), a0, b + (<usize>j << 3), K, rowA, stepA, ld, mode);
    if (j + 2 <= N) {
      tile4x2(c0 + (<usize>j << 3), a0, b + (<usize>j << 3), K, rowA, stepA, ld, mode);
      j += 2;
    }
    if (j < N) {
      for (let r = 0; r < 4; r++) dot1(c0 + <usize>r * ld + (<usize>j << 3), a0 + <usize>r * rowA, b + (<usize>j << 3), K, stepA, ld, mode);
    }
  }
  for (; i < M; i++) {
    const a0 = a + <usize>i * rowA;
    const c0 = c + <usize>i * ld;
    let j = 0;
    for (; j < N4; j += 4) tile1x4(c0 + (<usize>j << 3), a0, b + (<usize>j << 3), K, stepA, ld, mode);
    if (j + 2 <= N) {
      tile1x2(c0 + (<usize>j << 3), a0, b + (<usize>j << 3), K, stepA, ld, mode);
      j += 2;
    }
    if (j < N) dot1(c0 + (<usize>j << 3), a0, b + (<usize>j << 3), K, stepA, ld, mode);
  }
}

// @ts-ignore: decorator
@inline function tile4x4(c: usize, a: usize, b: usize, K: i32, rowA: usize, stepA: usize, ld: usize, mode: i32): void {
  const a1 = a + rowA, a2 = a1 + rowA, a3 = a2 + rowA;
  const r1 = c + ld, r2 = r1 + ld, r3 = r2 + ld;
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  let k = 0;
  let ka: usize = 0;
  let bp = b;
  if (mode == 2) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(r1); c11 = v128.load(r1, 16);
    c20 = v128.load(r2); c21 = v128.load(r2, 16);
    c30 = v128.load(r3); c31 = v128.load(r3, 16);
  } else {
    // the first term, not 0 + it
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load64_splat(a);
    c00 = f64x2.mul(x, b0); c01 = f64x2.mul(x, b1);
    x = v128.load64_splat(a1);
    c10 = f64x2.mul(x, b0); c11 = f64x2.mul(x, b1);
    x = v128.load64_splat(a2);
    c20 = f64x2.mul(x, b0); c21 = f64x2.mul(x, b1);
    x = v128.load64_splat(a3);
    c30 = f64x2.mul(x, b0); c31 = f64x2.mul(x, b1);
    k = 1;
    ka = stepA;
    bp += ld;
  }
  for (; k < K; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load64_splat(a + ka);
    c00 = mac(c00, x, b0); c01 = mac(c01, x, b1);
    x = v128.load64_splat(a1 + ka);
    c10 = mac(c10, x, b0); c11 = mac(c11, x, b1);
    x = v128.load64_splat(a2 + ka);
    c20 = mac(c20, x, b0); c21 = mac(c21, x, b1);
    x = v128.load64_splat(a3 + ka);
    c30 = mac(c30, x, b0); c31 = mac(c31, x, b1);
    ka += stepA;
    bp += ld;
  }
  if (mode == 1) {
    c00 = f64x2.add(v128.load(c), c00); c01 = f64x2.add(v128.load(c, 16), c01);
    c10 = f64x2.add(v128.load(r1), c10); c11 = f64x2.add(v128.load(r1, 16), c11);
    c20 = f64x2.add(v128.load(r2), c20); c21 = f64x2.add(v128.load(r2, 16), c21);
    c30 = f64x2.add(v128.load(r3), c30); c31 = f64x2.add(v128.load(r3, 16), c31);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

// @ts-ignore: decorator
@inline function tile4x2(c: usize, a: usize, b: usize, K: i32, rowA: usize, stepA: usize, ld: usize, mode: i32): void {
  const a1 = a + rowA, a2 = a1 + rowA, a3 = a2 + rowA;
  const r1 = c + ld, r2 = r1 + ld, r3 = r2 + ld;
  let c0: v128, c1: v128, c2: v128, c3: v128;
  let k = 0;
  let ka: usize = 0;
  let bp = b;
  if (mode == 2) {
    c0 = v128.load(c); c1 = v128.load(r1); c2 = v128.load(r2); c3 = v128.load(r3);
  } else {
    const b0 = v128.load(bp);
    c0 = f64x2.mul(v128.load64_splat(a), b0);
    c1 = f64x2.mul(v128.load64_splat(a1), b0);
    c2 = f64x2.mul(v128.load64_splat(a2), b0);
    c3 = f64x2.mul(v128.load64_splat(a3), b0);
    k = 1;
    ka = stepA;
    bp += ld;
  }
  for (; k < K; k++) {
    const b0 = v128.load(bp);
    c0 = mac(c0, v128.load64_splat(a + ka), b0);
    c1 = mac(c1, v128.load64_splat(a1 + ka), b0);
    c2 = mac(c2, v128.load64_splat(a2 + ka), b0);
    c3 = mac(c3, v128.load64_splat(a3 + ka), b0);
    ka += stepA;
    bp += ld;
  }
  if (mode == 1) {
    c0 = f64x2.add(v128.load(c), c0); c1 = f64x2.add(v128.load(r1), c1);
    c2 = f64x2.add(v128.load(r2), c2); c3 = f64x2.add(v128.load(r3), c3);
  }
  v128.store(c, c0); v128.store(r1, c1); v128.store(r2, c2); v128.store(r3, c3);
}

// @ts-ignore: decorator
@inline function tile1x4(c: usize, a: usize, b: usize, K: i32, stepA: usize, ld: usize, mode: i32): void {
  let c0: v128, c1: v128;
  let k = 0;
  let ka: usize = 0;
  let bp = b;
  if (mode == 2) {
    c0 = v128.load(c); c1 = v128.load(c, 16);
  } else {
    const x = v128.load64_splat(a);
    c0 = f64x2.mul(x, v128.load(bp)); c1 = f64x2.mul(x, v128.load(bp, 16));
    k = 1;
    ka = stepA;
    bp += ld;
  }
  for (; k < K; k++) {
    const x = v128.load64_splat(a + ka);
    c0 = mac(c0, x, v128.load(bp)); c1 = mac(c1, x, v128.load(bp, 16));
    ka += stepA;
    bp += ld;
  }
  if (mode == 1) {
    c0 = f64x2.add(v128.load(c), c0); c1 = f64x2.add(v128.load(c, 16), c1);
  }
  v128.store(c, c0); v128.store(c, c1, 16);
}

// @ts-ignore: decorator
@inline function tile1x2(c: usize, a: usize, b: usize, K: i32, stepA: usize, ld: usize, mode: i32): void {
  let c0: v128;
  let k = 0;
  let ka: usize = 0;
  let bp = b;
  if (mode == 2) c0 = v128.load(c);
  else {
    c0 = f64x2.mul(v128.load64_splat(a), v128.load(bp));
    k = 1;
    ka = stepA;
    bp += ld;
  }
  for (; k < K; k++) {
    c0 = mac(c0, v128.load64_splat(a + ka), v128.load(bp));
    ka += stepA;
    bp += ld;
  }
  if (mode == 1) c0 = f64x2.add(v128.load(c), c0);
  v128.store(c, c0);
}

/** One element of C: a sum down column j of B. */
// @ts-ignore: decorator
@inline function dot1(c: usize, a: usize, b: usize, K: i32, stepA: usize, ld: usize, mode: i32): void {
  let acc: f64;
  let k = 0;
  let ka: usize = 0;
  let bp = b;
  if (mode == 2) acc = load<f64>(c);
  else {
    acc = load<f64>(a) * load<f64>(bp);
    k = 1;
    ka = stepA;
    bp += ld;
  }
  for (; k < K; k++) {
    acc += load<f64>(a + ka) * load<f64>(bp);
    ka += stepA;
    bp += ld;
  }
  if (mode == 1) acc = load<f64>(c) + acc;
  store<f64>(c, acc);
}

/** Rows r0..r1-1 of src (rows, cols) into columns r0..r1-1 of dst (cols, rows). */
export function transposeRows(dst: usize, src: usize, rows: i32, cols: i32, r0: i32, r1: i32): void {
  const ldS = <usize>cols << 3;
  const ldD = <usize>rows << 3;
  let r = r0;
  for (; r + 2 <= r1; r += 2) {
    // blocks of 2 rows by 2 columns, transposed in registers
    const s = src + <usize>r * ldS;
    const d = dst + (<usize>r << 3);
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      const o = <usize>c << 3;
      const x0 = v128.load(s + o), x1 = v128.load(s + ldS + o);
      const e = d + <usize>c * ldD;
      v128.store(e, v128.shuffle<f64>(x0, x1, 0, 2));
      v128.store(e + ldD, v128.shuffle<f64>(x0, x1, 1, 3));
    }
    if (c < cols) {
      store<f64>(d + <usize>c * ldD, load<f64>(s + (<usize>c << 3)));
      store<f64>(d + <usize>c * ldD + 8, load<f64>(s + ldS + (<usize>c << 3)));
    }
  }
  if (r < r1) {
    const s = src + <usize>r * ldS;
    for (let c = 0; c < cols; c++) store<f64>(dst + <usize>c * ldD + (<usize>r << 3), load<f64>(s + (<usize>c << 3)));
  }
}

export function transpose(dst: usize, src: usize, rows: i32, cols: i32): void {
  transposeRows(dst, src, rows, cols, 0, rows);
}

/** The plain product the tests compare gemm with: three loops, same arguments and modes. */
export function gemmReference(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, sai: i32, sak: i32, mode: i32): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const p = c + ((<usize>(i * N + j)) << 3);
      let acc: f64 = mode == 2 ? load<f64>(p) : 0;
      for (let k = 0; k < K; k++) {
        const t = load<f64>(a + ((<usize>(i * sai + k * sak)) << 3)) * load<f64>(b + ((<usize>(k * N + j)) << 3));
        acc = mode != 2 && k == 0 ? t : acc + t;
      }
      store<f64>(p, mode == 1 ? load<f64>(p) + acc : acc);
    }
  }
}
