// Issue 18, "names that break a save after the whole run": the temporary file a save writes through is
// checked before training, made exclusively under an unpredictable name, and never taken for a stale one
// when it is not one this program made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempNameFor } from '../../src/io/files.ts';
import { CLI, expectUsageError, runCli, tempDir } from '../helpers/cli.ts';

const tiny = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia'].join('\n') + '\n';

function workdir(): { dir: string; data: string } {
  const dir = tempDir();
  const data = join(dir, 'data.txt');
  writeFileSync(data, tiny);
  return { dir, data };
}

test('an output name that fits the file system but whose temporary name does not is refused before training', () => {
  const { dir, data } = workdir();
  const long = 'a'.repeat(246); // 246 characters pass lstat; with the temporary suffix the name is over 255
  for (const [flag, pattern] of [
    ['--out', /^microgpt: --out .*a{246}: cannot write in .* \(the file name is too long\)$/],
    ['--log', /^microgpt: --log .*a{246}: cannot write in .* \(the file name is too long\)$/],
    ['--plot', /^microgpt: --plot .*a{246}: cannot write in .* \(the file name is too long\)$/],
  ] as const) {
    const t0 = Date.now();
    const r = runCli(['--data', data, '--num-steps', '100000', flag, join(dir, long)]);
    expectUsageError(r, pattern);
    assert.equal(r.stdout, '', 'nothing trained');
    assert.ok(Date.now() - t0 < 15_000);
  }
  const log = join(dir, 'l.jsonl');
  writeFileSync(log, '{"run":{"vocab_size":27}}\n{"step":1,"loss":3.3}\n');
  expectUsageError(runCli(['plot', log, '--out', join(dir, long)]), /the file name is too long/);
  assert.deepEqual(readdirSync(dir).sort(), ['data.txt', 'l.jsonl'], 'no file left behind');
});

test('a link planted at the old temporary name (pid.tmp) is not followed: the file it points to stays as it was', () => {
  const { dir, data } = workdir();
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  const hard = join(dir, 'hard.txt');
  writeFileSync(hard, 'precious too');
  // as in the report: `ln -s victim.txt sym.st.$$.tmp; exec microgpt ... --out sym.st` (exec keeps the pid)
  const script = `ln -s victim.txt sym.st.$$.tmp; ln hard.txt hard.st.$$.tmp; ln -s victim.txt log.$$.tmp; exec "${process.execPath}" "${CLI}" --data data.txt --num-steps 3 --num-samples 0 --out sym.st --log log`;
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(victim, 'utf8'), 'precious');
  assert.equal(readFileSync(hard, 'utf8'), 'precious too');
  assert.ok(lstatSync(join(dir, 'sym.st')).isFile() && !lstatSync(join(dir, 'sym.st')).isSymbolicLink());
  const r2 = spawnSync(
    'bash',
    ['-c', `ln hard.txt hard.st.$$.tmp; exec "${process.execPath}" "${CLI}" --data data.txt --num-steps 3 --num-samples 0 --out hard.st`],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal(readFileSync(hard, 'utf8'), 'precious too');
  assert.ok(existsSync(join(dir, 'hard.st')));
});

test('temporary names differ beyond the pid, so two writers of one name (pid 1 in two containers) never share one', () => {
  const names = new Set(Array.from({ length: 100 }, () => tempNameFor('/v/ns.st')));
  assert.equal(names.size, 100);
  for (const n of names) assert.match(n, new RegExp(`^/v/ns\\.st\\.${process.pid}-[0-9a-f]{16}\\.tmp$`));
});

test('an output named like an old temporary file (run.999999.tmp) is not cleaned away by another output (run)', () => {
  const { dir, data } = workdir();
  const r = runCli([
    '--data',
    data,
    '--num-steps',
    '3',
    '--num-samples',
    '0',
    '--log',
    join(dir, 'run'),
    '--out',
    join(dir, 'run.999999.tmp'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'run.999999.tmp')), 'the checkpoint it just wrote is still there');
  assert.ok(existsSync(join(dir, 'run')));
});

test('stdout on a full disk (/dev/full) is one line and exit 2 for every command, also when only the last lines fail', () => {
  const { dir, data } = workdir();
  const ck = join(dir, 'ck.st');
  const cases = [
    ['--data', data, '--num-steps', '300'], // fails mid-run
    ['--data', data, '--num-steps', '3', '--num-samples', '2', '--out', ck], // only the last flush fails
    ['sample', '--model', ck],
    ['eval', '--model', ck, '--data', data],
    ['sample', '--help'],
  ];
  for (const args of cases) {
    const r = spawnSync('bash', ['-c', `exec "${process.execPath}" "${CLI}" "$@" > /dev/full`, 'microgpt', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^microgpt: cannot write to stdout: no space left on the device( at step \d+.*)?\n$/, args.join(' '));
  }
  assert.ok(existsSync(ck), 'the checkpoint of the run whose last lines failed is saved');
});
