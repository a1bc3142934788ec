/**
 * The float64 wasm engine (assembly/f64/) against the fast engine: on random
 * configurations, one thread computes the fast engine's numbers bit for bit
 * over 50 training steps (losses, every gradient, the weights and Adam's
 * moments after each update), and in evaluation, sampling's logits and
 * attention; 2 and 3 threads repeat their own numbers and stay within 1e-12
 * of the fast engine's losses; and a step allocates nothing but boxed numbers.
 * The matrix kernel alone equals the fast engine's on every width up to 13.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GPT } from '../../src/core/gpt.ts';
import { Random } from '../../src/core/random.ts';
import { createEngine } from '../../src/engines/create.ts';
import type { Engine } from '../../src/engines/engine.ts';
import { matmulBackward, matmulForward } from '../../src/engines/fast/matmul.ts';
import { instantiate, kernelModule } from '../../src/engines/wasm/kernels.ts';
import { initialWeights, type ModelConfig } from '../../src/engines/shape.ts';
import type { WasmEngine } from '../../src/engines/wasm/engine.ts';
import { spawnHelpers } from '../../src/io/wasm-threads.ts';

const STEPS = 50;
const int = (rng: Random, lo: number, hi: number) => lo + Math.floor(rng.random() * (hi - lo + 1));

/** A configuration drawn from rng: odd and even widths, so that the kernels' tiles and their leftovers all run. */
function randomConfig(rng: Random): ModelConfig {
  const nHead = int(rng, 1, 4);
  return { vocabSize: int(rng, 2, 40), nLayer: int(rng, 1, 3), nEmbd: nHead * int(rng, 1, 7), nHead, blockSize: int(rng, 1, 14) };
}

/** B documents of 2 to blockSize + 3 tokens (longer ones are cut to blockSize + 1). */
function randomBatch(rng: Random, config: ModelConfig, B: number): number[][] {
  return Array.from({ length: B }, () =>
    Array.from({ length: int(rng, 2, config.blockSize + 3) }, () => int(rng, 0, config.vocabSize - 1)),
  );
}

const adamAt = (step: number) => ({ lr: 0.01 * (1 - step / STEPS), beta1: 0.85, beta2: 0.99, eps: 1e-8, step });

async function wasm64(config: ModelConfig, w: Float64Array, threads: number): Promise<WasmEngine> {
  const helpers = threads > 1 ? await spawnHelpers(threads - 1, 'float64') : undefined;
  return createEngine('wasm', config, w, { dtype: 'float64', helpers }) as WasmEngine;
}

/** Trains `engine` STEPS steps on batches drawn from seed; the losses. */
function train(engine: Engine, config: ModelConfig, seed: number, maxBatch: number): number[] {
  const rng = new Random(seed);
  return Array.from({ length: STEPS }, (_, s) => engine.trainStep(randomBatch(rng, config, int(rng, 1, maxBatch)), adamAt(s)));
}

const fixed: ModelConfig[] = [
  { vocabSize: 27, nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 }, // microgpt.py's
  { vocabSize: 27, nLayer: 2, nEmbd: 64, nHead: 4, blockSize: 32 },
  { vocabSize: 3, nLayer: 1, nEmbd: 1, nHead: 1, blockSize: 1 },
];
const configRng = new Random(2026);
const configs = [...fixed, ...Array.from({ length: 6 }, () => randomConfig(configRng))];

for (const [ci, config] of configs.entries()) {
  test(`1 thread: ${STEPS} steps, evaluation and sampling are the fast engine's bit for bit (${JSON.stringify(config)})`, async () => {
    const rng = new Random(300 + ci);
    const w = initialWeights(config, rng);
    const fast = createEngine('fast', config, w);
    const wasm = await wasm64(config, w, 1);
    assert.equal(wasm.dtype, 'float64');
    assert.equal(wasm.threads, 1);
    const maxBatch = config.nEmbd >= 64 ? 8 : 6;
    for (let s = 0; s < STEPS; s++) {
      const batch = randomBatch(rng, config, int(rng, 1, maxBatch));
      assert.equal(wasm.lossAndGrad(batch), fast.lossAndGrad(batch), `loss at step ${s}`);
      assert.deepEqual(wasm.gradients(), fast.gradients(), `gradients at step ${s}`);
      // the norm is summed four ways at once (it only tells a diverged step), so it agrees to rounding
      assert.ok(Math.abs(wasm.gradientNorm() - fast.gradientNorm()) <= 1e-13 * fast.gradientNorm(), `gradient norm at step ${s}`);
      wasm.update(adamAt(s));
      fast.update(adamAt(s));
      assert.deepEqual(wasm.weights(), fast.weights(), `weights after step ${s}`);
      assert.deepEqual(wasm.optimizerState(), fast.optimizerState(), `Adam's moments after step ${s}`);
    }
    // evaluation, in chunks of more sequences than any training batch
    const many = randomBatch(rng, config, 70);
    assert.deepEqual(wasm.totalLoss(many), fast.totalLoss(many));
    // sampling: each position's logits, then every layer's and head's attention
    for (const e of [wasm, fast]) e.resetCache();
    const n = config.blockSize;
    for (let pos = 0; pos < n; pos++) {
      const tok = (pos * 7 + 1) % config.vocabSize;
      assert.deepEqual(Float64Array.from(wasm.forwardToken(tok, pos)), Float64Array.from(fast.forwardToken(tok, pos)), `logits at ${pos}`);
    }
    for (let l = 0; l < config.nLayer; l++) {
      for (let h = 0; h < config.nHead; h++) {
        for (let t = 0; t < n; t++) assert.deepEqual(wasm.attentionRow(l, h, t), fast.attentionRow(l, h, t), `attention ${l} ${h} ${t}`);
      }
    }
    // a training step after sampling still agrees
    const batch = randomBatch(rng, config, 3);
    assert.equal(wasm.trainStep(batch, adamAt(0)), fast.trainStep(batch, adamAt(0)));
    assert.deepEqual(wasm.weights(), fast.weights());
  });
}

for (const threads of [2, 3]) {
  test(`${threads} threads: the same numbers on every run, within 1e-12 of the fast engine's losses`, async () => {
    for (const [ci, config] of [fixed[0], fixed[1], configs[4]].entries()) {
      const w = initialWeights(config, new Random(400 + ci));
      const seed = 500 + ci;
      const reference = train(createEngine('fast', config, w), config, seed, 8);
      const runs = [];
      for (let run = 0; run < 2; run++) {
        const e = await wasm64(config, w, threads);
        assert.equal(e.threads, threads);
        runs.push({ losses: train(e, config, seed, 8), weights: e.weights(), state: e.optimizerState() });
        e.close();
      }
      assert.deepEqual(runs[1], runs[0], `${JSON.stringify(config)}: a second run`);
      runs[0].losses.forEach((loss, s) =>
        assert.ok(Math.abs(loss - reference[s]) <= 1e-12 * reference[s], `step ${s}: ${loss} vs the fast engine's ${reference[s]}`),
      );
    }
  });
}

test("the float64 matrix kernel is the fast engine's forward and backward bit for bit, every width up to 13 (the tiles' leftovers)", () => {
  const memory = new WebAssembly.Memory({ initial: 8 });
  const k = instantiate(kernelModule(false, false, 'float64').module, memory);
  const rng = new Random(11);
  const f64 = new Float64Array(memory.buffer);
  const rand = (n: number) => Float64Array.from({ length: n }, () => rng.gauss(0, 1));
  // rows beyond 64: dW goes 64 rows per pass
  for (const rows of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 64, 65, 150]) {
    for (let IC = 1; IC <= 13; IC++) {
      for (let OC = 1; OC <= 13; OC++) {
        const [inp, w, dout, dinp, dw] = [rand(rows * IC), rand(OC * IC), rand(rows * OC), rand(rows * IC), rand(OC * IC)];
        // from double 8192 of the memory, 4096 apart: inp, w, its transpose, out, dout, dinp, dw
        const at = Array.from({ length: 7 }, (_, i) => 8192 + 4096 * i);
        [inp, w, undefined, undefined, dout, dinp, dw].forEach((x, i) => x && f64.set(x, at[i]));
        const p = at.map((d) => d * 8);
        k.transpose(p[2], p[1], OC, IC);
        k.gemm(p[3], p[0], p[2], rows, IC, OC, IC, 1, 0);
        k.gemm(p[5], p[4], p[1], rows, OC, IC, OC, 1, 1);
        k.gemm(p[6], p[4], p[0], OC, rows, IC, 1, OC, 2);
        const out = new Float64Array(rows * OC);
        matmulForward(out, inp, w, 0, rows, IC, OC);
        matmulBackward(dinp, dw, dout, inp, w, 0, rows, IC, OC);
        const what = `rows ${rows}, IC ${IC}, OC ${OC}`;
        assert.deepEqual(f64.slice(at[3], at[3] + rows * OC), out, `forward, ${what}`);
        assert.deepEqual(f64.slice(at[5], at[5] + rows * IC), dinp, `dx, ${what}`);
        assert.deepEqual(f64.slice(at[6], at[6] + OC * IC), dw, `dW, ${what}`);
      }
    }
  }
});

test('helper threads run the kernels of one dtype (float64 unless asked): a float32 pool does not serve a float64 engine', async () => {
  const config = fixed[0];
  const byDefault = await spawnHelpers(1);
  assert.equal(byDefault.dtype, 'float64');
  assert.equal(createEngine('wasm', config, initialWeights(config, new Random(1)), { helpers: byDefault }).dtype, 'float64');
  byDefault.close();
  const helpers = await spawnHelpers(1, 'float32');
  assert.throws(() => createEngine('wasm', config, initialWeights(config, new Random(1)), { dtype: 'float64', helpers }), /float32/);
  helpers.close();
});

test('createEngine("wasm") is float32 unless float64 is asked for', () => {
  const config = fixed[2];
  const w = initialWeights(config, new Random(1));
  assert.equal(createEngine('wasm', config, w).dtype, 'float32');
  assert.equal(createEngine('wasm', config, w, { dtype: 'float32' }).dtype, 'float32');
  assert.equal(createEngine('wasm', config, w, { dtype: 'float64' }).dtype, 'float64');
});

test("GPT.fromCheckpoint on wasm: a float64 wasm checkpoint runs in float64, others in float32 (or as asked, or as the helpers' kernels)", async () => {
  const model = fixed[2];
  const base = { model, vocab: ['a', 'b'], weights: initialWeights(model, new Random(1)) };
  const dtypeOf = (ckpt: object, choice: object = {}) =>
    GPT.fromCheckpoint({ ...base, ...ckpt } as Parameters<typeof GPT.fromCheckpoint>[0], { engine: 'wasm', ...choice }).engine.dtype;
  assert.equal(dtypeOf({ dtype: 'float64', engine: 'wasm' }), 'float64');
  assert.equal(dtypeOf({ dtype: 'float32', engine: 'wasm' }), 'float32');
  assert.equal(dtypeOf({ dtype: 'float64', engine: 'fast' }), 'float32');
  assert.equal(dtypeOf({ dtype: 'float64' }), 'float32');
  assert.equal(dtypeOf({ dtype: 'float32', engine: 'fast' }, { dtype: 'float64' }), 'float64');
  const helpers = await spawnHelpers(1, 'float32');
  assert.equal(dtypeOf({ dtype: 'float64', engine: 'wasm' }, { helpers }), 'float32');
  helpers.close();
});
