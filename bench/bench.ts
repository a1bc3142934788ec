/**
 * npm run bench: milliseconds per training step and training tokens per second
 * for each engine, median of several timed runs after a warm-up, with ratios
 * measured in this same run. Each case runs in a process of its own, as a
 * user's run would: kernels compiled for one dtype are not slowed by another's.
 * Writes bench/results.md (linked from the README).
 *
 *   npm run bench -- --quick     fewer and shorter runs
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TRAIN, initialWeights, type ModelConfig } from '../src/core/config.ts';
import { prepareDataset } from '../src/core/dataset.ts';
import { Random } from '../src/core/random.ts';
import { Trainer } from '../src/core/trainer.ts';
import { createEngine } from '../src/engines/create.ts';
import type { DType, EngineName } from '../src/engines/engine.ts';

const quick = process.argv.includes('--quick');
const namesPath = fileURLToPath(new URL('../../shared/data/names.txt', import.meta.url));
if (!existsSync(namesPath)) {
  console.error(`bench: needs ${namesPath} (makemore's names.txt)`);
  process.exit(2);
}
const text = readFileSync(namesPath, 'utf8');

interface Case {
  label: string;
  engine: EngineName;
  dtype: DType;
  shape: Omit<ModelConfig, 'vocabSize'>;
  batchSize: number;
  /** Steps per timed run, and timed runs. */
  steps: number;
  runs: number;
}

interface Result extends Case {
  msPerStep: number;
  tokensPerSecond: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(c: Case): Result {
  const rng = new Random(42);
  const data = prepareDataset(text, rng);
  const model: ModelConfig = { ...c.shape, vocabSize: data.tokenizer.vocabSize };
  const engine = createEngine(c.engine, model, initialWeights(model, rng), { dtype: c.dtype });
  const total = (c.runs + 1) * c.steps;
  const trainer = new Trainer(engine, data.train, { ...DEFAULT_TRAIN, batchSize: c.batchSize, numSteps: total });
  const run = () => {
    let tokens = 0;
    const t0 = performance.now();
    for (let i = 0; i < c.steps; i++) {
      trainer.trainStep();
      tokens += trainer.lastTokens;
    }
    const ms = performance.now() - t0;
    return { msPerStep: ms / c.steps, tokensPerSecond: (tokens / ms) * 1000 };
  };
  run(); // warm-up: JIT and caches
  const runs = Array.from({ length: c.runs }, run);
  return { ...c, msPerStep: median(runs.map((r) => r.msPerStep)), tokensPerSecond: median(runs.map((r) => r.tokensPerSecond)) };
}

const DEFAULT = { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };
const LARGER = { nLayer: 4, nEmbd: 64, nHead: 4, blockSize: 32 };
const scale = quick ? 0.25 : 1;
const cases: Case[] = [
  { label: 'default (batch 1)', engine: 'scalar', dtype: 'float64', shape: DEFAULT, batchSize: 1, steps: Math.ceil(200 * scale), runs: 5 },
  { label: 'default (batch 1)', engine: 'fast', dtype: 'float64', shape: DEFAULT, batchSize: 1, steps: Math.ceil(5000 * scale), runs: 7 },
  { label: 'default (batch 1)', engine: 'fast', dtype: 'float32', shape: DEFAULT, batchSize: 1, steps: Math.ceil(5000 * scale), runs: 7 },
  // the scalar engine's graph for a batch of 32 would hold ~100M nodes: it is measured at batch 1, in tokens/s
  { label: 'larger (batch 1)', engine: 'scalar', dtype: 'float64', shape: LARGER, batchSize: 1, steps: quick ? 2 : 5, runs: 3 },
  { label: 'larger (batch 32)', engine: 'fast', dtype: 'float64', shape: LARGER, batchSize: 32, steps: Math.ceil(20 * scale), runs: 5 },
  { label: 'larger (batch 32)', engine: 'fast', dtype: 'float32', shape: LARGER, batchSize: 32, steps: Math.ceil(20 * scale), runs: 5 },
];

const caseArg = process.argv.indexOf('--case');
if (caseArg >= 0) {
  // child: measure one case, answer in JSON
  console.log(JSON.stringify(measure(cases[Number(process.argv[caseArg + 1])])));
  process.exit(0);
}

const results: Result[] = [];
for (let i = 0; i < cases.length; i++) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--case', String(i), ...(quick ? ['--quick'] : [])], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`bench case ${i} failed: ${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as Result;
  results.push(r);
  console.log(`${r.label.padEnd(22)} ${r.engine.padEnd(7)} ${r.dtype.padEnd(8)} ${r.msPerStep.toFixed(4).padStart(10)} ms/step ${Math.round(r.tokensPerSecond).toString().padStart(9)} tokens/s`);
}
const find = (label: string, engine: EngineName, dtype: DType) => results.find((r) => r.label.startsWith(label) && r.engine === engine && r.dtype === dtype)!;
const ratios = [
  `default configuration, batch 1: fast float64 is ${(find('default', 'scalar', 'float64').msPerStep / find('default', 'fast', 'float64').msPerStep).toFixed(0)}x the scalar engine (ms per step)`,
  `larger configuration: fast float64 at batch 32 trains ${(find('larger', 'fast', 'float64').tokensPerSecond / find('larger', 'scalar', 'float64').tokensPerSecond).toFixed(0)}x the scalar engine's tokens per second (scalar at batch 1)`,
];
ratios.forEach((line) => console.log(line));

const cpu = cpus();
const machine = `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const lines = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\`${quick ? ' --quick' : ''} on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}. One thread.`,
  'Each figure is the median of several timed runs after one warm-up run; tokens are the predicted tokens of real documents (no padding).',
  '',
  '| configuration | engine | dtype | ms / step | tokens / s |',
  '|---|---|---|---:|---:|',
  ...results.map((r) => `| ${r.label} | ${r.engine} | ${r.dtype} | ${r.msPerStep.toFixed(4)} | ${Math.round(r.tokensPerSecond)} |`),
  '',
  'Configurations: default = `--n-layer 1 --n-embd 16 --n-head 4 --block-size 16`; larger = `--n-layer 4 --n-embd 64 --n-head 4 --block-size 32`. The scalar engine builds one graph node per scalar operation; at batch 32 on the larger configuration that graph would hold some 100 million nodes, so it is measured at batch 1 and compared in tokens per second.',
  '',
  'Ratios measured in this run:',
  '',
  ...ratios.map((line) => `- ${line}`),
  '',
];
const out = fileURLToPath(new URL('./results.md', import.meta.url));
writeFileSync(`${out}.tmp`, lines.join('\n'));
renameSync(`${out}.tmp`, out);
console.log(`machine: ${machine}\nwrote bench/results.md`);
