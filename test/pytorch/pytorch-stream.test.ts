// pytorch/microgpt.py with --documents stream: a CLI stream run continues in PyTorch (batch 1 and 12, and under
// torchrun on 2 processes) with the CLI's lines and checkpoint, and back; eval agrees. Needs python3 with torch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { expectUsageError, runCli, tempDir } from '../helpers/cli.ts';
import { maxRelDiff, noTorch, ok, torchMicrogpt, torchrun } from '../helpers/pytorch.ts';
import { prose } from '../helpers/prose.ts';

const skip = noTorch;

/** A CLI stream run stopped at step 8 of 16, continued by the CLI: the data, the checkpoint, the CLI's continuation. */
function started(batch: string) {
  const dir = tempDir();
  const data = join(dir, 'prose.txt');
  writeFileSync(data, prose());
  const start = join(dir, 'start.safetensors');
  const shape = ['--n-embd', '8', '--n-head', '2', '--block-size', '16', '--batch-size', batch, '--val-fraction', '0.1'];
  ok(runCli(['--data', data, '--documents', 'stream', ...shape, '--num-steps', '16', '--until', '8', '--engine', 'fast', '--out', start]));
  const more = ['--eval-every', '4', '--sample-length', '60'];
  const cli = ok(runCli(['--data', data, '--resume', start, ...more, '--out', join(dir, 'cli.safetensors')]));
  return { dir, data, start, more, cli };
}

function sameCheckpoints(a: string, b: string): void {
  const x = loadCheckpoint(readFileSync(a));
  const y = loadCheckpoint(readFileSync(b));
  assert.equal(y.step, 16);
  assert.deepEqual(y.rng, x.rng); // the same windows were drawn, and the same passage
  assert.deepEqual(y.train, x.train);
  assert.equal(y.train.documents, 'stream');
  assert.equal(y.dataHash, x.dataHash);
  assert.ok(maxRelDiff(x.weights, y.weights) < 1e-12, `weights differ by ${maxRelDiff(x.weights, y.weights)}`);
  assert.ok(maxRelDiff(x.adam!.v, y.adam!.v) < 1e-12);
}

for (const batch of ['1', '12']) {
  test(`a CLI stream run continues in PyTorch with microgpt --resume's lines and checkpoint (batch ${batch})`, { skip }, () => {
    const { dir, data, start, more, cli } = started(batch);
    const torch = ok(torchMicrogpt(['train', '--data', data, '--resume', start, ...more, '--out', join(dir, 'torch.safetensors')]));
    assert.equal(torch.stdout, cli.stdout);
    assert.match(torch.stdout, /^num chars: \d+\nval chars: \d+\n[\s\S]*step {3}16 \/ {3}16 \| val loss \d\.\d{4}\n\n--- inference \(new, hallucinated text\) ---\n/);
    sameCheckpoints(join(dir, 'cli.safetensors'), join(dir, 'torch.safetensors'));
  });
}

test('under torchrun on 2 processes at batch 12 a stream run continues with the lines and checkpoint of one process', { skip }, () => {
  const { dir, data, start, more, cli } = started('12');
  const ddp = ok(torchrun(2, ['train', '--data', data, '--resume', start, ...more, '--out', join(dir, 'ddp.safetensors')]));
  assert.equal(ddp.stdout, cli.stdout);
  sameCheckpoints(join(dir, 'cli.safetensors'), join(dir, 'ddp.safetensors'));
});

test('a stream run PyTorch starts is the CLI run, continued by the CLI; eval agrees; the mode is kept', { skip }, () => {
  const dir = tempDir();
  const data = join(dir, 'prose.txt');
  writeFileSync(data, prose());
  const ck = join(dir, 'torch.safetensors');
  const run = ['--data', data, '--documents', 'stream', '--n-embd', '8', '--n-head', '2', '--num-steps', '10', '--until', '5', '--batch-size', '4'];
  const torch = ok(torchMicrogpt(['train', ...run, '--out', ck]));
  assert.equal(torch.stdout, ok(runCli([...run, '--engine', 'fast'])).stdout);
  const back = ok(runCli(['--data', data, '--resume', ck, '--sample-length', '50']));
  assert.equal(ok(torchMicrogpt(['train', '--data', data, '--resume', ck, '--sample-length', '50'])).stdout, back.stdout);
  const evalCli = ok(runCli(['eval', '--model', ck, '--data', data]));
  assert.match(evalCli.stdout, /^windows: \d+\ntokens: \d+\n/);
  assert.equal(ok(torchMicrogpt(['eval', '--model', ck, '--data', data])).stdout, evalCli.stdout);
  expectUsageError(
    torchMicrogpt(['train', '--data', data, '--resume', ck, '--documents', 'lines']),
    /^microgpt: --documents 'lines' disagrees with the checkpoint \('stream'\)$/,
  );
  expectUsageError(torchMicrogpt(['train', '--data', data, '--documents', 'words']), /^microgpt: --documents must be 'lines' or 'stream', got 'words'$/);
});

test("a lines run with lines longer than the block says the CLI's note on the characters never trained on, and no note when none are cut", { skip }, () => {
  const dir = tempDir();
  const data = join(dir, 'prose.txt');
  writeFileSync(data, prose());
  const notes = (stderr: string) => stderr.split('\n').filter((l) => /never trained on/.test(l));
  for (const block of ['16', '1000']) {
    const args = ['--data', data, '--block-size', block, '--num-steps', '1', '--num-samples', '1'];
    const cli = notes(ok(runCli([...args, '--engine', 'fast'])).stderr);
    const port = notes(ok(torchMicrogpt(['train', ...args])).stderr);
    assert.equal(cli.length, block === '16' ? 1 : 0);
    assert.deepEqual(port, cli);
  }
});
