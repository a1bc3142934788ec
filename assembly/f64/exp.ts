/**
 * e^x as V8's Math.exp computes it, so that the float64 kernels keep the
 * fast engine's numbers without a call into JavaScript for each of the
 * softmaxes' few hundred exponentials a step (a tenth of the default run's
 * step). V8's Math.exp is fdlibm's __ieee754_exp (FreeBSD's e_exp.c, in V8's
 * src/base/ieee754.cc), with exp(1) special-cased to return Math.E; this is
 * the same algorithm, operation for operation, and the kernels' tests
 * compare it with Math.exp bit for bit over millions of arguments.
 *
 * Method: x = k ln2 + r with |r| <= ln2 / 2 (hi - lo carries r to more than
 * double precision); e^r from a degree-5 minimax polynomial in r^2 (the
 * Remez R(r^2) of fdlibm); then 2^k scales it by adding k to the exponent.
 */

const ln2HI: f64 = 6.93147180369123816490e-01; // 0x3fe62e42 fee00000
const ln2LO: f64 = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const invln2: f64 = 1.44269504088896338700e00; // 0x3ff71547 652b82fe
const P1: f64 = 1.66666666666666019037e-01; // 0x3FC55555 5555553E
const P2: f64 = -2.77777777770155933842e-03; // 0xBF66C16C 16BEBD93
const P3: f64 = 6.61375632143793436117e-05; // 0x3F11566A AF25DE2C
const P4: f64 = -1.65339022054652515390e-06; // 0xBEBBBD41 C5D26BF1
const P5: f64 = 4.13813679705723846039e-08; // 0x3E663769 72BEA4D0
const o_threshold: f64 = 7.09782712893383973096e02; // 0x40862E42 FEFA39EF
const u_threshold: f64 = -7.45133219101941108420e02; // 0xc0874910 D52D3051
const huge: f64 = 1.0e300;
const twom1000: f64 = 9.33263618503218878990e-302; // 2^-1000
const E: f64 = 2.718281828459045;

/** The double with high word hi and low word 0. */
// @ts-ignore: decorator
@inline function withHigh(hi: u32): f64 {
  return reinterpret<f64>(<u64>hi << 32);
}

export function exp(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >>> 32);
  const xsb = hx >>> 31; // the sign of x
  hx &= 0x7fffffff; // the high word of |x|
  // non-finite, and beyond the range of a double's e^x
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if ((hx & 0xfffff) != 0 || <u32>bits != 0) return x + x; // NaN
      return xsb == 0 ? x : 0.0; // e^+inf = inf, e^-inf = 0
    }
    if (x > o_threshold) return huge * huge; // overflow
    if (x < u_threshold) return twom1000 * twom1000; // underflow
  }
  // argument reduction
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ln2 / 2
    if (hx < 0x3ff0a2b2) {
      // and |x| < 1.5 ln2: k = +-1
      if (x == 1.0) return E;
      hi = xsb == 0 ? x - ln2HI : x + ln2HI;
      lo = xsb == 0 ? ln2LO : -ln2LO;
      k = 1 - <i32>xsb - <i32>xsb;
    } else {
      k = <i32>(invln2 * x + (xsb == 0 ? 0.5 : -0.5));
      const t = <f64>k;
      hi = x - t * ln2HI; // exact: t * ln2HI has few enough bits
      lo = t * ln2LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    // |x| < 2^-28: e^x = 1 + x
    if (huge + x > 1.0) return 1.0 + x;
  } else {
    k = 0;
  }
  // x is now in [-ln2 / 2, ln2 / 2]
  const t = x * x;
  const twopk = k >= -1021 ? withHigh(<u32>(0x3ff00000 + (k << 20))) : withHigh(<u32>(0x3ff00000 + ((k + 1000) << 20)));
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - (lo - (x * c) / (2.0 - c) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 8.98846567431157953865e307; // 2^1023
    return y * twopk;
  }
  return y * twopk * twom1000;
}
