// Issue 18, item 8: with too few file descriptors (ulimit -n) a run is one line and exit 2, never a raw EMFILE
// stack or an internal error, whether it fails loading its own modules or starting the wasm engine's threads.
// (Below about 20, Node itself aborts before any of microgpt runs: node -e 0 does too, so that is not tested.)
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

for (const [what, args] of Object.entries(runs)) {
  test(`${what}: ulimit -n 20, 26 and 30 are one line and exit 2; 64 trains`, () => {
    for (const n of [20, 26, 30]) {
      expectUsageError(withFiles(n, args), /^microgpt: too many open files: microgpt needs more file descriptors than ulimit -n allows/);
    }
    const ok = withFiles(64, args);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /step +5 \/ +5/);
  });
}
