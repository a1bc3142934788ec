// A text whose lines need no stripping keeps its documents as spans of itself: the same documents,
// in the same shuffled order, with the same random draws after, as the strings parseDocs makes;
// an ASCII text's are found and shuffled in WebAssembly, exactly as the JavaScript does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareDataset } from '../../src/core/dataset.ts';
import { gaussFill, shuffledLines } from '../../src/core/prepare-native.ts';
import { lineSpans, linesAsTheyAre, parseDocs } from '../../src/core/parse-docs.ts';
import { Random } from '../../src/core/random.ts';
import { Tokenizer } from '../../src/core/tokenizer.ts';

/** What prepareDataset did before spans: parseDocs, shuffle, the vocabulary of the joined documents, the split. */
function asStrings(text: string, seed: number, valFraction: number) {
  const rng = new Random(seed);
  const docs = parseDocs(text);
  rng.shuffle(docs);
  const nVal = Math.round(docs.length * valFraction);
  return {
    docs,
    chars: Tokenizer.fromDocs(docs).chars,
    train: docs.slice(0, docs.length - nVal),
    val: docs.slice(docs.length - nVal),
    next: rng.random(),
  };
}

test('the lines of a text as spans are the documents parseDocs makes, shuffled alike, with the same draws after', () => {
  const rng = new Random(11);
  for (let round = 0; round < 60; round++) {
    // ASCII texts are found and shuffled in WebAssembly (prepare-native.ts), the others in JavaScript
    const pool = [...(round % 3 === 0 ? 'abcdefgé😀' : 'abcdefg~!?')];
    let text = round % 4 === 0 ? '\n\n' : '';
    for (let line = rng.randbelow(300) + 2; line > 0; line--) {
      for (let n = rng.randbelow(round % 5 === 0 ? 40 : 9); n > 0; n--) text += pool[rng.randbelow(pool.length)];
      if (line > 1 || round % 2 === 0) text += '\n';
    }
    if (parseDocs(text).length < 2) continue;
    assert.ok(linesAsTheyAre(text));
    const seed = 40 + round;
    const want = asStrings(text, seed, 0.25);
    const got = new Random(seed);
    const data = prepareDataset(text, got, 0.25, undefined, 8);
    assert.equal(got.random(), want.next, 'the draws after the shuffle');
    assert.deepEqual(data.tokenizer.chars, want.chars);
    assert.equal(data.train.length + data.val.length, want.docs.length);
    for (let i = 0; i < data.train.length; i++) assert.deepEqual(data.train.at(i), data.tokenizer.encodeDoc(want.train[i], 8));
    for (let i = 0; i < data.val.length; i++) assert.deepEqual(data.val.at(i), data.tokenizer.encodeDoc(want.val[i], 8));
    assert.deepEqual(data.docs, want.docs);
    assert.deepEqual(data.trainDocs, want.train);
    assert.deepEqual(data.valDocs, want.val);
    assert.equal(data.longestDoc, Math.max(...want.docs.map((d) => d.length)));
  }
});

test('WebAssembly finds and shuffles the lines of an ASCII text as the JavaScript does, and leaves the Random where its shuffle does', () => {
  const rng = new Random(5);
  for (let round = 0; round < 40; round++) {
    let text = '';
    for (let i = rng.randbelow(round % 4 === 0 ? 20 : 5000); i > 0; i--)
      text += rng.random() < 0.15 ? '\n' : String.fromCharCode(33 + rng.randbelow(94));
    const seed = 1000 + round;
    const native = new Random(seed);
    native.gauss(); // a state with a cached second deviate, kept
    const got = shuffledLines(text, native);
    assert.ok(got, 'an ASCII text is read in WebAssembly');
    const js = new Random(seed);
    js.gauss();
    const lines = lineSpans(text);
    const order = Int32Array.from({ length: lines.count }, (_, i) => i);
    js.shuffle(order);
    assert.deepEqual(got.spans, lines.spans.slice(0, 2 * lines.count));
    assert.equal(got.count, lines.count);
    assert.equal(got.longest, lines.longest);
    assert.deepEqual(got.order, order);
    assert.deepEqual(got.chars, Tokenizer.ofText(text, '\n').chars);
    assert.deepEqual(native.getstate(), js.getstate());
  }
  // not ASCII: left to the JavaScript, the Random untouched
  const rng2 = new Random(1);
  assert.equal(shuffledLines('émile\nzoë\n', rng2), undefined);
  assert.deepEqual(rng2.getstate(), new Random(1).getstate());
});

test('WebAssembly draws gauss(mu, sigma) as Random.gauss does, a kept second deviate and all, and leaves the Random where it does', () => {
  for (const [seed, n, skip] of [
    [42, 4192, 0],
    [7, 1, 1],
    [8, 2, 3],
    [9, 1001, 0],
    [10, 0, 1],
  ]) {
    const native = new Random(seed);
    const js = new Random(seed);
    for (let i = 0; i < skip; i++) assert.equal(native.gauss(), js.gauss()); // an odd count leaves a deviate kept
    const out = new Float64Array(n);
    assert.ok(gaussFill(native, out, 0.5, 0.08), 'drawn in WebAssembly');
    assert.deepEqual(
      out,
      Float64Array.from({ length: n }, () => js.gauss(0.5, 0.08)),
    );
    assert.deepEqual(native.getstate(), js.getstate());
    assert.equal(native.gauss(), js.gauss(), 'the next draw');
  }
});

test('a text with whitespace to strip is read as strings, as before, and says its longest document', () => {
  const data = prepareDataset(' emma \n\tolivia\nava\n', new Random(42));
  assert.deepEqual([...data.docs].sort(), ['ava', 'emma', 'olivia']);
  assert.equal(data.longestDoc, 6);
  assert.equal(data.train.docs.at(0), data.docs[0]);
});
