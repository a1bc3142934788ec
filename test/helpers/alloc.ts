/**
 * "Nothing in a step allocates", measured (test/probes/alloc-probe.mjs explains how): the heap bytes a training
 * step allocates, the least over short windows in which no collection ran. V8 boxes a float64 that crosses a
 * call it did not inline (16 bytes each: 2 or 3 per step, measured 32 or 48 bytes); an array, object or typed
 * array made per step adds 56 bytes or more, in every window.
 *
 * With helper threads, one more thing allocates: an Atomics.wait that really sleeps (V8 allocates 16 bytes
 * for it), which the engine's thread reaches only when a helper is still busy after thousands of polls, that is,
 * when the machine's cores are taken by other work (another test file, under npm test's concurrency). Such a
 * run is measured again, up to three times, keeping the least: a step's own array would show in every run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NAMES } from './cli.ts';

const probe = fileURLToPath(new URL('../probes/alloc-probe.mjs', import.meta.url));

/** The most a step may allocate: three boxed numbers and change, less than any array or object. */
export const BOXED_ONLY = 50;

export function bytesPerStep(
  batchSize: number,
  engine: 'fast' | 'wasm' = 'fast',
  threads = 1,
  leak = 0,
  dtype?: 'float32' | 'float64',
): number {
  const runs = threads > 1 ? 3 : 1;
  let least = Infinity;
  for (let i = 0; i < runs && least > BOXED_ONLY; i++) least = Math.min(least, probeOnce(batchSize, engine, threads, leak, dtype));
  return least;
}

function probeOnce(batchSize: number, engine: 'fast' | 'wasm', threads: number, leak: number, dtype?: 'float32' | 'float64'): number {
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--min-semi-space-size=64',
      '--max-semi-space-size=64',
      probe,
      NAMES,
      String(batchSize),
      engine,
      String(threads),
      String(leak),
      ...(dtype ? [dtype] : []),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { bytesPerStep: number[]; dropped: number; finite: boolean };
  assert.ok(out.finite, 'the probe trained to a finite loss');
  assert.ok(out.bytesPerStep.length >= 3, `only ${out.bytesPerStep.length} windows ran without a collection`);
  return Math.min(...out.bytesPerStep);
}
