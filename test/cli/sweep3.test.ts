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
