// The fast engine against the faithful one: losses, every gradient, training runs, sampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initialWeights, type ModelConfig } from '../../src/core/config.ts';
import { formatFixed } from '../../src/core/format.ts';
import { Random } from '../../src/core/random.ts';
import { FastEngine } from '../../src/engines/fast/engine.ts';
import { ScalarEngine } from '../../src/engines/scalar/engine.ts';
import { NAMES, noNames } from '../helpers/cli.ts';
import { trainLosses } from '../helpers/train.ts';

/** A random configuration and a batch of random documents for it. */
function randomCase(seed: number): { config: ModelConfig; batch: number[][] } {
  const r = new Random(seed);
  const nHead = 1 + r.randbelow(3);
  const config: ModelConfig = {
    vocabSize: 3 + r.randbelow(10),
    nLayer: 1 + r.randbelow(3),
    nEmbd: nHead * (1 + r.randbelow(4)) * 2,
    nHead,
    blockSize: 2 + r.randbelow(8),
  };
  const BOS = config.vocabSize - 1;
  const batch = Array.from({ length: 1 + r.randbelow(4) }, () => {
    const len = r.randbelow(config.blockSize + 4); // some are cut to blockSize
    return [BOS, ...Array.from({ length: len }, () => r.randbelow(BOS)), BOS];
  });
  return { config, batch };
}

for (let seed = 1; seed <= 12; seed++) {
  const { config, batch } = randomCase(seed);
  test(`fast = scalar to 1e-10 on loss and every gradient: ${JSON.stringify(config)}, batch ${batch.length}`, () => {
    const weights = initialWeights(config, new Random(seed));
    const scalar = new ScalarEngine(config, weights);
    const fast = new FastEngine(config, weights);
    const ls = scalar.lossAndGrad(batch);
    const lf = fast.lossAndGrad(batch);
    assert.ok(Math.abs(ls - lf) <= 1e-10 * ls, `loss ${lf} vs ${ls}`);
    const gs = scalar.gradients();
    const gf = fast.gradients();
    let nonzero = 0;
    for (let i = 0; i < gs.length; i++) {
      // relative 1e-10, with an absolute floor for gradients that cancel to ~0
      assert.ok(Math.abs(gs[i] - gf[i]) <= 1e-10 * Math.abs(gs[i]) + 1e-15, `gradient ${i}: ${gf[i]} vs ${gs[i]}`);
      if (gs[i] !== 0) nonzero++;
    }
    assert.ok(nonzero > gs.length / 4, 'the batch exercises most parameters');
  });
}

test('a training step updates the same way in both engines (batch 3, 2 layers)', () => {
  const { config, batch } = {
    config: { vocabSize: 6, nLayer: 2, nEmbd: 8, nHead: 2, blockSize: 5 },
    batch: [
      [5, 0, 1, 5],
      [5, 2, 2, 3, 4, 0, 1, 5],
      [5, 4, 5],
    ],
  };
  const weights = initialWeights(config, new Random(3));
  const scalar = new ScalarEngine(config, weights);
  const fast = new FastEngine(config, weights);
  for (let step = 0; step < 5; step++) {
    const adam = { lr: 0.01 * (1 - step / 5), beta1: 0.85, beta2: 0.99, eps: 1e-8, step };
    const ls = scalar.trainStep(batch, adam);
    const lf = fast.trainStep(batch, adam);
    assert.ok(Math.abs(ls - lf) <= 1e-12 * ls, `step ${step}: ${lf} vs ${ls}`);
  }
  const ws = scalar.weights();
  const wf = fast.weights();
  for (let i = 0; i < ws.length; i++) assert.ok(Math.abs(ws[i] - wf[i]) <= 1e-12, `weight ${i}`);
});

test('the forward pass computes the same numbers as the scalar engine, bit for bit', () => {
  const config: ModelConfig = { vocabSize: 27, nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };
  const weights = initialWeights(config, new Random(42));
  const batch = [
    [26, 4, 12, 12, 0, 26],
    [26, 14, 11, 8, 21, 8, 0, 26],
  ];
  const s = new ScalarEngine(config, weights).totalLoss(batch);
  const f = new FastEngine(config, weights).totalLoss(batch);
  assert.equal(f.tokens, s.tokens);
  assert.equal(f.total, s.total);
});

test('a 50-step run prints the same losses with either engine', { skip: noNames }, () => {
  const text = readFileSync(NAMES, 'utf8');
  const scalar = trainLosses('scalar', text, 50).map((l) => formatFixed(l, 4));
  const fast = trainLosses('fast', text, 50).map((l) => formatFixed(l, 4));
  assert.deepEqual(fast, scalar);
});

test('batches of 4 and 2 layers: the same printed losses with either engine', { skip: noNames }, () => {
  const text = readFileSync(NAMES, 'utf8');
  const shape = { nLayer: 2, nEmbd: 8, nHead: 2, blockSize: 8 };
  const scalar = trainLosses('scalar', text, 10, shape, { batchSize: 4 });
  const fast = trainLosses('fast', text, 10, shape, { batchSize: 4 });
  fast.forEach((l, i) => assert.ok(Math.abs(l - scalar[i]) <= 1e-10 * scalar[i], `step ${i + 1}`));
});

// float32 stores every value in 24 bits (relative rounding 6e-8) while the arithmetic
// runs in float64, and Adam's normalised steps do not amplify it: 200 steps stay within
// ~1e-7 of float64. 1e-5 leaves a 100x margin and still catches a real bug (>1e-3).
test('float32 tracks float64 within 1e-5 relative over 200 steps', { skip: noNames }, () => {
  const text = readFileSync(NAMES, 'utf8');
  const f64 = trainLosses('fast', text, 200);
  const f32 = trainLosses('fast', text, 200, undefined, {}, 'float32');
  f32.forEach((l, i) => assert.ok(Math.abs(l - f64[i]) <= 1e-5 * f64[i], `step ${i + 1}: ${l} vs ${f64[i]}`));
  assert.ok(
    f32.some((l, i) => l !== f64[i]),
    'float32 really rounds',
  );
});

test('sampling with the KV cache gives the logits of the full forward pass, in both engines', () => {
  const config: ModelConfig = { vocabSize: 7, nLayer: 2, nEmbd: 8, nHead: 2, blockSize: 6 };
  const weights = initialWeights(config, new Random(5));
  const seq = [6, 1, 2, 3, 0, 4];
  const fast = new FastEngine(config, weights);
  const scalar = new ScalarEngine(config, weights);
  fast.resetCache();
  scalar.resetCache();
  for (let t = 0; t < seq.length; t++) {
    const lf = Array.from(fast.forwardToken(seq[t], t));
    const ls = Array.from(scalar.forwardToken(seq[t], t));
    assert.deepEqual(lf, ls, `position ${t}`);
  }
  assert.throws(() => fast.forwardToken(0, 6), /position 6/);
});

test('the engine grows its activations for a larger batch, and the loss is the same as an engine that started large', () => {
  const config: ModelConfig = { vocabSize: 4, nLayer: 1, nEmbd: 4, nHead: 1, blockSize: 4 };
  const weights = initialWeights(config, new Random(1));
  const small = new FastEngine(config, weights);
  const batch = [
    [3, 0, 3],
    [3, 1, 2, 3],
    [3, 2, 3],
  ];
  small.lossAndGrad([[3, 0, 3]]); // sized for one sequence
  const grown = small.lossAndGrad(batch);
  const fresh = new FastEngine(config, weights).lossAndGrad(batch);
  assert.equal(grown, fresh);
  assert.ok(Number.isFinite(grown));
});
