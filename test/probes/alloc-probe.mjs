// Trains an engine and reports the heap bytes allocated per step, measured in short windows.
// argv: names, batch, engine = fast, threads = 1, leak = 0 (a Float64Array of this length made on purpose
// each step, to show that the measurement sees the smallest array a kernel could make), dtype (the engine's
// default when absent).
// Run with a young generation large enough that a window never fills it (--min/max-semi-space-size=64) and
// --expose-gc: the young generation is emptied before each window, and a window during which any collection
// ran anyway (seen by a 'gc' PerformanceObserver) is dropped, since a collection hides what it freed.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const WARM_STEPS = 3000; // until V8 has compiled the step's functions (measured: the per-step bytes settle by ~1500)
const WINDOW_STEPS = 1000;
const WINDOWS = 5;

const dist = new URL('../../dist/', import.meta.url);
const { Random } = await import(new URL('core/random.js', dist));
const { prepareDataset } = await import(new URL('core/dataset.js', dist));
const { initialWeights, DEFAULT_TRAIN } = await import(new URL('core/config.js', dist));
const { createEngine } = await import(new URL('engines/create.js', dist));
const { Trainer } = await import(new URL('core/trainer.js', dist));
const [namesPath, batchSize] = [process.argv[2], Number(process.argv[3])];
const [engineName, threads, leak] = [process.argv[4] ?? 'fast', Number(process.argv[5] ?? 1), Number(process.argv[6] ?? 0)];
const dtype = process.argv[7] || undefined;
if (engineName === 'wasm') (await import(new URL('io/wasm-node.js', dist))).enableRelaxedSimd();
const helpers = threads > 1 ? await (await import(new URL('io/wasm-threads.js', dist))).spawnHelpers(threads - 1, dtype) : undefined;
const rng = new Random(42);
const data = prepareDataset(readFileSync(namesPath, 'utf8'), rng);
const config = { vocabSize: data.tokenizer.vocabSize, nLayer: 2, nEmbd: 16, nHead: 4, blockSize: 16 };
const engine = createEngine(engineName, config, initialWeights(config, rng), { helpers, dtype });
// a small document set, tokenized up front, so that only the steps run inside a window
const docs = data.train.slice(0, 64);
const steps = WARM_STEPS + 3 * WINDOWS * WINDOW_STEPS;
const trainer = new Trainer(engine, docs, { ...DEFAULT_TRAIN, batchSize, numSteps: steps });
let planted;
let sum = 0;
const step = () => {
  sum += trainer.trainStep();
  if (leak > 0) planted = new Float64Array(leak);
};

const collections = [];
const observer = new PerformanceObserver((list) => collections.push(...list.getEntries()));
observer.observe({ entryTypes: ['gc'] });

for (let i = 0; i < WARM_STEPS; i++) step();
const windows = [];
const clean = [];
const overlaps = (w) => collections.some((c) => c.startTime < w.t1 && c.startTime + c.duration > w.t0);
// windows until WINDOWS of them ran with no collection (at most three times as many)
while (clean.length < WINDOWS && windows.length < 3 * WINDOWS) {
  for (let w = 0; w < WINDOWS - clean.length; w++) {
    globalThis.gc({ type: 'minor' });
    const t0 = performance.now();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < WINDOW_STEPS; i++) step();
    const after = process.memoryUsage().heapUsed;
    windows.push({ t0, t1: performance.now(), bytesPerStep: (after - before) / WINDOW_STEPS });
  }
  await new Promise((resolve) => setTimeout(resolve, 20)); // the observer hears of collections asynchronously
  clean.splice(0, clean.length, ...windows.filter((w) => !overlaps(w)));
}
observer.disconnect();
await helpers?.close();
console.log(
  JSON.stringify({
    bytesPerStep: clean.map((w) => w.bytesPerStep),
    dropped: windows.length - clean.length,
    finite: Number.isFinite(sum),
    planted: planted?.length ?? 0,
  }),
);
