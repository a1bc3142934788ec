// Trains an engine (argv: names, batch, steps[, engine = fast[, threads = 1]]) and reports the heap bytes allocated per step: heapUsed
// after minus before, over many steps, run with a young generation large enough
// that no collection happens in between (the test checks that with --trace-gc).
import { readFileSync } from 'node:fs';
const dist = new URL('../../dist/', import.meta.url);
const { Random } = await import(new URL('core/random.js', dist));
const { prepareDataset } = await import(new URL('core/dataset.js', dist));
const { initialWeights, DEFAULT_TRAIN } = await import(new URL('core/config.js', dist));
const { createEngine } = await import(new URL('engines/create.js', dist));
const { Trainer } = await import(new URL('core/trainer.js', dist));
const [namesPath, batchSize, steps] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const [engineName, threads] = [process.argv[5] ?? 'fast', Number(process.argv[6] ?? 1)];
if (engineName === 'wasm') (await import(new URL('io/wasm-node.js', dist))).enableRelaxedSimd();
const helpers = threads > 1 ? await (await import(new URL('io/wasm-threads.js', dist))).spawnHelpers(threads - 1) : undefined;
const rng = new Random(42);
const data = prepareDataset(readFileSync(namesPath, 'utf8'), rng);
const config = { vocabSize: data.tokenizer.vocabSize, nLayer: 2, nEmbd: 16, nHead: 4, blockSize: 16 };
const engine = createEngine(engineName, config, initialWeights(config, rng), { helpers });
// a small document set, tokenized up front, so that only the steps run after the marker
const docs = data.train.slice(0, 64);
const trainer = new Trainer(engine, docs, { ...DEFAULT_TRAIN, batchSize, numSteps: 2 * steps });
for (let i = 0; i < steps; i++) trainer.trainStep();
const before = process.memoryUsage().heapUsed;
let sum = 0;
for (let i = 0; i < steps; i++) sum += trainer.trainStep();
const after = process.memoryUsage().heapUsed;
console.log(JSON.stringify({ bytesPerStep: (after - before) / steps, finite: Number.isFinite(sum) }));
