/**
 * From text to training documents, in the original's order of random draws:
 * shuffle the documents, build the vocabulary, then (optionally) hold out the
 * last share of the shuffled documents for validation. A text whose lines
 * need no stripping keeps its documents as spans of itself, made strings when
 * read: a default run reads 1000 of names.txt's 32033 lines, and making the
 * rest (and collecting them) cost more than the run's training.
 */
import { shuffledLines } from './prepare-native.ts';
import { lineSpans, linesAsTheyAre, parseDocs } from './parse-docs.ts';
import type { Random } from './random.ts';
import { Tokenizer } from './tokenizer.ts';
import { checkSetting, ConfigError } from './settings.ts';

export interface Dataset {
  /** All documents after the shuffle ([] for a stream: its text is stream.text). */
  docs: string[];
  tokenizer: Tokenizer;
  trainDocs: string[];
  valDocs: string[];
  /** Code units in the longest document (0 for a stream). */
  longestDoc: number;
  /** The same documents as token ids with BOS on both ends. */
  train: TokenizedDocs;
  val: TokenizedDocs;
  /** With --documents stream: the text as tokens, split (the documents above are empty then). */
  stream?: import('./stream.ts').StreamData;
}

/**
 * What cutting lines to the block size leaves out: characters beyond the first
 * blockSize of each document are never predicted (a line of n > blockSize
 * characters trains on its first blockSize). Counted in characters (code points).
 */
export function cutCharacters(docs: readonly string[], blockSize: number): { cut: number; total: number } {
  let cut = 0;
  let total = 0;
  for (const doc of docs) {
    const n = [...doc].length;
    total += n;
    if (n > blockSize) cut += n - blockSize;
  }
  return { cut, total };
}

/** Documents read one at a time: a string[], or the lines of a text kept as spans of it (LineDocs). */
export interface DocList {
  readonly length: number;
  at(index: number): string | undefined;
}

/** Documents [from, to) of a text's lines in a given order, each made a string when read. */
class LineDocs implements DocList {
  constructor(
    private readonly text: string,
    /** Start and end of each line: line k is text.slice(spans[2k], spans[2k + 1]). */
    private readonly spans: Int32Array,
    /** Line of each document. */
    private readonly order: Int32Array,
    private readonly from: number,
    private readonly to: number,
  ) {}

  get length(): number {
    return this.to - this.from;
  }

  at(index: number): string | undefined {
    if (!(index >= 0 && index < this.length)) return undefined;
    const k = this.order[this.from + index];
    return this.text.slice(this.spans[2 * k], this.spans[2 * k + 1]);
  }
}

const arrayOf = (docs: DocList) => Array.from({ length: docs.length }, (_, i) => docs.at(i)!);

/**
 * Documents tokenized on first use: a default run reads 1000 of names.txt's
 * 32033, and starting up without tokenizing the rest is a visible saving.
 */
export class TokenizedDocs {
  private readonly cache: (number[] | undefined)[];

  constructor(
    readonly docs: DocList,
    readonly tokenizer: Tokenizer,
    /** blockSize + 1: what the model reads of a document; a longer one is cut (Tokenizer.encodeDoc). */
    readonly maxTokens = Infinity,
  ) {
    this.cache = new Array(docs.length);
  }

  get length(): number {
    return this.docs.length;
  }

  /** Document i as [BOS, ...ids, BOS]. */
  at(i: number): number[] {
    let tokens = this.cache[i];
    if (tokens === undefined) {
      tokens = this.tokenizer.encodeDoc(this.docs.at(i)!, this.maxTokens);
      this.cache[i] = tokens;
    }
    return tokens;
  }

  /** Documents from..to-1 (all by default). */
  slice(from = 0, to = this.length): number[][] {
    const out: number[][] = [];
    for (let i = from; i < Math.min(to, this.length); i++) out.push(this.at(i));
    return out;
  }
}

import { DataError } from './errors.ts';

export { DataError };

export function prepareDataset(text: string, rng: Random, valFraction = 0, tokenizer?: Tokenizer, maxTokens = Infinity): Dataset {
  // documents that are the text's lines as they are stay spans of it, shuffled as the lines would be
  // (an ASCII text's found and shuffled in WebAssembly: prepare-native.ts)
  const plain = linesAsTheyAre(text);
  const native = plain ? shuffledLines(text, rng) : undefined;
  const lines = native ?? (plain ? lineSpans(text) : undefined);
  let docs = lines ? undefined : parseDocs(text);
  const n = lines ? lines.count : docs!.length;
  if (n === 0) throw new DataError('the data has no non-empty line');
  let order = native?.order;
  if (!native && lines) rng.shuffle((order = identity(n)));
  if (!lines) rng.shuffle(docs!);
  // documents that are the text's lines as they are hold the text's characters but the newline
  tokenizer ??= native ? new Tokenizer(native.chars) : lines ? Tokenizer.ofText(text, '\n') : Tokenizer.ofText(docs!.join(''));
  checkSetting('valFraction', valFraction);
  const nVal = Math.round(n * valFraction);
  if (valFraction > 0 && (nVal === 0 || nVal === n)) {
    throw new ConfigError(`${valFraction} of ${n} documents leaves an empty training or validation set`, 'valFraction');
  }
  const part = (from: number, to: number): DocList => (lines ? new LineDocs(text, lines.spans, order!, from, to) : docs!.slice(from, to));
  const train = new TokenizedDocs(part(0, n - nVal), tokenizer, maxTokens);
  const val = new TokenizedDocs(part(n - nVal, n), tokenizer, maxTokens);
  // the documents as strings are made when first asked for
  let trainDocs: string[] | undefined;
  let valDocs: string[] | undefined;
  return {
    get docs() {
      return (docs ??= arrayOf(part(0, n)));
    },
    tokenizer,
    get trainDocs() {
      return (trainDocs ??= arrayOf(train.docs));
    },
    get valDocs() {
      return (valDocs ??= arrayOf(val.docs));
    },
    longestDoc: lines ? lines.longest : docs!.reduce((most, d) => Math.max(most, d.length), 0),
    train,
    val,
  };
}

/** 0, 1, ..., n - 1. */
function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
