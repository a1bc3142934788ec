// Engine.attentionInputs (what the page's attention panel shows): the fast, scalar
// and wasm engines give the same query, keys, values and head output for the same
// tokens (wasm to float32 precision), and each agrees with its own attentionRow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/core/random.ts';
import { createEngine } from '../../src/engines/create.ts';
import type { Engine } from '../../src/engines/engine.ts';
import { initialWeights, type ModelConfig } from '../../src/engines/shape.ts';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

for (const config of [
  { vocabSize: 9, nLayer: 2, nEmbd: 12, nHead: 3, blockSize: 8 },
  { vocabSize: 27, nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 },
] satisfies ModelConfig[]) {
  test(`attentionInputs: fast = scalar to 1e-12 = wasm float64 exactly, wasm float32 to float32 precision (${JSON.stringify(config)})`, () => {
    // float32 weights, so that all three start from the same numbers
    const weights = Float64Array.from(Float32Array.from(initialWeights(config, new Random(11))));
    const ids = [config.vocabSize - 1, 1, 4, 4, 0, 2];
    const fed = (name: 'fast' | 'scalar' | 'wasm', dtype?: 'float64' | 'float32'): Engine => {
      const engine = createEngine(name, config, weights, { dtype });
      engine.resetCache();
      ids.forEach((id, t) => engine.forwardToken(id, t));
      return engine;
    };
    const fast = fed('fast');
    const others = [
      [fed('scalar'), 1e-12],
      [fed('wasm', 'float32'), 2e-4],
      [fed('wasm', 'float64'), 0], // the float64 wasm engine computes the fast engine's numbers
    ] as const;
    const hs = config.nEmbd / config.nHead;
    for (let layer = 0; layer < config.nLayer; layer++)
      for (let head = 0; head < config.nHead; head++)
        for (let t = 0; t < ids.length; t++) {
          const want = fast.attentionInputs(layer, head, t);
          assert.equal(want.q.length, hs);
          assert.equal(want.k.length, t + 1);
          for (const [engine, tol] of others) {
            const got = engine.attentionInputs(layer, head, t);
            const at = `${engine.name} layer ${layer} head ${head} position ${t}`;
            close(got.q, want.q, tol, `${at} q`);
            close(got.out, want.out, tol, `${at} out`);
            assert.equal(got.k.length, t + 1);
            got.k.forEach((k, j) => close(k, want.k[j], tol, `${at} k[${j}]`));
            got.v.forEach((v, j) => close(v, want.v[j], tol, `${at} v[${j}]`));
            close(engine.attentionRow(layer, head, t), fast.attentionRow(layer, head, t), tol, `${at} attentionRow`);
          }
        }
    for (const engine of [fast, ...others.map(([e]) => e)])
      assert.throws(() => engine.attentionInputs(0, 0, ids.length), /no attention for position 6/, engine.name);
  });
}
