/**
 * Where a step's document sits in the text the reader gave: microgpt.py reads
 * the non-empty lines, then random.shuffle(docs) reorders them once, before
 * the loop, with the run's seed. The shuffle draws the same numbers whatever
 * the documents are, so shuffling their line numbers with a generator seeded
 * alike puts each line number where its document went.
 */
import { parseDocs } from '../../core/parse-docs.ts';
import { Random } from '../../core/random.ts';

import type { DocOrigin } from '../protocol.ts';

/** A character no strip removes: printable ASCII (a NaN, the empty line's, is not). */
const plain = (c: number) => c > 0x20 && c < 0x7f;

export class DocOrigins {
  /** lines[i]: the line (1-based) of docs[i] after the shuffle. */
  private readonly lines: number[];
  private readonly docs: string[];
  /** Documents trained on: the shuffled ones before the held-out share. */
  private readonly trainCount: number;

  constructor(text: string, seed: number, valFraction: number) {
    const lines: number[] = [];
    const docs: string[] = [];
    text.split('\n').forEach((line, i) => {
      // the line as microgpt.py strips it, if anything is left (most lines have nothing to strip)
      const doc = plain(line.charCodeAt(0)) && plain(line.charCodeAt(line.length - 1)) ? line : parseDocs(line)[0];
      if (doc === undefined) return;
      lines.push(i + 1);
      docs.push(doc);
    });
    const order = docs.map((_, i) => i);
    new Random(seed).shuffle(order);
    this.lines = order.map((i) => lines[i]);
    this.docs = order.map((i) => docs[i]);
    this.trainCount = docs.length - Math.round(docs.length * valFraction);
  }

  /**
   * Document b of step `step` (1-based) in a batch of batchSize, as the trainer picks it
   * (docs[(step - 1) * batchSize + b], round the training documents); undefined when the
   * document there is not `text` (the text changed since the run read it).
   */
  of(step: number, b: number, batchSize: number, text: string): DocOrigin | undefined {
    if (this.trainCount <= 0) return undefined;
    const index = ((step - 1) * batchSize + b) % this.trainCount;
    return this.docs[index] === text ? { line: this.lines[index], index } : undefined;
  }
}
