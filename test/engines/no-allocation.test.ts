// "Nothing in the step allocates", measured for the fast engine (test/helpers/alloc.ts; the wasm engine's
// are in wasm-engine.test.ts). The probe's own planted allocation shows that the measurement can fail.
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

test('the measurement sees the smallest array a step could make (a Float64Array of 1, planted)', { skip: noNames }, () => {
  const least = bytesPerStep(1, 'fast', 1, 1);
  assert.ok(least > BOXED_ONLY, `${least} bytes allocated per step with an array planted`);
});
