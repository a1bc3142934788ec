// `microgpt --documents stream`: a resumed run is one run, sample writes a passage, eval reads the stream, bad input, moby-dick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { builtinPath } from '../../src/cli/data-source.ts';
import { expectUsageError, runCli, tempDir, type Run } from '../helpers/cli.ts';
import { prose } from '../helpers/prose.ts';

const ok = (r: Run): Run => {
  assert.equal(r.status, 0, r.stderr);
  return r;
};
const SHAPE = ['--n-embd', '8', '--n-head', '2', '--block-size', '16'];

function proseFile(): { dir: string; data: string } {
  const dir = tempDir();
  const data = join(dir, 'prose.txt');
  writeFileSync(data, prose());
  return { dir, data };
}

test('a stream run stopped and resumed prints the lines of one run, validation and passage included', () => {
  const { dir, data } = proseFile();
  const run = ['--data', data, '--documents', 'stream', ...SHAPE, '--num-steps', '12', '--batch-size', '3'];
  const flags = ['--val-fraction', '0.2', '--eval-every', '4', '--sample-length', '80'];
  const whole = ok(runCli([...run, ...flags]));
  const ck = join(dir, 'run.safetensors');
  const first = ok(runCli([...run, ...flags, '--until', '5', '--out', ck]));
  const rest = ok(runCli(['--data', data, '--resume', ck, '--eval-every', '4', '--sample-length', '80']));
  const steps = (out: string) => out.split('\n').filter((l) => l.startsWith('step'));
  assert.deepEqual([...steps(first.stdout), ...steps(rest.stdout)], steps(whole.stdout));
  assert.equal(rest.stdout.split('--- inference')[1], whole.stdout.split('--- inference')[1]);
  assert.match(whole.stdout, /^num chars: \d+\nval chars: \d+\nvocab size: \d+\nnum params: \d+\n/);
  assert.match(whole.stdout, /--- inference \(new, hallucinated text\) ---\n/);
  assert.equal(loadCheckpoint(readFileSync(ck)).train.documents, 'stream');
  // the mode is the checkpoint's: naming the other one is refused
  expectUsageError(
    runCli(['--data', data, '--resume', ck, '--documents', 'lines']),
    /^microgpt: --documents 'lines' disagrees with the checkpoint \('stream'\)$/,
  );
});

test('sample on a stream checkpoint writes --sample-length characters after the prompt, newlines kept; eval reads the stream', () => {
  const { dir, data } = proseFile();
  const ck = join(dir, 'ck.safetensors');
  ok(runCli(['--data', data, '--documents', 'stream', ...SHAPE, '--num-steps', '30', '--out', ck]));
  const r = ok(runCli(['sample', '--model', ck, '--sample-length', '400', '--temperature', '1', '--prompt', 'The sea']));
  const passage = r.stdout.slice(0, -1); // and a final newline
  assert.ok(passage.startsWith('The sea'));
  assert.equal([...passage].length, 'The sea'.length + 400);
  assert.ok(passage.includes('\n'));
  const e = ok(runCli(['eval', '--model', ck, '--data', data]));
  const chars = prose().length;
  assert.match(
    e.stdout,
    new RegExp(`^windows: ${Math.ceil((chars - 1) / 16)}\\ntokens: ${chars - 1}\\nloss: \\d\\.\\d{4} nats per token\\n`),
  );
});

test('bad input: an empty text, a text shorter than one window, a word that is no mode: one line, exit 2', () => {
  const dir = tempDir();
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '');
  const short = join(dir, 'short.txt');
  writeFileSync(short, 'Call me Ishmael.\n');
  expectUsageError(runCli(['--data', empty, '--documents', 'stream']), /^microgpt: .*empty/);
  expectUsageError(
    runCli(['--data', short, '--documents', 'stream', '--block-size', '32']),
    /^microgpt: --block-size must be at most 16 for this text: a window is block size \+ 1 characters, and the training part has 17 of its 17; got 32$/,
  );
  expectUsageError(runCli(['--data', short, '--documents', 'words']), /^microgpt: --documents must be 'lines' or 'stream', got 'words'$/);
});

test('lines mode says once what cutting to the block leaves out, and suggests the way out', () => {
  const { data } = proseFile();
  const r = ok(runCli(['--data', data, ...SHAPE, '--num-steps', '2', '--num-samples', '1']));
  const notes = r.stderr.split('\n').filter((l) => /never trained on/.test(l));
  assert.equal(notes.length, 1);
  assert.match(
    notes[0],
    /^microgpt: \d+ of the \d+ training characters \(\d+%\) lie beyond the block size \(16\) of their line.*--block-size or use --documents stream$/,
  );
});

test('--data moby-dick is the npm package, said in one line; without the package, one line and exit 2', () => {
  const args = ['--data', 'moby-dick', '--documents', 'stream', ...SHAPE, '--num-steps', '1', '--sample-length', '10'];
  if (builtinPath('moby-dick') === undefined) {
    expectUsageError(runCli(args), /^microgpt: --data moby-dick: no such file, and the optional npm package @stdlib\/datasets-moby-dick/);
    return;
  }
  const r = ok(runCli(args));
  assert.match(r.stderr, /^microgpt: moby-dick: Herman Melville's Moby-Dick \(CC0\), from the npm package @stdlib\/datasets-moby-dick /);
  assert.match(r.stdout, /^num chars: 1190317\n/);
});
