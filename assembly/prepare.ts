/**
 * A run's data preparation in native code, as src/core/ does it in
 * JavaScript: the documents of an ASCII text whose lines need no stripping
 * (find them, shuffle them, collect their characters: dataset.ts), and the
 * initial weights' Gaussian draws (Random.gauss). A run starts before V8 has
 * compiled the JavaScript loops, and on names.txt they took a tenth of the
 * default run. src/core/prepare-native.ts calls this, and its tests compare
 * every result with the JavaScript's (parse-docs.ts, random.ts,
 * tokenizer.ts), which stays for other texts and where WebAssembly is missing.
 *
 * The caller lays out the imported memory: the Mersenne Twister's 624 words,
 * then the text's bytes and room for two ints per line (spans) and one
 * (order), or the weights. JavaScript's Math.log, Math.cos and Math.sin are
 * imported, as Random.gauss calls them.
 */

// @ts-ignore: decorator
@external("env", "log") declare function log(x: f64): f64;
// @ts-ignore: decorator
@external("env", "cos") declare function cos(x: f64): f64;
// @ts-ignore: decorator
@external("env", "sin") declare function sin(x: f64): f64;

/** Code units in the longest line that lines() found. */
let longestLine: i32 = 0;

/**
 * The non-empty lines of the n bytes at text, as [start, end) pairs of int32
 * to spans, and their numbers 0, 1, ... to order (for shuffle); each byte that
 * occurs marked in seen (256 bytes, zeroed by the caller); returns the number
 * of lines.
 */
export function lines(text: usize, n: i32, spans: usize, order: usize, seen: usize): i32 {
  let count = 0;
  let start = 0;
  longestLine = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? load<u8>(text + <usize>i) : 10;
    if (c != 10) {
      store<u8>(seen + <usize>c, 1);
      continue;
    }
    if (i > start) {
      const at = spans + (<usize>count << 3);
      store<i32>(at, start);
      store<i32>(at, i, 4);
      store<i32>(order + (<usize>count << 2), count);
      count++;
      if (i - start > longestLine) longestLine = i - start;
    }
    start = i + 1;
  }
  return count;
}

export function longest(): i32 {
  return longestLine;
}

// MT19937, as src/core/random.ts has it (CPython's generator)
const N = 624;
const M = 397;

/** The next 624 words of the state at mt. */
function twist(mt: usize): void {
  for (let k = 0; k < N; k++) {
    const y = (load<u32>(mt + (<usize>k << 2)) & 0x80000000) | (load<u32>(mt + (<usize>((k + 1) % N) << 2)) & 0x7fffffff);
    const next = load<u32>(mt + (<usize>((k + M) % N) << 2)) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    store<u32>(mt + (<usize>k << 2), next);
  }
}

/** The next word of the state at mt is mt[index]. */
let index: i32 = 0;

/** The next 32-bit output (Random.nextUint32). */
function nextU32(mt: usize): u32 {
  if (index >= N) {
    twist(mt);
    index = 0;
  }
  let y = load<u32>(mt + (<usize>index << 2));
  index++;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y;
}

/** Where the state's next word is, after the last call (it starts each call from its argument). */
export function nextIndex(): i32 {
  return index;
}

/**
 * random.shuffle of the n int32 at order: Fisher–Yates from the end, each j
 * drawn as Random.shuffle draws it (one 32-bit word shifted right by
 * clz32(i + 1), again while it is above i), from the state at mt whose next
 * word is mt[at].
 */
export function shuffle(mt: usize, at: i32, order: usize, n: i32): void {
  index = at;
  for (let i = n - 1; i > 0; i--) {
    const shift = clz<u32>(<u32>(i + 1));
    let j: u32;
    do j = nextU32(mt) >>> shift;
    while (j > <u32>i);
    const a = order + (<usize>i << 2);
    const b = order + (<usize>j << 2);
    const t = load<i32>(a);
    store<i32>(a, load<i32>(b));
    store<i32>(b, t);
  }
}

/** Random.random: 53 random bits from two words. */
function random(mt: usize): f64 {
  const a = nextU32(mt) >>> 5;
  const b = nextU32(mt) >>> 6;
  return (<f64>a * 67108864.0 + <f64>b) * (1.0 / 9007199254740992.0);
}

/** The second deviate of the last pair, for the next gauss (Random's gaussNext), if hasNext(). */
let cached: f64 = 0;
let hasCached: bool = false;

export function gaussNext(): f64 {
  return cached;
}

export function hasGaussNext(): bool {
  return hasCached;
}

/**
 * n draws of Random.gauss(mu, sigma) to the f64 at out, one after another
 * from the state at mt whose next word is mt[at], the first from `next` when
 * hasNext (a pair's second deviate, kept between calls): Box-Muller, as
 * CPython's random.gauss.
 */
export function gaussFill(mt: usize, at: i32, out: usize, n: i32, mu: f64, sigma: f64, next: f64, hasNext: bool): void {
  index = at;
  cached = next;
  hasCached = hasNext;
  for (let i = 0; i < n; i++) {
    let z: f64;
    if (hasCached) {
      z = cached;
      hasCached = false;
    } else {
      const x2pi = random(mt) * (2 * Math.PI);
      const g2rad = Math.sqrt(-2.0 * log(1.0 - random(mt)));
      z = cos(x2pi) * g2rad;
      cached = sin(x2pi) * g2rad;
      hasCached = true;
    }
    store<f64>(out + (<usize>i << 3), mu + z * sigma);
  }
}
