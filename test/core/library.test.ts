// The library API. The README's and docs/'s examples are run as written by test/docs.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, Tokenizer, GPT, train, sample, loadCheckpoint, saveCheckpoint } from '../../src/index.ts';

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
