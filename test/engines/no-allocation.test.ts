// "Nothing in the step allocates", measured for the fast engine and the wasm engine in both dtypes
// (test/helpers/alloc.ts explains how). The wasm kernels write their f64 results into the memory rather than
// return them, and the float64 kernels' imported Math.exp, log and pow box nothing, so a step boxes 2 or 3
// numbers as the fast engine's does. The probe's own planted allocation shows that the measurement can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noNames } from '../helpers/cli.ts';
import { BOXED_ONLY, bytesPerStep } from '../helpers/alloc.ts';

for (const batchSize of [1, 4]) {
  test(`a fast training step allocates nothing but boxed numbers (batch ${batchSize})`, { skip: noNames }, () => {
    const least = bytesPerStep(batchSize);
    assert.ok(least <= BOXED_ONLY, `${least} bytes allocated per step`);
  });
}

for (const dtype of ['float32', 'float64'] as const) {
  for (const [batchSize, threads] of [
    [1, 1],
    [4, 1],
    [4, 2],
  ] as const) {
    test(
      `a ${dtype} wasm training step allocates nothing but boxed numbers (batch ${batchSize}, ${threads} thread${threads > 1 ? 's' : ''}; needs npm run build)`,
      { skip: noNames },
      () => {
        const least = bytesPerStep(batchSize, 'wasm', threads, 0, dtype);
        assert.ok(least <= BOXED_ONLY, `${least} bytes allocated per step`);
      },
    );
  }
}

test('the measurement sees the smallest array a step could make (a Float64Array of 1, planted)', { skip: noNames }, () => {
  const least = bytesPerStep(1, 'fast', 1, 1);
  assert.ok(least > BOXED_ONLY, `${least} bytes allocated per step with an array planted`);
});
