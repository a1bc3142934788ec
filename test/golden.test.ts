// Parity with the original microgpt.py, through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GOLDEN, NAMES, noNames, runCli } from './helpers/cli.ts';
import { trainLosses } from './helpers/train.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/losses-seed42.json', import.meta.url), 'utf8')) as {
  scalar20: number[];
  python20: number[];
};

test('a 20-step run prints exactly what microgpt.py prints', { skip: noNames }, () => {
  const r = runCli(['--data', NAMES, '--num-steps', '20']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n'), readFileSync(GOLDEN, 'utf8').split('\n'));
});

test('the default 1000-step run starts with the original losses and ends with 20 names', { skip: noNames }, () => {
  const r = runCli(['--data', NAMES]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 8), [
    'num docs: 32033',
    'vocab size: 27',
    'num params: 4192',
    'step    1 / 1000 | loss 3.3660',
    'step    2 / 1000 | loss 3.4243',
    'step    3 / 1000 | loss 3.1778',
    'step    4 / 1000 | loss 3.0664',
    'step    5 / 1000 | loss 3.2209',
  ]);
  assert.match(lines[1002], /^step 1000 \/ 1000 \| loss \d\.\d{4}$/);
  assert.equal(lines[1003], '');
  assert.equal(lines[1004], '--- inference (new, hallucinated names) ---');
  const samples = lines.slice(1005).filter(Boolean);
  assert.equal(samples.length, 20);
  samples.forEach((s, i) => assert.match(s, new RegExp(`^sample ${String(i + 1).padStart(2)}: [a-z]*$`)));
});

// 4 printed decimals hide a wrong summation order; full precision does not.
// scalar20 was recorded from this engine; python20 from CPython 3.11 running microgpt.py.
test('the first 20 losses agree with the recorded float64 values to 1e-12', { skip: noNames }, () => {
  const losses = trainLosses('scalar', readFileSync(NAMES, 'utf8'), 20);
  losses.forEach((loss, i) => {
    assert.ok(Math.abs(loss - fixture.scalar20[i]) <= 1e-12 * fixture.scalar20[i], `step ${i + 1}: ${loss} vs ${fixture.scalar20[i]}`);
    assert.ok(Math.abs(loss - fixture.python20[i]) <= 1e-12 * fixture.python20[i], `step ${i + 1}: ${loss} vs python ${fixture.python20[i]}`);
  });
});
