/**
 * The wasm engine (float32, SIMD) against the fast engine in float64: loss
 * and every gradient on random configurations, one Adam step, evaluation,
 * sampling's logits and attention; and training: the mean loss of steps
 * 201-300 within 1% of the float64 engine's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Random } from '../../src/core/random.ts';
import { createEngine } from '../../src/engines/create.ts';
import { initialWeights, stateDictShapes, type ModelConfig } from '../../src/engines/shape.ts';
import { enableRelaxedSimd } from '../../src/io/wasm-node.ts';
import { NAMES, noNames } from '../helpers/cli.ts';
import { trainLosses } from '../helpers/train.ts';

enableRelaxedSimd();

/** |a - b| / |b| over one tensor: the relative error of a gradient matrix as a whole. */
function relError(a: Float64Array, b: Float64Array, lo: number, hi: number): number {
  let d = 0,
    n = 0;
  for (let i = lo; i < hi; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return n === 0 ? Math.sqrt(d) : Math.sqrt(d / n);
}

function randomBatch(rng: Random, V: number, B: number, T: number): number[][] {
  return Array.from({ length: B }, () =>
    Array.from({ length: 2 + Math.floor(rng.random() * (T + 3)) }, () => Math.floor(rng.random() * V)),
  );
}

const configs: ModelConfig[] = [
  { vocabSize: 27, nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 },
  { vocabSize: 11, nLayer: 2, nEmbd: 12, nHead: 3, blockSize: 9 },
  { vocabSize: 30, nLayer: 3, nEmbd: 10, nHead: 5, blockSize: 7 },
  { vocabSize: 5, nLayer: 1, nEmbd: 7, nHead: 1, blockSize: 13 },
  { vocabSize: 27, nLayer: 2, nEmbd: 64, nHead: 4, blockSize: 32 },
];

for (const [ci, config] of configs.entries()) {
  test(`wasm loss and every gradient equal the float64 engine's to 1e-4 (${JSON.stringify(config)})`, () => {
    const rng = new Random(100 + ci);
    // float32 weights, so that both engines start from the same numbers
    const w = Float64Array.from(Float32Array.from(initialWeights(config, rng)));
    const f64 = createEngine('fast', config, w);
    const wasm = createEngine('wasm', config, w);
    assert.equal(wasm.dtype, 'float32');
    for (const B of [1, 6]) {
      const batch = randomBatch(rng, config.vocabSize, B, config.blockSize);
      const l64 = f64.lossAndGrad(batch);
      const l32 = wasm.lossAndGrad(batch);
      assert.ok(Math.abs(l32 - l64) <= 1e-4 * l64, `loss ${l32} vs ${l64}`);
      const g64 = f64.gradients(),
        g32 = wasm.gradients();
      let at = 0;
      for (const [name, rows, cols] of stateDictShapes(config)) {
        const e = relError(g32, g64, at, at + rows * cols);
        assert.ok(e <= 1e-4, `${name}: relative error ${e}`);
        at += rows * cols;
      }
      assert.ok(Math.abs(wasm.gradientNorm() - f64.gradientNorm()) <= 1e-4 * f64.gradientNorm());
    }
    // one Adam step from the last gradients moves the weights alike: the first step is about lr * sign(g), so
    // weights whose gradient is well above eps move alike to 1e-6; one whose gradient is near eps may not
    const g = f64.gradients();
    const adam = { lr: 0.01, beta1: 0.85, beta2: 0.99, eps: 1e-8, step: 0 };
    f64.update(adam);
    wasm.update(adam);
    const w64 = f64.weights(),
      w32 = wasm.weights();
    for (let i = 0; i < w64.length; i++)
      assert.ok(Math.abs(w32[i] - w64[i]) <= (Math.abs(g[i]) >= 1e-5 ? 1e-6 : 2 * adam.lr), `weight ${i}: ${w32[i]} vs ${w64[i]}`);
    const m64 = f64.optimizerState(),
      m32 = wasm.optimizerState();
    assert.ok(relError(m32.m, m64.m, 0, w.length) <= 1e-4 && relError(m32.v, m64.v, 0, w.length) <= 1e-4);
    // evaluation (more sequences than a training batch), then sampling's logits and attention
    const many = randomBatch(rng, config.vocabSize, 70, config.blockSize);
    const e64 = f64.totalLoss(many),
      e32 = wasm.totalLoss(many);
    assert.equal(e32.tokens, e64.tokens);
    assert.ok(Math.abs(e32.total - e64.total) <= 1e-4 * e64.total, `totalLoss ${e32.total} vs ${e64.total}`);
    f64.resetCache();
    wasm.resetCache();
    const n = Math.min(config.blockSize, 5);
    for (let pos = 0; pos < n; pos++) {
      const tok = (pos * 3) % config.vocabSize;
      const a = Float64Array.from(f64.forwardToken(tok, pos)),
        b = wasm.forwardToken(tok, pos);
      assert.ok(relError(b, a, 0, a.length) <= 1e-5, `logits at ${pos}`);
    }
    for (let l = 0; l < config.nLayer; l++) {
      for (let h = 0; h < config.nHead; h++) {
        const a = f64.attentionRow(l, h, n - 1),
          b = wasm.attentionRow(l, h, n - 1);
        assert.equal(b.length, n);
        assert.ok(relError(b, a, 0, n) <= 1e-5, `attention ${l} ${h}`);
      }
    }
  });
}

test('weights and Adam moments go in and out in state-dict order', () => {
  const config = configs[1];
  const rng = new Random(7);
  const w = Float64Array.from(Float32Array.from(initialWeights(config, rng)));
  const e = createEngine('wasm', config, w);
  assert.deepEqual(e.weights(), w);
  const m = w.map((x) => x / 2),
    v = w.map((x) => x * x);
  e.setOptimizerState(m, v);
  assert.deepEqual(e.optimizerState(), { m: Float64Array.from(Float32Array.from(m)), v: Float64Array.from(Float32Array.from(v)) });
  const w2 = Float64Array.from(Float32Array.from(w.map((x) => -x)));
  e.setWeights(w2);
  assert.deepEqual(e.weights(), w2);
  // the forward sees the new weights (their transposes were refreshed)
  const f = createEngine('fast', config, w2);
  const batch = [[1, 2, 3, 4]];
  assert.ok(Math.abs(e.lossAndGrad(batch) - f.lossAndGrad(batch)) < 1e-5);
});

const text = noNames ? '' : readFileSync(NAMES, 'utf8');
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const [label, shape, batchSize] of [
  ['the default model', { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 }, 1],
  ['2 layers, width 32, batch 8', { nLayer: 2, nEmbd: 32, nHead: 4, blockSize: 16 }, 8],
] as const) {
  test(`training agrees: the mean loss of steps 201-300 is within 1% of the float64 engine's (${label})`, { skip: noNames }, () => {
    const f64 = trainLosses('fast', text, 300, shape, { batchSize });
    const f32 = trainLosses('wasm', text, 300, shape, { batchSize });
    const a = mean(f64.slice(200)),
      b = mean(f32.slice(200));
    assert.ok(Math.abs(b - a) <= 0.01 * a, `wasm ${b} vs float64 ${a}`);
    // and the same command gives the same numbers
    assert.deepEqual(trainLosses('wasm', text, 300, shape, { batchSize }), f32);
  });
}
