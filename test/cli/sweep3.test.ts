// What the third sweep (stream documents, dtypes, logs) found through the real CLI, and what now happens instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectUsageError, runCli, tempDir } from '../helpers/cli.ts';

const text = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'charlotte', 'amelia'].join('\n') + '\n';

test('CLI: --mark-samples with --documents stream is refused in one line before training (it marks names; a stream run writes a passage)', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), text);
  writeFileSync(join(dir, 'keep.jsonl'), 'keep me\n');
  const args = ['--data', 'data.txt', '--documents', 'stream', '--block-size', '8', '--num-steps', '2'];
  const r = runCli([...args, '--mark-samples', '--out', 'm.safetensors', '--log', 'keep.jsonl'], { cwd: dir });
  expectUsageError(r, /^microgpt: --mark-samples marks names; a run with --documents stream writes a passage$/);
  assert.equal(r.stdout, '');
  assert.equal(existsSync(join(dir, 'm.safetensors')), false);
  assert.equal(readFileSync(join(dir, 'keep.jsonl'), 'utf8'), 'keep me\n');
  // a resume of a stream checkpoint is a stream run too
  assert.equal(runCli([...args, '--until', '1', '--out', 's.safetensors'], { cwd: dir }).status, 0);
  const before = readFileSync(join(dir, 's.safetensors'));
  const resumed = runCli(
    ['--data', 'data.txt', '--num-steps', '2', '--resume', 's.safetensors', '--out', 's.safetensors', '--mark-samples'],
    {
      cwd: dir,
    },
  );
  expectUsageError(resumed, /^microgpt: --mark-samples marks names/);
  assert.deepEqual(readFileSync(join(dir, 's.safetensors')), before);
  // without --documents stream it still marks names
  const lines = runCli(['--data', 'data.txt', '--num-steps', '2', '--num-samples', '2', '--mark-samples'], { cwd: dir });
  assert.equal(lines.status, 0, lines.stderr);
  assert.match(lines.stdout, /\((train|val|new)\)/);
});

test('CLI: a refusal of the built-in moby-dick text is one line: where the text comes from is said only once it is used', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), text);
  assert.equal(
    runCli(['--data', 'data.txt', '--num-steps', '2', '--until', '1', '--num-samples', '0', '--out', 'm.st'], { cwd: dir }).status,
    0,
  );
  // the vocabulary of names has no capital letters: moby-dick does not fit it
  expectUsageError(
    runCli(['eval', '--model', 'm.st', '--data', 'moby-dick'], { cwd: dir }),
    /^microgpt: moby-dick: document \d+ .*is not in the vocabulary/,
  );
  expectUsageError(
    runCli(['--data', 'moby-dick', '--num-steps', '2', '--resume', 'm.st'], { cwd: dir }),
    /^microgpt: the data differs from the data the checkpoint was trained on$/,
  );
  // used, it is said once, on stderr
  const ok = runCli(['--data', 'moby-dick', '--num-steps', '1', '--num-samples', '0'], { cwd: dir });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /^microgpt: moby-dick: Herman Melville's Moby-Dick \(CC0\), from the npm package @stdlib\/datasets-moby-dick/);
});

test('CLI: resuming into the log of another run of the same model (another seed) is refused, and the log kept', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), text);
  const run = ['--data', 'data.txt', '--num-steps', '4', '--num-samples', '0'];
  assert.equal(runCli([...run, '--until', '2', '--out', 'a.st'], { cwd: dir }).status, 0);
  assert.equal(runCli([...run, '--seed', '9', '--log', 'b.jsonl'], { cwd: dir }).status, 0);
  const before = readFileSync(join(dir, 'b.jsonl'), 'utf8');
  const r = runCli([...run, '--resume', 'a.st', '--out', 'a.st', '--log', 'b.jsonl'], { cwd: dir });
  expectUsageError(r, /^microgpt: --log b\.jsonl is the log of another run \(its seed or batch size differs from the checkpoint's\)$/);
  assert.equal(readFileSync(join(dir, 'b.jsonl'), 'utf8'), before);
});
