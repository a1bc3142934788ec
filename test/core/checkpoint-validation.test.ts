// Checkpoint files edited, damaged or written by another program: each is refused with one line naming the problem
// (exit 2 through the CLI, naming the file), none crashes with an internal error, none loads as silent garbage.
// And the files we write: 8-byte-aligned tensor data whatever the vocabulary; weights-only files sample and evaluate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CheckpointError,
  GPT,
  loadCheckpoint,
  loadModelCheckpoint,
  saveCheckpoint,
  startRun,
  stateDictShapes,
  type Checkpoint,
} from '../../src/index.ts';
import { readModelCheckpointFile } from '../../src/node.ts';
import { expectUsageError, runCli, tempDir } from '../helpers/cli.ts';

const TEXT = 'anna\nbob\ncarl\ndora\nemil\n';

/** A checkpoint of a 3-step run on TEXT (vocabulary: a b c d e i l m n o r). */
function trained(text = TEXT): Checkpoint {
  const run = startRun({ text, model: { nEmbd: 8, nHead: 2, blockSize: 8 }, train: { numSteps: 5 } });
  for (let i = 0; i < 3; i++) run.takeStep();
  return run.checkpoint();
}
const GOOD = Buffer.from(saveCheckpoint(trained()));

type Header = Record<string, any>;
function headerOf(bytes: Uint8Array): { header: Header; dataStart: number } {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  return { header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')), dataStart: 8 + n };
}

/** The same tensor data under an edited header. */
function withHeader(bytes: Buffer, edit: (h: Header) => void): Buffer {
  const { header, dataStart } = headerOf(bytes);
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, bytes.subarray(dataStart)]);
}

/** The same header with one float64 of a tensor's data replaced. */
function withValue(bytes: Buffer, tensor: string, index: number, value: number): Buffer {
  const out = Buffer.from(bytes);
  const { header, dataStart } = headerOf(out);
  out.writeDoubleLE(value, dataStart + header[tensor].data_offsets[0] + 8 * index);
  return out;
}

/** A safetensors file written from scratch, as another program (PyTorch's save_file) writes one. */
function safetensors(
  metadata: Record<string, string>,
  tensors: [name: string, shape: number[], values: Float64Array | Float32Array][],
): Buffer {
  const header: Header = { __metadata__: metadata };
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, shape, values] of tensors) {
    const data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    header[name] = { dtype: values instanceof Float32Array ? 'F32' : 'F64', shape, data_offsets: [offset, offset + data.length] };
    parts.push(data);
    offset += data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([len, Buffer.from(json), ...parts]);
}

const meta = (edit: (m: Record<string, unknown>) => void) => (g: Buffer) => withHeader(g, (h) => edit(h.__metadata__));
const setMeta = (key: string, value: unknown) => meta((m) => (m[key] = value));
const model = (edit: (c: Record<string, unknown>) => void) =>
  meta((m) => {
    const c = JSON.parse(m.model as string);
    edit(c);
    m.model = JSON.stringify(c);
  });
const vocab = (edit: (v: string[]) => void) =>
  meta((m) => {
    const v = JSON.parse(m.vocab as string);
    edit(v);
    m.vocab = JSON.stringify(v);
  });

/** Each damaged file and what its one line must say. */
const BAD: [what: string, make: (good: Buffer) => Buffer, message: RegExp][] = [
  // 1: Adam's moments are checked as the weights are
  ['a NaN in adam_m', (g) => withValue(g, 'adam_m.wte', 3, NaN), /Adam's first moment adam_m\.wte .*not a finite number/],
  ['an infinite adam_v', (g) => withValue(g, 'adam_v.lm_head', 0, Infinity), /Adam's second moment adam_v\.lm_head .*not a finite number/],
  ['a negative adam_v', (g) => withValue(g, 'adam_v.wpe', 5, -1e-3), /Adam's second moment adam_v\.wpe .*negative/],
  // 12: these were internal errors
  ['a vocabulary with a duplicate character', vocab((v) => (v[1] = v[0])), /vocab has the character "a" twice/],
  ['rng set to null', setMeta('rng', 'null'), /corrupt metadata: rng must be a Random state/],
  ['train set to null', setMeta('train', 'null'), /corrupt metadata: train must be an object/],
  [
    'rng with a short state',
    meta((m) => (m.rng = JSON.stringify({ ...JSON.parse(m.rng as string), mt: [1, 2, 3] }))),
    /corrupt metadata: rng must be a Random state/,
  ],
  [
    'rng with a state word out of range',
    meta((m) => {
      const r = JSON.parse(m.rng as string);
      r.mt[7] = -1;
      m.rng = JSON.stringify(r);
    }),
    /corrupt metadata: rng must be a Random state/,
  ],
  // 13: a message that names the problem
  ['a version written as the number 1', setMeta('version', 1), /corrupt metadata: version must be a string .*got the number 1/],
  ['a format written as a number', setMeta('format', 7), /not a microgpt checkpoint/],
  // 14: edits that loaded silently
  ['wte transposed', (g) => withHeader(g, (h) => h.wte.shape.reverse()), /tensor wte has shape \[8,12\]; the model needs \[12,8\]/],
  [
    'a negative shape',
    (g) => withHeader(g, (h) => (h.wte.shape = h.wte.shape.map((n: number) => -n))),
    /tensor wte has shape \[-12,-8\]; the model needs \[12,8\]/,
  ],
  [
    'a shape of strings',
    (g) => withHeader(g, (h) => (h.wte.shape = h.wte.shape.map(String))),
    /tensor wte has shape \["12","8"\]; the model needs \[12,8\]/,
  ],
  [
    'a shape with a third axis',
    (g) => withHeader(g, (h) => h.wte.shape.push(1)),
    /tensor wte has shape \[12,8,1\]; the model needs \[12,8\]/,
  ],
  [
    'overlapping data offsets',
    (g) => withHeader(g, (h) => (h.wpe.data_offsets = [0, 8 * 8 * 8])),
    /tensors wpe and wte overlap in the data/,
  ],
  ['bytes that belong to no tensor', (g) => Buffer.concat([g, Buffer.alloc(16)]), /the last 16 bytes of data belong to no tensor/],
  ['a tensor of another dtype', (g) => withHeader(g, (h) => (h.wte.dtype = 'F16')), /tensor wte has dtype F16; microgpt reads F64 and F32/],
  ['step ""', setMeta('step', ''), /corrupt metadata: step must be a whole number of steps done, got ""/],
  ['step "0x10"', setMeta('step', '0x10'), /corrupt metadata: step must be a whole number of steps done, got "0x10"/],
  ['step "1e1"', setMeta('step', '1e1'), /corrupt metadata: step must be a whole number/],
  ['a step beyond the schedule', setMeta('step', '6'), /corrupt metadata: step 6 is beyond train\.numSteps \(5\)/],
  ['a vocabulary entry of two characters', vocab((v) => (v[2] = 'ab')), /vocab entry 2 must be one character, got "ab"/],
  ['an empty vocabulary entry', vocab((v) => (v[2] = '')), /vocab entry 2 must be one character, got ""/],
  ['a vocabulary entry that is a number', vocab((v) => ((v as unknown[])[2] = 5)), /vocab entry 2 must be one character, got 5/],
  [
    'a model out of the settings range',
    model((c) => (c.nLayer = 100)),
    /corrupt metadata: model: nLayer must be an integer from 1 to 64, got 100/,
  ],
  [
    'a model whose heads do not divide the width',
    model((c) => (c.nHead = 3)),
    /corrupt metadata: model: nHead must divide the embedding width \(8\), got 3/,
  ],
  ['a model given as a string', setMeta('model', '"big"'), /corrupt metadata: model must be an object/],
  [
    'a huge model in a small file',
    model((c) => Object.assign(c, { nLayer: 64, nEmbd: 4096, nHead: 4, blockSize: 4096 })),
    /the model has 1\d,\d{3},\d{3},\d{3} parameters .*the file holds [\d,]+ bytes of tensor data/,
  ],
  [
    'a training setting out of range',
    meta((m) => (m.train = JSON.stringify({ ...JSON.parse(m.train as string), learningRate: -1 }))),
    /corrupt metadata: train: learningRate must be a number greater than 0/,
  ],
  ['a dtype that is neither', setMeta('dtype', 'float16'), /corrupt metadata: dtype must be float64 or float32, got "float16"/],
  [
    'a training setting of the wrong type',
    meta((m) => (m.train = JSON.stringify({ ...JSON.parse(m.train as string), eps: '1e-8' }))),
    /corrupt metadata: train: eps must be a number greater than 0 and at most 1, got "1e-8"/,
  ],
  [
    'a training setting that is null',
    meta((m) => (m.train = JSON.stringify({ ...JSON.parse(m.train as string), beta2: null }))),
    /corrupt metadata: train: beta2 must be a number at least 0 and less than 1, got null/,
  ],
];

for (const [what, make, message] of BAD) {
  test(`loadCheckpoint refuses ${what}`, () => {
    assert.throws(
      () => loadCheckpoint(make(GOOD)),
      (e: Error) => e instanceof CheckpointError && message.test(e.message) && !e.message.includes('\n'),
    );
  });
}

test('through the CLI each bad checkpoint is one line naming the file and the problem, exit 2, and nothing is overwritten', () => {
  const dir = tempDir();
  const data = join(dir, 'data.txt');
  writeFileSync(data, TEXT);
  const out = join(dir, 'out.safetensors');
  writeFileSync(out, GOOD);
  const before = statSync(out).mtimeMs;
  BAD.forEach(([what, make, message], i) => {
    const bad = join(dir, `bad${i}.safetensors`);
    writeFileSync(bad, make(GOOD));
    const named = new RegExp(`checkpoint ${bad.replace(/[.\\]/g, '\\$&')}: .*${message.source}`);
    const read = i % 2 ? ['sample', '--model', bad, '--data', data] : ['eval', '--model', bad, '--data', data];
    for (const args of [['--data', data, '--resume', bad, '--out', out], read]) {
      assert.doesNotThrow(() => expectUsageError(runCli(args), named), `${what}: microgpt ${args.join(' ')}`);
    }
  });
  assert.equal(statSync(out).mtimeMs, before);
  assert.deepEqual(readFileSync(out), GOOD);
});

/** GOOD as a file written before eps, beta2 and valFraction were settings: its train metadata lacks them. */
const OLDER = meta((m) => {
  const { eps, beta2, valFraction, ...rest } = JSON.parse(m.train as string);
  assert.deepEqual([eps, beta2, valFraction], [1e-8, 0.99, 0], 'the run used the defaults');
  m.train = JSON.stringify(rest);
})(GOOD);

test("a checkpoint without some training keys (an older file) loads with the settings table's defaults for them", () => {
  const good = loadCheckpoint(GOOD);
  const older = loadCheckpoint(OLDER);
  assert.equal('eps' in JSON.parse(headerOf(OLDER).header.__metadata__.train), false);
  assert.deepEqual(older.train, good.train);
  assert.deepEqual(older, good);
  assert.deepEqual(loadModelCheckpoint(OLDER).train, good.train);
});

test('through the CLI a checkpoint without some training keys resumes with the same printed losses and names as the unedited one', () => {
  const dir = tempDir();
  const data = join(dir, 'data.txt');
  writeFileSync(data, TEXT);
  const outputs = [GOOD, OLDER].map((bytes, i) => {
    const file = join(dir, `ck${i}.safetensors`);
    writeFileSync(file, bytes);
    const r = runCli(['--data', data, '--resume', file, '--num-samples', '3']);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  });
  assert.match(outputs[0], /step {4}4 \/ {4}5 \| loss \d\.\d{4}\n[^]*step {4}5 \/ {4}5 \| loss/);
  assert.equal(outputs[1], outputs[0]);
});

test('the good file itself loads, and an edit that changes nothing still loads (the tests above fail for their edit alone)', () => {
  const c = loadCheckpoint(withHeader(GOOD, () => {}));
  assert.equal(c.step, 3);
  assert.equal(c.model.vocabSize, 12);
  assert.deepEqual(stateDictShapes(c.model)[0], ['wte', 12, 8]);
});

test('tensor data is 8-byte aligned in the file whatever the vocabulary (the header is padded by UTF-8 bytes)', () => {
  for (const text of ['zoë\nrené\nјана\n', 'a🙂b\nßa\n', 'añb\n']) {
    const bytes = saveCheckpoint(trained(text));
    const { header, dataStart } = headerOf(bytes);
    assert.equal(dataStart % 8, 0, `data starts at byte ${dataStart} for ${JSON.stringify(text)}`);
    for (const [name, entry] of Object.entries(header)) {
      if (name !== '__metadata__') assert.equal((dataStart + entry.data_offsets[0]) % 8, 0, name);
    }
    const back = loadCheckpoint(bytes);
    assert.deepEqual(back.vocab, trained(text).vocab);
  }
});

/** What a PyTorch export holds: format, version, model and vocab metadata, and the weights (float32 here). */
function weightsOnlyFile(): { bytes: Buffer; ckpt: Checkpoint } {
  const ckpt = trained();
  let k = 0;
  const tensors = stateDictShapes(ckpt.model).map(([name, rows, cols]): [string, number[], Float32Array] => {
    const values = Float32Array.from(ckpt.weights.subarray(k, k + rows * cols));
    k += rows * cols;
    return [name, [rows, cols], values];
  });
  const bytes = safetensors(
    { format: 'microgpt', version: '1', model: JSON.stringify(ckpt.model), vocab: JSON.stringify(ckpt.vocab) },
    tensors,
  );
  return { bytes, ckpt };
}

test('a weights-only checkpoint (as exported from PyTorch) samples and evaluates through the library; training from it says what it lacks', () => {
  const { bytes, ckpt } = weightsOnlyFile();
  assert.throws(
    () => loadCheckpoint(bytes),
    /holds no training state: no train, step or rng metadata \(a weights-only checkpoint\); sampling and evaluating read it, training from it needs them/,
  );
  assert.throws(
    () => loadCheckpoint(withHeader(GOOD, (h) => delete h.__metadata__.train)),
    /holds no training state: no train metadata; sampling and evaluating read it, training from it needs it/,
  );
  const model = loadModelCheckpoint(bytes);
  assert.equal(model.dtype, 'float32', 'the dtype of its tensors');
  assert.equal(model.train, undefined);
  assert.deepEqual(model.weights, Float64Array.from(Float32Array.from(ckpt.weights)));
  const gpt = GPT.fromCheckpoint(model);
  assert.equal(gpt.sample({ numSamples: 4 }).length, 4);
  assert.ok(Number.isFinite(gpt.evaluate(['anna', 'bob']).loss));
  assert.throws(
    () => startRun({ text: TEXT, resume: model as Checkpoint }),
    /options\.resume: holds no training state: no train, step or rng/,
  );
  // under Node, from a file
  const file = join(tempDir(), 'exported.safetensors');
  writeFileSync(file, bytes);
  assert.deepEqual(readModelCheckpointFile(file).weights, model.weights);
  // a file with everything loads through loadModelCheckpoint as well
  assert.equal(loadModelCheckpoint(GOOD).step, 3);
});

test('through the CLI a weights-only checkpoint samples and evaluates; --resume says what it lacks', () => {
  const dir = tempDir();
  const data = join(dir, 'data.txt');
  writeFileSync(data, TEXT);
  const file = join(dir, 'exported.safetensors');
  writeFileSync(file, weightsOnlyFile().bytes);
  const s = runCli(['sample', '--model', file, '--num-samples', '5', '--data', data]);
  assert.equal(s.status, 0, s.stderr);
  assert.equal(s.stdout.trimEnd().split('\n').length, 6, 'five names and the summary line');
  const e = runCli(['eval', '--model', file, '--data', data]);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /loss: \d\.\d{4} nats per token/);
  expectUsageError(
    runCli(['--data', data, '--resume', file]),
    /checkpoint .*exported\.safetensors: holds no training state: no train, step or rng metadata .*training from it needs them/,
  );
});
