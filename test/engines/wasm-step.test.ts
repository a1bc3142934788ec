/**
 * The wasm engine's step runs in WebAssembly (assembly/model.ts), one call per
 * command; reference-step.ts is the same step from JavaScript, kernel call by
 * kernel call (what bench/profile.ts times). Both dtypes, random
 * configurations: an engine on either step computes the same losses,
 * gradients and weights, bit for bit, over 20 steps, and the same sampling logits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/core/random.ts';
import { createEngine } from '../../src/engines/create.ts';
import type { DType } from '../../src/engines/engine.ts';
import { initialWeights, type ModelConfig } from '../../src/engines/shape.ts';
import type { Kernels } from '../../src/engines/wasm/kernels.ts';
import type { Layout } from '../../src/engines/wasm/layout.ts';
import { ReferenceStep } from '../../src/engines/wasm/reference-step.ts';
import type { Views } from '../../src/engines/wasm/threads.ts';

const int = (rng: Random, lo: number, hi: number) => lo + Math.floor(rng.random() * (hi - lo + 1));

/** A wasm engine whose thread-0 step is the JavaScript one, once its memory holds `maxBatch` sequences. */
function onReferenceStep(config: ModelConfig, w: Float64Array, dtype: DType, maxBatch: number) {
  const engine = createEngine('wasm', config, w, { dtype });
  // a first batch of the largest size lays out the memory for good; its loss is not kept
  engine.lossAndGrad(Array.from({ length: maxBatch }, () => [0, 1]));
  const inside = engine as unknown as { model: unknown; k: Kernels; lay: Layout; v: Views };
  inside.model = new ReferenceStep(inside.k, inside.lay, 0, inside.v);
  return engine;
}

for (const dtype of ['float64', 'float32'] as const) {
  const rng = new Random(dtype === 'float64' ? 64 : 32);
  for (let c = 0; c < 4; c++) {
    const nHead = int(rng, 1, 4);
    const config: ModelConfig = {
      vocabSize: int(rng, 2, 30),
      nLayer: int(rng, 1, 3),
      nEmbd: nHead * int(rng, 1, 6),
      nHead,
      blockSize: int(rng, 1, 12),
    };
    test(`${dtype}: the step in WebAssembly computes the JavaScript step's numbers bit for bit (${JSON.stringify(config)})`, () => {
      const w = initialWeights(config, rng);
      const maxBatch = 5;
      const wasm = createEngine('wasm', config, w, { dtype });
      wasm.lossAndGrad(Array.from({ length: maxBatch }, () => [0, 1]));
      const js = onReferenceStep(config, w, dtype, maxBatch);
      for (let s = 0; s < 20; s++) {
        const batch = Array.from({ length: int(rng, 1, maxBatch) }, () =>
          Array.from({ length: int(rng, 2, config.blockSize + 2) }, () => int(rng, 0, config.vocabSize - 1)),
        );
        assert.equal(wasm.lossAndGrad(batch), js.lossAndGrad(batch), `loss at step ${s}`);
        assert.deepEqual(wasm.gradients(), js.gradients(), `gradients at step ${s}`);
        assert.equal(wasm.gradientNorm(), js.gradientNorm(), `gradient norm at step ${s}`);
        const adam = { lr: 0.01, beta1: 0.85, beta2: 0.99, eps: 1e-8, step: s };
        wasm.update(adam);
        js.update(adam);
        assert.deepEqual(wasm.weights(), js.weights(), `weights after step ${s}`);
      }
      for (const e of [wasm, js]) e.resetCache();
      for (let p = 0; p < config.blockSize; p++)
        assert.deepEqual(wasm.forwardToken(p % config.vocabSize, p), js.forwardToken(p % config.vocabSize, p));
    });
  }
}
