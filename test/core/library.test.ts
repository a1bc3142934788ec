// The library API, and the README's example run as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random, Tokenizer, GPT, train, sample, loadCheckpoint, saveCheckpoint } from '../../src/index.ts';
import { NAMES, noNames, ROOT, tempDir } from '../helpers/cli.ts';

const text = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper'].join('\n');

test('train() reports every step and stops on an AbortSignal', async () => {
  const controller = new AbortController();
  const steps: number[] = [];
  const result = await train({
    text,
    train: { numSteps: 1000 },
    signal: controller.signal,
    onStep: (e) => {
      steps.push(e.step);
      if (e.step === 25) controller.abort();
    },
  });
  assert.equal(result.stopped, 'aborted');
  assert.equal(result.step, 25);
  assert.deepEqual(
    steps,
    Array.from({ length: 25 }, (_, i) => i + 1),
  );
});

test('the exports work together: Random, Tokenizer, GPT, sample, checkpoints', async () => {
  const tokenizer = Tokenizer.fromDocs(text.split('\n'));
  const gpt = GPT.init(tokenizer, { nLayer: 1, nEmbd: 8, nHead: 2, blockSize: 8 }, new Random(1));
  assert.equal(tokenizer.vocabSize, 13);
  assert.equal(gpt.numParams, 2 * 13 * 8 + 8 * 8 + 12 * 64); // wte, lm_head, wpe, one layer
  assert.equal(sample(gpt, { numSamples: 3 }).length, 3);
  const result = await train({ text, model: { nEmbd: 8, nHead: 2 }, train: { numSteps: 40 } });
  const copy = GPT.fromCheckpoint(loadCheckpoint(saveCheckpoint(result.checkpoint())));
  assert.deepEqual(copy.sample({ numSamples: 5 }), result.gpt.sample({ numSamples: 5 }));
  const probs = copy.nextTokenProbabilities('em');
  assert.equal(probs.length, 3);
  for (const p of probs) assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test("the README's library example runs as written", { skip: noNames }, () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const code = /```js example\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, 'the README has a ```js example block');
  const dir = tempDir();
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'microgpt'), 'dir'); // import 'microgpt' resolves to this package
  copyFileSync(NAMES, join(dir, 'names.txt'));
  writeFileSync(join(dir, 'example.mjs'), code);
  const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /step 300 \/ 300 \| loss \d\.\d{3}/);
  assert.match(r.stdout, /^\[ '.*' \]$/m);
});
