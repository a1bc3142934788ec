// Issue 18, item 8: with too few file descriptors (ulimit -n) a run is one line and exit 2, never a raw EMFILE
// stack or an internal error, whether it fails reading its data or starting the wasm engine's threads (each a
// worker that opens its own modules). The built CLI is one file (scripts/bundle-cli.mjs), so a run on one
// thread opens little besides its data. (Below about 19, Node itself aborts before any of microgpt runs:
// node -e 0 does too, so that is not tested.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, expectUsageError, tempDir } from '../helpers/cli.ts';

const data = join(tempDir(), 'data.txt');
writeFileSync(data, ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia'].join('\n') + '\n');

function withFiles(n: number, args: string[]) {
  const r = spawnSync('bash', ['-c', `ulimit -n ${n}; exec "${process.execPath}" "${CLI}" "$@"`, 'microgpt', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const runs = {
  default: ['--data', data, '--num-steps', '5', '--num-samples', '1'],
  'wasm, 2 threads': ['--data', data, '--engine', 'wasm', '--threads', '2', '--batch-size', '4', '--num-steps', '5', '--num-samples', '1'],
};

const TOO_FEW =
  /^microgpt: (too many open files: microgpt needs more file descriptors than ulimit -n allows|cannot read data file .*: too many open files \(raise ulimit -n\))/;

/** Trained all 5 steps, or said in one line (exit 2) that it had too few file descriptors. */
function trainsOrSaysSo(r: ReturnType<typeof withFiles>, n: number): 'trained' | 'refused' {
  if (r.status === 0) {
    assert.match(r.stdout, /step +5 \/ +5/, `ulimit -n ${n}`);
    return 'trained';
  }
  expectUsageError(r, TOO_FEW);
  return 'refused';
}

// one thread needs little beyond its data file: it trains at 20; helper threads need a few descriptors each: refused at 20 and 22
const expected: Record<keyof typeof runs, Record<number, 'trained' | 'refused'>> = {
  default: { 20: 'trained', 30: 'trained' },
  'wasm, 2 threads': { 20: 'refused', 22: 'refused' },
};

for (const [what, args] of Object.entries(runs) as [keyof typeof runs, string[]][]) {
  test(`${what}: from ulimit -n 19 to 30 each run trains or is one line and exit 2; 64 trains`, () => {
    const outcomes = new Map([19, 20, 21, 22, 23, 26, 30].map((n) => [n, trainsOrSaysSo(withFiles(n, args), n)]));
    for (const [n, outcome] of Object.entries(expected[what])) assert.equal(outcomes.get(Number(n)), outcome, `ulimit -n ${n}`);
    const ok = withFiles(64, args);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /step +5 \/ +5/);
  });
}
