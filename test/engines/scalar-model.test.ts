// The faithful GPT: its whole gradient against finite differences, and the engine's tape against the
// lesson's Value (microgpt.py's recursive build_topo and reversed(topo)) on a whole step, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialWeights, type ModelConfig } from '../../src/core/config.ts';
import { Random } from '../../src/core/random.ts';
import { ScalarEngine } from '../../src/engines/scalar/engine.ts';
import { Value as LessonValue } from '../../src/engines/scalar/lesson-value.ts';
import { emptyCache, flattenParams, gpt, makeStateDict, softmax } from '../../src/engines/scalar/model.ts';
import { sum } from '../../src/engines/scalar/value.ts';

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

test("the engine's tape and the lesson's Value give the same loss and gradients, bit for bit, on a whole model step", () => {
  const config: ModelConfig = { vocabSize: 27, nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };
  const weights = initialWeights(config, new Random(42));
  const batch = [
    [26, 4, 12, 12, 0, 26],
    [26, 0, 13, 13, 0, 26],
    [26, 14, 11, 8, 21, 8, 0, 26],
  ];
  const engine = new ScalarEngine(config, weights);
  const engineLoss = engine.lossAndGrad(batch);
  const tapeGrads = engine.gradients();
  // the engine's forwardLoss, on the lesson's Values: microgpt.py's training step with a batch
  const state_dict = makeStateDict(config, weights, (x) => new LessonValue(x));
  const losses: LessonValue[] = [];
  for (const tokens of batch) {
    const keys = emptyCache<LessonValue>(config);
    const values = emptyCache<LessonValue>(config);
    for (let pos = 0; pos < Math.min(config.blockSize, tokens.length - 1); pos++) {
      const probs = softmax(gpt(config, state_dict, tokens[pos], pos, keys, values));
      losses.push(probs[tokens[pos + 1]].log().neg());
    }
  }
  const loss = sum(losses).rmul(1 / losses.length);
  loss.backward();
  assert.ok(Object.is(loss.data, engineLoss), `loss ${loss.data} vs ${engineLoss}`);
  const lessonGrads = flattenParams(state_dict).map((p) => p.grad);
  assert.equal(lessonGrads.length, tapeGrads.length);
  let differing = 0;
  for (let i = 0; i < tapeGrads.length; i++) if (!Object.is(tapeGrads[i], lessonGrads[i])) differing++;
  assert.equal(differing, 0, `${differing} of ${tapeGrads.length} gradients differ`);
  assert.ok(tapeGrads.some((g) => g !== 0));
});
