// The library misused: every wrong argument is refused at the door with an Error that names the argument and says
// what it must be (not a TypeError from deep inside, not NaN, not a loop that never ends, not an option ignored).
// Numbers are checked by the settings table, the same check the CLI's flags get.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  createEngine,
  GPT,
  loadCheckpoint,
  numParams,
  Random,
  sample,
  saveCheckpoint,
  startRun,
  Tokenizer,
  train,
  type ModelConfig,
} from '../../src/index.ts';

const text = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper'].join('\n');
const small = { nLayer: 1, nEmbd: 8, nHead: 2, blockSize: 8 };
const gpt = GPT.init(Tokenizer.fromDocs(text.split('\n')), small, new Random(1));
const ckpt = startRun({ text, model: small, train: { numSteps: 3 } }).checkpoint();

/** The thrown error is one line that matches message (and is not from inside: no 'undefined', no 'reading'). */
function refused(message: RegExp, type: new (...args: any[]) => Error = Error) {
  return (e: unknown) => {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, /Cannot read|is not a function|is not iterable|reading '/);
    return true;
  };
}
const throwsWith = (f: () => unknown, message: RegExp, type?: new (...args: any[]) => Error) => assert.throws(f, refused(message, type));
const rejectsWith = (p: () => Promise<unknown>, message: RegExp, type?: new (...args: any[]) => Error) =>
  assert.rejects(p, refused(message, type));
const any = (v: unknown) => v as any;

test('train() and startRun() refuse options that are not options', async () => {
  await rejectsWith(
    () => train(any(undefined)),
    /train\(options\): options must be an object with the training text, got nothing/,
    TypeError,
  );
  await rejectsWith(() => train(any({})), /options\.text must be a string \(the training text\), got nothing/, TypeError);
  await rejectsWith(() => train(any({ text: 123 })), /options\.text must be a string \(the training text\), got 123/, TypeError);
  throwsWith(() => startRun(any(null)), /startRun\(options\): options must be an object with the training text, got null/, TypeError);
  await rejectsWith(
    () => train(any({ text, resume: {} })),
    /options\.resume must be a checkpoint \(from loadCheckpoint or run\.checkpoint\(\)\), got an object without model, vocab, dtype, weights/,
    TypeError,
  );
  await rejectsWith(
    () => train(any({ text, resume: 'ck.safetensors' })),
    /options\.resume must be a checkpoint .*got "ck\.safetensors"/,
    TypeError,
  );
  await rejectsWith(() => train(any({ text, model: 'big' })), /options\.model must be an object of model settings, got "big"/, TypeError);
  await rejectsWith(
    () => train(any({ text, train: { numStepz: 5 } })),
    /options\.train has no setting numStepz \(its settings: numSteps, learningRate, beta1, beta2, eps, batchSize, seed, valFraction, documents\)/,
    TypeError,
  );
  await rejectsWith(
    () => train(any({ text, numSteps: 5 })),
    /options\.numSteps is not an option of train\(\); the training settings go in options\.train/,
    TypeError,
  );
  await rejectsWith(() => train(any({ text, onStep: 'log' })), /options\.onStep must be a function, got "log"/, TypeError);
});

test('train() refuses values that would run wrong: until, evalEvery, dtype, engine, signal, yieldEveryMs, checkpointEvery', async () => {
  const run = (extra: object) => train(any({ text, model: small, train: { numSteps: 5 }, ...extra }));
  for (const until of [0, -3, NaN, 2.5, 6])
    await rejectsWith(() => run({ until }), new RegExp(`until must be an integer from 1 to numSteps \\(5\\), got ${until}`), ConfigError);
  await rejectsWith(
    () => run({ evalEvery: -1, valFraction: 0.2 }),
    /evalEvery must be an integer from 0 to 1000000000, got -1/,
    ConfigError,
  );
  await rejectsWith(() => run({ dtype: 'float16' }), /dtype must be float64 or float32, got "float16"/);
  await rejectsWith(() => run({ engine: 'gpu' }), /engine must be fast, scalar or wasm, got "gpu"/);
  await rejectsWith(() => run({ signal: {} }), /options\.signal must be an AbortSignal, got an object/, TypeError);
  for (const yieldEveryMs of [NaN, -1, Infinity])
    await rejectsWith(() => run({ yieldEveryMs }), /options\.yieldEveryMs must be a number of milliseconds from 0 up, got/, TypeError);
  for (const checkpointEvery of [0, -2, 1.5])
    await rejectsWith(
      () => run({ checkpointEvery, onCheckpoint: () => {} }),
      /options\.checkpointEvery must be a whole number of steps from 1 up/,
      TypeError,
    );
  await rejectsWith(() => run({ checkpointEvery: 2 }), /options\.checkpointEvery needs options\.onCheckpoint/, TypeError);
  // a good run still runs, so each refusal above is for its value alone
  assert.equal((await run({ until: 5, yieldEveryMs: 0, checkpointEvery: 2, onCheckpoint: () => {} })).step, 5);
});

test('resuming with model settings that differ from the checkpoint is refused, not ignored', async () => {
  await rejectsWith(
    () => train({ text, resume: ckpt, model: { nEmbd: 16 } }),
    /nEmbd must be the checkpoint's 8 when resuming, got 16/,
    ConfigError,
  );
  await rejectsWith(
    () => train({ text, resume: ckpt, model: { blockSize: 4 } }),
    /blockSize must be the checkpoint's 8 when resuming, got 4/,
    ConfigError,
  );
  await rejectsWith(
    () => train({ text, model: { ...small, vocabSize: 5 } as object }),
    /options\.model\.vocabSize 5 differs from the data's 13/,
    ConfigError,
  );
  await rejectsWith(
    () => train({ text, valFraction: 0.1, train: { valFraction: 0.2 } as object }),
    /options\.valFraction \(0\.1\) and options\.train\.valFraction \(0\.2\) differ/,
    ConfigError,
  );
  const same = await train({ text, resume: ckpt, model: { ...small, vocabSize: 13 } as object });
  assert.equal(same.step, 3);
  assert.equal(same.stopped, 'done');
});

test('checkpoint functions refuse what is not a checkpoint or its bytes', () => {
  throwsWith(
    () => loadCheckpoint(any(null)),
    /loadCheckpoint\(bytes\): bytes must be a Uint8Array \(a Node Buffer is one\), got null/,
    TypeError,
  );
  throwsWith(() => loadCheckpoint(any('model.safetensors')), /bytes must be a Uint8Array .*got "model\.safetensors"/, TypeError);
  throwsWith(
    () => loadCheckpoint(any(saveCheckpoint(ckpt).buffer)),
    /bytes must be a Uint8Array .*got an ArrayBuffer; pass new Uint8Array\(buffer\)/,
    TypeError,
  );
  throwsWith(() => saveCheckpoint(any({})), /saveCheckpoint\(checkpoint\) must be a checkpoint .*got an object without model/, TypeError);
  throwsWith(() => saveCheckpoint(any(undefined)), /saveCheckpoint\(checkpoint\) must be a checkpoint .*got nothing/, TypeError);
  throwsWith(
    () => GPT.fromCheckpoint(any({})),
    /GPT\.fromCheckpoint\(checkpoint\) must be a checkpoint .*got an object without model/,
    TypeError,
  );
  throwsWith(
    () => GPT.fromCheckpoint({ ...ckpt, vocab: ['e', 'e', ...ckpt.vocab.slice(2)] }),
    /GPT\.fromCheckpoint\(checkpoint\): vocab has the character "e" twice/,
    TypeError,
  );
  throwsWith(
    () => GPT.fromCheckpoint({ ...ckpt, weights: ckpt.weights.subarray(1) }),
    /weights must be a Float64Array of the model's \d+ parameters, got \d+ numbers/,
    TypeError,
  );
  throwsWith(() => GPT.fromCheckpoint(ckpt, any({ dtype: 'float16' })), /dtype must be float64 or float32, got "float16"/);
  assert.equal(loadCheckpoint(saveCheckpoint(ckpt)).step, 0);
});

test('sample() refuses what is not a model or a request, and values out of the settings range', () => {
  throwsWith(
    () => sample(any(null)),
    /sample\(gpt, request\): gpt must be a GPT \(from GPT\.init, GPT\.fromCheckpoint or train\(\)\.gpt\), got null/,
    TypeError,
  );
  throwsWith(() => sample(any({ prompt: null })), /gpt must be a GPT .*got an object/, TypeError);
  throwsWith(() => gpt.sample(any({ prompt: null })), /prompt must be a string, got null/, TypeError);
  throwsWith(() => gpt.sample(any({ prompt: 123 })), /prompt must be a string, got 123/, TypeError);
  throwsWith(() => gpt.sample(any('ma')), /request must be an object of sampling settings, got "ma"/, TypeError);
  throwsWith(() => gpt.sample(any({ rng: Math.random })), /request\.rng must be a Random, got a function/, TypeError);
  for (const temperature of [-1, Infinity, 0, NaN])
    throwsWith(() => gpt.sample({ temperature }), /temperature must be a number from 0\.001 to 100/, ConfigError);
  for (const topK of [-5, NaN, 1.5]) throwsWith(() => gpt.sample({ topK }), /topK must be an integer from 0 to 1000000/, ConfigError);
  for (const numSamples of [-1, NaN, 2.5, Infinity])
    throwsWith(() => gpt.sample({ numSamples }), /numSamples must be an integer from 0 to 1000000/, ConfigError);
  for (const maxLength of [0, 1.5, 9]) throwsWith(() => gpt.sample({ maxLength }), /maxLength must be/, ConfigError);
  assert.equal(sample(gpt, { numSamples: 2, temperature: 1, topK: 3, maxLength: 8, prompt: 'e' }).length, 2);
});

test('evaluate, nextTokenProbabilities and inspect refuse what they cannot answer', () => {
  throwsWith(() => gpt.evaluate(any('anna')), /evaluate\(docs\): docs must be an array of strings \(documents\), got "anna"/, TypeError);
  throwsWith(() => gpt.evaluate([]), /evaluate\(docs\): docs must hold at least one document/, RangeError);
  throwsWith(() => gpt.evaluate(['emma', any(7)]), /evaluate\(docs\): docs\[1\] must be a string, got 7/, TypeError);
  throwsWith(
    () => gpt.evaluate(['emma', 'zed']),
    /evaluate\(docs\): docs\[1\] \("zed"\): character "z" is not in the vocabulary/,
    RangeError,
  );
  for (const t of [0, -1, NaN])
    throwsWith(() => gpt.nextTokenProbabilities('a', t), /temperature must be a number from 0\.001 to 100/, ConfigError);
  throwsWith(() => gpt.nextTokenProbabilities('a', 1, -2), /topK must be an integer/, ConfigError);
  throwsWith(() => gpt.nextTokenProbabilities(any(5)), /nextTokenProbabilities\(text\): text must be a string, got 5/, TypeError);
  throwsWith(() => gpt.inspect(any(null)), /inspect\(text\): text must be a string, got null/, TypeError);
  const r = gpt.evaluate(['emma']);
  assert.ok(Number.isFinite(r.loss) && r.tokens === 5);
});

test('createEngine refuses weights that do not fit the model, and names it cannot build', () => {
  const config: ModelConfig = { vocabSize: 27, nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };
  assert.equal(numParams(config), 4192);
  for (const name of ['fast', 'scalar'] as const)
    throwsWith(
      () => createEngine(name, config, [1, 2, 3]),
      /createEngine: weights must hold the model's 4192 parameters, got 3/,
      RangeError,
    );
  throwsWith(
    () => createEngine(any('gpu'), config, new Float64Array(4192)),
    /createEngine: engine must be fast, scalar or wasm, got "gpu"/,
    RangeError,
  );
  throwsWith(
    () => createEngine('fast', config, new Float64Array(4192), any({ dtype: 'float16' })),
    /createEngine: dtype must be float64 or float32, got "float16"/,
    RangeError,
  );
  throwsWith(
    () => createEngine('fast', { ...config, nHead: 0 }, new Float64Array(4192)),
    /createEngine: config\.nHead must be a positive integer/,
    RangeError,
  );
  throwsWith(() => createEngine('fast', any(null), []), /createEngine: config must be a model configuration/, TypeError);
  throwsWith(
    () => createEngine('fast', config, new Float64Array(4192).fill(NaN)),
    /createEngine: weights\[0\] is NaN; weights must be finite numbers/,
    RangeError,
  );
  assert.equal(createEngine('fast', config, new Float64Array(4192), { dtype: 'float32' }).dtype, 'float32');
});
