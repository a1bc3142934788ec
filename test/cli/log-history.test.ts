// Issue 18, items 1 and 2: --log is written as steps finish, a resume continues its log, and a killed run keeps its history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/index.ts';
import { CLI, expectUsageError, runCli, tempDir } from '../helpers/cli.ts';

const names = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper', 'evelyn', 'abigail', 'emily', 'ella'];
const small = ['--n-embd', '8', '--n-head', '2', '--num-samples', '0'];

function workdir(): { dir: string; data: string; log: string; st: string } {
  const dir = tempDir();
  const data = join(dir, 'names.txt');
  writeFileSync(data, names.join('\n') + '\n');
  return { dir, data, log: join(dir, 'l.jsonl'), st: join(dir, 'l.st') };
}

function train(data: string, args: string[]): void {
  const r = runCli(['--data', data, ...small, ...args]);
  assert.equal(r.status, 0, r.stderr);
}

/** The log's records, parsed line by line (each line whole). */
const records = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const stepsOf = (path: string) => records(path).flatMap((r) => ('step' in r ? [r.step as number] : []));
const losses = (path: string) => records(path).flatMap((r) => ('step' in r ? [[r.step, r.loss, r.val_loss]] : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** plot's SVG of a log. */
function plot(log: string): string {
  const svg = log.replace(/\.jsonl$/, '.svg');
  const r = runCli(['plot', log, '--out', svg]);
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(svg, 'utf8');
}

test('a resume appends to the log it continues: plot draws every step, as one run would', () => {
  const { dir, data, log, st } = workdir();
  const straight = join(dir, 'straight.jsonl');
  train(data, ['--num-steps', '40', '--eval-every', '10', '--val-fraction', '0.2', '--log', straight]);
  train(data, ['--num-steps', '40', '--eval-every', '10', '--val-fraction', '0.2', '--until', '20', '--out', st, '--log', log]);
  const resumedSvg = join(dir, 'resumed.svg');
  train(data, ['--resume', st, '--num-steps', '40', '--eval-every', '10', '--out', st, '--log', log, '--plot', resumedSvg]);
  assert.deepEqual(stepsOf(log), range(1, 40));
  assert.deepEqual(losses(log), losses(straight));
  assert.equal(records(log).filter((r) => 'run' in r).length, 2, 'a second header marks the resume');
  assert.equal(records(log)[21].resumed_at, 20);
  assert.deepEqual(records(log)[0].run, {
    ...(records(straight)[0].run as object),
    train: (records(log)[0].run as { train: unknown }).train,
  });
  assert.equal(plot(log), plot(straight));
  assert.equal(readFileSync(resumedSvg, 'utf8'), plot(straight), "--plot on a resume draws the log's earlier steps too");
});

test("the records after the checkpoint's step are dropped: the log matches its checkpoint", () => {
  const { dir, data, log, st } = workdir();
  const straight = join(dir, 'straight.jsonl');
  train(data, ['--num-steps', '40', '--log', straight]);
  train(data, ['--num-steps', '40', '--until', '20', '--out', st, '--log', log]);
  const at20 = join(dir, 'at20.st');
  copyFileSync(st, at20);
  train(data, ['--resume', st, '--num-steps', '40', '--until', '30', '--out', st, '--log', log]);
  assert.deepEqual(stepsOf(log), range(1, 30));
  // back to the checkpoint at 20: steps 21..30 are taken again, once in the log
  train(data, ['--resume', at20, '--num-steps', '40', '--out', join(dir, 'again.st'), '--log', log]);
  assert.deepEqual(stepsOf(log), range(1, 40));
  assert.deepEqual(losses(log), losses(straight));
});

test('a resume with a log that does not exist starts it; one of another run, or not a log, is refused and kept', () => {
  const { dir, data, log, st } = workdir();
  train(data, ['--num-steps', '10', '--until', '5', '--out', st, '--log', log]);
  const fresh = join(dir, 'fresh.jsonl');
  train(data, ['--resume', st, '--num-steps', '10', '--out', join(dir, 'b.st'), '--log', fresh]);
  assert.deepEqual(stepsOf(fresh), range(6, 10));
  assert.ok('run' in records(fresh)[0]);

  const other = join(dir, 'other.jsonl');
  runCli(['--data', data, '--num-samples', '0', '--n-embd', '16', '--n-head', '4', '--num-steps', '3', '--log', other]);
  const junk = join(dir, 'junk.jsonl');
  writeFileSync(junk, 'hello\n');
  for (const [path, pattern] of [
    [other, /--log .*other\.jsonl is the log of another run \(its model differs from the checkpoint's\)/],
    [junk, /--log .*junk\.jsonl: line 1 is not JSON/],
  ] as const) {
    const before = readFileSync(path);
    const r = runCli(['--data', data, ...small, '--resume', st, '--num-steps', '10', '--out', join(dir, 'c.st'), '--log', path]);
    expectUsageError(r, pattern);
    assert.deepEqual(readFileSync(path), before, `${path} is untouched`);
    assert.ok(!existsSync(join(dir, 'c.st')), 'no training');
  }
});

test('a torn final line (a killed write) is dropped by plot and by a resume', () => {
  const { dir, data, log, st } = workdir();
  const straight = join(dir, 'straight.jsonl');
  train(data, ['--num-steps', '20', '--log', straight]);
  train(data, ['--num-steps', '20', '--until', '10', '--out', st, '--log', log]);
  appendFileSync(log, '{"step":11,"loss":2.9');
  const torn = join(dir, 'torn.jsonl');
  copyFileSync(log, torn);
  assert.match(plot(torn), /^<svg xmlns/);
  train(data, ['--resume', st, '--num-steps', '20', '--out', st, '--log', log]);
  assert.deepEqual(losses(log), losses(straight));
});

test('a run killed with -9 keeps its log: every step up to the last save, line by line', async () => {
  const { data, log, st } = workdir();
  const child = spawn(
    process.execPath,
    [CLI, '--data', data, ...small, '--num-steps', '1000000', '--save-every', '7', '--out', st, '--log', log],
    {
      stdio: 'ignore',
    },
  );
  try {
    const t0 = Date.now();
    while (!(existsSync(st) && statSync(st).size > 0)) {
      assert.ok(Date.now() - t0 < 60_000, 'no checkpoint within a minute');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a few more saves
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((resolve) => child.once('exit', resolve));
  const saved = loadCheckpoint(readFileSync(st)).step;
  assert.ok(saved >= 7 && saved % 7 === 0);
  const text = readFileSync(log, 'utf8');
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop(); // a torn last line, which readers drop
  const parsed = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok('run' in parsed[0]);
  const steps = parsed.slice(1).map((r) => r.step as number);
  assert.deepEqual(steps.slice(0, saved), range(1, saved));
  assert.deepEqual(steps, range(1, steps.length), 'nothing but whole steps, in order');
});

test('a run that diverges puts back what --log held before it', () => {
  const { data, log } = workdir();
  writeFileSync(log, 'what was there\n');
  const r = runCli(['--data', data, ...small, '--num-steps', '200', '--learning-rate', '2', '--beta2', '0', '--log', log]);
  expectUsageError(r, /diverged at step \d+/);
  assert.equal(readFileSync(log, 'utf8'), 'what was there\n');
});
