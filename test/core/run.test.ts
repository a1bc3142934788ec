// startRun(): a run one step at a time, the traced step, and divergence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DivergedError, startRun, train, type StepEvent, type StepTrace, type TrainRun } from '../../src/index.ts';
import { NAMES, noNames } from '../helpers/cli.ts';

const names = () => readFileSync(NAMES, 'utf8');
const tiny = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper'].join('\n');

/** Losses (and validation losses) that train() reports, untraced. */
async function trainedEvents(options: Parameters<typeof train>[0]): Promise<StepEvent[]> {
  const events: StepEvent[] = [];
  await train({ ...options, onStep: (e) => events.push(e) });
  return events;
}

const strip = ({ ms: _ms, ...e }: StepEvent) => e;

test("two traced steps give the CLI's first two losses, bit for bit, and show their batch", { skip: noNames }, async () => {
  const text = names();
  const [e1, e2] = await trainedEvents({ text, until: 2 });
  const run = startRun({ text });
  const t1 = run.traceStep();
  const t2 = run.traceStep({ name: t1.param.name, row: t1.param.row, col: t1.param.col });
  assert.equal(t1.loss, e1.loss);
  assert.equal(t2.loss, e2.loss);
  assert.equal(t1.line, 'step    1 / 1000 | loss 3.3660');
  assert.equal(t2.line, 'step    2 / 1000 | loss 3.4243');
  assert.deepEqual([t1.step, t1.numSteps, t2.step], [1, 1000, 2]);
  assert.equal(t1.docs[0].text, run.dataset.docs[0]);
  assert.equal(t2.docs[0].text, run.dataset.docs[1]);
  for (const t of [t1, t2]) {
    const doc = t.docs[0];
    assert.deepEqual(doc.tokens, run.gpt.tokenizer.encodeDoc(doc.text));
    assert.equal(t.positions.length, doc.text.length + 1);
    assert.equal(t.n, t.positions.length);
    assert.deepEqual(
      t.positions.map((p) => [p.input, p.target]),
      doc.tokens.slice(0, -1).map((id, i) => [id, doc.tokens[i + 1]]),
    );
    const mean = t.positions.reduce((a, p) => a + p.loss, 0) / t.n;
    assert.ok(Math.abs(mean - t.loss) <= 1e-12, `mean of positions ${mean} vs ${t.loss}`);
    for (const p of t.positions) assert.equal(p.loss, -Math.log(p.pTarget));
    assert.deepEqual(
      t.gradNorms.map((g) => g.name),
      ['wte', 'wpe', 'lm_head', 'layer0.attn_wq', 'layer0.attn_wk', 'layer0.attn_wv', 'layer0.attn_wo', 'layer0.mlp_fc1', 'layer0.mlp_fc2'],
    );
    const total = Math.sqrt(t.gradNorms.reduce((a, g) => a + g.norm ** 2, 0));
    assert.ok(total > 0 && Number.isFinite(total));
    assert.equal(t.lr, 0.01 * (1 - (t.step - 1) / 1000));
    assert.deepEqual([t.beta1, t.beta2, t.eps], [0.85, 0.99, 1e-8]);
    assert.deepEqual(strip(t.event), { step: t.step, numSteps: 1000, loss: t.loss, lr: t.lr, tokens: t.n });
  }
  // the default weight: wte, the first document's first character, column 0
  assert.deepEqual([t1.param.name, t1.param.row, t1.param.col], ['wte', t1.docs[0].tokens[1], 0]);
  assert.equal(t1.param.index, t1.param.row * 16);
  assert.equal(t2.param.after, run.gpt.engine.weights()[t2.param.index]);
  assert.equal(t2.param.before, t1.param.after);
  // Adam's arithmetic, from the moments the trace shows
  let [mPrev, vPrev] = [0, 0];
  for (const { step, lr, beta1, beta2, eps, param: p } of [t1, t2]) {
    const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-15, `step ${step} ${what}: ${a} vs ${b}`);
    close(p.m, beta1 * mPrev + (1 - beta1) * p.grad, 'm');
    close(p.v, beta2 * vPrev + (1 - beta2) * p.grad ** 2, 'v');
    close(p.mHat, p.m / (1 - beta1 ** step), 'mHat');
    close(p.vHat, p.v / (1 - beta2 ** step), 'vHat');
    close(p.update, (lr * p.mHat) / (Math.sqrt(p.vHat) + eps), 'update');
    assert.equal(p.update, p.before - p.after);
    [mPrev, vPrev] = [p.m, p.v];
  }
});

test('a run mixing takeStep() and traceStep() reports what train() reports, validation included', { skip: noNames }, async () => {
  const text = names();
  const options = { text, train: { numSteps: 30, batchSize: 2 }, valFraction: 0.01, evalEvery: 7 };
  const expected = await trainedEvents(options);
  const run = startRun(options);
  const events: StepEvent[] = [];
  while (!run.done) events.push(run.step % 3 === 1 ? run.traceStep().event : run.takeStep());
  assert.deepEqual(events.map(strip), expected.map(strip));
  assert.equal(events.filter((e) => e.valLoss !== undefined).length, 5); // steps 7, 14, 21, 28, 30
  assert.throws(() => run.takeStep(), RangeError);
});

test('the scalar engine traces the same steps as the fast engine', { skip: noNames }, () => {
  const text = names();
  const fast = startRun({ text, engine: 'fast', train: { numSteps: 10, batchSize: 2 } });
  const scalar = startRun({ text, engine: 'scalar', train: { numSteps: 10, batchSize: 2 } });
  const close = (a: number, b: number, what: string, tol = 1e-12) =>
    assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  for (let i = 0; i < 3; i++) {
    const [f, s] = [fast.traceStep(), scalar.traceStep()];
    close(f.loss, s.loss, `step ${f.step} loss`);
    assert.equal(f.line, s.line);
    assert.deepEqual(f.docs, s.docs);
    f.positions.forEach((p, j) => close(p.loss, s.positions[j].loss, `position ${j}`));
    f.gradNorms.forEach((g, j) => close(g.norm, s.gradNorms[j].norm, g.name, 1e-10));
    for (const key of ['before', 'grad', 'm', 'v', 'after'] as const) close(f.param[key], s.param[key], key, 1e-10);
  }
});

test('a diverging run throws DivergedError at the step, before the bad update', { skip: noNames }, async () => {
  const text = names();
  const options = { text, train: { numSteps: 200, learningRate: 5 } };
  const run = startRun(options);
  let error: unknown;
  try {
    while (!run.done) run.takeStep();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof DivergedError, String(error));
  assert.equal(error.step, run.step + 1);
  assert.ok(!Number.isFinite(error.loss) || !Number.isFinite(error.gradNorm!));
  const ckpt = run.checkpoint();
  assert.ok(ckpt.weights.every(Number.isFinite) && ckpt.adam!.m.every(Number.isFinite) && ckpt.adam!.v.every(Number.isFinite));
  // the weights are those of the last good step
  const good = startRun(options);
  for (let i = 0; i < run.step; i++) good.takeStep();
  assert.deepEqual(ckpt.weights, good.checkpoint().weights);
  assert.throws(() => run.traceStep(), DivergedError, 'a traced step diverges the same way');
  assert.deepEqual(run.checkpoint().weights, ckpt.weights);
  await assert.rejects(train(options), (e) => e instanceof DivergedError && e.step === error.step);
});

test('setLearningRate() changes the base from the next step on, and checkpoints record it', () => {
  const run: TrainRun = startRun({ text: tiny, train: { numSteps: 20 } });
  for (let i = 0; i < 5; i++) run.takeStep();
  run.setLearningRate(0.02);
  const e = run.takeStep();
  assert.equal(e.lr, 0.02 * (1 - 5 / 20));
  const ckpt = run.checkpoint();
  assert.equal(ckpt.train.learningRate, 0.02);
  const resumed = startRun({ text: tiny, resume: ckpt });
  const [a, b] = [run.takeStep(), resumed.takeStep()];
  assert.deepEqual(strip(a), strip(b));
  assert.throws(() => run.setLearningRate(0), /learningRate/);
  assert.equal(ckpt.train.learningRate, 0.02, 'a checkpoint taken earlier does not change');
});

test('traceStep() follows the weight asked for and refuses one the model lacks', () => {
  const run = startRun({ text: tiny, train: { numSteps: 5 } });
  const t: StepTrace = run.traceStep({ name: 'layer0.mlp_fc2', row: 3, col: 40 });
  assert.equal(t.param.index, run.gpt.numParams - 16 * 64 + 3 * 64 + 40);
  assert.equal(t.param.after, run.gpt.engine.weights()[t.param.index]);
  assert.throws(() => run.traceStep({ name: 'layer1.attn_wq', row: 0, col: 0 }), RangeError);
  assert.throws(() => run.traceStep({ name: 'wte', row: 0, col: 16 }), RangeError);
  assert.equal(run.step, 1, 'a refused trace takes no step');
});
