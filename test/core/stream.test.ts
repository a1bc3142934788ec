// --documents stream in the library: the windows each step draws, the held-out windows, sampling, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ConfigError, DataError, Random, startRun, type StepEvent } from '../../src/index.ts';
import { cutCharacters } from '../../src/core/dataset.ts';
import { coveringWindows, MAX_VAL_WINDOWS, prepareStream, StreamWindows, valOffsets } from '../../src/core/stream.ts';
import type { EngineName } from '../../src/engines/engine.ts';
import { prose } from '../helpers/prose.ts';

const text = prose();
const model = { nLayer: 1, nEmbd: 8, nHead: 2, blockSize: 16 };

test("a step's offsets are Python's random.randrange(n - T) in batch order, from the Random that drew the weights", () => {
  const n = 1000;
  const T = 16;
  const windows = new StreamWindows(
    Array.from({ length: n }, (_, i) => i % 7),
    T,
    new Random(42),
  );
  const ours = [...windows.drawOffsets(12), ...windows.drawOffsets(12)];
  const py = spawnSync('python3', ['-c', `import random\nr = random.Random(42)\nprint([r.randrange(${n - T}) for _ in range(24)])`], {
    encoding: 'utf8',
  });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(ours, JSON.parse(py.stdout));
  assert.deepEqual(windows.window(ours[0]).length, T + 1);
  // peeking leaves the Random where it was
  const before = windows.rng.getstate();
  const peeked = windows.peekOffsets(3);
  assert.deepEqual(windows.rng.getstate(), before);
  assert.deepEqual(windows.drawOffsets(3), peeked);
});

test('every engine draws the same windows: the same Random after each step, the same losses to their precision', () => {
  const runs = (['fast', 'scalar', 'wasm'] as EngineName[]).map((engine) =>
    startRun({ text, documents: 'stream', model, train: { numSteps: 6, batchSize: 3 }, engine }),
  );
  const events: StepEvent[][] = runs.map(() => []);
  for (let s = 0; s < 3; s++) runs.forEach((r, i) => events[i].push(r.takeStep()));
  const [fast, scalar, wasm] = runs.map((r) => r.checkpoint());
  assert.deepEqual(scalar.rng, fast.rng);
  assert.deepEqual(wasm.rng, fast.rng);
  for (let s = 0; s < 3; s++) {
    assert.ok(Math.abs(events[1][s].loss - events[0][s].loss) < 1e-10);
    assert.ok(Math.abs(events[2][s].loss - events[0][s].loss) < 1e-3);
    assert.equal(events[0][s].tokens, 3 * model.blockSize); // every window predicts T tokens
  }
  assert.equal(fast.train.documents, 'stream');
});

test('the stream keeps newlines, is not shuffled, and holds out the end; validation windows are fixed, capped and never overlap', () => {
  const s = prepareStream('ab\r\ncd\n', 0, 2);
  assert.equal(s.text, 'ab\ncd\n');
  assert.deepEqual(s.tokenizer.chars, ['\n', 'a', 'b', 'c', 'd']);
  assert.equal(s.tokenizer.decode(s.train), 'ab\ncd\n');
  const split = prepareStream(text, 0.1, 16);
  assert.equal(split.val.length, Math.round(text.length * 0.1));
  assert.equal(split.tokenizer.decode(split.val), text.slice(-split.val.length));
  for (const [n, T] of [
    [100, 16],
    [17, 16],
    [100_000, 64],
  ]) {
    const offsets = valOffsets(n, T);
    assert.equal(offsets.length, Math.min(MAX_VAL_WINDOWS, Math.floor((n - 1) / T)));
    assert.equal(offsets[0], 0);
    assert.ok(offsets[offsets.length - 1] + T + 1 <= n);
    for (let k = 1; k < offsets.length; k++) assert.ok(offsets[k] - offsets[k - 1] >= T);
  }
  // eval's windows predict every token but the first once
  const cover = coveringWindows([0, 1, 2, 3, 4, 5, 6], 3);
  assert.deepEqual(cover, [
    [0, 1, 2, 3],
    [3, 4, 5, 6],
  ]);
  assert.equal(
    coveringWindows([0, 1, 2, 3, 4], 3).reduce((t, w) => t + w.length - 1, 0),
    4,
  );
});

test('a passage is as long as asked, keeps newlines, never holds BOS, and draws from the run stream', () => {
  const run = startRun({ text, documents: 'stream', model, train: { numSteps: 4 } });
  while (!run.done) run.takeStep();
  const passage = run.gpt.sampleText({ length: 300, temperature: 1 });
  assert.equal([...passage].length, 300);
  assert.ok(passage.includes('\n'));
  assert.ok([...passage].every((c) => run.gpt.tokenizer.chars.includes(c)));
  const withPrompt = run.gpt.sampleText({ length: 20, prompt: 'The whale ' });
  assert.equal([...withPrompt].length, 20);
});

test('bad input: an empty text, a text shorter than one window, a mode that is none, a resume in the other mode', () => {
  assert.throws(() => startRun({ text: '', documents: 'stream' }), DataError);
  assert.throws(
    () => startRun({ text: 'short text\n', documents: 'stream' }),
    (e: unknown) => e instanceof ConfigError && e.key === 'blockSize' && /at most 10 for this text/.test(e.message),
  );
  assert.throws(
    () => startRun({ text, documents: 'stream', model, valFraction: 0.003 }),
    (e: unknown) => e instanceof ConfigError && /held-out part/.test(e.message),
  );
  assert.throws(() => startRun({ text, documents: 'words' as never }), /documents must be 'lines' or 'stream', got 'words'/);
  const ckpt = startRun({ text, documents: 'stream', model, train: { numSteps: 2 } }).checkpoint();
  assert.throws(() => startRun({ text, resume: ckpt, documents: 'lines' }), /documents must be the checkpoint's 'stream'/);
  assert.equal(startRun({ text, resume: ckpt }).train.documents, 'stream'); // the checkpoint's mode by default
});

test('lines mode counts the characters it cuts: those beyond the block of their line', () => {
  assert.deepEqual(cutCharacters(['abc', 'abcdefgh', 'ab'], 4), { cut: 4, total: 13 });
  assert.deepEqual(cutCharacters(['emma', 'ava'], 16), { cut: 0, total: 7 });
});
