/**
 * The wasm engine's threads (Node's worker_threads, src/io/wasm-threads.ts):
 * 2 and 3 threads compute the loss and gradients of 1 thread (to float32
 * summation order), and training with threads prints the same numbers every
 * time, whatever the threads' timing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_TRAIN } from '../../src/core/config.ts';
import { prepareDataset } from '../../src/core/dataset.ts';
import { Random } from '../../src/core/random.ts';
import { Trainer } from '../../src/core/trainer.ts';
import { initialWeights, type ModelConfig } from '../../src/engines/shape.ts';
import { WasmEngine } from '../../src/engines/wasm/engine.ts';
import { enableRelaxedSimd } from '../../src/io/wasm-node.ts';
import { spawnHelpers } from '../../src/io/wasm-threads.ts';
import { NAMES, noNames } from '../helpers/cli.ts';

enableRelaxedSimd();

async function engine(config: ModelConfig, weights: Float64Array, threads: number): Promise<WasmEngine> {
  return new WasmEngine(config, weights, { helpers: threads > 1 ? await spawnHelpers(threads - 1, 'float32') : undefined });
}

function maxRelative(a: Float64Array, b: Float64Array): number {
  let d = 0,
    n = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    n = Math.max(n, Math.abs(b[i]));
  }
  return d / n;
}

test('2 and 3 threads compute the loss and gradients of 1 thread, also with fewer documents than threads', async () => {
  const config: ModelConfig = { vocabSize: 13, nLayer: 2, nEmbd: 20, nHead: 4, blockSize: 11 };
  const rng = new Random(5);
  const w = initialWeights(config, rng);
  const one = await engine(config, w, 1);
  const many = [await engine(config, w, 2), await engine(config, w, 3)];
  assert.deepEqual(
    many.map((e) => e.threads),
    [2, 3],
  );
  for (const B of [7, 2, 1]) {
    const batch = Array.from({ length: B }, () =>
      Array.from({ length: 2 + Math.floor(rng.random() * 14) }, () => Math.floor(rng.random() * 13)),
    );
    const loss = one.lossAndGrad(batch);
    for (const e of many) {
      assert.ok(Math.abs(e.lossAndGrad(batch) - loss) <= 1e-6 * loss, `${e.threads} threads, batch ${B}`);
      assert.ok(maxRelative(e.gradients(), one.gradients()) <= 1e-5, `gradients, ${e.threads} threads, batch ${B}`);
      const ev = e.totalLoss(batch),
        ev1 = one.totalLoss(batch);
      assert.equal(ev.tokens, ev1.tokens);
      assert.ok(Math.abs(ev.total - ev1.total) <= 1e-6 * ev1.total);
    }
  }
  const adam = { lr: 0.01, beta1: 0.85, beta2: 0.99, eps: 1e-8, step: 0 };
  one.update(adam);
  for (const e of many) {
    e.update(adam);
    assert.ok(maxRelative(e.weights(), one.weights()) <= 1e-4, `weights after Adam, ${e.threads} threads`);
  }
  // the next forward reads the transposed weights, which each thread refreshed for its rows
  const next = [
    [1, 2, 3, 4, 5, 6],
    [7, 8, 9],
  ];
  const after = one.lossAndGrad(next);
  for (const e of many) assert.ok(Math.abs(e.lossAndGrad(next) - after) <= 1e-5 * after, `loss after Adam, ${e.threads} threads`);
  for (const e of many) assert.ok(Math.abs(e.gradientNorm() - one.gradientNorm()) <= 1e-5 * one.gradientNorm());
  for (const e of many) e.close();
});

test('training with 2 threads gives the same numbers on every run', { skip: noNames }, async () => {
  const text = readFileSync(NAMES, 'utf8');
  const run = async () => {
    const rng = new Random(42);
    const data = prepareDataset(text, rng);
    const config: ModelConfig = { vocabSize: data.tokenizer.vocabSize, nLayer: 2, nEmbd: 32, nHead: 4, blockSize: 16 };
    const e = await engine(config, initialWeights(config, rng), 2);
    const trainer = new Trainer(e, data.train, { ...DEFAULT_TRAIN, batchSize: 8, numSteps: 60 });
    const losses = Array.from({ length: 60 }, () => trainer.trainStep());
    const weights = e.weights();
    e.close();
    return { losses, weights };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(b.losses, a.losses);
  assert.deepEqual(b.weights, a.weights);
  assert.ok(
    a.losses.slice(-10).every((l) => l < a.losses[0]),
    'it learns',
  );
});
