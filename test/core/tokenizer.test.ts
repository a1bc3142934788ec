import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocs } from '../../src/core/parse-docs.ts';
import { Tokenizer } from '../../src/core/tokenizer.ts';
import { Random } from '../../src/core/random.ts';

test('docs are the non-empty stripped lines, as Python strips them', () => {
  assert.deepEqual(parseDocs(' emma \r\n\n\t\nolivia\n  \u3000\n\x1cava\x85\n'), ['emma', 'olivia', 'ava']);
  assert.deepEqual(parseDocs('\ufeffbom'), ['\ufeffbom'], 'Python does not strip a BOM');
  assert.deepEqual(parseDocs('\n \n'), []);
  // the fast path (nothing to strip but newlines), checked against Python on its edge cases
  const cases: [string, string[]][] = [
    ['a\nb\n', ['a', 'b']],
    ['a\nb', ['a', 'b']],
    ['\na\nb', ['a', 'b']],
    ['a\n\nb\n', ['a', 'b']],
    ['a\nb\n\n', ['a', 'b']],
    ['', []],
    ['\n', []],
    ['x', ['x']],
  ];
  for (const [text, docs] of cases) assert.deepEqual(parseDocs(text), docs, JSON.stringify(text));
});

test('vocabulary: sorted unique characters by code point, BOS last', () => {
  const tok = Tokenizer.fromDocs(['emma', 'Zoé', 'ann']);
  assert.deepEqual(tok.chars, ['Z', 'a', 'e', 'm', 'n', 'o', 'é']);
  assert.equal(tok.BOS, 7);
  assert.equal(tok.vocabSize, 8);
  assert.deepEqual(tok.encode('anna'), [1, 4, 4, 1]);
  assert.equal(tok.decode([tok.BOS, 2, 3, 3, 1, tok.BOS]), 'emma');
});

test('the vocabulary of random texts is the sorted set of their code points, past the first 96 found too, a skipped character left out', () => {
  const rng = new Random(7);
  // letters, specials a character class would need escaped, lone and paired surrogates, many distinct characters
  const pools = [
    'abc',
    ']^-\\[/.*',
    'a\ud800b\udc00c',
    'x😀y🎉z\ud83d',
    Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x20 + i * 37)).join(''),
  ];
  for (let round = 0; round < 200; round++) {
    const pool = [...pools[round % pools.length], ...(round % 3 === 0 ? [...pools[4]] : [])];
    let text = '';
    for (let n = rng.randbelow(400); n > 0; n--) text += pool[rng.randbelow(pool.length)];
    // Python's sorted(set(text)): a string's code points (lone surrogates as themselves), by value
    const expected = [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    assert.deepEqual(Tokenizer.fromDocs([text]).chars, expected, JSON.stringify(text));
    const skip = text.length > 0 ? [...text][0] : '\n';
    assert.deepEqual(
      Tokenizer.ofText(text, skip).chars,
      expected.filter((c) => c !== skip),
      `${JSON.stringify(text)} without ${JSON.stringify(skip)}`,
    );
  }
});

test('characters outside the vocabulary are named in the error', () => {
  const tok = Tokenizer.fromDocs(['abc']);
  assert.throws(() => tok.encode('abx'), /character "x" is not in the vocabulary/);
  assert.throws(() => tok.decode([9]), /token id 9/);
});

test('astral characters are single tokens', () => {
  const tok = Tokenizer.fromDocs(['a😀b']);
  assert.equal(tok.vocabSize, 4);
  assert.equal(tok.decode(tok.encode('😀a')), '😀a');
});

test('encodeDoc with maxTokens gives the first maxTokens tokens of the whole encoding, surrogate pairs included', () => {
  const tok = Tokenizer.fromDocs(['ab', 'c😀d', 'é']);
  const docs = ['', 'a', 'ab', 'abc', '😀', 'a😀', '😀😀😀😀😀', 'a😀b😀c😀d😀é', 'ab'.repeat(50), '😀a'.repeat(40)];
  for (const doc of docs) {
    for (let max = 1; max <= 24; max++)
      assert.deepEqual(tok.encodeDoc(doc, max), tok.encodeDoc(doc).slice(0, max), `${JSON.stringify(doc)} cut to ${max}`);
  }
  // a character the vocabulary lacks is refused even beyond the cut
  assert.throws(() => tok.encodeDoc('ab'.repeat(20) + 'z', 4), /character "z" is not in the vocabulary/);
  assert.equal(tok.unknownCharacter('ab😀é'), undefined);
  assert.equal(tok.unknownCharacter('ab😃'), '😃');
});
