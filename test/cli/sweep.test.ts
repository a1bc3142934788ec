// What the second sweep of issue 9 found (bad input through the real CLI and the library, see the closing
// note) and what now happens instead: one line naming the problem, nothing replaced, no TypeError from inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, expectUsageError, ROOT, runCli, tempDir } from '../helpers/cli.ts';
import {
  createEngine,
  initialWeights,
  Random,
  readText,
  saveCheckpoint,
  startRun,
  Tokenizer,
  train,
  writeCheckpointFile,
} from '../../src/node.ts';

const text = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia'].join('\n');
const small = { nLayer: 1, nEmbd: 8, nHead: 2, blockSize: 8 };
const any = (v: unknown) => v as any;
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch']).status === 0);
const bare = Object.create(null); // String() of it throws: a message built from it must not
/** An Error whose one-line message matches, and not one from inside (a property read, a conversion). */
function refused(message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, /Cannot read|is not a function|Cannot convert|named undefined|\[object Object\]/);
    return true;
  };
}

test('CLI: an output that is a read-only file is refused, not replaced by the rename', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), text + '\n');
  for (const [flag, name] of [
    ['--out', 'ro.safetensors'],
    ['--log', 'ro.jsonl'],
    ['--plot', 'ro.svg'],
  ]) {
    const path = join(dir, name);
    writeFileSync(path, 'keep me\n');
    chmodSync(path, 0o444);
    const r = runCli(['--data', 'data.txt', '--num-steps', '2', '--num-samples', '1', flag, name], { cwd: dir });
    expectUsageError(r, new RegExp(`^microgpt: ${flag} ${name.replace('.', '\\.')} is read-only`));
    assert.equal(readFileSync(path, 'utf8'), 'keep me\n');
  }
  const log = join(dir, 'train.jsonl');
  assert.equal(runCli(['--data', 'data.txt', '--num-steps', '2', '--num-samples', '1', '--log', 'train.jsonl'], { cwd: dir }).status, 0);
  writeFileSync(join(dir, 'ro.svg'), 'keep me\n');
  chmodSync(join(dir, 'ro.svg'), 0o444);
  expectUsageError(runCli(['plot', log, '--out', 'ro.svg'], { cwd: dir }), /^microgpt: --out ro\.svg is read-only/);
  assert.equal(readFileSync(join(dir, 'ro.svg'), 'utf8'), 'keep me\n');
});

test('library: a setting that is an object without a prototype, or a symbol, is named, not converted', async () => {
  await assert.rejects(() => train({ text, model: { ...small, nLayer: bare } }), refused(/nLayer must be an integer .*got an object/));
  await assert.rejects(
    () => train({ text, model: { ...small, nEmbd: any(Symbol('s')) } }),
    refused(/nEmbd must be an integer .*got a symbol/),
  );
  await assert.rejects(() => train({ text, valFraction: bare }), refused(/valFraction must be a number .*got an object/));
  assert.throws(
    () => startRun({ text, model: small, train: { numSteps: 2, learningRate: {} as any } }),
    refused(/learningRate .*got an object/),
  );
  assert.throws(() => new Random(bare), refused(/seed must be an integer, got an object/));
  assert.throws(() => new Random(any(Symbol('s'))), refused(/seed must be an integer, got a symbol/));
});

test('library: Tokenizer.fromDocs, traceStep, createEngine and the file functions name a wrong argument', () => {
  assert.throws(() => Tokenizer.fromDocs(any(null)), refused(/Tokenizer\.fromDocs\(docs\): docs must be an array of strings, got null/));
  assert.throws(() => Tokenizer.fromDocs(any('abc')), refused(/docs must be an array of strings, got "abc"/));
  assert.throws(() => Tokenizer.fromDocs(any(['a', 1])), refused(/docs must be an array of strings/));
  const run = startRun({ text, model: small, train: { numSteps: 3 } });
  for (const p of [0, 'wte', [], {}])
    assert.throws(() => run.traceStep(any(p)), refused(/traceStep\(param\): param must be \{ name, row, col \}/));
  assert.equal(run.traceStep({ name: 'wte', row: 0, col: 0 }).param.name, 'wte');
  const config = { ...small, vocabSize: 3 };
  const w = initialWeights(config, new Random(1));
  for (const h of [{}, [], 1, bare])
    assert.throws(
      () => createEngine('wasm', config, w, { helpers: any(h) }),
      refused(/options\.helpers must be helper threads from spawnHelpers\(\)/),
    );
  assert.throws(() => readText(bare), refused(/readText\(path\): path must be a file name, got an object/));
  assert.throws(() => readText(any(Symbol('s'))), refused(/readText\(path\): path must be a file name, got a symbol/));
  assert.throws(
    () => writeCheckpointFile(any(undefined), run.checkpoint()),
    refused(/writeCheckpointFile\(path\): path must be a file name, got nothing/),
  );
});

test('library: saveCheckpoint refuses an engine it would write and loadCheckpoint refuse', () => {
  const ckpt = startRun({ text, model: small, train: { numSteps: 2 } }).checkpoint();
  for (const engine of ['x', 1.5, {}])
    assert.throws(() => saveCheckpoint({ ...ckpt, engine: any(engine) }), refused(/engine must be fast, scalar or wasm/));
  assert.ok(saveCheckpoint({ ...ckpt, engine: 'scalar' }).length > 0);
});

test('CLI sample: --seed out of range is one line; names stream, so a reader that goes away ends a long run', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), text + '\n');
  assert.equal(runCli(['--data', 'data.txt', '--num-steps', '5', '--num-samples', '0', '--out', 'm.st'], { cwd: dir }).status, 0);
  expectUsageError(
    runCli(['sample', '--model', 'm.st', '--seed', '1e308'], { cwd: dir }),
    /^microgpt: --seed must be an integer, got 1e\+308$/,
  );
  expectUsageError(
    runCli(['sample', '--model', 'm.st', '--seed', '9007199254740993'], { cwd: dir }),
    /^microgpt: --seed must be an integer/,
  );
  // the most names sample allows, read up to the first line: the command exits 0 once the pipe closes
  const child = spawn(process.execPath, [CLI, 'sample', '--model', 'm.st', '--num-samples', '1000000'], { cwd: dir });
  const first = await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString())));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.match(first, /^[a-z]+\n/);
  assert.equal(code, 0);
});

test(
  'pytorch/microgpt.py: outputs, FIFOs, huge models and a BOM are refused as the CLI refuses them',
  { skip: PYTHON ? false : process.env.CI ? false : 'needs /usr/bin/python3 with torch' },
  () => {
    assert.ok(PYTHON, 'no python3 that imports torch');
    const dir = tempDir();
    const data = join(dir, 'data.txt');
    writeFileSync(data, text + '\n');
    writeFileSync(join(dir, 'bom.txt'), '\ufeffemma\nava\n');
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    mkdirSync(join(dir, 'adir'));
    const py = (...args: string[]) => {
      const r = spawnSync(PYTHON, [join(ROOT, 'pytorch', 'microgpt.py'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const train = ['train', '--data', 'data.txt', '--num-steps', '2', '--num-samples', '0'];
    expectUsageError(py(...train, '--out', 'data.txt'), /^microgpt: --out data\.txt is also the data file$/);
    expectUsageError(py(...train, '--log', 'data.txt'), /^microgpt: --log data\.txt is also the data file$/);
    expectUsageError(py(...train, '--out', 'm.st', '--log', 'm.st'), /^microgpt: --log m\.st is also --out$/);
    expectUsageError(py(...train, '--log', 'adir'), /^microgpt: --log adir is a directory$/);
    expectUsageError(py(...train, '--out', 'nodir/m.st'), /^microgpt: --out nodir\/m\.st: the directory nodir does not exist$/);
    assert.equal(readFileSync(data, 'utf8'), text + '\n');
    expectUsageError(py('train', '--data', 'fifo', '--num-steps', '2'), /^microgpt: data file fifo is not a regular file$/);
    expectUsageError(
      py(...train, '--n-layer', '64', '--n-embd', '4096'),
      /^microgpt: the model \(--n-layer 64, --n-embd 4096, .*\) needs about 1\.0 TiB .*, more than the limit of 4 GiB \(--max-memory GIB raises it\)$/, // the CLI's words (test/pytorch checks them against the CLI)
    );
    assert.equal(py(...train, '--out', 'm.st').status, 0);
    expectUsageError(py('eval', '--model', 'm.st', '--data', 'fifo'), /^microgpt: data file fifo is not a regular file$/);
    // a byte-order mark is the character U+FEFF, as in the CLI: not in this model's vocabulary
    expectUsageError(
      py('eval', '--model', 'm.st', '--data', 'bom.txt'),
      /^microgpt: bom\.txt: document 1 .*is not in the vocabulary of the model$/,
    );
  },
);

test('CLI: the wasm engine, whose memory the address space cannot reserve (ulimit -v), gets one line, not an internal error', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), text + '\n');
  const cmd = `ulimit -v 4194304 && exec "${process.execPath}" "${CLI}" --data data.txt --num-steps 2 --num-samples 1 --engine wasm --threads `;
  for (const threads of ['1', '2']) {
    const r = spawnSync('bash', ['-c', cmd + threads], { cwd: dir, encoding: 'utf8' });
    expectUsageError(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      /^microgpt: the wasm engine cannot reserve its memory \(.*ulimit -v.*\): use --engine fast$/,
    );
  }
});
