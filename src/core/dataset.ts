/**
 * From text to training documents, in the original's order of random draws:
 * shuffle the documents, build the vocabulary, then (optionally) hold out the
 * last share of the shuffled documents for validation.
 */
import { parseDocs } from './docs.ts';
import type { Random } from './random.ts';
import { Tokenizer } from './tokenizer.ts';
import { withBOS } from '../engines/engine.ts';

export interface Dataset {
  /** All documents after the shuffle. */
  docs: string[];
  tokenizer: Tokenizer;
  trainDocs: string[];
  valDocs: string[];
  /** Token ids with BOS on both ends. */
  train: number[][];
  val: number[][];
}

export class DataError extends Error {
  override name = 'DataError';
}

export function prepareDataset(text: string, rng: Random, valFraction = 0, tokenizer?: Tokenizer): Dataset {
  const docs = parseDocs(text);
  if (docs.length === 0) throw new DataError('the data has no non-empty line');
  rng.shuffle(docs);
  tokenizer ??= Tokenizer.fromDocs(docs);
  if (!(valFraction >= 0 && valFraction < 1)) throw new DataError(`--val-fraction must be in [0, 1), got ${valFraction}`);
  const nVal = Math.round(docs.length * valFraction);
  if (valFraction > 0 && (nVal === 0 || nVal === docs.length)) {
    throw new DataError(`--val-fraction ${valFraction} of ${docs.length} documents leaves an empty training or validation set`);
  }
  const trainDocs = docs.slice(0, docs.length - nVal);
  const valDocs = docs.slice(docs.length - nVal);
  const encode = (doc: string) => withBOS(tokenizer.encode(doc), tokenizer.BOS);
  return { docs, tokenizer, trainDocs, valDocs, train: trainDocs.map(encode), val: valDocs.map(encode) };
}
