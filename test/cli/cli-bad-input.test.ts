// Issue 9, "nothing lost, nothing silent": every bad input through the real CLI gets one line and
// exit 2 (129, 130, 143 for signals), nothing is overwritten, nothing hangs, nothing is silently wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { CLI, expectUsageError, NAMES, noNames, ROOT, runCli, runCliAsync, serveOnLoopback, tempDir, type Run } from '../helpers/cli.ts';

const tiny = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia'].join('\n') + '\n';
const quick = ['--num-steps', '3', '--num-samples', '2'];

/** A temporary directory with data.txt in it. */
function workdir(content: string | Buffer = tiny): { dir: string; data: string } {
  const dir = tempDir();
  const data = join(dir, 'data.txt');
  writeFileSync(data, content);
  return { dir, data };
}

function fifo(dir: string, name = 'fifo'): string {
  const path = join(dir, name);
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
  return path;
}

/** runCli with a short deadline, so that a command that blocks fails the test instead of hanging it. */
function runQuick(args: string[], cwd?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: cwd ?? tempDir(),
    env: { ...process.env, MICROGPT_CACHE_DIR: join(tempDir(), 'cache'), MICROGPT_NAMES_URL: 'http://127.0.0.1:9/names.txt' },
    input: '',
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.notEqual(r.signal, 'SIGTERM', `timed out: microgpt ${args.join(' ')}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A checkpoint trained on tiny, in its own directory. */
function checkpoint(): { dir: string; data: string; ck: string } {
  const { dir, data } = workdir();
  const ck = join(dir, 'ck.st');
  const r = runCli(['--data', data, '--num-steps', '5', '--num-samples', '0', '--out', ck]);
  assert.equal(r.status, 0, r.stderr);
  return { dir, data, ck };
}

// 2. Outputs never overwrite inputs or each other.
test('an output naming the data file, or another output, is refused before training and overwrites nothing', () => {
  const { dir, data } = workdir();
  const cases: [string[], RegExp][] = [
    [['--out', data], /--out .*data\.txt is also the data file/],
    [['--log', data], /--log .*data\.txt is also the data file/],
    [['--plot', data], /--plot .*data\.txt is also the data file/],
    [['--out', join(dir, 'x.st'), '--log', join(dir, 'x.st')], /--log .*x\.st is also --out/],
    [['--out', join(dir, 'x.st'), '--plot', join(dir, 'sub', '..', 'x.st')], /--plot .*x\.st is also --out/],
    [['--log', join(dir, 'l'), '--plot', join(dir, 'l')], /--plot .*l is also --log/],
  ];
  for (const [args, pattern] of cases) {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const r = runCli(['--data', data, '--num-steps', '60000', ...args]);
    expectUsageError(r, pattern);
    assert.equal(r.stdout, '', 'refused before training');
    assert.equal(readFileSync(data, 'utf8'), tiny);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['data.txt', 'sub']);
});

test('a symlink to the data file counts as the data file', () => {
  const { dir, data } = workdir();
  symlinkSync(data, join(dir, 'link.txt'));
  expectUsageError(runCli(['--data', data, ...quick, '--log', join(dir, 'link.txt')]), /--log .*link\.txt is also the data file/);
  expectUsageError(runCli(['--data', join(dir, 'link.txt'), ...quick, '--out', data]), /--out .*data\.txt is also the data file/);
  assert.equal(readFileSync(data, 'utf8'), tiny);
  assert.ok(lstatSync(join(dir, 'link.txt')).isSymbolicLink());
});

test('./input.txt, read when there is no --data, is an input too', () => {
  const { dir } = workdir();
  writeFileSync(join(dir, 'input.txt'), tiny);
  expectUsageError(runCli([...quick, '--out', 'input.txt'], { cwd: dir }), /--out input\.txt is also the data file/);
  assert.equal(readFileSync(join(dir, 'input.txt'), 'utf8'), tiny);
});

test('--log naming the checkpoint being resumed is refused; --out naming it continues the run in place', () => {
  const { data, ck } = checkpoint();
  const before = readFileSync(ck);
  expectUsageError(
    runCli(['--data', data, '--resume', ck, '--num-steps', '8', '--log', ck]),
    /--log .*ck\.st is also the checkpoint being resumed \(--resume\)/,
  );
  assert.deepEqual(readFileSync(ck), before);
  const r = runCli(['--data', data, '--resume', ck, '--num-steps', '8', '--num-samples', '0', '--out', ck]);
  assert.equal(r.status, 0, r.stderr);
  assert.notDeepEqual(readFileSync(ck), before);
});

// 3, 4. Output paths are checked before the first step; only regular files (or new names) are written.
test('an output path that cannot be written is refused before the first step', () => {
  const { dir, data } = workdir();
  mkdirSync(join(dir, 'adir'));
  const cases: [string[], RegExp][] = [
    [['--out', join(dir, 'nodir', 'x.st')], /--out .*nodir\/x\.st: the directory .*nodir does not exist/],
    [['--log', join(dir, 'data.txt', 'x.jsonl')], /--log .*: .*data\.txt is not a directory/],
    [['--plot', join(dir, 'adir')], /--plot .*adir is a directory/],
    [['--out', fifo(dir)], /--out .*fifo is not a regular file \(a FIFO\)/],
    [['--out', '/dev/null'], /--out \/dev\/null is not a regular file \(a character device\)/],
  ];
  for (const [args, pattern] of cases) {
    const t0 = Date.now();
    const r = runCli(['--data', data, '--num-steps', '60000', ...args]);
    expectUsageError(r, pattern);
    assert.equal(r.stdout, '');
    assert.ok(Date.now() - t0 < 15_000, 'no training first');
  }
  assert.ok(statSync(join(dir, 'fifo')).isFIFO(), 'the FIFO is still a FIFO');
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

test('plot --out is checked the same way', () => {
  const { dir } = workdir();
  const log = join(dir, 'l.jsonl');
  writeFileSync(log, '{"run":{"vocab_size":27}}\n{"step":1,"loss":3.3}\n');
  expectUsageError(runCli(['plot', log, '--out', join(dir, 'nodir', 'p.svg')]), /--out .*: the directory .*nodir does not exist/);
});

// 5. Temporary files of a killed save are removed by the next good save, once nothing has written them for ten minutes
// (a save still in progress in another container is left alone); only names this program makes are touched.
test('a save removes temporary files that dead processes left beside --out', () => {
  const { dir, data } = workdir();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const stale = join(dir, `x.st.${dead}-0123456789abcdef.tmp`);
  const fresh = join(dir, `x.st.${dead}-fedcba9876543210.tmp`); // a dead pid here, but written a moment ago: a save elsewhere
  const live = join(dir, `x.st.${process.pid}-0123456789abcdef.tmp`); // a save in progress: left alone
  const others = [join(dir, 'x.st.notapid.tmp'), join(dir, `x.st.${dead}.tmp`)]; // not names this program makes
  for (const p of [stale, fresh, live, ...others]) writeFileSync(p, 'half a checkpoint');
  const old = new Date(Date.now() - 11 * 60_000);
  for (const p of [stale, live, ...others]) utimesSync(p, old, old);
  const r = runCli(['--data', data, ...quick, '--out', join(dir, 'x.st')]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(stale), 'the dead process leftover is removed');
  for (const p of [fresh, live, ...others]) assert.ok(existsSync(p), `${p} is left alone`);
  assert.ok(existsSync(join(dir, 'x.st')));
});

// 6. SIGTERM and SIGHUP save like Ctrl-C.
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  test(`${signal} saves --out, --log and --plot, says so in one line, exits ${code}`, async () => {
    const { dir, data } = workdir();
    const ck = join(dir, 'ck.st');
    let sent = false;
    const r = await runCliAsync(['--data', data, '--num-steps', '1000000', '--out', ck, '--log', join(dir, 'l.jsonl')], {
      onSpawn: (child) =>
        child.stdout!.on('data', (d: Buffer) => {
          if (!sent && /step +\d+ \//.test(d.toString())) {
            sent = true;
            child.kill(signal);
          }
        }),
    });
    assert.equal(r.status, code, r.stderr);
    const m = new RegExp(`^microgpt: stopped by ${signal} at step (\\d+); saved .*ck\\.st\\n$`).exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.ok(statSync(ck).size > 0);
    const logLines = readFileSync(join(dir, 'l.jsonl'), 'utf8').trimEnd().split('\n');
    assert.equal(logLines.length, Number(m[1]) + 1, 'the header and a line per step done');
  });
}

// 7, 10. The download: a cache that cannot be written keeps the verified bytes; an endless body is cut.
test('a verified download that cannot be cached is used for this run, and says so', { skip: noNames }, async () => {
  const { dir } = workdir();
  const cacheFile = join(dir, 'cache-is-a-file');
  writeFileSync(cacheFile, 'x');
  await serveOnLoopback(readFileSync(NAMES), async (url) => {
    const r = await runCliAsync(['--num-steps', '1', '--num-samples', '0'], {
      env: { MICROGPT_CACHE_DIR: cacheFile, MICROGPT_NAMES_URL: url },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^num docs: 32033\nvocab size: 27\n/);
    assert.match(r.stderr, /downloaded names\.txt could not be cached .*cache-is-a-file.*; using it for this run only/);
    assert.doesNotMatch(r.stderr, /offline/);
  });
});

test('a download larger than names.txt is cut off, not read to the end', async () => {
  const server = createServer((_, res) => {
    const chunk = Buffer.alloc(1 << 16, 'a\n');
    let sent = 0;
    const more = () => {
      while (sent < 64 << 20 && res.write(chunk)) sent += chunk.length;
      if (sent >= 64 << 20) res.end();
    };
    res.on('drain', more);
    res.on('error', () => {});
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const r = await runCliAsync(['--num-steps', '1', '--num-samples', '0'], {
      env: { MICROGPT_NAMES_URL: `http://127.0.0.1:${port}/names.txt` },
    });
    assert.match(r.stderr, /cannot download names\.txt \(the answer is larger than 256 KiB; names\.txt is 228145 bytes\)/);
    assert.ok(r.status === 0 || r.status === 2, r.stderr);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

// 8. Only regular files are read, with a size limit.
test('data and checkpoints must be regular files: a FIFO, /dev/zero and /dev/urandom are refused at once', () => {
  const { dir } = workdir();
  const f = fifo(dir);
  expectUsageError(runQuick(['--data', f]), /data file .*fifo is not a regular file \(a FIFO\)/);
  expectUsageError(runQuick(['--data', '/dev/zero']), /data file \/dev\/zero is not a regular file \(a character device\)/);
  expectUsageError(runQuick(['--data', '/dev/urandom']), /data file \/dev\/urandom is not a regular file/);
  expectUsageError(runQuick(['sample', '--model', '/dev/zero']), /checkpoint \/dev\/zero is not a regular file/);
  expectUsageError(runQuick(['sample', '--model', f]), /checkpoint .*fifo is not a regular file \(a FIFO\)/);
  expectUsageError(runQuick(['eval', '--model', f]), /checkpoint .*fifo is not a regular file/);
  expectUsageError(runQuick(['plot', f]), /log file .*fifo is not a regular file/);
});

test('files over the size limit are refused before they are read, naming the limit', () => {
  const { dir } = workdir();
  const big = join(dir, 'big.txt');
  writeFileSync(big, '');
  truncateSync(big, 300 * 2 ** 20); // sparse: no disk used
  expectUsageError(runQuick(['--data', big]), /data file .*big\.txt is 300 MiB; the limit for text is 256 MiB/);
  const huge = join(dir, 'huge.st');
  writeFileSync(huge, '');
  truncateSync(huge, 2 ** 31 + 2 ** 20);
  expectUsageError(runQuick(['sample', '--model', huge]), /checkpoint .*huge\.st is 2049 MiB; the limit for checkpoints is 2048 MiB/);
});

test('the library reads through the same regular-file reader', async () => {
  const { dir } = workdir('\ufeffemma\n');
  const lib = await import('../../src/node.ts');
  assert.throws(
    () => lib.readText(fifo(dir)),
    (e: Error) => e instanceof lib.FileError && /is not a regular file \(a FIFO\)/.test(e.message),
  );
  assert.throws(
    () => lib.readCheckpointFile('/dev/zero'),
    (e: Error) => e instanceof lib.FileError,
  );
  assert.equal(lib.readText(join(dir, 'data.txt')), '\ufeffemma\n', 'the byte-order mark is kept, as Python keeps it');
});

// 9. The memory a shape needs is estimated before anything is allocated.
test('a model too large for memory is refused up front, naming the flags and the limit', () => {
  const { data } = workdir();
  const t0 = Date.now();
  expectUsageError(
    runQuick(['--data', data, '--n-layer', '64', '--n-embd', '4096', '--n-head', '1', '--engine', 'fast']),
    /the model \(--n-layer 64, --n-embd 4096, --n-head 1, --block-size 16, --batch-size 1\) needs about 1\.0 TiB .*more than the limit of 4 GiB \(--max-memory GIB raises it\)$/,
  );
  expectUsageError(
    runQuick(['--data', data, '--n-layer', '16', '--n-embd', '2048', '--n-head', '1']),
    /--n-layer 16, --n-embd 2048.*more than the limit of 4 GiB \(--max-memory GIB raises it\)/,
  );
  expectUsageError(runQuick(['--data', data, '--batch-size', '65536', '--block-size', '4096', '--n-embd', '256']), /--batch-size 65536/);
  assert.ok(Date.now() - t0 < 15_000);
  expectUsageError(
    runQuick(['--data', data, ...quick, '--max-memory', '0.0001']),
    /needs about [\d.]+ KiB .*more than the limit of 0\.0001 GiB/,
  );
  // raised past what a typed array holds, the limit is JavaScript's
  expectUsageError(
    runQuick(['--data', data, '--n-layer', '64', '--n-embd', '4096', '--n-head', '1', '--max-memory', '100000']),
    /would need an array of \d+ elements; JavaScript's typed arrays hold at most 4294967296$/,
  );
  expectUsageError(runQuick(['--data', data, '--max-memory', '0x10']), /--max-memory: '0x10' is not a decimal number/);
  assert.equal(runQuick(['--data', data, ...quick, '--max-memory', '1']).status, 0);
  const { ck } = checkpoint();
  expectUsageError(
    runQuick(['sample', '--model', ck, '--max-memory', '0.0001']),
    /checkpoint .*ck\.st: the model \(--n-layer 1, --n-embd 16, --n-head 4, --block-size 16\) needs about [\d.]+ KiB .*\(--max-memory GIB raises it\)$/,
  );
  expectUsageError(
    runQuick(['eval', '--model', ck, '--max-memory', '0.0001']),
    /checkpoint .*ck\.st: the model \(--n-layer 1, --n-embd 16, --n-head 4, --block-size 16\) needs about/,
  );
});

test('memory.ts: the estimate covers what the fast engine allocates, and grows with the shape', async () => {
  const { estimateMemory, checkMemory, MemoryError } = await import('../../src/core/memory.ts');
  const { numParams } = await import('../../src/engines/shape.ts');
  const model = { vocabSize: 27, nLayer: 4, nEmbd: 64, nHead: 4, blockSize: 32 };
  const f64 = estimateMemory(model, { batchSize: 32 });
  const P = numParams(model);
  const B = 32,
    T = 32,
    C = 64,
    V = 27;
  const activations = 4 * (18 * B * T * C + B * 4 * T * T) + 12 * B * T * C + 3 * B * T * V; // tensors.ts, counted by hand
  assert.ok(f64.bytes >= 8 * (4 * P + activations), `${f64.bytes}`);
  assert.ok(estimateMemory(model, { batchSize: 32, dtype: 'float32' }).bytes < f64.bytes);
  assert.ok(estimateMemory(model, { batchSize: 64 }).bytes > f64.bytes);
  assert.ok(estimateMemory(model, { batchSize: 32, engine: 'scalar' }).bytes > f64.bytes);
  assert.throws(
    () => checkMemory(model, { batchSize: 32 }, 1e6),
    (e: Error) => e instanceof MemoryError && /nLayer 4, nEmbd 64, nHead 4, blockSize 32, batchSize 32/.test(e.message),
  );
});

// 11. eval shows progress on a terminal.
test('eval on a terminal shows progress on stderr', () => {
  const { dir, ck } = checkpoint();
  const many = join(dir, 'many.txt');
  writeFileSync(many, tiny.repeat(20000));
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} eval --model ${JSON.stringify(ck)} --data ${JSON.stringify(many)}`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, MICROGPT_CACHE_DIR: join(dir, 'cache') },
  });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /evaluating: \d+ \/ 120000 docs/);
  assert.match(r.stdout, /docs: 120000\r?\ntokens: \d+/);
  const piped = runCli(['eval', '--model', ck, '--data', many]);
  assert.equal(piped.stderr, '', 'no progress when not a terminal');
});

// 12. Only our own errors mean bad input.
test('a log line that is JSON null is bad input, not an internal error', () => {
  const { dir } = workdir();
  writeFileSync(join(dir, 'l.jsonl'), '{"run":{"vocab_size":27}}\nnull\n{"step":1,"loss":3.3}\n');
  expectUsageError(runCli(['plot', join(dir, 'l.jsonl')]), /l\.jsonl: line 2 is not a record of a microgpt --log file/);
});

test('errors that are not ours are internal errors (exit 1), with what a report needs', async () => {
  const { reportError } = await import('../../src/cli/report.ts');
  const bug = reportError(new RangeError('Invalid typed array length: 12885188608'));
  assert.equal(bug.exitCode, 1);
  assert.match(bug.text, /^microgpt: internal error: RangeError: Invalid typed array length: 12885188608\n/);
  assert.match(bug.text, /\n\s+at /, 'the stack, for the report');
  assert.match(bug.text, /microgpt \d+\.\d+\.\d+, node v\d+/);
  const { UsageError } = await import('../../src/cli/errors.ts');
  assert.deepEqual(reportError(new UsageError('bad')), { exitCode: 2, text: 'microgpt: bad\n' });
  const { CheckpointError } = await import('../../src/core/checkpoint.ts');
  assert.equal(reportError(new CheckpointError('truncated')).exitCode, 2);
});

// 13. Numbers are decimal, and in range before anything runs.
test('hexadecimal, binary and octal numbers are refused; --temperature 1e-320 is out of range', () => {
  const { data, ck } = checkpoint();
  for (const v of ['0x10', '0b11', '0o7'])
    expectUsageError(runCli(['--data', data, '--num-steps', v]), new RegExp(`--num-steps: '${v}' is not a decimal number`));
  expectUsageError(runCli(['--data', data, '--temperature', '1e-320']), /--temperature must be a number from 0\.001 to 100, got 1e-320/);
  expectUsageError(runCli(['sample', '--model', ck, '--temperature', '1e-320']), /--temperature must be a number from 0\.001 to 100/);
});

// 15. plot's arguments, and logs with values that are not finite numbers.
test('plot: --out before the log, a missing --out value, --out naming the log', () => {
  const { dir } = workdir();
  const log = join(dir, 'l.jsonl');
  const content = '{"run":{"vocab_size":27}}\n{"step":1,"loss":3.3}\n{"step":2,"loss":3.1}\n';
  writeFileSync(log, content);
  const r = runCli(['plot', '--out', join(dir, 'new.svg'), log]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(join(dir, 'new.svg'), 'utf8'), /^<svg/);
  expectUsageError(runCli(['plot', log, '--out']), /--out.*argument missing/);
  expectUsageError(runCli(['plot', log, '--out', log]), /--out .*l\.jsonl is also the log file/);
  expectUsageError(runCli(['plot', log, 'other.jsonl']), /unexpected argument 'other\.jsonl'/);
  assert.equal(readFileSync(log, 'utf8'), content);
});

test('plot: a loss that is not a finite number is refused, not drawn as NaN', () => {
  const { dir } = workdir();
  for (const bad of ['"abc"', 'null', '1e999', '-1e999', '[1]']) {
    writeFileSync(join(dir, 'l.jsonl'), `{"run":{"vocab_size":27}}\n{"step":1,"loss":3.3}\n{"step":2,"loss":${bad}}\n`);
    expectUsageError(runCli(['plot', join(dir, 'l.jsonl')]), /l\.jsonl: line 3: loss is not a finite number/);
  }
  writeFileSync(join(dir, 'l.jsonl'), `{"run":{"vocab_size":27}}\n{"step":1,"loss":3.3,"val_loss":"x"}\n`);
  expectUsageError(runCli(['plot', join(dir, 'l.jsonl')]), /line 2: val_loss is not a finite number/);
  writeFileSync(join(dir, 'l.jsonl'), `{"run":{"vocab_size":1e999}}\n{"step":1,"loss":3.3}\n`);
  expectUsageError(runCli(['plot', join(dir, 'l.jsonl')]), /line 1: vocab_size is not/);
  assert.ok(!existsSync(join(dir, 'l.svg')));
});

// 16. A byte-order mark is a character, as in Python's open().
test('a UTF-8 byte-order mark stays a character of the first document, as microgpt.py reads it', () => {
  const { data } = workdir('\ufeffemma\nolivia\n');
  const r = runCli(['--data', data, ...quick]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^num docs: 2\nvocab size: 9\n/); // e m a o l i v, U+FEFF, and BOS
});

// 17. A closed stdout ends the run quietly.
async function closeAfterLines(args: string[], lines: number): Promise<Run> {
  let seen = '';
  return runCliAsync(args, {
    onSpawn: (child) =>
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.split('\n').length > lines) child.stdout!.destroy();
      }),
  });
}

test('| head -3: a closed stdout ends the run quietly, exit 0', async () => {
  const { data, ck } = checkpoint();
  const r = await closeAfterLines(['--data', data, '--num-steps', '200000'], 3);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  const s = await closeAfterLines(['sample', '--model', ck, '--num-samples', '20000'], 1);
  assert.equal(s.stderr, '');
  assert.equal(s.status, 0);
});

test('a stdout that fails (a full disk) stops training, saves, and says so in one line, exit 2', () => {
  const { dir, data } = workdir();
  const full = openSync('/dev/full', 'w');
  const r = spawnSync(process.execPath, [CLI, '--data', data, '--num-steps', '1000000', '--out', join(dir, 'ck.st')], {
    stdio: ['ignore', full, 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  closeSync(full);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^microgpt: cannot write to stdout: no space left on the device at step \d+; saved .*ck\.st\n$/);
  assert.ok(statSync(join(dir, 'ck.st')).size > 0);
});

// 23. --version.
test('--version prints the version, and --help lists it', () => {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  const r = runCli(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `microgpt ${version}\n`);
  assert.match(runCli(['--help']).stdout, /--version/);
});

// A document of one huge line: the model reads blockSize + 1 of its tokens, so it is cut before it is encoded.
test('a 30-million-character line trains and evaluates in a 120 MB heap', () => {
  const dir = tempDir();
  const data = join(dir, 'long.txt');
  const letters = 'abcdefghij';
  let line = '';
  for (let i = 0; i < 3_000_000; i++) line += letters[(i * 7) % 10];
  writeFileSync(data, `anna\n${line.repeat(10)}\nbob\n`);
  const node = (args: string[]) =>
    spawnSync(process.execPath, ['--max-old-space-size=120', CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  const trained = node(['--data', data, '--num-steps', '20', '--num-samples', '2', '--out', join(dir, 'm.st')]);
  assert.equal(trained.status, 0, trained.stderr);
  const evaluated = node(['eval', '--model', join(dir, 'm.st'), '--data', data]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /^docs: 3\ntokens: 25\n/); // 5 + 16 (the block) + 4
});
