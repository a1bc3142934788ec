// Issue 17: float64 is the default everywhere, on the fastest engine for the dtype asked for; a resume keeps the
// checkpoint's dtype (and its engine, when it names one); the page's engine field asks the same of chooseEngine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEngine, fastestEngine, float32Gain, pageChoice } from '../../src/core/engine-choice.ts';
import { startRun } from '../../src/core/run.ts';
import { simdSupported } from '../../src/engines/wasm/kernels.ts';

const text = 'emma\nolivia\nava\nisabella\nsophia\nmia\n';
const model = { nLayer: 2, nEmbd: 32, nHead: 4, blockSize: 8 };

test('chooseEngine: float64 on the fastest engine unless asked; a checkpoint keeps its dtype and named engine', () => {
  assert.equal(fastestEngine(), simdSupported() ? 'wasm' : 'fast');
  const fastest = fastestEngine();
  assert.deepEqual(chooseEngine({}), { engine: fastest, dtype: 'float64' });
  assert.deepEqual(chooseEngine({ dtype: 'float32' }), { engine: fastest, dtype: 'float32' });
  assert.deepEqual(chooseEngine({ engine: 'wasm' }), { engine: 'wasm', dtype: 'float64' });
  assert.deepEqual(chooseEngine({ engine: 'fast' }), { engine: 'fast', dtype: 'float64' });
  assert.deepEqual(chooseEngine({ engine: 'scalar' }, { engine: 'wasm', dtype: 'float32' }), { engine: 'scalar', dtype: 'float64' });
  // resumed: the checkpoint's dtype, whichever engine wrote it; its engine when it names one (PyTorch names none)
  assert.deepEqual(chooseEngine({}, { engine: 'wasm', dtype: 'float32' }), { engine: 'wasm', dtype: 'float32' });
  assert.deepEqual(chooseEngine({}, { engine: 'fast', dtype: 'float32' }), { engine: 'fast', dtype: 'float32' });
  assert.deepEqual(chooseEngine({}, { engine: 'fast', dtype: 'float64' }), { engine: 'fast', dtype: 'float64' });
  assert.deepEqual(chooseEngine({}, { dtype: 'float64' }), { engine: fastest, dtype: 'float64' });
  assert.deepEqual(chooseEngine({ engine: 'wasm' }, { engine: 'fast', dtype: 'float64' }), { engine: 'wasm', dtype: 'float64' });
  assert.deepEqual(chooseEngine({ dtype: 'float32' }, { dtype: 'float64' }), { engine: fastest, dtype: 'float32' });
});

test("the page's engine field: auto asks nothing, float32 asks the dtype, an engine's name asks that engine", () => {
  assert.deepEqual(pageChoice('auto'), {});
  assert.deepEqual(pageChoice('float32'), { dtype: 'float32' });
  for (const e of ['fast', 'wasm', 'scalar'] as const) assert.deepEqual(pageChoice(e), { engine: e });
});

test('float32Gain: none at batch 1 and 2 or on small work; about 2x from batch 4 and n-layer * n-embd^2 * batch >= 2048', () => {
  assert.equal(float32Gain({ nLayer: 1, nEmbd: 16 }, 1), undefined);
  assert.equal(float32Gain({ nLayer: 4, nEmbd: 128 }, 2), undefined);
  assert.equal(float32Gain({ nLayer: 1, nEmbd: 16 }, 4), undefined);
  assert.equal(float32Gain({ nLayer: 1, nEmbd: 16 }, 8), 2);
  assert.equal(float32Gain({ nLayer: 2, nEmbd: 32 }, 8), 2);
});

test('startRun: float64 by default at any size, float32 when asked; a resume keeps the dtype', { skip: !simdSupported() }, () => {
  const byDefault = startRun({ text, model, train: { numSteps: 4, batchSize: 8 } });
  assert.equal(byDefault.gpt.engine.name, 'wasm');
  assert.equal(byDefault.gpt.engine.dtype, 'float64');
  const fast = startRun({ text, model, train: { numSteps: 4, batchSize: 8 }, engine: 'fast' });
  byDefault.takeStep();
  assert.equal(byDefault.takeStep().loss, (fast.takeStep(), fast.takeStep().loss), "one thread: the fast engine's loss bit for bit");
  const f32 = startRun({ text, model, train: { numSteps: 4, batchSize: 8 }, dtype: 'float32' });
  assert.equal(f32.gpt.engine.name, 'wasm');
  assert.equal(f32.gpt.engine.dtype, 'float32');
  f32.takeStep();
  const resumed = startRun({ text, resume: f32.checkpoint() });
  assert.deepEqual([resumed.gpt.engine.name, resumed.gpt.engine.dtype], ['wasm', 'float32']);
  const { engine: _, ...noEngine } = fast.checkpoint(); // as PyTorch writes it: float64, no engine named
  const fromTorch = startRun({ text, resume: noEngine });
  assert.deepEqual([fromTorch.gpt.engine.name, fromTorch.gpt.engine.dtype], ['wasm', 'float64']);
});
