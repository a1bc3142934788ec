// The train command through the real CLI: data sources and every bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectUsageError, NAMES, noNames, runCli, runCliAsync, serveOnLoopback, tempDir } from '../helpers/cli.ts';

const tiny = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia'].join('\n') + '\n';
const quick = ['--num-steps', '3', '--num-samples', '2'];

function dataFile(content: string | Buffer): { dir: string; path: string } {
  const dir = tempDir();
  const path = join(dir, 'data.txt');
  writeFileSync(path, content);
  return { dir, path };
}

const badFlags: [string[], RegExp][] = [
  [['--bogus'], /Unknown option '--bogus'/],
  [['--num-steps', 'abc'], /--num-steps: 'abc' is not a decimal number/],
  [['--num-steps', '2.5'], /--num-steps: '2.5' is not an integer/],
  [['--num-steps', '0'], /--num-steps must be an integer from 1/],
  [['--n-layer', '0'], /--n-layer must be an integer from 1/],
  [['--n-embd', '-16'], /--n-embd must be an integer from 1/],
  [['--block-size', '0'], /--block-size must be an integer from 1/],
  [['--n-head', '0'], /--n-head must be an integer from 1/],
  [['--n-embd', '10', '--n-head', '4'], /--n-head must divide the embedding width \(10\), got 4/],
  [['--temperature', '0'], /--temperature must be a number from 0.001 to 100/],
  [['--temperature', '-1'], /--temperature must be a number from 0.001 to 100/],
  [['--learning-rate', 'nan'], /--learning-rate: 'nan' is not a decimal number/],
  [['--beta1', '1'], /--beta1 must be a number at least 0 and less than 1/],
  [['--num-samples', '-1'], /--num-samples must be an integer from 0/],
  [['--engine', 'gpu'], /--engine must be one of/],
  [['--seed'], /--seed.*argument missing/],
  [['extra'], /unexpected argument 'extra'/],
];
for (const [args, pattern] of badFlags) {
  test(`bad flags: ${args.join(' ')} -> one line, exit 2`, () => {
    const { path } = dataFile(tiny);
    expectUsageError(runCli(['--data', path, ...args]), pattern);
  });
}

test('a missing data file is named', () => {
  expectUsageError(runCli(['--data', 'nope.txt']), /cannot read data file nope.txt: no such file/);
});

test('a directory as data file is named', () => {
  expectUsageError(runCli(['--data', tempDir()]), /is a directory/);
});

test('an unreadable data file is named', { skip: process.getuid?.() === 0 ? 'root reads any file' : false }, () => {
  const { path } = dataFile(tiny);
  chmodSync(path, 0o000);
  expectUsageError(runCli(['--data', path]), /permission denied/);
});

test('an empty data file is named', () => {
  expectUsageError(runCli(['--data', dataFile('').path]), /data file .* is empty/);
});

test('a data file with only blank lines', () => {
  expectUsageError(runCli(['--data', dataFile('\n  \n\t\n').path]), /has no non-empty line/);
});

test('a binary data file', () => {
  expectUsageError(runCli(['--data', dataFile(Buffer.from([0x61, 0x00, 0xff, 0x0a])).path]), /is not text/);
  expectUsageError(runCli(['--data', dataFile(Buffer.from([0x61, 0xff, 0xfe, 0x0a])).path]), /is not valid UTF-8/);
});

test('a line longer than the context is cut to block_size, not an error', () => {
  const r = runCli(['--data', dataFile('abcdefghijklmnopqrstuvwxyz\nab\n').path, '--block-size', '4', ...quick]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /step {4}3 \/ {4}3 \| loss \d\.\d{4}\n/);
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('sample'))) assert.ok(line.length <= 'sample  1: '.length + 4, line);
});

test('--help lists every flag and exits 0', () => {
  const r = runCli(['--help']);
  assert.equal(r.status, 0);
  for (const flag of [
    '--data',
    '--num-steps',
    '--n-layer',
    '--n-embd',
    '--n-head',
    '--block-size',
    '--learning-rate',
    '--beta1',
    '--beta2',
    '--eps',
    '--seed',
    '--temperature',
    '--num-samples',
  ]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('input.txt in the working directory is used when --data is absent', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'input.txt'), 'xyz\nzyx\n');
  const r = runCli(quick, { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^num docs: 2\nvocab size: 4\n/);
});

test('names.txt in the cache is used without a download', { skip: noNames }, () => {
  const cache = tempDir();
  copyFileSync(NAMES, join(cache, 'names.txt'));
  const r = runCli(['--num-steps', '1', '--num-samples', '0'], { env: { MICROGPT_CACHE_DIR: cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^num docs: 32033\nvocab size: 27\n/);
});

test('offline: one line says so and training falls back to the shipped names', () => {
  const cache = join(tempDir(), 'cache');
  const r = runCli(['--num-steps', '2', '--num-samples', '1'], { env: { MICROGPT_CACHE_DIR: cache } });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.match(lines[lines.length - 1], /^microgpt: offline: cannot download names.txt \(.+\); training on the first-name lists/);
  assert.match(r.stdout, /^num docs: \d{4,}\n/);
  assert.ok(!existsSync(join(cache, 'names.txt')), 'nothing is cached');
});

test('a download with the wrong sha256 is refused and leaves nothing behind', async () => {
  const cache = join(tempDir(), 'cache');
  await serveOnLoopback(Buffer.from('not\nthe\nnames\n'), async (url) => {
    const r = await runCliAsync(['--num-steps', '1', '--num-samples', '0'], {
      env: { MICROGPT_CACHE_DIR: cache, MICROGPT_NAMES_URL: url },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /does not match the expected sha256/);
    assert.deepEqual(existsSync(cache) ? readdirSync(cache) : [], []);
  });
});

test('a good download is verified and cached, then used', { skip: noNames }, async () => {
  const cache = join(tempDir(), 'cache');
  await serveOnLoopback(readFileSync(NAMES), async (url) => {
    const r = await runCliAsync(['--num-steps', '1', '--num-samples', '0'], {
      env: { MICROGPT_CACHE_DIR: cache, MICROGPT_NAMES_URL: url },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /downloading names.txt/);
    assert.match(r.stdout, /^num docs: 32033\n/);
    assert.deepEqual(readdirSync(cache), ['names.txt']);
  });
});

test('--engine scalar with --dtype float32 is refused', () => {
  expectUsageError(
    runCli(['--data', dataFile(tiny).path, '--engine', 'scalar', '--dtype', 'float32']),
    /--dtype float32 needs --engine fast/,
  );
});

test('--batch-size and --dtype are checked', () => {
  expectUsageError(runCli(['--data', dataFile(tiny).path, '--batch-size', '0']), /--batch-size must be an integer from 1/);
  expectUsageError(runCli(['--data', dataFile(tiny).path, '--dtype', 'float16']), /--dtype must be one of float64, float32/);
});

test('batches and float32 train through the CLI', () => {
  const r = runCli(['--data', dataFile(tiny).path, '--batch-size', '3', '--dtype', 'float32', ...quick]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /step {4}3 \/ {4}3 \| loss \d\.\d{4}\n/);
});

test('a diverging run says so in one line, exits 2, and writes no --out, --log or --plot', { skip: noNames }, () => {
  const dir = tempDir();
  const out = join(dir, 'model.safetensors');
  assert.equal(runCli(['--data', NAMES, '--num-steps', '2', '--num-samples', '0', '--out', out]).status, 0);
  const before = readFileSync(out);
  const r = runCli(
    [
      '--data',
      NAMES,
      '--num-steps',
      '200',
      '--learning-rate',
      '2',
      '--beta2',
      '0',
      '--out',
      out,
      '--log',
      'train.jsonl',
      '--plot',
      'loss.svg',
    ],
    { cwd: dir },
  );
  expectUsageError(r, /^microgpt: diverged at step \d+ \(loss (nan|inf)\); lower --learning-rate$/);
  const step = Number(/step (\d+)/.exec(r.stderr)![1]);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('step')).length, step - 1, 'the good steps were printed');
  assert.doesNotMatch(r.stdout, /inference/);
  assert.deepEqual(readFileSync(out), before, 'the checkpoint at --out is untouched');
  assert.deepEqual(readdirSync(dir).sort(), ['model.safetensors']);
});
