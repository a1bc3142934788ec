/**
 * The character tokenizer of microgpt.py: the sorted unique characters of the
 * documents get ids 0..n-1, and BOS (beginning/end of sequence) gets id n.
 */
export class Tokenizer {
  /** uchars in the original: sorted unique characters. */
  readonly chars: readonly string[];
  readonly BOS: number;
  readonly vocabSize: number;
  private readonly ids: Map<string, number>;

  constructor(chars: readonly string[]) {
    this.chars = chars;
    this.BOS = chars.length;
    this.vocabSize = chars.length + 1;
    this.ids = new Map(chars.map((ch, i) => [ch, i]));
    if (this.ids.size !== chars.length) throw new Error('tokenizer characters must be unique');
  }

  /** sorted(set(''.join(docs))): sorted by code point, as Python sorts str. */
  static fromDocs(docs: readonly string[]): Tokenizer {
    const set = new Set<string>();
    for (const doc of docs) for (const ch of doc) set.add(ch);
    return new Tokenizer([...set].sort(compareCodePoints));
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const ch of text) {
      const id = this.ids.get(ch);
      if (id === undefined) throw new RangeError(`character ${JSON.stringify(ch)} is not in the vocabulary`);
      out.push(id);
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

function compareCodePoints(a: string, b: string): number {
  return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}
