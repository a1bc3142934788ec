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

for (const engine of [undefined, 'fast', 'scalar']) {
  test(
    `a 20-step run prints exactly what microgpt.py prints (${engine ? `--engine ${engine}` : 'the default engine'})`,
    { skip: noNames },
    () => {
      const r = runCli(['--data', NAMES, '--num-steps', '20', ...(engine ? ['--engine', engine] : [])]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\n'), readFileSync(GOLDEN, 'utf8').split('\n'));
    },
  );
}

test('the default 1000-step run starts with the original losses and ends with 20 names (every engine agrees)', { skip: noNames }, () => {
  const r = runCli(['--data', NAMES]);
  assert.equal(r.status, 0, r.stderr);
  const fast = runCli(['--data', NAMES, '--engine', 'fast']);
  assert.equal(fast.stdout, r.stdout, "the default engine prints the fast engine's 1000 steps and names, byte for byte");
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

// issue 17: a learner who changes the model's size still gets microgpt.py's numbers (float32 printed 2.4292 at step 44)
test("a 2-layer, 24-wide run with no engine flag prints the fast engine's output byte for byte", { skip: noNames }, () => {
  const args = [
    '--data',
    NAMES,
    '--n-layer',
    '2',
    '--n-embd',
    '24',
    '--n-head',
    '3',
    '--block-size',
    '12',
    '--num-steps',
    '150',
    '--temperature',
    '0.8',
  ];
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  const fast = runCli([...args, '--engine', 'fast']);
  assert.equal(fast.status, 0, fast.stderr);
  assert.equal(r.stdout, fast.stdout);
  assert.ok(r.stdout.includes('step   44 /  150 | loss 2.4291\n'), 'the line microgpt.py prints at step 44');
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
