/**
 * prepareDataset's documents for an ASCII text whose lines need no
 * stripping, found and shuffled in WebAssembly (assembly/lines.ts): the same
 * spans, order, longest line and characters as lineSpans (parse-docs.ts),
 * Random.shuffle and Tokenizer.ofText(text, '\n'), and the Random left where
 * the shuffle leaves it. A run starts before V8 has compiled the JavaScript
 * loops, and on names.txt they took 15 ms of a 180 ms default run. Anything
 * else (other text, a text over MAX_TEXT, a runtime without WebAssembly) is
 * left to the JavaScript: shuffledLines returns undefined.
 */
import { lines as LINES_MODULE } from './lines.wasm.ts';
import type { Random } from './random.ts';

export interface ShuffledLines {
  /** Start and end of each non-empty line, in the text's order: line k is text.slice(spans[2k], spans[2k + 1]). */
  spans: Int32Array;
  count: number;
  /** Code units in the longest line. */
  longest: number;
  /** The lines in shuffled order. */
  order: Int32Array;
  /** The sorted characters of the lines. */
  chars: string[];
}

/** Longest text read here (its memory is about 7 bytes per character). */
export const MAX_TEXT = 8 << 20;

interface LineExports {
  lines(text: number, n: number, spans: number, order: number, seen: number): number;
  longest(): number;
  shuffle(mt: number, index: number, order: number, n: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

function lineModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const text = atob(LINES_MODULE);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null; // no WebAssembly here (or a page that forbids compiling it)
    }
  }
  return compiled;
}

const MT = 0; // 624 words of the Mersenne Twister
const SEEN = 2496; // 256 bytes: which byte values occur
const TEXT = 2752;

export function shuffledLines(text: string, rng: Random): ShuffledLines | undefined {
  const n = text.length;
  if (n > MAX_TEXT || typeof WebAssembly !== 'object' || typeof TextEncoder !== 'function') return undefined;
  const module = lineModule();
  if (!module) return undefined;
  // a non-empty line and its newline take two characters: at most n / 2 + 1 lines
  const maxLines = (n >> 1) + 1;
  const spansAt = TEXT + align8(n);
  const orderAt = spansAt + 8 * maxLines;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((orderAt + 4 * maxLines) / 65536) });
  const u8 = new Uint8Array(memory.buffer);
  // ASCII: every character one byte
  const { read, written } = new TextEncoder().encodeInto(text, u8.subarray(TEXT, TEXT + n));
  if (read !== n || written !== n) return undefined;
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as LineExports;
  const count = k.lines(TEXT, n, spansAt, orderAt, SEEN);
  const i32 = new Int32Array(memory.buffer);
  // the shuffle draws from the Random's state, and leaves it where Random.shuffle would
  const state = rng.getstate();
  i32.set(state.mt, MT / 4);
  const index = k.shuffle(MT, state.index, orderAt, count);
  rng.setstate({ mt: Array.from(i32.subarray(MT / 4, MT / 4 + 624)), index, gaussNext: state.gaussNext });
  const chars: string[] = [];
  for (let c = 0; c < 128; c++) if (u8[SEEN + c] && c !== 10) chars.push(String.fromCharCode(c));
  return {
    spans: i32.slice(spansAt / 4, spansAt / 4 + 2 * count),
    count,
    longest: k.longest(),
    order: i32.slice(orderAt / 4, orderAt / 4 + count),
    chars,
  };
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;
