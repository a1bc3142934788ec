/**
 * --documents stream: the whole text, newlines included, as one sequence of
 * character tokens, trained on windows at random offsets (the shape of
 * nanoGPT's get_batch), where 'lines' (microgpt.py's) makes each line a
 * document of its own.
 *
 * - The text: as read, with each CRLF made LF. The vocabulary is its sorted
 *   unique characters (newline included) plus BOS; BOS is never inside the
 *   stream (it only starts a sample, see sampleStream in sample.ts).
 * - The split: the last round(n * valFraction) characters are held out, the
 *   rest trains. Each part must hold one window: blockSize + 1 characters.
 * - A step's batch: batchSize windows of blockSize + 1 tokens, at offsets drawn
 *   one after another, in batch order, each rng.randbelow(nTrain - blockSize)
 *   (Python's random.randrange(nTrain - blockSize): an offset from 0 to
 *   nTrain - blockSize - 1), from the run's Random, the one that drew the
 *   initial weights and whose state a checkpoint keeps: a resumed run draws
 *   the windows one run would have drawn. Every rank of a torchrun draws all
 *   of them and trains its share.
 * - Validation: at most MAX_VAL_WINDOWS fixed windows of the held-out part,
 *   spread evenly: count = min(160, floor((nVal - 1) / blockSize)), window k
 *   at floor(k * (nVal - blockSize - 1) / (count - 1)) (0 when count is 1).
 *   They are at least blockSize apart, so no token is predicted twice.
 * - `microgpt eval` reads the whole text: windows at 0, T, 2T, ... (the last
 *   one shorter), so every character but the first is predicted once.
 */
import { hashDocs } from './checkpoint.ts';
import { DataError } from './errors.ts';
import type { Random } from './random.ts';
import { ConfigError } from './settings.ts';
import { Tokenizer } from './tokenizer.ts';

/** The most validation windows a stream run measures (the held-out part may hold more). */
export const MAX_VAL_WINDOWS = 160;

export interface StreamData {
  /** The text as trained on (CRLF made LF). */
  text: string;
  tokenizer: Tokenizer;
  /** The first characters' tokens: what training draws windows from. */
  train: number[];
  /** The held-out last characters' tokens ([] without a validation share). */
  val: number[];
}

/** The text a stream trains on: as read, each CRLF made LF. */
export const streamText = (text: string): string => text.replace(/\r\n/g, '\n');

/** Identifies a stream's text in checkpoints: the text as one document. */
export const hashStream = (text: string): string => hashDocs([streamText(text)]);

/** The text as tokens, split into training and held-out parts; refuses a text too short for one window of either. */
export function prepareStream(raw: string, valFraction: number, blockSize: number, tokenizer?: Tokenizer): StreamData {
  const text = streamText(raw);
  if (text.length === 0) throw new DataError('the data is empty');
  tokenizer ??= Tokenizer.fromDocs([text]);
  const tokens = tokenizer.encode(text);
  const n = tokens.length;
  const nVal = Math.round(n * valFraction);
  const nTrain = n - nVal;
  const window = blockSize + 1;
  if (nTrain < window || (valFraction > 0 && nVal < window)) {
    const [part, size] = nTrain < window ? ['training', nTrain] : ['held-out', nVal];
    const most = Math.max(0, Math.min(nTrain, valFraction > 0 ? nVal : Infinity) - 1);
    throw new ConfigError(
      most >= 1
        ? `must be at most ${most} for this text: a window is block size + 1 characters, and the ${part} part has ${size} of its ${n}; got ${blockSize}`
        : `is too large for this text: a window is block size + 1 characters, and the ${part} part has ${size} of its ${n}; got ${blockSize}`,
      'blockSize',
    );
  }
  return { text, tokenizer, train: tokens.slice(0, nTrain), val: tokens.slice(nTrain) };
}

/** A stream's training windows, drawn from the run's Random (see the file's comment for the order). */
export class StreamWindows {
  constructor(
    readonly tokens: readonly number[],
    readonly blockSize: number,
    /** The run's Random: draws here advance it, as a checkpoint records. */
    readonly rng: Random,
  ) {
    if (tokens.length < blockSize + 1) throw new RangeError('the stream is shorter than one window');
  }

  /** The next batch's offsets: batchSize draws of randbelow(n - blockSize), in batch order. */
  drawOffsets(batchSize: number): number[] {
    const range = this.tokens.length - this.blockSize;
    return Array.from({ length: batchSize }, () => this.rng.randbelow(range));
  }

  /** The window at offset: blockSize + 1 tokens. */
  window(offset: number): number[] {
    return this.tokens.slice(offset, offset + this.blockSize + 1);
  }

  /** Fills batch with the next batchSize windows (the Random moves on). */
  fill(batch: (readonly number[])[], batchSize: number): void {
    const offsets = this.drawOffsets(batchSize);
    batch.length = batchSize;
    for (let b = 0; b < batchSize; b++) batch[b] = this.window(offsets[b]);
  }

  /** The next batch's offsets without drawing them: the Random is left as it was (the playground's Step shows the batch first). */
  peekOffsets(batchSize: number): number[] {
    const state = this.rng.getstate();
    const offsets = this.drawOffsets(batchSize);
    this.rng.setstate(state);
    return offsets;
  }
}

/** The validation windows' offsets in a held-out part of n tokens (see the file's comment). */
export function valOffsets(n: number, blockSize: number): number[] {
  const count = Math.min(MAX_VAL_WINDOWS, Math.floor((n - 1) / blockSize));
  if (count <= 1) return count === 1 ? [0] : [];
  return Array.from({ length: count }, (_, k) => Math.floor((k * (n - blockSize - 1)) / (count - 1)));
}

/** The validation windows of a held-out part. */
export function valWindows(val: readonly number[], blockSize: number): number[][] {
  return valOffsets(val.length, blockSize).map((o) => val.slice(o, o + blockSize + 1));
}

/** Windows that predict every token of a stream once: at 0, T, 2T, ..., the last one shorter (what `microgpt eval` reads). */
export function coveringWindows(tokens: readonly number[], blockSize: number): number[][] {
  const out: number[][] = [];
  for (let o = 0; o + 1 < tokens.length; o += blockSize) out.push(tokens.slice(o, o + blockSize + 1));
  return out;
}
