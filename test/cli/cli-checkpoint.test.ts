// Checkpoints through the CLI: the file format, exact resume, periodic and Ctrl-C saves, and bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../src/core/checkpoint.ts';
import { expectUsageError, NAMES, noNames, ROOT, runCli, runCliAsync, tempDir } from '../helpers/cli.ts';

const stepLines = (out: string) => out.split('\n').filter((l) => l.startsWith('step'));
const sampleLines = (out: string) => out.split('\n').filter((l) => l.startsWith('sample'));
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

test('N steps, save, resume for M steps prints the same losses and names as one run of N+M', { skip: noNames }, () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  const whole = runCli(['--data', NAMES, '--num-steps', '30']);
  const first = runCli(['--data', NAMES, '--num-steps', '30', '--until', '12', '--out', ck]);
  const second = runCli(['--data', NAMES, '--resume', ck]);
  for (const r of [whole, first, second]) assert.equal(r.status, 0, r.stderr);
  assert.equal(stepLines(first.stdout).length, 12);
  assert.deepEqual([...stepLines(first.stdout), ...stepLines(second.stdout)], stepLines(whole.stdout));
  assert.deepEqual(sampleLines(second.stdout), sampleLines(whole.stdout));
  assert.match(second.stderr, /resuming from .* at step 12/);
});

test('resume is exact with batches, 2 layers and the scalar engine too', { skip: noNames }, () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  const common = ['--data', NAMES, '--num-steps', '8', '--n-layer', '2', '--batch-size', '3', '--engine', 'scalar'];
  const whole = runCli(common);
  const first = runCli([...common, '--until', '5', '--out', ck]);
  const second = runCli(['--data', NAMES, '--resume', ck, '--engine', 'scalar']);
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual([...stepLines(first.stdout), ...stepLines(second.stdout)], stepLines(whole.stdout));
});

test(
  'the checkpoint is a safetensors file keyed by state-dict names, with the run in its metadata',
  { skip: noNames || (hasNumpy ? false : 'needs python3 with numpy') },
  () => {
    const dir = tempDir();
    const ck = join(dir, 'model.safetensors');
    assert.equal(runCli(['--data', NAMES, '--num-steps', '5', '--out', ck, '--num-samples', '0']).status, 0);
    const r = spawnSync('python3', [join(ROOT, 'test/probes/check-safetensors.py'), ck], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as {
      metadata: Record<string, string>;
      tensors: Record<string, { shape: number[]; dtype: string; first: number }>;
    };
    assert.deepEqual(summary.tensors['wte'].shape, [27, 16]);
    assert.deepEqual(summary.tensors['layer0.mlp_fc1'].shape, [64, 16]);
    assert.deepEqual(summary.tensors['adam_m.lm_head'].shape, [27, 16]);
    assert.equal(Object.keys(summary.tensors).length, 27, '9 matrices, and Adam m and v for each');
    assert.equal(summary.metadata.format, 'microgpt');
    assert.equal(summary.metadata.step, '5');
    assert.deepEqual(JSON.parse(summary.metadata.model), { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16, vocabSize: 27 });
    assert.equal(JSON.parse(summary.metadata.vocab).join(''), 'abcdefghijklmnopqrstuvwxyz');
    assert.equal(JSON.parse(summary.metadata.train).learningRate, 0.01);
    assert.equal(JSON.parse(summary.metadata.rng).mt.length, 624);
    const ours = loadCheckpoint(readFileSync(ck));
    assert.equal(summary.tensors['wte'].first, ours.weights[0], 'python reads the same numbers');
  },
);

test('--save-every writes checkpoints during training, atomically', { skip: noNames }, () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  const r = runCli(['--data', NAMES, '--num-steps', '20', '--until', '15', '--save-every', '5', '--out', ck, '--num-samples', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(loadCheckpoint(readFileSync(ck)).step, 15);
  assert.deepEqual(readdirSync(dir), ['ck.safetensors'], 'no temporary files left');
});

test('Ctrl-C during training with --out saves a last checkpoint and exits 130', { skip: noNames }, async () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  let sent = false;
  const r = await runCliAsync(['--data', NAMES, '--num-steps', '100000000', '--out', ck], {
    onSpawn: (child) =>
      child.stdout!.on('data', (d: Buffer) => {
        if (!sent && /step +\d+ \//.test(d.toString())) {
          sent = true;
          child.kill('SIGINT');
        }
      }),
  });
  assert.equal(r.status, 130, r.stderr);
  const m = /interrupted at step (\d+); saved .*ck\.safetensors/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const saved = loadCheckpoint(readFileSync(ck));
  assert.equal(saved.step, Number(m[1]));
  assert.ok(saved.step > 0);
  assert.doesNotMatch(r.stdout, /inference/);
});

function checkpointBytes(dir: string): Buffer {
  const ck = join(dir, 'good.safetensors');
  const text = 'anna\nbob\ncarl\ndora\n';
  writeFileSync(join(dir, 'data.txt'), text);
  assert.equal(runCli(['--data', join(dir, 'data.txt'), '--num-steps', '3', '--out', ck, '--num-samples', '0']).status, 0);
  return readFileSync(ck);
}

/** Rewrites a checkpoint's header with edit applied (a valid safetensors file with other contents). */
function withHeader(bytes: Buffer, edit: (header: Record<string, any>) => void): Buffer {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, bytes.subarray(8 + n)]);
}

const badFiles: [string, (good: Buffer) => Buffer, RegExp][] = [
  ['truncated', (g) => g.subarray(0, g.length - 100), /truncated: tensor .* ends at byte/],
  ['cut inside the header', (g) => g.subarray(0, 40), /truncated: the header needs/],
  ['empty', () => Buffer.alloc(0), /truncated: 0 bytes/],
  [
    'corrupt header',
    (g) => Buffer.concat([g.subarray(0, 8), Buffer.from('{"wte": nonsense'), g.subarray(24)]),
    /not a safetensors file \(the header is not JSON\)/,
  ],
  ['another format', () => Buffer.from('PK\x03\x04 this is a zip file, not a checkpoint at all'), /not a safetensors file/],
  ['a safetensors file of another program', (g) => withHeader(g, (h) => delete h.__metadata__), /not a microgpt checkpoint/],
  ['another version', (g) => withHeader(g, (h) => (h.__metadata__.version = '99')), /checkpoint version 99; this microgpt reads version 1/],
  ['a missing tensor', (g) => withHeader(g, (h) => delete h['layer0.attn_wk']), /missing tensor layer0.attn_wk/],
];
for (const [what, make, pattern] of badFiles) {
  test(`a checkpoint that is ${what}: one line, exit 2, nothing overwritten`, () => {
    const dir = tempDir();
    const good = checkpointBytes(dir);
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, make(good));
    const goodPath = join(dir, 'good.safetensors');
    const before = statSync(goodPath).mtimeMs;
    expectUsageError(runCli(['--data', join(dir, 'data.txt'), '--resume', bad, '--out', goodPath]), pattern);
    expectUsageError(runCli(['sample', '--model', bad]), pattern);
    expectUsageError(runCli(['eval', '--model', bad, '--data', join(dir, 'data.txt')]), pattern);
    assert.equal(statSync(goodPath).mtimeMs, before);
    assert.deepEqual(readFileSync(goodPath), good);
  });
}

test('resume flags that disagree with the checkpoint are refused', () => {
  const dir = tempDir();
  checkpointBytes(dir);
  const ck = join(dir, 'good.safetensors');
  const data = join(dir, 'data.txt');
  expectUsageError(runCli(['--data', data, '--resume', ck, '--n-embd', '32']), /--n-embd 32 disagrees with the checkpoint \(16\)/);
  expectUsageError(
    runCli(['--data', data, '--resume', ck, '--learning-rate', '0.1']),
    /--learning-rate 0.1 disagrees with the checkpoint \(0.01\)/,
  );
  expectUsageError(runCli(['--data', data, '--resume', ck, '--seed', '7']), /--seed 7 disagrees/);
  expectUsageError(
    runCli(['--data', data, '--resume', ck, '--num-steps', '2']),
    /--num-steps must be at least the checkpoint's 3 steps done, got 2/,
  );
  writeFileSync(join(dir, 'other.txt'), 'anna\nbob\ncarl\ndorb\n');
  expectUsageError(
    runCli(['--data', join(dir, 'other.txt'), '--resume', ck]),
    /the data differs from the data the checkpoint was trained on/,
  );
  expectUsageError(
    runCli(['--data', data, '--resume', join(dir, 'missing.safetensors')]),
    /cannot read checkpoint .*missing.safetensors: no such file/,
  );
  expectUsageError(runCli(['--data', data, '--save-every', '5']), /--save-every needs --out FILE/);
  expectUsageError(runCli(['--data', data, '--until', '5000']), /--until must be from 1 to --num-steps/);
});

test('a resumed run can extend the schedule with --num-steps', () => {
  const dir = tempDir();
  checkpointBytes(dir);
  const r = runCli(['--data', join(dir, 'data.txt'), '--resume', join(dir, 'good.safetensors'), '--num-steps', '6', '--num-samples', '1']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    stepLines(r.stdout).map((l) => l.slice(0, 15)),
    ['step    4 /    ', 'step    5 /    ', 'step    6 /    '],
  );
});

test('saveCheckpoint and loadCheckpoint round-trip float32 models exactly', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), 'anna\nbob\n');
  const ck = join(dir, 'f32.safetensors');
  assert.equal(
    runCli(['--data', join(dir, 'data.txt'), '--num-steps', '2', '--dtype', 'float32', '--out', ck, '--num-samples', '0']).status,
    0,
  );
  const c = loadCheckpoint(readFileSync(ck));
  assert.equal(c.dtype, 'float32');
  assert.deepEqual(loadCheckpoint(saveCheckpoint(c)).weights, c.weights);
  assert.ok(
    c.weights.every((w) => Math.fround(w) === w),
    'stored as float32',
  );
  const scalar = runCli(['--data', join(dir, 'data.txt'), '--resume', ck, '--num-steps', '3', '--engine', 'scalar', '--num-samples', '1']);
  assert.equal(scalar.status, 0, scalar.stderr); // the scalar engine resumes a float32 checkpoint in float64
  assert.ok(existsSync(ck));
});
