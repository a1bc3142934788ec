/**
 * npm run bench: milliseconds per training step and training tokens per second
 * for each engine (the wasm engine on 1 and 2 threads, in float32 and, on the
 * scaled configuration, float64), median of several
 * timed runs after a warm-up, and PyTorch on the same configurations when
 * python3 can import torch (../shared/peers/torch_bench.py, one thread), with
 * ratios measured in this same run; the default run's whole-process time; and
 * where the wasm engine's time goes, kernel by kernel (bench/profile.ts).
 * Each case runs in a process of its own, as a user's run would.
 * Writes bench/results.md (linked from the README).
 *
 *   npm run bench -- --quick     fewer and shorter runs
 *   npm run bench -- --startup   only the default run's whole-process time: its line in results.md is replaced
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TRAIN, initialWeights, type ModelConfig } from '../src/core/config.ts';
import { prepareDataset } from '../src/core/dataset.ts';
import { Random } from '../src/core/random.ts';
import { Trainer } from '../src/core/trainer.ts';
import { createEngine } from '../src/engines/create.ts';
import type { DType, EngineName } from '../src/engines/engine.ts';
import { enableRelaxedSimd } from '../src/io/wasm-node.ts';
import { spawnHelpers } from '../src/io/wasm-threads.ts';
import { clockGHz, profileWasm, type KernelTime } from './profile.ts';
import { readResults, writeBenchResults, writeResults } from './results-file.ts';

const quick = process.argv.includes('--quick');
const startupOnly = process.argv.includes('--startup');
const namesPath = fileURLToPath(new URL('../../shared/data/names.txt', import.meta.url));
const peerPath = fileURLToPath(new URL('../../shared/peers/torch_bench.py', import.meta.url));
if (!existsSync(namesPath)) {
  console.error(`bench: needs ${namesPath} (makemore's names.txt)`);
  process.exit(2);
}
const text = readFileSync(namesPath, 'utf8');
enableRelaxedSimd();

type Engine = EngineName | 'torch';

interface Case {
  label: string;
  engine: Engine;
  dtype: DType;
  threads: number;
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

async function measure(c: Case): Promise<Result> {
  const rng = new Random(42);
  const data = prepareDataset(text, rng);
  const model: ModelConfig = { ...c.shape, vocabSize: data.tokenizer.vocabSize };
  const helpers = c.threads > 1 ? await spawnHelpers(c.threads - 1, c.dtype) : undefined;
  const engine = createEngine(c.engine as EngineName, model, initialWeights(model, rng), { dtype: c.dtype, helpers });
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

/** The PyTorch peer, one thread, median of its runs; undefined when python3 has no torch. */
function measureTorch(c: Case): Result | undefined {
  const { nLayer, nEmbd, nHead, blockSize } = c.shape;
  const runs: { ms: number; tps: number }[] = [];
  for (let i = 0; i < c.runs; i++) {
    const args = [
      peerPath,
      nLayer,
      nEmbd,
      nHead,
      blockSize,
      c.batchSize,
      1,
      c.steps,
      namesPath,
      ...(c.dtype === 'float64' ? ['f64'] : []),
    ].map(String);
    const r = spawnSync(python!, args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
    const m = /([\d.]+) ms\/step (\d+) tok\/s/.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`torch peer failed: ${r.stderr || r.stdout}`);
    runs.push({ ms: Number(m[1]), tps: Number(m[2]) });
  }
  return { ...c, msPerStep: median(runs.map((r) => r.ms)), tokensPerSecond: median(runs.map((r) => r.tps)) };
}

/** The first python3 that imports torch (Debian's is /usr/bin/python3, which a pyenv or venv on PATH may hide). */
const python = ['python3', '/usr/bin/python3'].find(
  (p) => existsSync(peerPath) && spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0,
);
const hasTorch = python !== undefined;

const DEFAULT = { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16 };
const SCALED = { nLayer: 4, nEmbd: 64, nHead: 4, blockSize: 32 };
const scale = quick ? 0.25 : 1;
const c = (
  label: string,
  engine: Engine,
  dtype: DType,
  threads: number,
  shape: Case['shape'],
  batchSize: number,
  steps: number,
  runs: number,
): Case => ({
  label,
  engine,
  dtype,
  threads,
  shape,
  batchSize,
  steps: Math.max(2, Math.ceil(steps * scale)),
  runs,
});
const cases: Case[] = [
  c('default (batch 1)', 'scalar', 'float64', 1, DEFAULT, 1, 200, 5),
  c('default (batch 1)', 'fast', 'float64', 1, DEFAULT, 1, 5000, 7),
  c('default (batch 1)', 'wasm', 'float32', 1, DEFAULT, 1, 5000, 7),
  c('default (batch 1)', 'wasm', 'float64', 1, DEFAULT, 1, 5000, 7),
  c('default (batch 1)', 'wasm', 'float32', 2, DEFAULT, 1, 5000, 7),
  c('default (batch 1)', 'torch', 'float32', 1, DEFAULT, 1, 400, 3),
  c('default (batch 1)', 'torch', 'float64', 1, DEFAULT, 1, 400, 3),
  c('scaled (batch 32)', 'fast', 'float64', 1, SCALED, 32, 20, 5),
  c('scaled (batch 32)', 'wasm', 'float32', 1, SCALED, 32, 100, 7),
  c('scaled (batch 32)', 'wasm', 'float32', 2, SCALED, 32, 100, 7),
  c('scaled (batch 32)', 'wasm', 'float64', 1, SCALED, 32, 50, 7),
  c('scaled (batch 32)', 'wasm', 'float64', 2, SCALED, 32, 50, 7),
  c('scaled (batch 32)', 'torch', 'float32', 1, SCALED, 32, 60, 3),
  c('scaled (batch 32)', 'torch', 'float64', 1, SCALED, 32, 40, 3),
];

const caseArg = process.argv.indexOf('--case');
if (caseArg >= 0) {
  // child: measure one case, answer in JSON
  const arg = process.argv[caseArg + 1];
  console.log(
    JSON.stringify(
      arg.startsWith('profile')
        ? { kernels: await profileWasm(text, SCALED, 32, quick ? 10 : 40, arg === 'profile64' ? 'float64' : 'float32'), ghz: clockGHz() }
        : await measure(cases[Number(arg)]),
    ),
  );
  process.exit(0);
}

function child(arg: string): string {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--case', arg, ...(quick ? ['--quick'] : [])],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`bench case ${arg} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

const load = loadavg()[0];
const results: Result[] = [];
for (let i = 0; !startupOnly && i < cases.length; i++) {
  const r = cases[i].engine === 'torch' ? (hasTorch ? measureTorch(cases[i]) : undefined) : (JSON.parse(child(String(i))) as Result);
  if (!r) continue;
  results.push(r);
  console.log(
    `${r.label.padEnd(20)} ${r.engine.padEnd(7)} ${r.dtype.padEnd(8)} ${String(r.threads).padStart(2)} thr ${r.msPerStep.toFixed(4).padStart(10)} ms/step ${Math.round(r.tokensPerSecond).toString().padStart(9)} tokens/s`,
  );
}

/**
 * The default run (1000 steps and 20 names on names.txt) as a user starts it, beside Node's own start (`node -e 0`),
 * alternating, 9 rounds: whole-process wall times (medians) and their ratio, and where the run's time goes (the
 * CLI's MICROGPT_TIMING=1 marks, median milliseconds of each phase).
 */
function startup(): { run: number; node: number; phases: [string, number][] } {
  const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  // the CLI as npm run build makes it: tsc, then the one-file bundle (scripts/bundle-cli.mjs)
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
  const wall = (args: string[], env = process.env) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    return { s: (performance.now() - t0) / 1000, stderr: r.stderr };
  };
  const runs: number[] = [];
  const nodes: number[] = [];
  const phases = new Map<string, number[]>();
  for (let i = 0; i < 9; i++) {
    nodes.push(wall(['-e', '0']).s);
    const r = wall([cli, '--data', namesPath], { ...process.env, MICROGPT_TIMING: '1' });
    runs.push(r.s);
    for (const m of r.stderr.matchAll(/^microgpt timing: (.*) at [\d.]+ ms \(\+([\d.]+)\)$/gm))
      phases.set(m[1], [...(phases.get(m[1]) ?? []), Number(m[2])]);
  }
  return { run: median(runs), node: median(nodes), phases: [...phases].map(([what, ms]) => [what, median(ms)]) };
}
const start = startup();
const startLine =
  `default run (1000 steps and 20 names, float64 wasm, 1 thread), whole process: ${start.run.toFixed(3)} s, ` +
  `${(start.run / start.node).toFixed(2)}x \`node -e 0\` (${start.node.toFixed(3)} s) in the same rounds; ` +
  `its phases (median ms, each since the one before; the first includes Node's start): ${start.phases.map(([w, ms]) => `${w} ${ms.toFixed(1)}`).join(', ')}`;
console.log(startLine);
if (startupOnly) {
  // the rest of results.md stays as the last whole bench wrote it
  const old = readResults();
  const at = /^- default run \(1000 steps.*$/m;
  if (!at.test(old)) throw new Error('bench/results.md has no default run line: run the whole bench');
  writeResults(old.replace(at, `- ${startLine} (measured again on ${new Date().toISOString().slice(0, 10)} by --startup)`));
  console.log('replaced the default run line in bench/results.md');
  process.exit(0);
}
const { kernels: profile, ghz } = JSON.parse(child('profile')) as { kernels: KernelTime[]; ghz: number };
const { kernels: profile64, ghz: ghz64 } = JSON.parse(child('profile64')) as { kernels: KernelTime[]; ghz: number };
// 128-bit SIMD: 4 float32 lanes, 2 FLOP per fused multiply-add, 2 such instructions per cycle (Zen 4's two FMA pipes; most x86 cores)
const peak = 16 * ghz;
// float64: 2 lanes, so half that; the float64 kernels multiply and add separately (the fast engine's rounding), which
// on cores whose two FMA pipes also do the adds reaches at most half again
const peak64 = 8 * ghz64;

const find = (label: string, engine: Engine, dtype: DType, threads = 1) =>
  results.find((r) => r.label.startsWith(label) && r.engine === engine && r.dtype === dtype && r.threads === threads);
const ratio = (a: Result | undefined, b: Result | undefined) => (a && b ? `${(a.tokensPerSecond / b.tokensPerSecond).toFixed(2)}x` : 'n/a');
const ratios: string[] = [];
for (const label of ['default', 'scaled']) {
  const [w1, w2, f64, t32, t64] = [
    find(label, 'wasm', 'float32'),
    find(label, 'wasm', 'float32', 2),
    find(label, 'fast', 'float64'),
    find(label, 'torch', 'float32'),
    find(label, 'torch', 'float64'),
  ];
  ratios.push(
    `${label}: wasm 1 thread is ${ratio(w1, f64)} fast float64, 2 threads ${ratio(w2, w1)} of 1 thread` +
      (t32
        ? `; against PyTorch float32 (1 thread): wasm 1 thread ${ratio(w1, t32)}, 2 threads ${ratio(w2, t32)}; fast float64 against PyTorch float64: ${ratio(f64, t64)}`
        : ' (no PyTorch: python3 cannot import torch)'),
  );
}
{
  const [d1, d2, f64, t64] = [
    find('scaled', 'wasm', 'float64'),
    find('scaled', 'wasm', 'float64', 2),
    find('scaled', 'fast', 'float64'),
    find('scaled', 'torch', 'float64'),
  ];
  ratios.push(
    `scaled, float64 (the fast engine's numbers): wasm float64 1 thread is ${ratio(d1, f64)} fast float64, 2 threads ${ratio(d2, d1)} of 1 thread` +
      (t64 ? `; against PyTorch float64 (1 thread): wasm float64 1 thread ${ratio(d1, t64)}, 2 threads ${ratio(d2, t64)}` : ''),
  );
}
ratios.push(startLine);
ratios.push(
  `default (batch 1): wasm float64 (the default engine) is ${ratio(find('default', 'wasm', 'float64'), find('default', 'fast', 'float64'))} fast float64`,
);
ratios.forEach((line) => console.log(line));

const cpu = cpus();
const machine = `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}; load average ${load.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (the machine is shared: two threads gain only when a second core is free)`;
const lines = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\`${quick ? ' --quick' : ''} on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.`,
  'Each figure is the median of several timed runs after one warm-up run; tokens are the predicted tokens of real documents (no padding). PyTorch is ../shared/peers/torch_bench.py with OPENBLAS_NUM_THREADS=1 and one torch thread.',
  '',
  '| configuration | engine | dtype | threads | ms / step | tokens / s |',
  '|---|---|---|---:|---:|---:|',
  ...results.map(
    (r) => `| ${r.label} | ${r.engine} | ${r.dtype} | ${r.threads} | ${r.msPerStep.toFixed(4)} | ${Math.round(r.tokensPerSecond)} |`,
  ),
  '',
  'Configurations: default = `--n-layer 1 --n-embd 16 --n-head 4 --block-size 16`; scaled = `--n-layer 4 --n-embd 64 --n-head 4 --block-size 32 --batch-size 32`.',
  '',
  'Ratios measured in this run:',
  '',
  ...ratios.map((line) => `- ${line}`),
  '',
  `Where the wasm engine spends a step on the scaled configuration, one thread (each kernel timed around its calls, the step run from JavaScript as src/engines/wasm/reference-step.ts runs it; GFLOP/s counts 2 per multiply-add). The core's clock measured ${ghz.toFixed(2)} GHz (a chain of dependent integer operations), so the 128-bit SIMD peak is 16 FLOP per cycle = ${peak.toFixed(0)} GFLOP/s (two 4-lane fused multiply-adds per cycle):`,
  '',
  '| kernel | ms / step | share | GFLOP/s | of the SIMD peak |',
  '|---|---:|---:|---:|---:|',
  ...profile.map(
    (k) =>
      `| ${k.name} | ${k.ms.toFixed(3)} | ${(k.share * 100).toFixed(1)}% | ${k.gflops ? k.gflops.toFixed(1) : ''} | ${k.gflops ? `${((100 * k.gflops) / peak).toFixed(0)}%` : ''} |`,
  ),
  '',
];
lines.push(
  `The float64 wasm engine on the same configuration, one thread (the clock measured ${ghz64.toFixed(2)} GHz; the float64 peak counted is 8 FLOP per cycle = ${peak64.toFixed(0)} GFLOP/s, two 2-lane fused multiply-adds per cycle, which kernels that multiply and add separately reach at most half of on cores whose two FMA pipes also do the adds):`,
  '',
  '| kernel | ms / step | share | GFLOP/s | of the float64 peak |',
  '|---|---:|---:|---:|---:|',
  ...profile64.map(
    (k) =>
      `| ${k.name} | ${k.ms.toFixed(3)} | ${(k.share * 100).toFixed(1)}% | ${k.gflops ? k.gflops.toFixed(1) : ''} | ${k.gflops ? `${((100 * k.gflops) / peak64).toFixed(0)}%` : ''} |`,
  ),
  '',
  "Real text (nanoGPT's CPU recipe shape on Moby-Dick, stream documents, against pytorch/microgpt.py): the section below, written by `npm run bench:text`.",
  '',
);
writeBenchResults(lines.join('\n'));
console.log(`machine: ${machine}\nwrote bench/results.md`);
