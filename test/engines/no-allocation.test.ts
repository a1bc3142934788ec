// "Nothing in the step allocates", measured: the heap bytes allocated per training
// step over 20,000 steps, with a young generation large enough that nothing is
// collected meanwhile. V8 boxes a float64 that crosses a call it did not inline
// (16 bytes each: 2 or 3 per step, measured 32 or 48 bytes), and JIT compilation
// adds noise (so the least of three runs counts); an array, object or typed array
// made per step would add 56 bytes or more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NAMES, noNames } from '../helpers/cli.ts';

const probe = fileURLToPath(new URL('../probes/alloc-probe.mjs', import.meta.url));

function bytesPerStep(batchSize: number): number {
  const r = spawnSync(
    process.execPath,
    ['--min-semi-space-size=64', '--max-semi-space-size=64', probe, NAMES, String(batchSize), '20000'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { bytesPerStep: number }).bytesPerStep;
}

for (const batchSize of [1, 4]) {
  test(`a fast training step allocates nothing but boxed numbers (batch ${batchSize})`, { skip: noNames }, () => {
    const least = Math.min(bytesPerStep(batchSize), bytesPerStep(batchSize), bytesPerStep(batchSize));
    assert.ok(least <= 50, `${least} bytes allocated per step`);
  });
}
