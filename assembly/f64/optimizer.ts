/**
 * What works on the flat float64 parameter arrays: Adam, the sum of the
 * threads' gradient buffers, and the gradient's squared norm, each on doubles
 * [lo, hi) so that every thread can take a slice. The fast engine's
 * arithmetic (src/engines/fast/engine.ts), element by element.
 */

/** Adam: m, v and p as the fast engine updates them, two parameters per f64x2. */
export function adam(p: usize, g: usize, m: usize, v: usize, lo: i32, hi: i32, stepSize: f64, beta1: f64, beta2: f64, eps: f64, invSqrtBias2: f64): void {
  const c1 = 1 - beta1, c2 = 1 - beta2;
  const B1 = f64x2.splat(beta1), C1 = f64x2.splat(c1);
  const B2 = f64x2.splat(beta2), C2 = f64x2.splat(c2);
  const lr = f64x2.splat(stepSize), e = f64x2.splat(eps), s2 = f64x2.splat(invSqrtBias2);
  let i = lo;
  for (; i + 2 <= hi; i += 2) {
    const o = <usize>i << 3;
    const gi = v128.load(g + o);
    const mi = f64x2.add(f64x2.mul(B1, v128.load(m + o)), f64x2.mul(C1, gi));
    const vi = f64x2.add(f64x2.mul(B2, v128.load(v + o)), f64x2.mul(C2, f64x2.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f64x2.add(f64x2.mul(f64x2.sqrt(vi), s2), e);
    v128.store(p + o, f64x2.sub(v128.load(p + o), f64x2.div(f64x2.mul(lr, mi), denom)));
  }
  if (i < hi) {
    const o = <usize>i << 3;
    const gi = load<f64>(g + o);
    const mi = beta1 * load<f64>(m + o) + c1 * gi;
    const vi = beta2 * load<f64>(v + o) + c2 * (gi * gi);
    store<f64>(m + o, mi);
    store<f64>(v + o, vi);
    store<f64>(p + o, load<f64>(p + o) - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBias2 + eps));
  }
}

/** g0[i] = g0[i] + g_1[i] + ... + g_{n-1}[i] for i in [lo, hi), g_w at g0 + w * stride bytes: in thread order. */
export function sumInto(g0: usize, stride: usize, n: i32, lo: i32, hi: i32): void {
  let i = lo;
  for (; i + 2 <= hi; i += 2) {
    const o = g0 + (<usize>i << 3);
    let acc = v128.load(o);
    for (let w = 1; w < n; w++) acc = f64x2.add(acc, v128.load(o + <usize>w * stride));
    v128.store(o, acc);
  }
  if (i < hi) {
    const o = g0 + (<usize>i << 3);
    let acc = load<f64>(o);
    for (let w = 1; w < n; w++) acc += load<f64>(o + <usize>w * stride);
    store<f64>(o, acc);
  }
}

/**
 * The squared norm of doubles [lo, hi), to the f64 at `result`: four running sums (two f64x2), so that
 * the adds are not one chain. The norm only decides whether a step diverged (a sum of squares is finite
 * in every order unless it is within rounding of the largest double), so its last bits need not be the
 * fast engine's, and with threads they never were (each slice is summed on its own).
 */
export function sumSquares(p: usize, lo: i32, hi: i32, result: usize): void {
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = p + (<usize>i << 3);
    const x0 = v128.load(o);
    const x1 = v128.load(o, 16);
    a0 = f64x2.add(a0, f64x2.mul(x0, x0));
    a1 = f64x2.add(a1, f64x2.mul(x1, x1));
  }
  const s = f64x2.add(a0, a1);
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < hi; i++) {
    const x = load<f64>(p + (<usize>i << 3));
    acc += x * x;
  }
  store<f64>(result, acc);
}
