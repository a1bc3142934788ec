/**
 * The documents of an ASCII text whose lines need no stripping, prepared as
 * src/core/dataset.ts prepares them, in native code: a run starts before V8
 * has compiled the JavaScript that would loop over 32,033 lines three times
 * (find them, shuffle them, collect their characters), and that took 15 ms
 * of the default run. src/core/line-index.ts calls this, and its tests
 * compare every result with the JavaScript's (parse-docs.ts, random.ts,
 * tokenizer.ts), which stays for other texts.
 *
 * The caller lays out the imported memory: the text's bytes, the
 * Mersenne Twister's 624 words, and room for two ints per line (spans) and
 * one (order).
 */

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

/**
 * random.shuffle of the n int32 at order: Fisher–Yates from the end, each j
 * drawn as Random.shuffle draws it (one 32-bit word shifted right by
 * clz32(i + 1), again while it is above i), from the state at mt whose next
 * word is mt[index]; returns the index after the last word drawn.
 */
export function shuffle(mt: usize, index: i32, order: usize, n: i32): i32 {
  for (let i = n - 1; i > 0; i--) {
    const shift = clz<u32>(<u32>(i + 1));
    let j: u32;
    do {
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
      j = y >>> shift;
    } while (j > <u32>i);
    const a = order + (<usize>i << 2);
    const b = order + (<usize>j << 2);
    const t = load<i32>(a);
    store<i32>(a, load<i32>(b));
    store<i32>(b, t);
  }
  return index;
}
