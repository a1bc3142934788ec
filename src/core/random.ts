/**
 * CPython's `random.Random`, bit for bit: the Mersenne Twister MT19937 seeded
 * the way CPython seeds it from an int, and the algorithms of CPython 3.11's
 * random.py on top (`random`, `getrandbits`, `_randbelow`, `shuffle`, `gauss`,
 * `choices`). Seeding with the same int gives the same stream as Python, so
 * shuffles, initial weights and samples match microgpt.py.
 *
 * `gauss` calls Math.log/cos/sin/sqrt; V8's libm can differ from glibc's in the
 * last bit for a few inputs, so gauss values agree to ~1 ulp, not always bitwise.
 */
import { shown } from './arguments.ts';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWOPI = 2 * Math.PI;

/** The whole generator state: enough to continue the stream exactly (used by checkpoints). */
export interface RandomState {
  mt: number[];
  index: number;
  gaussNext: number | null;
}

export class Random {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  private gaussNext: number | null = null;

  constructor(seed?: number) {
    this.seed(seed ?? 0);
  }

  /** random.seed(a) for a non-negative or negative int: init_by_array over |a|'s 32-bit words. */
  seed(a: number): void {
    if (!Number.isSafeInteger(a)) throw new RangeError(`seed must be an integer, got ${typeof a === 'number' ? a : shown(a)}`);
    let n = Math.abs(a);
    const key: number[] = [];
    do {
      key.push(n % 0x100000000);
      n = Math.floor(n / 0x100000000);
    } while (n > 0);
    this.initByArray(key);
    this.gaussNext = null;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev mod 2^32: Math.imul multiplies as 32-bit integers, exactly
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** One 32-bit output of MT19937 (genrand_uint32). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A float in [0, 1) with 53 random bits, as CPython's random_random. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** An int with k random bits (0 <= k <= 53), filled from 32-bit words least significant first. */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 53) throw new RangeError(`getrandbits: k must be in 0..53, got ${k}`);
    if (k === 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - k);
    return high * 0x100000000 + low;
  }

  /** A uniform int in [0, n), by rejection on n.bit_length() bits (CPython's _randbelow_with_getrandbits). */
  randbelow(n: number): number {
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /**
   * Shuffle in place: Fisher–Yates from the end, as random.shuffle. randbelow(i + 1) is written out
   * (an array's i + 1 fits 32 bits, so getrandbits(k) is one word shifted right by 32 - k = clz32(i + 1)):
   * a run shuffles names.txt's 32033 lines before any code is optimized, and calls cost most then.
   */
  shuffle<T>(x: { length: number; [i: number]: T }): void {
    for (let i = x.length - 1; i > 0; i--) {
      const shift = Math.clz32(i + 1);
      let j = this.nextUint32() >>> shift;
      while (j > i) j = this.nextUint32() >>> shift;
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** Normal deviate by Box–Muller, caching the second value, as random.gauss. */
  gauss(mu = 0.0, sigma = 1.0): number {
    let z = this.gaussNext;
    this.gaussNext = null;
    if (z === null) {
      const x2pi = this.random() * TWOPI;
      const g2rad = Math.sqrt(-2.0 * Math.log(1.0 - this.random()));
      z = Math.cos(x2pi) * g2rad;
      this.gaussNext = Math.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }

  /**
   * One draw of random.choices(population, weights): cumulative weights summed
   * left to right, then bisect_right of random() * total over all but the last.
   */
  choices<T>(population: readonly T[], weights: ArrayLike<number>): T {
    return population[this.choiceIndex(weights)];
  }

  /** The index random.choices(range(len(weights)), weights) would pick. */
  choiceIndex(weights: ArrayLike<number>): number {
    const n = weights.length;
    if (n === 0) throw new RangeError('choices: no weights');
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    if (!(total > 0) || !Number.isFinite(total)) throw new RangeError('choices: total of weights must be positive and finite');
    const x = this.random() * total;
    // bisect_right over cum_weights[0..n-1) without materialising it: the
    // running sum is the same left-to-right sum, so the comparisons are identical
    let cum = 0;
    for (let i = 0; i < n - 1; i++) {
      cum += weights[i];
      if (x < cum) return i;
    }
    return n - 1;
  }

  getstate(): RandomState {
    return { mt: Array.from(this.mt), index: this.index, gaussNext: this.gaussNext };
  }

  setstate(state: RandomState): void {
    if (!Array.isArray(state.mt) || state.mt.length !== N || !Number.isInteger(state.index) || state.index < 0 || state.index > N) {
      throw new RangeError('invalid Random state');
    }
    this.mt.set(state.mt);
    this.index = state.index;
    this.gaussNext = state.gaussNext;
  }
}

function bitLength(n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`randbelow: n must be a positive integer, got ${n}`);
  return n < 0x100000000 ? 32 - Math.clz32(n) : 32 + (32 - Math.clz32(Math.floor(n / 0x100000000)));
}
