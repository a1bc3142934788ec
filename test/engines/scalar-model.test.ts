// The faithful GPT: its whole gradient against finite differences, and the
// tape's accumulation order against the original's depth-first order, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialWeights, type ModelConfig } from '../../src/core/config.ts';
import { Random } from '../../src/core/random.ts';
import { ScalarEngine } from '../../src/engines/scalar/engine.ts';
import { emptyCache, gpt, softmax } from '../../src/engines/scalar/model.ts';
import { freeGraph, sum, type Value } from '../../src/engines/scalar/value.ts';
import { referenceBackward } from './value.test.ts';

const small: ModelConfig = { vocabSize: 5, nLayer: 2, nEmbd: 8, nHead: 2, blockSize: 6 };
const docs = [
  [4, 0, 1, 2, 4],
  [4, 3, 3, 0, 1, 2, 0, 4],
];

test('the whole model gradient matches central finite differences', () => {
  const engine = new ScalarEngine(small, initialWeights(small, new Random(1)));
  engine.lossAndGrad(docs);
  const analytic = engine.gradients();
  const w0 = engine.weights();
  const lossAt = (w: Float64Array) => {
    engine.setWeights(w);
    const r = engine.totalLoss(docs);
    return r.total / r.tokens;
  };
  const rng = new Random(2);
  let checked = 0;
  for (let k = 0; k < 120; k++) {
    const i = rng.randbelow(w0.length);
    const h = 1e-5;
    const up = w0.slice();
    const down = w0.slice();
    up[i] += h;
    down[i] -= h;
    const numeric = (lossAt(up) - lossAt(down)) / (2 * h);
    assert.ok(Math.abs(analytic[i] - numeric) <= 1e-7 + 1e-5 * Math.abs(numeric), `param ${i}: ${analytic[i]} vs ${numeric}`);
    checked++;
  }
  assert.equal(checked, 120);
  assert.ok(
    analytic.some((g) => Math.abs(g) > 1e-3),
    'gradients are not all zero',
  );
});

test("tape backward accumulates in the original's depth-first order, bit for bit", () => {
  const config: ModelConfig = { vocabSize: 27, nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };
  const engine = new ScalarEngine(config, initialWeights(config, new Random(42)));
  const doc = [26, 4, 12, 12, 0, 26];
  const buildLoss = (): Value => {
    const keys = emptyCache(config);
    const values = emptyCache(config);
    const losses: Value[] = [];
    for (let pos = 0; pos < doc.length - 1; pos++) {
      const probs = softmax(gpt(config, engine.state_dict, doc[pos], pos, keys, values));
      losses.push(probs[doc[pos + 1]].log().neg());
    }
    return sum(losses).rmul(1 / losses.length);
  };
  buildLoss().backward();
  const tapeGrads = engine.gradients();
  for (const p of engine.params) p.grad = 0;
  const loss = buildLoss();
  referenceBackward(loss);
  freeGraph();
  const dfsGrads = engine.gradients();
  let differing = 0;
  for (let i = 0; i < tapeGrads.length; i++) if (!Object.is(tapeGrads[i], dfsGrads[i])) differing++;
  assert.equal(differing, 0, `${differing} of ${tapeGrads.length} gradients differ`);
});
