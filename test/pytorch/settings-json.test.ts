// pytorch/settings.json, the settings table as pytorch/microgpt.py reads it: the committed file is what
// scripts/settings-json.ts writes from src/core/settings.ts today, the port's --help offers every flag it
// should, and a checkpoint's train metadata is read by the table (a missing key takes its default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { SETTING_LIST } from '../../src/core/settings.ts';
import { SETTINGS_JSON, settingsJson } from '../../scripts/settings-json.ts';
import { expectUsageError, NAMES, noNames, ROOT, runCli, tempDir, type Run } from '../helpers/cli.ts';

const SCRIPT = join(ROOT, 'pytorch', 'microgpt.py');

interface JsonSetting {
  key: string;
  flag: string;
  group: string;
  kind: 'int' | 'number' | 'choice';
  default: number | string;
  choices?: string[];
  range: string;
  valueName: string | null;
  help: string;
}
const committed = () => readFileSync(SETTINGS_JSON, 'utf8');
const table = () => JSON.parse(committed()) as { settings: JsonSetting[]; checkpoint: { model: string[]; train: string[] } };

/** A python3 that runs (--help and argument parsing import no torch), and one that imports torch: Debian's first, then PATH's. */
function findPython(check: string): string | undefined {
  return ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', check], { encoding: 'utf8' }).status === 0);
}
const PYTHON = findPython('import sys; assert sys.version_info >= (3, 8)');
const TORCH_PYTHON = findPython('import torch');
// under CI a missing python3 or torch fails, as in pytorch.test.ts
const noPython = PYTHON || process.env.CI ? false : 'needs python3';
const noTorch = noNames || (TORCH_PYTHON || process.env.CI ? false : 'needs python3 with torch');

function port(args: string[], python = PYTHON): Run {
  assert.ok(python, 'no python3 here (or none that imports torch; Debian: apt-get install python3-torch)');
  const r = spawnSync(python, [SCRIPT, ...args], { cwd: tempDir(), encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('pytorch/settings.json is what `npm run settings:json` writes from the table today', () => {
  assert.equal(committed(), settingsJson(), 'pytorch/settings.json is stale: run npm run settings:json');
});

test('pytorch/settings.json is formatted as prettier writes it', async () => {
  const options = await resolveConfig(SETTINGS_JSON);
  assert.equal(await format(committed(), { ...options, parser: 'json' }), committed());
});

test("settings.json holds every setting of the table, and a checkpoint's model and train keys", () => {
  const { settings, checkpoint } = table();
  assert.deepEqual(
    settings.map((s) => s.key),
    SETTING_LIST.map((s) => s.key),
  );
  const group = (g: string) => SETTING_LIST.filter((s) => s.group === g).map((s) => s.key);
  assert.deepEqual(checkpoint.model, group('model'));
  assert.deepEqual(checkpoint.train, [...group('train'), 'valFraction', 'documents']);
});

/** What the port leaves out, as pytorch/microgpt.py says (NOT_HERE_GROUPS, NOT_HERE_KEYS). */
const notInPort = (s: JsonSetting) => s.group === 'engine' || s.key === 'maxLength';

test("the port's train --help offers each flag of settings.json it should, with its help and default", { skip: noPython }, () => {
  const r = port(['train', '--help']);
  assert.equal(r.status, 0, r.stderr);
  const text = r.stdout.replace(/\s+/g, ' '); // argparse wraps the help
  const offered = new Set([...r.stdout.matchAll(/^ {2}(--[\w-]+)/gm)].map((m) => m[1]));
  for (const s of table().settings) {
    if (notInPort(s)) {
      assert.ok(!offered.has(`--${s.flag}`), `--${s.flag} is left out of the port, yet --help offers it`);
      continue;
    }
    const valueName = s.valueName ?? (s.kind === 'choice' ? s.choices!.join('|') : s.kind === 'int' ? 'N' : 'X');
    assert.ok(offered.has(`--${s.flag}`), `--help lacks --${s.flag}`);
    const shown = text.split(`--${s.flag} ${valueName} ${s.help} [`)[1]; // then the default, in Python's words: [1e-08], [0.0]
    assert.ok(shown, `--help of --${s.flag} lacks its help, ${JSON.stringify(s.help)}`);
    const given = shown.slice(0, shown.indexOf(']'));
    assert.equal(s.kind === 'choice' ? given : Number(given), s.default, `--help of --${s.flag}: its default`);
  }
  // a left-out flag is refused as any unknown flag is
  expectUsageError(port(['train', '--threads', '2']), /^microgpt: unrecognized arguments: --threads 2$/);
});

/** A copy of a checkpoint with its metadata edited (the tensors' offsets count from the data, so they stay). */
function editMetadata(from: string, to: string, edit: (meta: Record<string, string>) => void): string {
  const bytes = readFileSync(from);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as { __metadata__: Record<string, string> };
  edit(header.__metadata__);
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(to, Buffer.concat([size, Buffer.from(json), bytes.subarray(8 + n)]));
  return to;
}
const editPart = (part: 'model' | 'train', edit: (values: Record<string, unknown>) => void) => (meta: Record<string, string>) => {
  const values = JSON.parse(meta[part]) as Record<string, unknown>;
  edit(values);
  meta[part] = JSON.stringify(values);
};

test("a checkpoint's train without a key resumes on its default; a key of the wrong type or range is the CLI's one line, exit 2", { skip: noTorch }, () => {
  const dir = tempDir();
  const ck = join(dir, 'ck.safetensors');
  const ok = (r: Run) => (assert.equal(r.status, 0, r.stderr), r);
  ok(runCli(['--data', NAMES, '--num-steps', '6', '--until', '3', '--engine', 'fast', '--out', ck]));
  const cli = ok(runCli(['--data', NAMES, '--resume', ck]));
  // beta1 absent: the table's 0.85, which the run used, so the run is the CLI's and --beta1 0.85 agrees with it
  const lacking = editMetadata(ck, join(dir, 'lacking.safetensors'), editPart('train', (t) => delete t.beta1));
  const out = join(dir, 'out.safetensors');
  const torch = ok(port(['train', '--data', NAMES, '--resume', lacking, '--beta1', '0.85', '--out', out], TORCH_PYTHON));
  assert.equal(torch.stdout, cli.stdout);
  assert.equal(loadCheckpoint(readFileSync(out)).train.beta1, 0.85);
  const refused = (edit: (meta: Record<string, string>) => void, pattern: RegExp) =>
    expectUsageError(port(['train', '--data', NAMES, '--resume', editMetadata(ck, join(dir, 'bad.safetensors'), edit)], TORCH_PYTHON), pattern);
  refused(
    editPart('train', (t) => (t.learningRate = '0.01')),
    /corrupt metadata: train: learningRate must be a number greater than 0 and at most 10, got "0\.01"$/,
  );
  refused(
    editPart('train', (t) => (t.batchSize = 0)),
    /corrupt metadata: train: batchSize must be an integer from 1 to 65536, got 0$/,
  );
  refused(
    editPart('model', (m) => delete m.nHead),
    /corrupt metadata: model: nHead must be an integer from 1 to 4096, got undefined$/,
  );
  refused((meta) => (meta.train = '[1]'), /corrupt metadata: train must be an object of training settings, got an array$/);
});
