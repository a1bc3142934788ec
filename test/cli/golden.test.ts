// Parity with the original microgpt.py, through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GOLDEN, NAMES, noNames, runCli } from '../helpers/cli.ts';
import { trainLosses } from '../helpers/train.ts';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/losses-seed42.json', import.meta.url), 'utf8')) as {
  scalar20: number[];
  python20: number[];
};

for (const engine of ['fast', 'scalar']) {
  test(`a 20-step run prints exactly what microgpt.py prints (--engine ${engine})`, { skip: noNames }, () => {
    const r = runCli(['--data', NAMES, '--num-steps', '20', '--engine', engine]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n'), readFileSync(GOLDEN, 'utf8').split('\n'));
  });
}

test('the default 1000-step run starts with the original losses and ends with 20 names (both engines agree)', { skip: noNames }, () => {
  const r = runCli(['--data', NAMES]);
  assert.equal(r.status, 0, r.stderr);
  const scalar = runCli(['--data', NAMES, '--engine', 'scalar']);
  assert.equal(scalar.stdout, r.stdout, 'the scalar engine prints the same 1000 steps and names');
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
test('the first 20 losses agree with the recorded float64 values to 1e-12, in both engines', { skip: noNames }, () => {
  const text = readFileSync(NAMES, 'utf8');
  const losses = trainLosses('scalar', text, 20);
  const fast = trainLosses('fast', text, 20);
  fast.forEach((loss, i) => assert.ok(Math.abs(loss - losses[i]) <= 1e-12 * losses[i], `fast step ${i + 1}: ${loss} vs ${losses[i]}`));
  losses.forEach((loss, i) => {
    assert.ok(Math.abs(loss - fixture.scalar20[i]) <= 1e-12 * fixture.scalar20[i], `step ${i + 1}: ${loss} vs ${fixture.scalar20[i]}`);
    assert.ok(
      Math.abs(loss - fixture.python20[i]) <= 1e-12 * fixture.python20[i],
      `step ${i + 1}: ${loss} vs python ${fixture.python20[i]}`,
    );
  });
});
