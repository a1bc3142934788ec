/**
 * The matrix product of every linear layer, forward and backward, in one
 * register-tiled SIMD kernel: C (M, N) = [C +] A (M, K) B (K, N), where A's
 * element (i, k) is at a + (i * sai + k * sak) floats. With A read row-major
 * (sai = K, sak = 1) this is the forward y = x W^T (B = W^T, kept transposed)
 * and dx = dy W (B = W); with A read transposed (sai = 1, sak = M) it is
 * dW += dy^T x. All pointers are byte offsets into the memory; all floats f32.
 *
 * The tile: 4 rows of C by 8 columns (two f32x4 each) held in 8 registers;
 * each k loads 8 floats of B once and broadcasts 4 of A, 8 multiply-adds.
 * Rows and columns beyond the tiles are done 1 row and 4 or 1 columns at a
 * time, so any M, K, N works.
 */

/** a * b + c: a fused multiply-add with relaxed SIMD, else a multiply and an add. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Terms per pass when A is read transposed (dW: K = the batch's rows): a pass over all of C per KC k's keeps those rows of A and B in cache. */
const KC = 64;

export function gemm(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, sai: i32, sak: i32, accumulate: bool): void {
  if (sai == 1 && K > KC) {
    for (let k0 = 0; k0 < K; k0 += KC) {
      tiles(c, a + ((<usize>k0 * <usize>sak) << 2), b + ((<usize>k0 * <usize>N) << 2), M, min(KC, K - k0), N, sai, sak, accumulate || k0 > 0);
    }
    return;
  }
  tiles(c, a, b, M, K, N, sai, sak, accumulate);
}

function tiles(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, sai: i32, sak: i32, accumulate: bool): void {
  const rowA = <usize>sai << 2; // bytes between rows of A
  const stepA = <usize>sak << 2; // bytes between k's of A
  const ldb = <usize>N << 2;
  const ldc = <usize>N << 2;
  const N8 = N & ~7;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = a + <usize>i * rowA;
    const c0 = c + <usize>i * ldc;
    let j = 0;
    for (; j < N8; j += 8) tile4x8(c0 + (<usize>j << 2), a0, b + (<usize>j << 2), K, rowA, stepA, ldb, ldc, accumulate);
    for (; j + 4 <= N; j += 4) tile4x4(c0 + (<usize>j << 2), a0, b + (<usize>j << 2), K, rowA, stepA, ldb, ldc, accumulate);
    for (; j < N; j++) {
      for (let r = 0; r < 4; r++) dot1(c0 + <usize>r * ldc + (<usize>j << 2), a0 + <usize>r * rowA, b + (<usize>j << 2), K, stepA, ldb, accumulate);
    }
  }
  for (; i < M; i++) {
    const a0 = a + <usize>i * rowA;
    const c0 = c + <usize>i * ldc;
    let j = 0;
    for (; j + 4 <= N; j += 4) tile1x4(c0 + (<usize>j << 2), a0, b + (<usize>j << 2), K, stepA, ldb, accumulate);
    for (; j < N; j++) dot1(c0 + (<usize>j << 2), a0, b + (<usize>j << 2), K, stepA, ldb, accumulate);
  }
}

// @ts-ignore: decorator
@inline function tile4x8(c: usize, a: usize, b: usize, K: i32, rowA: usize, stepA: usize, ldb: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const a1 = a + rowA, a2 = a1 + rowA, a3 = a2 + rowA;
  let ka: usize = 0;
  let bp = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(a + ka);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1 + ka);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2 + ka);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3 + ka);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    ka += stepA;
    bp += ldb;
  }
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

// @ts-ignore: decorator
@inline function tile4x4(c: usize, a: usize, b: usize, K: i32, rowA: usize, stepA: usize, ldb: usize, ldc: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  const a1 = a + rowA, a2 = a1 + rowA, a3 = a2 + rowA;
  let ka: usize = 0;
  let bp = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(bp);
    c0 = madd(v128.load32_splat(a + ka), b0, c0);
    c1 = madd(v128.load32_splat(a1 + ka), b0, c1);
    c2 = madd(v128.load32_splat(a2 + ka), b0, c2);
    c3 = madd(v128.load32_splat(a3 + ka), b0, c3);
    ka += stepA;
    bp += ldb;
  }
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (accumulate) {
    c0 = f32x4.add(c0, v128.load(c));
    c1 = f32x4.add(c1, v128.load(r1));
    c2 = f32x4.add(c2, v128.load(r2));
    c3 = f32x4.add(c3, v128.load(r3));
  }
  v128.store(c, c0);
  v128.store(r1, c1);
  v128.store(r2, c2);
  v128.store(r3, c3);
}

// @ts-ignore: decorator
@inline function tile1x4(c: usize, a: usize, b: usize, K: i32, stepA: usize, ldb: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0);
  let ka: usize = 0;
  let bp = b;
  for (let k = 0; k < K; k++) {
    c0 = madd(v128.load32_splat(a + ka), v128.load(bp), c0);
    ka += stepA;
    bp += ldb;
  }
  if (accumulate) c0 = f32x4.add(c0, v128.load(c));
  v128.store(c, c0);
}

/** One element of C: a dot product down column j of B. */
// @ts-ignore: decorator
@inline function dot1(c: usize, a: usize, b: usize, K: i32, stepA: usize, ldb: usize, accumulate: bool): void {
  let acc: f32 = 0;
  let ka: usize = 0;
  let bp = b;
  for (let k = 0; k < K; k++) {
    acc += load<f32>(a + ka) * load<f32>(bp);
    ka += stepA;
    bp += ldb;
  }
  if (accumulate) acc += load<f32>(c);
  store<f32>(c, acc);
}

/** dst (cols, rows) = src (rows, cols) transposed. */
export function transpose(dst: usize, src: usize, rows: i32, cols: i32): void {
  transposeRows(dst, src, rows, cols, 0, rows);
}

/** Rows r0..r1-1 of src (rows, cols) into columns r0..r1-1 of dst (cols, rows). */
export function transposeRows(dst: usize, src: usize, rows: i32, cols: i32, r0: i32, r1: i32): void {
  // blocks of 4 rows by 4 columns, transposed in registers; then the leftover rows and columns one by one
  const ldS = <usize>cols << 2;
  const ldD = <usize>rows << 2;
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const s = src + <usize>r * ldS;
    const d = dst + (<usize>r << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const x0 = v128.load(s + o), x1 = v128.load(s + ldS + o), x2 = v128.load(s + 2 * ldS + o), x3 = v128.load(s + 3 * ldS + o);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      const e = d + <usize>c * ldD;
      v128.store(e, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(e + ldD, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(e + 2 * ldD, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(e + 3 * ldD, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (; c < cols; c++) {
      for (let i = 0; i < 4; i++) store<f32>(d + <usize>c * ldD + (<usize>i << 2), load<f32>(s + <usize>i * ldS + (<usize>c << 2)));
    }
  }
  for (; r < r1; r++) {
    const s = src + <usize>r * ldS;
    for (let c = 0; c < cols; c++) store<f32>(dst + <usize>c * ldD + (<usize>r << 2), load<f32>(s + (<usize>c << 2)));
  }
}

/** The plain product the tests compare gemm with: three loops, same arguments. */
export function gemmReference(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, sai: i32, sak: i32, accumulate: bool): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc: f32 = 0;
      for (let k = 0; k < K; k++) acc += load<f32>(a + ((<usize>(i * sai + k * sak)) << 2)) * load<f32>(b + ((<usize>(k * N + j)) << 2));
      const p = c + ((<usize>(i * N + j)) << 2);
      store<f32>(p, accumulate ? load<f32>(p) + acc : acc);
    }
  }
}
