// sample, eval, validation, progress, logs and plots, through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, expectUsageError, NAMES, noNames, runCli, tempDir } from '../helpers/cli.ts';

/** A model trained once for these tests: 300 steps on names.txt with a validation split. */
let trained: { dir: string; ck: string; stdout: string } | undefined;
function model() {
  if (!trained) {
    const dir = tempDir();
    const ck = join(dir, 'm.safetensors');
    const r = runCli([
      '--data',
      NAMES,
      '--num-steps',
      '300',
      '--val-fraction',
      '0.1',
      '--eval-every',
      '100',
      '--out',
      ck,
      '--log',
      join(dir, 'log.jsonl'),
      '--plot',
      join(dir, 'loss.svg'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    trained = { dir, ck, stdout: r.stdout };
  }
  return trained;
}

test('each command has --help', () => {
  for (const cmd of [[], ['train'], ['sample'], ['eval'], ['plot']]) {
    const r = runCli([...cmd, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: microgpt/);
  }
  expectUsageError(runCli(['fly']), /unknown command 'fly'/);
});

test("each command's --help names every flag it accepts and no other, within 80 columns; --engine lists every engine", async () => {
  const commands = {
    train: await import('../../src/cli/train-command.ts'),
    sample: await import('../../src/cli/sample-command.ts'),
    eval: await import('../../src/cli/eval-command.ts'),
    plot: await import('../../src/cli/plot-command.ts'),
  };
  const { ENGINES } = await import('../../src/engines/engine.ts');
  for (const [name, { OPTIONS }] of Object.entries(commands)) {
    const help = runCli([name, '--help']).stdout;
    const named = new Set([...help.matchAll(/^ {2}(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]));
    const accepted = new Set(Object.keys(OPTIONS));
    if (name === 'train') accepted.add('version'); // main.ts's, shown with train's help
    assert.deepEqual([...named].sort(), [...accepted].sort(), `microgpt ${name} --help`);
    for (const line of help.split('\n')) assert.ok(line.length <= 80, `microgpt ${name} --help: ${JSON.stringify(line)}`);
    if (accepted.has('engine')) for (const e of ENGINES) assert.match(help, new RegExp(`--engine NAME[^]*\\b${e}\\b`), `${name}: ${e}`);
  }
});

test('validation: held-out documents, and their loss every --eval-every steps', { skip: noNames }, () => {
  const { stdout } = model();
  assert.match(stdout, /^num docs: 32033\nval docs: 3203\nvocab size: 27\n/);
  const val = stdout.split('\n').filter((l) => l.includes('val loss'));
  assert.deepEqual(
    val.map((l) => l.slice(0, 20)),
    ['step  100 /  300 | v', 'step  200 /  300 | v', 'step  300 /  300 | v'],
  );
  const losses = val.map((l) => Number(l.split('val loss ')[1]));
  assert.ok(losses[2] < losses[0] && losses[0] < Math.log(27), losses.join(' '));
});

test('sample without --seed continues the training run: the same names training printed', { skip: noNames }, () => {
  const { ck, stdout } = model();
  const printed = stdout
    .split('\n')
    .filter((l) => l.startsWith('sample'))
    .map((l) => l.slice('sample  1: '.length));
  const r = runCli(['sample', '--model', ck]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), printed);
});

test('sample: --num-samples, --seed, --temperature, --top-k, --prompt, --max-length', { skip: noNames }, () => {
  const { ck } = model();
  const names = (...args: string[]) => {
    const r = runCli(['sample', '--model', ck, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split('\n');
  };
  assert.equal(names('--num-samples', '7').length, 7);
  assert.deepEqual(names('--seed', '3', '--num-samples', '10'), names('--seed', '3', '--num-samples', '10'));
  assert.notDeepEqual(names('--seed', '3', '--num-samples', '10'), names('--seed', '4', '--num-samples', '10'));
  const greedy = names('--top-k', '1', '--num-samples', '5', '--seed', '1');
  assert.equal(new Set(greedy).size, 1, 'top-k 1 always takes the most likely character');
  for (const n of names('--prompt', 'ma', '--num-samples', '10')) assert.ok(n.startsWith('ma'), n);
  for (const n of names('--max-length', '3', '--num-samples', '20')) assert.ok(n.length <= 3, n);
  const hot = names('--temperature', '2', '--num-samples', '50', '--seed', '1');
  const cold = names('--temperature', '0.1', '--num-samples', '50', '--seed', '1');
  assert.ok(new Set(hot).size > new Set(cold).size, 'a higher temperature gives more varied names');
});

test('sample: a prompt character outside the vocabulary is named', { skip: noNames }, () => {
  const { ck } = model();
  expectUsageError(runCli(['sample', '--model', ck, '--prompt', 'mA']), /--prompt: character "A" is not in the vocabulary/);
  expectUsageError(runCli(['sample', '--model', ck, '--prompt', 'abcdefghijklmnopq']), /--prompt has 17 characters; names are at most 16/);
  expectUsageError(runCli(['sample']), /sample needs --model FILE/);
  expectUsageError(runCli(['sample', '--model', ck, '--max-length', '99']), /--max-length must be at most the block size \(16\), got 99/);
});

test('samples are marked as copied from training, validation, or new', { skip: noNames }, () => {
  const { ck } = model();
  const r = runCli(['sample', '--model', ck, '--data', NAMES, '--num-samples', '30']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines.pop()!, /^new: \d+ of 30, in train: \d+, in val: \d+$/);
  const names = new Set(readFileSync(NAMES, 'utf8').split('\n'));
  for (const line of lines) {
    const [name, mark] = line.split('\t');
    assert.equal(mark === '(new)', !names.has(name), line);
  }
});

test('eval: mean loss per token and perplexity on a file', { skip: noNames }, () => {
  const { ck, dir } = model();
  const r = runCli(['eval', '--model', ck, '--data', NAMES]);
  assert.equal(r.status, 0, r.stderr);
  const m = /^docs: 32033\ntokens: (\d+)\nloss: (\d\.\d{4}) nats per token\nperplexity: (\d+\.\d{3})\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const expected = readFileSync(NAMES, 'utf8')
    .split('\n')
    .filter(Boolean)
    .reduce((sum, name) => sum + Math.min(16, name.length + 1), 0);
  assert.equal(Number(m[1]), expected, 'each name predicts its characters and the closing BOS, cut to the block size');
  assert.ok(Math.abs(Math.exp(Number(m[2])) - Number(m[3])) < 0.01);
  assert.ok(Number(m[2]) < Math.log(27));
  writeFileSync(join(dir, 'caps.txt'), 'anna\nBob\n');
  expectUsageError(
    runCli(['eval', '--model', ck, '--data', join(dir, 'caps.txt')]),
    /document 2 \("Bob"\): character "B" is not in the vocabulary of the model/,
  );
});

test('--log writes a JSON line per step, and plot draws it', { skip: noNames }, () => {
  const { dir } = model();
  const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines[0].run.vocab_size, 27);
  assert.equal(lines.length, 301);
  assert.deepEqual(Object.keys(lines[1]), ['step', 'loss', 'lr', 'tokens_per_sec']);
  assert.equal(lines[100].val_loss !== undefined, true);
  assert.equal(lines[1].lr, 0.01);
  const svg = readFileSync(join(dir, 'loss.svg'), 'utf8');
  for (const svgFile of [svg, (runCli(['plot', join(dir, 'log.jsonl')]), readFileSync(join(dir, 'log.svg'), 'utf8'))]) {
    assert.match(svgFile, /^<svg xmlns/);
    assert.match(svgFile, /class="train"/);
    assert.match(svgFile, /class="val"/);
    assert.match(svgFile, /random guessing: ln\(27\) = 3\.296/);
  }
  writeFileSync(join(dir, 'junk.jsonl'), 'hello\n');
  expectUsageError(runCli(['plot', join(dir, 'junk.jsonl')]), /line 1 is not JSON/);
  expectUsageError(runCli(['plot', join(dir, 'nope.jsonl')]), /cannot read log file .*nope.jsonl: no such file/);
});

test('on a terminal, one live status line with speed and time left', { skip: noNames }, () => {
  // script(1) gives the CLI a pseudo-terminal
  const r = spawnSync('script', ['-qec', `${process.execPath} ${CLI} --data ${NAMES} --num-steps 300 --num-samples 2`, '/dev/null'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /\r\x1b\[Kstep +\d+ \/  300 \| loss \d\.\d{4} \| avg \d\.\d{4} \| lr [\d.e-]+ \| [\d.]+ ms\/step \| \d+ tok\/s \| [\d.]+s left/,
  );
  assert.match(r.stdout, /step  300 \/  300/);
  assert.ok(r.stdout.split('\n').filter((l) => l.includes('step ')).length < 5, 'the status line rewrites itself');
});
