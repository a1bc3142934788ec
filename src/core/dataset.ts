/**
 * From text to training documents, in the original's order of random draws:
 * shuffle the documents, build the vocabulary, then (optionally) hold out the
 * last share of the shuffled documents for validation.
 */
import { linesAsTheyAre, parseDocs } from './parse-docs.ts';
import type { Random } from './random.ts';
import { Tokenizer } from './tokenizer.ts';
import { checkSetting, ConfigError } from './settings.ts';

export interface Dataset {
  /** All documents after the shuffle ([] for a stream: its text is stream.text). */
  docs: string[];
  tokenizer: Tokenizer;
  trainDocs: string[];
  valDocs: string[];
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

/**
 * Documents tokenized on first use: a default run reads 1000 of names.txt's
 * 32033, and starting up without tokenizing the rest is a visible saving.
 */
export class TokenizedDocs {
  private readonly cache: (number[] | undefined)[];

  constructor(
    readonly docs: readonly string[],
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
      tokens = this.tokenizer.encodeDoc(this.docs[i], this.maxTokens);
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
  const docs = parseDocs(text);
  if (docs.length === 0) throw new DataError('the data has no non-empty line');
  rng.shuffle(docs);
  // documents that are the text's lines as they are hold the text's characters but the newline
  tokenizer ??= linesAsTheyAre(text) ? Tokenizer.ofText(text, '\n') : Tokenizer.ofText(docs.join(''));
  checkSetting('valFraction', valFraction);
  const nVal = Math.round(docs.length * valFraction);
  if (valFraction > 0 && (nVal === 0 || nVal === docs.length)) {
    throw new ConfigError(`${valFraction} of ${docs.length} documents leaves an empty training or validation set`, 'valFraction');
  }
  const trainDocs = docs.slice(0, docs.length - nVal);
  const valDocs = docs.slice(docs.length - nVal);
  return {
    docs,
    tokenizer,
    trainDocs,
    valDocs,
    train: new TokenizedDocs(trainDocs, tokenizer, maxTokens),
    val: new TokenizedDocs(valDocs, tokenizer, maxTokens),
  };
}
