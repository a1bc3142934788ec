/**
 * The character tokenizer of microgpt.py: the sorted unique characters of the
 * documents get ids 0..n-1, and BOS (beginning/end of sequence) gets id n.
 */
import { shown } from './arguments.ts';

export class Tokenizer {
  /** uchars in the original: sorted unique characters. */
  readonly chars: readonly string[];
  readonly BOS: number;
  readonly vocabSize: number;
  private readonly ids: Map<string, number>;
  /** Each basic-plane code unit's id, or -1. */
  private readonly table = new Int32Array(0x10000).fill(-1);

  constructor(chars: readonly string[]) {
    this.chars = chars;
    this.BOS = chars.length;
    this.vocabSize = chars.length + 1;
    this.ids = new Map(chars.map((ch, i) => [ch, i]));
    if (this.ids.size !== chars.length) throw new Error('tokenizer characters must be unique');
    chars.forEach((ch, i) => {
      if (ch.length === 1) this.table[ch.charCodeAt(0)] = i;
    });
  }

  /** sorted(set(''.join(docs))): sorted by code point, as Python sorts str. */
  static fromDocs(docs: readonly string[]): Tokenizer {
    if (!Array.isArray(docs) || docs.some((d) => typeof d !== 'string'))
      throw new TypeError(`Tokenizer.fromDocs(docs): docs must be an array of strings, got ${shown(docs)}`);
    return new Tokenizer(uniqueChars(docs.join('')));
  }

  /** The vocabulary of a text's characters but those in `skip` (prepareDataset's, for documents that are a text's lines as they are). */
  static ofText(text: string, skip = ''): Tokenizer {
    return new Tokenizer(uniqueChars(text, skip));
  }

  encode(text: string): number[] {
    return this.encodeInto(text, [], 0);
  }

  /**
   * A document as the model trains on it: BOS, its characters, BOS. With maxTokens
   * (blockSize + 1: all the model ever reads of a document) only that many come back,
   * and a longer document is cut before it is encoded, so one huge line costs no more
   * than a short one; every character is still checked against the vocabulary.
   */
  encodeDoc(doc: string, maxTokens = Infinity): number[] {
    if (doc.length + 2 <= maxTokens) {
      const tokens = this.encodeInto(doc, [this.BOS], 1);
      tokens.push(this.BOS);
      return tokens;
    }
    const unknown = this.unknownCharacter(doc);
    if (unknown !== undefined) throw new RangeError(`character ${JSON.stringify(unknown)} is not in the vocabulary`);
    // maxTokens code points fit in 2 * maxTokens code units; a pair cut in two is dropped
    let head = doc.slice(0, 2 * maxTokens);
    const last = head.charCodeAt(head.length - 1);
    if (head.length < doc.length && last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
    const tokens = this.encodeInto(head, [this.BOS], 1);
    if (head.length === doc.length) tokens.push(this.BOS);
    return tokens.slice(0, maxTokens);
  }

  /** The first character of text that is not in the vocabulary, if any (nothing is allocated on the way). */
  unknownCharacter(text: string): string | undefined {
    for (let i = 0; i < text.length; i++) {
      const code = text.codePointAt(i)!;
      if (code <= 0xffff ? this.table[code] < 0 : !this.ids.has(text.slice(i, i + 2))) return String.fromCodePoint(code);
      if (code > 0xffff) i++;
    }
    return undefined;
  }

  /** Appends text's ids to out from index at (a table for the basic plane: a long document encodes in one pass). */
  private encodeInto(text: string, out: number[], at: number): number[] {
    const table = this.table;
    for (let i = 0; i < text.length; i++) {
      const code = text.codePointAt(i)!;
      let id = code <= 0xffff ? table[code] : -1;
      if (code > 0xffff) id = this.ids.get(text.slice(i, ++i + 1)) ?? -1; // a surrogate pair is one character
      if (id < 0) throw new RangeError(`character ${JSON.stringify(String.fromCodePoint(code))} is not in the vocabulary`);
      out[at++] = id;
    }
    return out;
  }

  /** Decodes ids to text; BOS is dropped. */
  decode(ids: Iterable<number>): string {
    let s = '';
    for (const id of ids) {
      if (id === this.BOS) continue;
      const ch = this.chars[id];
      if (ch === undefined) throw new RangeError(`token id ${id} is not in the vocabulary`);
      s += ch;
    }
    return s;
  }
}

/** Distinct characters found by regular expression before the rest of a text is scanned by a loop. */
const SEARCHED = 96;

/**
 * sorted(set(text)) by code point, without the characters in `skip`. The first
 * SEARCHED characters are found by a regular expression that matches any
 * character not yet found, from just after the last one found (everything before
 * it is known): the regular expression engine scans the text in native code, where
 * a loop over names.txt's 228,000 code units took 4 ms before V8 optimized it. A
 * text with more distinct characters is scanned from there in one pass: a
 * basic-plane unit (a lone surrogate too, as a string's iterator yields it) is
 * marked in a table read in order; a surrogate pair goes to a set, sorted after
 * (its code point is above every basic-plane one).
 */
function uniqueChars(text: string, skip = ''): string[] {
  const found = [...skip];
  const skipped = found.length;
  let at = 0;
  while (found.length < SEARCHED + skipped) {
    const notFound = new RegExp(`[^${found.map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('')}]`, 'gu');
    notFound.lastIndex = at;
    const m = notFound.exec(text);
    if (m === null) return found.slice(skipped).sort(compareCodePoints);
    found.push(m[0]);
    at = m.index + m[0].length;
  }
  const seen = new Uint8Array(0x10000);
  const astral = new Set<string>();
  for (const c of found) {
    if (c.length === 2) astral.add(c);
    else seen[c.charCodeAt(0)] = 1;
  }
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        astral.add(text.slice(i, i + 2));
        i++;
        continue;
      }
    }
    seen[c] = 1;
  }
  for (const c of skip) {
    if (c.length === 2) astral.delete(c);
    else seen[c.charCodeAt(0)] = 0;
  }
  const chars: string[] = [];
  for (let c = 0; c < 0x10000; c++) if (seen[c]) chars.push(String.fromCharCode(c));
  return chars.concat([...astral].sort(compareCodePoints));
}

function compareCodePoints(a: string, b: string): number {
  return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}
