/** The unrolled matrix products against the plain three-loop ones, on shapes that are not multiples of the unrolling. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/core/random.ts';
import { matmulBackward, matmulBackwardNaive, matmulForward, matmulForwardNaive } from '../../src/engines/fast/matmul.ts';

const shapes: [rows: number, IC: number, OC: number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [2, 16, 64],
  [5, 64, 16],
  [7, 9, 4],
  [33, 6, 3],
  [40, 13, 27],
];

function randomArray(rng: Random, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.gauss(0, 1));
}

for (const [rows, IC, OC] of shapes) {
  test(`matmulForward equals the plain product bit for bit (${rows} x ${IC} -> ${OC})`, () => {
    const rng = new Random(rows * 1000 + IC * 10 + OC);
    const inp = randomArray(rng, rows * IC);
    const w = randomArray(rng, OC * IC);
    const fast = new Float64Array(rows * OC);
    const plain = new Float64Array(rows * OC);
    matmulForward(fast, inp, w, 0, rows, IC, OC);
    matmulForwardNaive(plain, inp, w, 0, rows, IC, OC);
    assert.deepEqual(fast, plain);
  });

  test(`matmulBackward agrees with the plain backward to 1e-12 (${rows} x ${IC} -> ${OC})`, () => {
    const rng = new Random(rows * 7 + IC * 3 + OC);
    const inp = randomArray(rng, rows * IC);
    const w = randomArray(rng, OC * IC);
    const dout = randomArray(rng, rows * OC);
    // both accumulate into what is already there
    const start = randomArray(rng, rows * IC + OC * IC);
    const dinpFast = start.slice(0, rows * IC),
      dwFast = start.slice(rows * IC);
    const dinpPlain = start.slice(0, rows * IC),
      dwPlain = start.slice(rows * IC);
    matmulBackward(dinpFast, dwFast, dout, inp, w, 0, rows, IC, OC);
    matmulBackwardNaive(dinpPlain, dwPlain, dout, inp, w, 0, rows, IC, OC);
    for (const [a, b] of [
      [dinpFast, dinpPlain],
      [dwFast, dwPlain],
    ]) {
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-12 * (1 + Math.abs(b[i])), `${i}: ${a[i]} vs ${b[i]}`);
    }
  });
}
