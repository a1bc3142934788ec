// train()'s callbacks: an async onStep is awaited (and its rejection stops the run); wasm helpers closed mid-run stop it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { train, type StepEvent } from '../../src/index.ts';

const text = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper'].join('\n');
const small = { nLayer: 1, nEmbd: 8, nHead: 2, blockSize: 8 };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('an async onStep is awaited before the next step', async () => {
  const order: string[] = [];
  let finished = 0;
  const result = await train({
    text,
    model: small,
    train: { numSteps: 20 },
    onStep: async (e) => {
      order.push(`start ${e.step}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`end ${e.step}`);
      finished++;
    },
  });
  assert.equal(result.step, 20);
  assert.equal(finished, 20);
  assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => [`start ${i + 1}`, `end ${i + 1}`]).flat());
});

test('a rejected onStep stops the run and train() rejects with its error', async () => {
  const steps: number[] = [];
  const boom = new Error('boom at 3');
  await assert.rejects(
    train({
      text,
      model: small,
      train: { numSteps: 20 },
      onStep: async (e) => {
        steps.push(e.step);
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (e.step === 3) throw boom;
      },
    }),
    (e) => e === boom,
  );
  assert.deepEqual(steps, [1, 2, 3]);
});

test('a sync onStep is not awaited: its steps run without a turn of the event loop', async () => {
  const seen: number[] = [];
  // one returns undefined, one a number (push's): neither is a promise, so nothing is awaited between steps
  const callbacks = [(e: StepEvent) => void seen.push(e.step), (e: StepEvent) => seen.push(e.step) as unknown as void];
  for (const onStep of callbacks) {
    seen.length = 0;
    const run = train({ text, model: small, train: { numSteps: 30 }, yieldEveryMs: 1e9, onStep });
    assert.equal(seen.length, 30); // every step taken before train() returned its promise
    await run;
  }
});

test('closing the wasm helper threads mid-run stops it with an error, never hangs', () => {
  const script = `
    import { train, spawnHelpers } from './src/node.ts';
    const helpers = await spawnHelpers(1);
    const text = ${JSON.stringify(text)};
    try {
      await train({
        text,
        model: ${JSON.stringify(small)},
        train: { numSteps: 200, batchSize: 4 },
        engine: 'wasm',
        helpers,
        onStep: (e) => { if (e.step === 5) helpers.close(); },
      });
      console.log('resolved');
    } catch (e) {
      console.log('rejected: ' + (e instanceof Error) + ': ' + e.message);
    }
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.notEqual(r.signal, 'SIGTERM', `the run hung (killed after 30 s); stderr: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^rejected: true: .*helper threads were closed/m);
});
