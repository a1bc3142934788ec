// pytorch/microgpt.py against the CLI: the golden run, a CLI run continued in PyTorch (alone and under
// torchrun) and back, eval, and bad input. Needs python3 with torch; under CI a missing torch fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { expectUsageError, GOLDEN, NAMES, noNames, runCli, runCliAsync, tempDir, type Run } from '../helpers/cli.ts';
import { inParallel, maxRelDiff, noTorch, ok, PYTHON, SCRIPT, torchMicrogpt, torchMicrogptAsync, torchrun } from '../helpers/pytorch.ts';

const skip = noNames || noTorch;

const stepLines = (out: string) => out.split('\n').filter((l) => l.startsWith('step'));
const sampleLines = (out: string) => out.split('\n').filter((l) => l.startsWith('sample'));

test("pytorch/microgpt.py train prints microgpt.py's 20-step golden run, names included", { skip }, () => {
  const r = ok(torchMicrogpt(['train', '--data', NAMES, '--num-steps', '20']));
  assert.equal(r.stdout, readFileSync(GOLDEN, 'utf8'));
});

for (const batch of ['1', '8']) {
  test(`a CLI run stopped at step 30 continues in PyTorch with microgpt --resume's lines (batch ${batch})`, { skip }, () => {
    const dir = tempDir();
    const start = join(dir, 'start.safetensors');
    ok(runCli(['--data', NAMES, '--num-steps', '60', '--until', '30', '--batch-size', batch, '--engine', 'fast', '--out', start]));
    const cli = ok(runCli(['--data', NAMES, '--resume', start, '--out', join(dir, 'cli.safetensors')]));
    const torch = ok(torchMicrogpt(['train', '--data', NAMES, '--resume', start, '--out', join(dir, 'torch.safetensors')]));
    assert.equal(stepLines(torch.stdout).length, 30);
    assert.equal(stepLines(torch.stdout)[0], stepLines(cli.stdout)[0]);
    assert.equal(torch.stdout, cli.stdout);
    assert.match(torch.stderr, /resuming from .* at step 30/);
    // the checkpoints agree: same step, Random state and settings; weights and moments to float64 rounding
    const a = loadCheckpoint(readFileSync(join(dir, 'cli.safetensors')));
    const b = loadCheckpoint(readFileSync(join(dir, 'torch.safetensors')));
    assert.equal(b.step, 60);
    assert.deepEqual(b.rng, a.rng);
    assert.deepEqual(b.train, a.train);
    assert.deepEqual(b.model, a.model);
    assert.equal(b.dataHash, a.dataHash);
    assert.ok(maxRelDiff(a.weights, b.weights) < 1e-12, `weights differ by ${maxRelDiff(a.weights, b.weights)}`);
    assert.ok(maxRelDiff(a.adam!.v, b.adam!.v) < 1e-12);
  });
}

test('under torchrun on 2 processes (gloo, CPU) at batch 8 the lines and the checkpoint are those of one process', { skip }, () => {
  const dir = tempDir();
  const start = join(dir, 'start.safetensors');
  ok(runCli(['--data', NAMES, '--num-steps', '60', '--until', '30', '--batch-size', '8', '--engine', 'fast', '--out', start]));
  const cli = ok(runCli(['--data', NAMES, '--resume', start, '--out', join(dir, 'cli.safetensors')]));
  const ddp = ok(torchrun(2, ['train', '--data', NAMES, '--resume', start, '--out', join(dir, 'ddp.safetensors')]));
  assert.equal(stepLines(ddp.stdout).length, 30);
  assert.equal(ddp.stdout, cli.stdout); // rank 0 alone prints
  const a = loadCheckpoint(readFileSync(join(dir, 'cli.safetensors')));
  const b = loadCheckpoint(readFileSync(join(dir, 'ddp.safetensors')));
  assert.equal(b.step, 60);
  assert.deepEqual(b.rng, a.rng);
  assert.ok(maxRelDiff(a.weights, b.weights) < 1e-12, `weights differ by ${maxRelDiff(a.weights, b.weights)}`);
});

test('a checkpoint PyTorch writes is sampled and continued by the CLI as PyTorch continues it; eval agrees', { skip }, () => {
  const dir = tempDir();
  const start = join(dir, 'start.safetensors');
  const torchCk = join(dir, 'torch.safetensors');
  // started in PyTorch (fresh weights from random.gauss) and in the CLI: 40 steps stopped at 20, 2 layers, batch 4, a validation share
  const run = ['--data', NAMES, '--num-steps', '40', '--until', '20', '--n-layer', '2', '--batch-size', '4', '--val-fraction', '0.1'];
  const first = ok(torchMicrogpt(['train', ...run, '--out', start]));
  const cliFirst = ok(runCli([...run, '--engine', 'fast']));
  assert.equal(first.stdout, cliFirst.stdout);
  const second = ok(torchMicrogpt(['train', '--data', NAMES, '--resume', start, '--num-steps', '40', '--until', '30', '--out', torchCk]));
  // sampled by the CLI: the checkpoint is taken before sampling, so `microgpt sample` draws the names PyTorch printed
  const sampled = ok(runCli(['sample', '--model', torchCk]));
  const names = sampleLines(second.stdout).map((l) => l.replace(/^sample\s+\d+: /, ''));
  assert.equal(names.length, 20);
  assert.deepEqual(sampled.stdout.trim().split('\n'), names);
  // continued by the CLI and by PyTorch, with validation: the same lines
  const back = ok(runCli(['--data', NAMES, '--resume', torchCk, '--eval-every', '5']));
  const again = ok(torchMicrogpt(['train', '--data', NAMES, '--resume', torchCk, '--eval-every', '5']));
  assert.equal(stepLines(back.stdout).length, 12); // 10 steps and 2 validation lines
  assert.equal(again.stdout, back.stdout);
  // eval: the same four lines for the same model and file
  const evalCli = ok(runCli(['eval', '--model', torchCk, '--data', NAMES]));
  const evalTorch = ok(torchMicrogpt(['eval', '--model', torchCk, '--data', NAMES]));
  assert.match(evalTorch.stdout, /^docs: 32033\ntokens: 228146\nloss: \d\.\d{4} nats per token\nperplexity: \d+\.\d{3}\n$/);
  assert.equal(evalTorch.stdout, evalCli.stdout);
});

test('bad input: one line, exit 2, as the CLI', { skip }, () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  ok(runCli(['--data', NAMES, '--num-steps', '4', '--out', ck]));
  expectUsageError(
    torchMicrogpt(['train', '--data', NAMES, '--resume', ck, '--n-embd', '32']),
    /^microgpt: --n-embd 32 disagrees with the checkpoint \(16\)$/,
  );
  expectUsageError(
    torchMicrogpt(['train', '--data', NAMES, '--n-layer', '100']),
    /^microgpt: --n-layer must be an integer from 1 to 64, got 100$/,
  );
  expectUsageError(
    torchMicrogpt(['eval', '--model', join(dir, 'missing.safetensors'), '--data', NAMES]),
    /^microgpt: cannot read checkpoint .*: no such file$/,
  );
  const other = join(dir, 'other.txt');
  writeFileSync(other, 'emma\nolivia\nava\n');
  expectUsageError(
    torchMicrogpt(['train', '--data', other, '--resume', ck]),
    /^microgpt: the data differs from the data the checkpoint was trained on$/,
  );
  const cut = join(dir, 'cut.safetensors');
  writeFileSync(cut, readFileSync(ck).subarray(0, 3000));
  expectUsageError(torchMicrogpt(['train', '--data', NAMES, '--resume', cut]), /^microgpt: .*cut\.safetensors: truncated/);
  // a run that diverges stops at the CLI's step
  const diverge = ['--data', NAMES, '--num-steps', '50', '--learning-rate', '2', '--beta2', '0'];
  const cli = runCli(diverge);
  const torch = torchMicrogpt(['train', ...diverge]);
  expectUsageError(torch, /^microgpt: diverged at step \d+ \(loss inf\); lower --learning-rate$/);
  assert.equal(torch.stderr, cli.stderr);
  assert.equal(torch.stdout, cli.stdout);
});

test('a link planted at the old temporary name (pid.tmp) is not followed by the port either', { skip }, () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), 'emma\nolivia\nava\n');
  writeFileSync(join(dir, 'victim.txt'), 'precious');
  const script = `ln -s victim.txt out.st.$$.tmp; ln -s victim.txt log.$$.tmp; exec "${PYTHON}" "${SCRIPT}" train --data data.txt --num-steps 3 --num-samples 0 --out out.st --log log`;
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'victim.txt'), 'utf8'), 'precious');
  assert.equal(loadCheckpoint(readFileSync(join(dir, 'out.st'))).step, 3);
});

/** A copy of a checkpoint with its safetensors header edited (the tensors' offsets count from the data, so they stay unless edited). */
function editHeader(from: string, to: string, edit: (header: Record<string, Record<string, unknown>>) => void): string {
  const bytes = readFileSync(from);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, Record<string, unknown>>;
  edit(header);
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(to, Buffer.concat([size, Buffer.from(json), bytes.subarray(8 + n)]));
  return to;
}
/** An edit of one metadata entry that holds JSON (model, vocab, train, rng), or of the raw string (step). */
const editJson = (key: string, edit: (v: Record<string, unknown>) => unknown) => (h: Record<string, Record<string, unknown>>) => {
  const meta = h.__metadata__ as Record<string, string>;
  const v = JSON.parse(meta[key]) as Record<string, unknown>;
  meta[key] = JSON.stringify(edit(v) ?? v);
};
const setMeta = (key: string, raw: string) => (h: Record<string, Record<string, unknown>>) => {
  (h.__metadata__ as Record<string, string>)[key] = raw;
};

test('a corrupt checkpoint is one line and exit 2, by the CLI’s rules, in train and eval; nothing is written', { skip }, async () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  ok(runCli(['--data', NAMES, '--num-steps', '6', '--until', '3', '--engine', 'fast', '--out', ck]));
  const deep = join(dir, 'deep.safetensors');
  const nested = Buffer.from(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`.padEnd(500_008, ' '));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(nested.length));
  writeFileSync(deep, Buffer.concat([size, nested]));
  const cases: [string, string, RegExp][] = [
    ['deep', deep, /not a safetensors file \(the header/],
    ['vocab number', editHeader(ck, join(dir, 'v1.st'), setMeta('vocab', '123')), /vocab must be an array of characters, got 123$/],
    ['vocab string', editHeader(ck, join(dir, 'v2.st'), setMeta('vocab', '"123"')), /vocab must be an array of characters, got "123"$/],
    ['rng 3 words', editHeader(ck, join(dir, 'r1.st'), editJson('rng', (r) => ({ ...r, mt: [1, 2, 3] }))), /rng must be a Random state \(Random\.getstate\(\)\): mt must hold 624 words$/],
    ['rng index', editHeader(ck, join(dir, 'r2.st'), editJson('rng', (r) => ({ ...r, index: 9999 }))), /index must be an integer from 0 to 624, got 9999$/],
    ['gaussNext', editHeader(ck, join(dir, 'r3.st'), editJson('rng', (r) => ({ ...r, gaussNext: 'x' }))), /gaussNext must be null or a finite number, got "x"$/],
    ['step -5', editHeader(ck, join(dir, 's.st'), setMeta('step', '-5')), /step must be a whole number of steps done, got "-5"$/],
    ['step beyond', editHeader(ck, join(dir, 's2.st'), setMeta('step', '7')), /step 7 is beyond train\.numSteps \(6\)$/],
    ['train string', editHeader(ck, join(dir, 't1.st'), setMeta('train', '"fast"')), /train must be an object of .*settings, got "fast"$/],
    ['batchSize 0', editHeader(ck, join(dir, 't2.st'), editJson('train', (t) => ({ ...t, batchSize: 0 }))), /batchSize must be an integer from 1 to 65536, got 0$/],
    ['nHead 3', editHeader(ck, join(dir, 'm.st'), editJson('model', (m) => ({ ...m, nHead: 3 }))), /nHead must divide the embedding width \(16\), got 3$/],
    ['offsets -64', editHeader(ck, join(dir, 'o.st'), (h) => {
      const [a, b] = h.wte.data_offsets as number[];
      h.wte.data_offsets = [a - 64, b - 64];
    }), /corrupt tensor entry wte \(data_offsets must be two byte offsets, start <= end\)$/],
    ['offsets swapped', editHeader(ck, join(dir, 'o2.st'), (h) => {
      [h.wte.data_offsets, h.wpe.data_offsets] = [h.wpe.data_offsets, h.wte.data_offsets];
    }), /corrupt tensor entry wte \(its data_offsets span \d+ bytes; F64 \[27,16\] needs 3456\)$/],
    ['a gap', editHeader(ck, join(dir, 'o3.st'), (h) => {
      const [a, b] = h['adam_v.layer0.mlp_fc2'].data_offsets as number[];
      h['adam_v.layer0.mlp_fc2'].data_offsets = [a - 8, b - 8];
    }), /tensors adam_v\.layer0\.mlp_fc1 and adam_v\.layer0\.mlp_fc2 overlap in the data$/],
  ];
  const failed: string[] = [];
  const tasks = cases.flatMap(([what, file, pattern]) => {
    const out = join(dir, `${what}.out.st`);
    return [
      ['train', '--data', NAMES, '--resume', file, '--out', out],
      ['eval', '--model', file, '--data', NAMES],
    ].map((args) => async () => {
      try {
        const [r, cli] = await Promise.all([torchMicrogptAsync(args), runCliAsync(args[0] === 'train' ? args.slice(1) : args)]);
        expectUsageError(r, pattern);
        // the CLI's line, word for word (a header nested 100,000 deep the CLI reads, and refuses for what is inside)
        if (what === 'deep') assert.equal(cli.status, 2);
        else assert.equal(r.stderr, cli.stderr);
      } catch (e) {
        failed.push(`${what}, ${args[0]}: ${(e as Error).message.split('\n').slice(-2).join(' ')}`);
      }
      if (args[0] === 'train' && existsSync(out)) failed.push(`${what}: ${out} was written`);
    });
  });
  await inParallel(tasks);
  assert.deepEqual(failed.sort(), []);
});

test('a flag with a digit that only Python reads (², ١) is refused as the CLI refuses it', { skip }, () => {
  const run = ['--data', NAMES, '--num-steps', '3'];
  for (const [flag, value] of [['--until', '²'], ['--save-every', '²'], ['--n-layer', '١'], ['--seed', '4_2']]) {
    const args = [...run, flag, value, ...(flag === '--save-every' ? ['--out', join(tempDir(), 'o.st')] : [])];
    const cli = runCli(args);
    expectUsageError(cli, /is not a decimal number$/);
    const r = torchMicrogpt(['train', ...args]);
    expectUsageError(r, /is not a decimal number$/);
    assert.equal(r.stderr, cli.stderr);
  }
});

test("a run too large for memory is refused before anything is allocated, in the CLI's words", { skip }, () => {
  const dir = tempDir();
  const big = ['--data', NAMES, '--batch-size', '65536', '--block-size', '4096', '--n-embd', '512', '--num-steps', '1'];
  // under a 3 GiB address-space limit and a minute: a port that allocated would fail, not take the machine
  const port = (args: string[]): Run => {
    const line = [PYTHON!, SCRIPT, 'train', ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('bash', ['-c', `ulimit -v 3145728; exec ${line}`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const out = join(dir, 'big.safetensors');
  const r = port([...big, '--out', out]);
  expectUsageError(r, /^microgpt: the model \(--n-layer 1, --n-embd 512, --n-head 4, --block-size 4096, --batch-size 65536\) needs about 62 TiB .* \(--max-memory GIB raises it\)$/);
  assert.equal(r.stderr, runCli([...big, '--engine', 'fast']).stderr); // float64, as the fast engine
  assert.equal(r.stderr, runCli(big).stderr); // float64, as the (wasm) engine the CLI picks by default
  assert.equal(port([...big, '--dtype', 'float32']).stderr, runCli([...big, '--dtype', 'float32']).stderr); // about 31 TiB: float32
  assert.ok(!existsSync(out));
  const mid = ['--data', NAMES, '--n-embd', '512', '--n-layer', '8', '--block-size', '64', '--batch-size', '64', '--num-steps', '1'];
  for (const limit of ['0.5', '0', 'x']) {
    const torch = port([...mid, '--max-memory', limit]);
    expectUsageError(torch, /^microgpt: (the model .* more than the limit of 0\.5 GiB|--max-memory.*)/);
    assert.equal(torch.stderr, runCli([...mid, '--engine', 'fast', '--max-memory', limit]).stderr);
  }
});

test('without torch the port says so in one line, exit 2, and --help still works', { skip }, () => {
  const fake = tempDir();
  writeFileSync(join(fake, 'torch.py'), "raise ImportError('No module named torch')\n");
  const env = { ...process.env, PYTHONPATH: fake };
  const r = spawnSync(PYTHON!, [SCRIPT, 'train', '--data', NAMES, '--num-steps', '1'], { cwd: tempDir(), env, encoding: 'utf8', timeout: 60_000 });
  expectUsageError({ status: r.status, stdout: r.stdout, stderr: r.stderr }, /^microgpt: torch is not installed \(.*\)/);
  const help = spawnSync(PYTHON!, [SCRIPT, 'train', '--help'], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(help.status, 0, help.stderr);
});
