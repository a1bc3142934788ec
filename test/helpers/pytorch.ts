/**
 * The PyTorch port as the tests run it: Debian's python3 with torch (else the one on PATH), the port's script,
 * torchrun, and the comparisons its tests share. Under CI a missing torch fails the tests instead of skipping them.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT, tempDir, type Run } from './cli.ts';

export const SCRIPT = join(ROOT, 'pytorch', 'microgpt.py');

/** A python3 that imports torch: Debian's first, then the one on PATH. */
export const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
/** Skip reason when there is no torch, never under CI. */
export const noTorch = PYTHON || process.env.CI ? false : 'needs python3 with torch';

export function python(args: string[], cwd = tempDir()): Run {
  assert.ok(PYTHON, 'no python3 that can import torch (Debian: apt-get install python3-torch)');
  const r = spawnSync(PYTHON, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const torchMicrogpt = (args: string[]) => python([SCRIPT, ...args]);

/** The port run without holding this process, so that several run at once (each python3 spends a second importing torch). */
export function torchMicrogptAsync(args: string[]): Promise<Run> {
  assert.ok(PYTHON, 'no python3 that can import torch (Debian: apt-get install python3-torch)');
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { cwd: tempDir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs the tasks, as many at once as the machine has cores. */
export async function inParallel(tasks: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
}

/** torchrun as `python3 -m torch.distributed.run`; Debian's torch 1.13 under Python 3.11 needs the redirects/tee mapping (its "0" default does not parse). */
export const torchrun = (nproc: number, args: string[]) =>
  python([
    '-m',
    'torch.distributed.run',
    '--standalone',
    '--nproc_per_node',
    String(nproc),
    '--redirects',
    '9:1',
    '--tee',
    '9:1',
    SCRIPT,
    ...args,
  ]);

/** The run, asserted to have succeeded. */
export const ok = (r: Run): Run => {
  assert.equal(r.status, 0, r.stderr);
  return r;
};

/** The largest difference between two arrays, relative to the largest value of the first. */
export const maxRelDiff = (a: Float64Array, b: Float64Array) => {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return worst / scale;
};
