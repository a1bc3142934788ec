// resolveTrainConfig: the one check of a run's settings, for each face; what it returns is frozen and complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTrainConfig } from '../../src/core/run-config.ts';
import { ConfigError, DEFAULT_MODEL, DEFAULT_TRAIN, startRun, type Checkpoint } from '../../src/index.ts';

const library = { face: 'library', where: 'startRun(options)' } as const;
const cli = { face: 'cli' } as const;
const TEXT = 'anna\nbob\ncarl\ndora\nemil\n';

let saved: Checkpoint | undefined;
function ckpt(): Checkpoint {
  if (!saved) {
    const run = startRun({ text: TEXT, model: { nEmbd: 8, nHead: 2 }, train: { numSteps: 6, learningRate: 0.02 }, valFraction: 0.2 });
    for (let i = 0; i < 2; i++) run.takeStep();
    saved = run.checkpoint();
  }
  return saved;
}

/** The message as the CLI shows a ConfigError (the setting named by its flag). */
const asFlag = (e: unknown) => (e instanceof ConfigError ? e.describe((s) => `--${s.flag}`) : String(e));

test('nothing given: the defaults, frozen all the way down', () => {
  const c = resolveTrainConfig({}, library);
  assert.deepEqual(c, { model: DEFAULT_MODEL, train: DEFAULT_TRAIN, valFraction: 0, evalEvery: 0, documents: 'lines' });
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.model) && Object.isFrozen(c.train));
  assert.throws(() => ((c.train as { learningRate: number }).learningRate = 1), TypeError);
});

test('a setting out of range, a shape that does not fit, a validation without held-out documents: one ConfigError each, as before', () => {
  const refused = (input: Parameters<typeof resolveTrainConfig>[0], message: string) =>
    assert.throws(
      () => resolveTrainConfig(input, cli),
      (e) => e instanceof ConfigError && asFlag(e) === message,
    );
  refused({ train: { learningRate: 0 } }, '--learning-rate must be a number greater than 0 and at most 10, got 0');
  refused({ model: { nLayer: 100 } }, '--n-layer must be an integer from 1 to 64, got 100');
  refused({ model: { nHead: 3 } }, '--n-head must divide the embedding width (16), got 3');
  refused({ evalEvery: 5 }, '--eval-every needs held-out documents: a validation share above 0');
  assert.throws(
    () => resolveTrainConfig({ train: { learningRate: undefined } }, library),
    (e) => e instanceof ConfigError && e.message === 'learningRate must be a number greater than 0 and at most 10, got undefined',
    'a key given as undefined is refused, as before',
  );
});

test('resuming: the checkpoint fills what is not given; the CLI refuses a flag that disagrees (but --num-steps), the library only a model that does', () => {
  const c = ckpt();
  const resumed = resolveTrainConfig({ resume: c }, cli);
  assert.deepEqual(resumed.train, { ...DEFAULT_TRAIN, numSteps: 6, learningRate: 0.02 });
  assert.equal(resumed.valFraction, 0.2);
  assert.equal(resumed.model.nEmbd, 8);
  assert.equal(resolveTrainConfig({ resume: c, train: { numSteps: 10 } }, cli).train.numSteps, 10);
  assert.throws(
    () => resolveTrainConfig({ resume: c, train: { seed: 7 } }, cli),
    (e) => asFlag(e) === '--seed 7 disagrees with the checkpoint (42)',
  );
  assert.throws(
    () => resolveTrainConfig({ resume: c, valFraction: 0.5 }, cli),
    (e) => asFlag(e) === '--val-fraction 0.5 disagrees with the checkpoint (0.2)',
  );
  assert.equal(resolveTrainConfig({ resume: c, train: { seed: 7 } }, library).train.seed, 7);
  assert.throws(
    () => resolveTrainConfig({ resume: c, model: { nEmbd: 16 } }, library),
    (e) => e instanceof ConfigError && e.message === "nEmbd must be the checkpoint's 8 when resuming, got 16",
  );
  assert.throws(
    () => resolveTrainConfig({ resume: c, train: { numSteps: 1 } }, library),
    (e) => e instanceof ConfigError && e.message === "numSteps must be at least the checkpoint's 2 steps done, got 1",
  );
  assert.throws(
    () => resolveTrainConfig({ resume: { ...c, step: undefined } as unknown as Checkpoint }, library),
    (e) => e instanceof TypeError && /^startRun\(options\): options\.resume: holds no training state: no step field/.test(e.message),
  );
});

test("the run's learning rate is the trainer's own: setLearningRate changes it, the resolved configuration stays as it was", () => {
  const config = resolveTrainConfig({ train: { numSteps: 4 } }, library);
  const run = startRun({ text: TEXT, train: { numSteps: 4 } });
  run.takeStep();
  run.setLearningRate(0.05);
  assert.equal(run.train.learningRate, 0.05);
  assert.equal(run.takeStep().lr, 0.05 * (1 - 1 / 4));
  assert.equal(config.train.learningRate, DEFAULT_TRAIN.learningRate);
  const snapshot = run.train;
  (snapshot as { learningRate: number }).learningRate = 1;
  assert.equal(run.train.learningRate, 0.05, 'run.train is a copy: writing to it changes nothing');
});
