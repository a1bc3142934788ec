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
    return new Tokenizer([...new Set(docs.join(''))].sort(compareCodePoints));
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const code = text.codePointAt(i)!;
      const ch = code > 0xffff ? text.slice(i, ++i + 1) : text[i]; // a surrogate pair is one character
      const id = this.ids.get(ch);
      if (id === undefined) throw new RangeError(`character ${JSON.stringify(ch)} is not in the vocabulary`);
      out.push(id);
    }
    return out;
  }

  /** A document as the model trains on it: BOS, its characters, BOS. */
  encodeDoc(doc: string): number[] {
    const ids = this.encode(doc);
    const tokens = new Array<number>(ids.length + 2);
    tokens[0] = this.BOS;
    for (let i = 0; i < ids.length; i++) tokens[i + 1] = ids[i];
    tokens[ids.length + 1] = this.BOS;
    return tokens;
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
