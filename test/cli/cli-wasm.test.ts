// The wasm engine through the CLI: --engine wasm and --threads, the default choice (float64 wasm at every
// size, float32 wasm with --dtype float32), the engine in the log and the checkpoint, exact resume, the same
// output on repeated threaded runs, float64 (the fast engine's output), and bad combinations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { expectUsageError, NAMES, noNames, runCli, tempDir } from '../helpers/cli.ts';

const stepLines = (out: string) => out.split('\n').filter((l) => l.startsWith('step'));
const sampleLines = (out: string) => out.split('\n').filter((l) => l.startsWith('sample'));
const logHeader = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8').split('\n')[0]).run as { engine: string; dtype: string; threads: number };
const SCALED = ['--n-layer', '2', '--n-embd', '32', '--block-size', '16', '--batch-size', '8']; // where float32 trains about 2x faster

/** `sample` of a checkpoint, on the engine that trained it, prints the names training printed after its last step. */
function samplesAsTrained(ck: string, trainedOut: string): void {
  const sampled = runCli(['sample', '--model', ck, '--num-samples', '5']);
  assert.equal(sampled.status, 0, sampled.stderr);
  assert.deepEqual(
    sampled.stdout
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\s*\d+\s*/, '')),
    sampleLines(trainedOut).map((l) => l.replace(/^sample\s+\d+: /, '')),
  );
}

test(
  'the default engine: float64 wasm at every size (one thread at batch 1), float32 wasm with --dtype float32; recorded in the log',
  { skip: noNames },
  () => {
    const dir = tempDir();
    const small = runCli(['--data', NAMES, '--num-steps', '3', '--num-samples', '1', '--log', join(dir, 'small.jsonl')]);
    assert.equal(small.status, 0, small.stderr);
    assert.deepEqual(logHeader(join(dir, 'small.jsonl')), {
      ...logHeader(join(dir, 'small.jsonl')),
      engine: 'wasm',
      dtype: 'float64',
      threads: 1,
    });
    const big = runCli([
      '--data',
      NAMES,
      ...SCALED,
      '--num-steps',
      '3',
      '--num-samples',
      '1',
      '--log',
      join(dir, 'big.jsonl'),
      '--threads',
      '2',
    ]);
    assert.equal(big.status, 0, big.stderr);
    const h = logHeader(join(dir, 'big.jsonl'));
    assert.equal(h.engine, 'wasm');
    assert.equal(h.dtype, 'float64');
    assert.equal(h.threads, 2);
    const f32 = ['--data', NAMES, ...SCALED, '--num-steps', '3', '--num-samples', '1', '--dtype', 'float32'];
    assert.equal(runCli([...f32, '--log', join(dir, 'f32.jsonl'), '--threads', '2']).status, 0);
    assert.deepEqual(logHeader(join(dir, 'f32.jsonl')), { ...logHeader(join(dir, 'f32.jsonl')), engine: 'wasm', dtype: 'float32' });
    const forced = runCli([
      '--data',
      NAMES,
      ...SCALED,
      '--engine',
      'fast',
      '--num-steps',
      '3',
      '--num-samples',
      '1',
      '--log',
      join(dir, 'forced.jsonl'),
    ]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(logHeader(join(dir, 'forced.jsonl')).engine, 'fast');
  },
);

test('--engine wasm --dtype float32 --threads 2 prints the same output on every run', { skip: noNames }, () => {
  const args = [
    '--data',
    NAMES,
    ...SCALED,
    '--engine',
    'wasm',
    '--dtype',
    'float32',
    '--threads',
    '2',
    '--num-steps',
    '40',
    '--num-samples',
    '5',
  ];
  const a = runCli(args);
  const b = runCli(args);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(stepLines(a.stdout).length, 40);
  assert.equal(b.stdout, a.stdout);
});

test(
  'a float32 wasm checkpoint records its engine, resumes exactly on it in float32, and loads in the fast engine',
  { skip: noNames },
  () => {
    const dir = tempDir();
    const ck = join(dir, 'ck.safetensors');
    const common = ['--data', NAMES, ...SCALED, '--engine', 'wasm', '--dtype', 'float32', '--threads', '2', '--num-steps', '20'];
    const whole = runCli(common);
    const first = runCli([...common, '--until', '8', '--out', ck]);
    const c = loadCheckpoint(readFileSync(ck));
    assert.equal(c.engine, 'wasm');
    assert.equal(c.dtype, 'float32');
    const second = runCli(['--data', NAMES, '--resume', ck, '--threads', '2']); // no --engine, no --dtype: the checkpoint's
    for (const r of [whole, first, second]) assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([...stepLines(first.stdout), ...stepLines(second.stdout)], stepLines(whole.stdout));
    assert.deepEqual(sampleLines(second.stdout), sampleLines(whole.stdout));
    const sampled = runCli(['sample', '--model', ck, '--num-samples', '3']);
    assert.equal(sampled.status, 0, sampled.stderr);
    assert.equal(sampled.stdout.trim().split('\n').length, 3);
  },
);

test(
  'sample and eval run a float32 wasm checkpoint on the wasm engine by default: sample prints the names training printed',
  { skip: noNames },
  () => {
    const dir = tempDir();
    const ck = join(dir, 'done.safetensors');
    const trained = runCli([
      '--data',
      NAMES,
      ...SCALED,
      '--engine',
      'wasm',
      '--dtype',
      'float32',
      '--threads',
      '1',
      '--num-steps',
      '20',
      '--num-samples',
      '5',
      '--out',
      ck,
    ]);
    assert.equal(trained.status, 0, trained.stderr);
    samplesAsTrained(ck, trained.stdout);
    const wasm = runCli(['eval', '--model', ck, '--data', NAMES]);
    const fast = runCli(['eval', '--model', ck, '--data', NAMES, '--engine', 'fast']);
    for (const r of [wasm, fast]) assert.equal(r.status, 0, r.stderr);
    const loss = (out: string) => Number(/loss: ([\d.]+)/.exec(out)?.[1]);
    assert.ok(Math.abs(loss(wasm.stdout) - loss(fast.stdout)) < 1e-4, `${wasm.stdout} vs ${fast.stdout}`);
  },
);

test('--threads needs the wasm engine, and --threads is range-checked', { skip: noNames }, () => {
  expectUsageError(
    runCli(['--data', NAMES, '--engine', 'fast', '--threads', '2', '--num-steps', '2']),
    /^microgpt: --threads 2 needs --engine wasm \(the fast engine runs on one thread\)$/,
  );
  expectUsageError(
    runCli(['--data', NAMES, '--engine', 'wasm', '--threads', '99', '--num-steps', '2']),
    /^microgpt: --threads must be an integer from 0 to 56, got 99/,
  );
  expectUsageError(
    runCli(['--data', NAMES, '--engine', 'gpu', '--num-steps', '2']),
    /^microgpt: --engine must be one of fast, scalar, wasm/,
  );
  const help = runCli(['--help']);
  assert.match(help.stdout, /--threads N/);
  assert.match(help.stdout, /wasm \(WebAssembly SIMD/);
});

test(
  "--engine wasm --dtype float64 on 1 thread prints the fast engine's output; its checkpoint resumes exactly and samples on it",
  { skip: noNames },
  () => {
    const dir = tempDir();
    const ck = join(dir, 'f64.safetensors');
    const common = ['--data', NAMES, ...SCALED, '--num-steps', '20', '--num-samples', '5'];
    const fast = runCli([...common, '--engine', 'fast']);
    const whole = runCli([...common, '--engine', 'wasm', '--dtype', 'float64', '--threads', '1']);
    const first = runCli([...common, '--engine', 'wasm', '--dtype', 'float64', '--threads', '1', '--until', '8', '--out', ck]);
    const c = loadCheckpoint(readFileSync(ck));
    assert.equal(c.engine, 'wasm');
    assert.equal(c.dtype, 'float64');
    const second = runCli(['--data', NAMES, '--resume', ck, '--threads', '1', '--num-samples', '5', '--out', ck]); // the checkpoint's engine and dtype
    for (const r of [fast, whole, first, second]) assert.equal(r.status, 0, r.stderr);
    assert.equal(stepLines(whole.stdout).length, 20);
    assert.deepEqual(stepLines(whole.stdout), stepLines(fast.stdout));
    assert.deepEqual(sampleLines(whole.stdout), sampleLines(fast.stdout));
    assert.deepEqual([...stepLines(first.stdout), ...stepLines(second.stdout)], stepLines(whole.stdout));
    assert.deepEqual(sampleLines(second.stdout), sampleLines(whole.stdout));
    samplesAsTrained(ck, whole.stdout);
    const wasm = runCli(['eval', '--model', ck, '--data', NAMES]);
    const onFast = runCli(['eval', '--model', ck, '--data', NAMES, '--engine', 'fast']);
    for (const r of [wasm, onFast]) assert.equal(r.status, 0, r.stderr);
    assert.equal(wasm.stdout, onFast.stdout);
    // two threads: the same output on every run
    const threaded = [...common, '--engine', 'wasm', '--dtype', 'float64', '--threads', '2'];
    const a = runCli(threaded);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(runCli(threaded).stdout, a.stdout);
  },
);

test('a model too large for a WebAssembly memory is refused in one line that suggests the fast engine', { skip: noNames }, () => {
  const big = ['--n-layer', '8', '--n-embd', '1100', '--n-head', '4', '--num-steps', '1', '--max-memory', '100', '--threads', '1'];
  for (const dtype of ['float32', 'float64']) {
    const r = runCli(['--data', NAMES, '--engine', 'wasm', '--dtype', dtype, ...big, ...(dtype === 'float32' ? ['--n-embd', '1600'] : [])]);
    expectUsageError(
      r,
      /^microgpt: the model \(.*\) needs about [\d.]+ GiB in the wasm engine, more than a WebAssembly memory holds \(4 GiB\): use the fast engine \(--engine fast\)$/,
    );
  }
});
