/**
 * What works on the flat parameter arrays: Adam, the sum of the threads'
 * gradient buffers, and the gradient's squared norm. Each works on floats
 * [lo, hi), so that every thread can take a slice.
 */
/**
 * Adam with bias correction, as the fast engine arranges it:
 * p -= stepSize * m / (sqrt(v) * invSqrtBias2 + eps). Separate multiplies and
 * adds (no fused multiply-add), so the four-lane path and the one-lane tail
 * round alike: where a thread's slice starts does not change a weight.
 */
export function adam(p: usize, g: usize, m: usize, v: usize, lo: i32, hi: i32, stepSize: f32, beta1: f32, beta2: f32, eps: f32, invSqrtBias2: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const lr = f32x4.splat(stepSize), e = f32x4.splat(eps), s2 = f32x4.splat(invSqrtBias2);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), s2), e);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(lr, mi), denom)));
  }
  for (; i < hi; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * (gi * gi);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) - (stepSize * mi) / (Mathf.sqrt(vi) * invSqrtBias2 + eps));
  }
}

/** g0[i] += g_1[i] + ... + g_{n-1}[i] for i in [lo, hi), g_w at g0 + w * stride bytes: the threads' gradients summed in thread order. */
export function sumInto(g0: usize, stride: usize, n: i32, lo: i32, hi: i32): void {
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = g0 + (<usize>i << 2);
    let acc = v128.load(o);
    for (let w = 1; w < n; w++) acc = f32x4.add(acc, v128.load(o + <usize>w * stride));
    v128.store(o, acc);
  }
  for (; i < hi; i++) {
    const o = g0 + (<usize>i << 2);
    let acc = load<f32>(o);
    for (let w = 1; w < n; w++) acc += load<f32>(o + <usize>w * stride);
    store<f32>(o, acc);
  }
}

/** The sum of squares of floats [lo, hi), in f64, to the f64 at `result`. */
export function sumSquares(p: usize, lo: i32, hi: i32, result: usize): void {
  // four floats at a time, widened to two pairs of f64
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const x = v128.load(p + (<usize>i << 2));
    const l = f64x2.promote_low_f32x4(x);
    const h = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(l, l));
    a1 = f64x2.add(a1, f64x2.mul(h, h));
  }
  const s = f64x2.add(a0, a1);
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < hi; i++) {
    const x = <f64>load<f32>(p + (<usize>i << 2));
    acc += x * x;
  }
  store<f64>(result, acc);
}
