/**
 * A run's data preparation in WebAssembly (assembly/prepare.ts), for the
 * start of a run, before V8 has compiled the JavaScript loops (on names.txt
 * they took a tenth of the default run):
 * - shuffledLines: an ASCII text whose lines need no stripping, its lines
 *   found, shuffled and their characters collected, the same as lineSpans
 *   (parse-docs.ts), Random.shuffle and Tokenizer.ofText(text, '\n');
 * - gaussFill: Random.gauss drawn n times.
 * Each leaves the Random where the JavaScript would. Where this cannot run
 * (other text, a text over MAX_TEXT, a runtime without WebAssembly) it
 * returns undefined and the caller does it in JavaScript, which the tests
 * compare it with.
 */
import { prepare as MODULE } from './prepare.wasm.ts';
import type { Random, RandomState } from './random.ts';

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

interface Exports {
  lines(text: number, n: number, spans: number, order: number, seen: number): number;
  longest(): number;
  shuffle(mt: number, at: number, order: number, n: number): void;
  gaussFill(mt: number, at: number, out: number, n: number, mu: number, sigma: number, next: number, hasNext: number): void;
  nextIndex(): number;
  gaussNext(): number;
  hasGaussNext(): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The module on a new memory of `bytes`, or undefined where WebAssembly is missing (or a page forbids compiling it). */
function instance(bytes: number): { k: Exports; memory: WebAssembly.Memory } | undefined {
  if (compiled === undefined) {
    try {
      const text = atob(MODULE);
      const wasm = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) wasm[i] = text.charCodeAt(i);
      compiled = new WebAssembly.Module(wasm);
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return undefined;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const env = { memory, log: Math.log, cos: Math.cos, sin: Math.sin };
  return { k: new WebAssembly.Instance(compiled, { env }).exports as unknown as Exports, memory };
}

const MT = 0; // 624 words of the Mersenne Twister
const SEEN = 2496; // 256 bytes: which byte values occur
const DATA = 2752;

/** The Random's state into the memory. */
function stateIn(rng: Random, memory: WebAssembly.Memory): RandomState {
  const state = rng.getstate();
  new Int32Array(memory.buffer).set(state.mt, MT / 4);
  return state;
}

/** The Random's words and index from the memory (gaussNext as given). */
function stateOut(rng: Random, memory: WebAssembly.Memory, index: number, gaussNext: number | null): void {
  rng.setstate({ mt: Array.from(new Int32Array(memory.buffer, MT, 624)), index, gaussNext });
}

export function shuffledLines(text: string, rng: Random): ShuffledLines | undefined {
  const n = text.length;
  // ASCII, every character one byte (the test stops at the first that is not, before any memory is made)
  if (n > MAX_TEXT || typeof TextEncoder !== 'function' || NOT_ASCII.test(text)) return undefined;
  // a non-empty line and its newline take two characters: at most n / 2 + 1 lines
  const maxLines = (n >> 1) + 1;
  const spansAt = DATA + align8(n);
  const orderAt = spansAt + 8 * maxLines;
  const native = instance(orderAt + 4 * maxLines);
  if (!native) return undefined;
  const { k, memory } = native;
  const u8 = new Uint8Array(memory.buffer);
  new TextEncoder().encodeInto(text, u8.subarray(DATA, DATA + n));
  const count = k.lines(DATA, n, spansAt, orderAt, SEEN);
  // the shuffle draws from the Random's state, and leaves it where Random.shuffle would
  const state = stateIn(rng, memory);
  k.shuffle(MT, state.index, orderAt, count);
  stateOut(rng, memory, k.nextIndex(), state.gaussNext);
  const chars: string[] = [];
  for (let c = 0; c < 128; c++) if (u8[SEEN + c] && c !== 10) chars.push(String.fromCharCode(c));
  const i32 = new Int32Array(memory.buffer);
  return {
    spans: i32.slice(spansAt / 4, spansAt / 4 + 2 * count),
    count,
    longest: k.longest(),
    order: i32.slice(orderAt / 4, orderAt / 4 + count),
    chars,
  };
}

/** out.length draws of rng.gauss(mu, sigma) into out; false (nothing drawn) where WebAssembly is missing. */
export function gaussFill(rng: Random, out: Float64Array, mu: number, sigma: number): boolean {
  const native = instance(DATA + 8 * out.length);
  if (!native) return false;
  const { k, memory } = native;
  const state = stateIn(rng, memory);
  k.gaussFill(MT, state.index, DATA, out.length, mu, sigma, state.gaussNext ?? 0, state.gaussNext === null ? 0 : 1);
  stateOut(rng, memory, k.nextIndex(), k.hasGaussNext() ? k.gaussNext() : null);
  out.set(new Float64Array(memory.buffer, DATA, out.length));
  return true;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;
const NOT_ASCII = /[^\x00-\x7f]/;
