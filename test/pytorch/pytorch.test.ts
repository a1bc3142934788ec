// pytorch/microgpt.py against the CLI: the golden run, a CLI run continued in PyTorch (alone and under
// torchrun) and back, eval, and bad input. Needs python3 with torch; under CI a missing torch fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { expectUsageError, GOLDEN, NAMES, noNames, ROOT, runCli, tempDir, type Run } from '../helpers/cli.ts';

const SCRIPT = join(ROOT, 'pytorch', 'microgpt.py');

/** A python3 that imports torch: Debian's first, then the one on PATH. */
function torchPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return python;
  }
  return undefined;
}
const PYTHON = torchPython();
const skip = noNames || (PYTHON || process.env.CI ? false : 'needs python3 with torch');

function python(args: string[], cwd = tempDir()): Run {
  assert.ok(PYTHON, 'no python3 that can import torch (Debian: apt-get install python3-torch)');
  const r = spawnSync(PYTHON, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const torchMicrogpt = (args: string[]) => python([SCRIPT, ...args]);
/** torchrun as `python3 -m torch.distributed.run`; Debian's torch 1.13 under Python 3.11 needs the redirects/tee mapping (its "0" default does not parse). */
const torchrun = (nproc: number, args: string[]) =>
  python([
    '-m',
    'torch.distributed.run',
    '--standalone',
    '--nproc_per_node',
    String(nproc),
    '--redirects',
    '9:1',
    '--tee',
    '9:1',
    SCRIPT,
    ...args,
  ]);

const ok = (r: Run): Run => {
  assert.equal(r.status, 0, r.stderr);
  return r;
};
const stepLines = (out: string) => out.split('\n').filter((l) => l.startsWith('step'));
const sampleLines = (out: string) => out.split('\n').filter((l) => l.startsWith('sample'));
const maxRelDiff = (a: Float64Array, b: Float64Array) => {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return worst / scale;
};

test("pytorch/microgpt.py train prints microgpt.py's 20-step golden run, names included", { skip }, () => {
  const r = ok(torchMicrogpt(['train', '--data', NAMES, '--num-steps', '20']));
  assert.equal(r.stdout, readFileSync(GOLDEN, 'utf8'));
});

for (const batch of ['1', '8']) {
  test(`a CLI run stopped at step 30 continues in PyTorch with microgpt --resume's lines (batch ${batch})`, { skip }, () => {
    const dir = tempDir();
    const start = join(dir, 'start.safetensors');
    ok(runCli(['--data', NAMES, '--num-steps', '60', '--until', '30', '--batch-size', batch, '--engine', 'fast', '--out', start]));
    const cli = ok(runCli(['--data', NAMES, '--resume', start, '--out', join(dir, 'cli.safetensors')]));
    const torch = ok(torchMicrogpt(['train', '--data', NAMES, '--resume', start, '--out', join(dir, 'torch.safetensors')]));
    assert.equal(stepLines(torch.stdout).length, 30);
    assert.equal(stepLines(torch.stdout)[0], stepLines(cli.stdout)[0]);
    assert.equal(torch.stdout, cli.stdout);
    assert.match(torch.stderr, /resuming from .* at step 30/);
    // the checkpoints agree: same step, Random state and settings; weights and moments to float64 rounding
    const a = loadCheckpoint(readFileSync(join(dir, 'cli.safetensors')));
    const b = loadCheckpoint(readFileSync(join(dir, 'torch.safetensors')));
    assert.equal(b.step, 60);
    assert.deepEqual(b.rng, a.rng);
    assert.deepEqual(b.train, a.train);
    assert.deepEqual(b.model, a.model);
    assert.equal(b.dataHash, a.dataHash);
    assert.ok(maxRelDiff(a.weights, b.weights) < 1e-12, `weights differ by ${maxRelDiff(a.weights, b.weights)}`);
    assert.ok(maxRelDiff(a.adam!.v, b.adam!.v) < 1e-12);
  });
}

test('under torchrun on 2 processes (gloo, CPU) at batch 8 the lines and the checkpoint are those of one process', { skip }, () => {
  const dir = tempDir();
  const start = join(dir, 'start.safetensors');
  ok(runCli(['--data', NAMES, '--num-steps', '60', '--until', '30', '--batch-size', '8', '--engine', 'fast', '--out', start]));
  const cli = ok(runCli(['--data', NAMES, '--resume', start, '--out', join(dir, 'cli.safetensors')]));
  const ddp = ok(torchrun(2, ['train', '--data', NAMES, '--resume', start, '--out', join(dir, 'ddp.safetensors')]));
  assert.equal(stepLines(ddp.stdout).length, 30);
  assert.equal(ddp.stdout, cli.stdout); // rank 0 alone prints
  const a = loadCheckpoint(readFileSync(join(dir, 'cli.safetensors')));
  const b = loadCheckpoint(readFileSync(join(dir, 'ddp.safetensors')));
  assert.equal(b.step, 60);
  assert.deepEqual(b.rng, a.rng);
  assert.ok(maxRelDiff(a.weights, b.weights) < 1e-12, `weights differ by ${maxRelDiff(a.weights, b.weights)}`);
});

test('a checkpoint PyTorch writes is sampled and continued by the CLI as PyTorch continues it; eval agrees', { skip }, () => {
  const dir = tempDir();
  const start = join(dir, 'start.safetensors');
  const torchCk = join(dir, 'torch.safetensors');
  // started in PyTorch (fresh weights from random.gauss) and in the CLI: 40 steps stopped at 20, 2 layers, batch 4, a validation share
  const run = ['--data', NAMES, '--num-steps', '40', '--until', '20', '--n-layer', '2', '--batch-size', '4', '--val-fraction', '0.1'];
  const first = ok(torchMicrogpt(['train', ...run, '--out', start]));
  const cliFirst = ok(runCli([...run, '--engine', 'fast']));
  assert.equal(first.stdout, cliFirst.stdout);
  const second = ok(torchMicrogpt(['train', '--data', NAMES, '--resume', start, '--num-steps', '40', '--until', '30', '--out', torchCk]));
  // sampled by the CLI: the checkpoint is taken before sampling, so `microgpt sample` draws the names PyTorch printed
  const sampled = ok(runCli(['sample', '--model', torchCk]));
  const names = sampleLines(second.stdout).map((l) => l.replace(/^sample\s+\d+: /, ''));
  assert.equal(names.length, 20);
  assert.deepEqual(sampled.stdout.trim().split('\n'), names);
  // continued by the CLI and by PyTorch, with validation: the same lines
  const back = ok(runCli(['--data', NAMES, '--resume', torchCk, '--eval-every', '5']));
  const again = ok(torchMicrogpt(['train', '--data', NAMES, '--resume', torchCk, '--eval-every', '5']));
  assert.equal(stepLines(back.stdout).length, 12); // 10 steps and 2 validation lines
  assert.equal(again.stdout, back.stdout);
  // eval: the same four lines for the same model and file
  const evalCli = ok(runCli(['eval', '--model', torchCk, '--data', NAMES]));
  const evalTorch = ok(torchMicrogpt(['eval', '--model', torchCk, '--data', NAMES]));
  assert.match(evalTorch.stdout, /^docs: 32033\ntokens: 228146\nloss: \d\.\d{4} nats per token\nperplexity: \d+\.\d{3}\n$/);
  assert.equal(evalTorch.stdout, evalCli.stdout);
});

test('bad input: one line, exit 2, as the CLI', { skip }, () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  ok(runCli(['--data', NAMES, '--num-steps', '4', '--out', ck]));
  expectUsageError(
    torchMicrogpt(['train', '--data', NAMES, '--resume', ck, '--n-embd', '32']),
    /^microgpt: --n-embd 32 disagrees with the checkpoint \(16\)$/,
  );
  expectUsageError(
    torchMicrogpt(['train', '--data', NAMES, '--n-layer', '100']),
    /^microgpt: --n-layer must be an integer from 1 to 64, got 100$/,
  );
  expectUsageError(
    torchMicrogpt(['eval', '--model', join(dir, 'missing.safetensors'), '--data', NAMES]),
    /^microgpt: cannot read checkpoint .*: no such file$/,
  );
  const other = join(dir, 'other.txt');
  writeFileSync(other, 'emma\nolivia\nava\n');
  expectUsageError(
    torchMicrogpt(['train', '--data', other, '--resume', ck]),
    /^microgpt: the data differs from the data the checkpoint was trained on$/,
  );
  const cut = join(dir, 'cut.safetensors');
  writeFileSync(cut, readFileSync(ck).subarray(0, 3000));
  expectUsageError(torchMicrogpt(['train', '--data', NAMES, '--resume', cut]), /^microgpt: .*cut\.safetensors: truncated/);
  // a run that diverges stops at the CLI's step
  const diverge = ['--data', NAMES, '--num-steps', '50', '--learning-rate', '2', '--beta2', '0'];
  const cli = runCli(diverge);
  const torch = torchMicrogpt(['train', ...diverge]);
  expectUsageError(torch, /^microgpt: diverged at step \d+ \(loss inf\); lower --learning-rate$/);
  assert.equal(torch.stderr, cli.stderr);
  assert.equal(torch.stdout, cli.stdout);
});

test('a link planted at the old temporary name (pid.tmp) is not followed by the port either', { skip }, () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), 'emma\nolivia\nava\n');
  writeFileSync(join(dir, 'victim.txt'), 'precious');
  const script = `ln -s victim.txt out.st.$$.tmp; ln -s victim.txt log.$$.tmp; exec "${PYTHON}" "${SCRIPT}" train --data data.txt --num-steps 3 --num-samples 0 --out out.st --log log`;
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'victim.txt'), 'utf8'), 'precious');
  assert.equal(loadCheckpoint(readFileSync(join(dir, 'out.st'))).step, 3);
});
