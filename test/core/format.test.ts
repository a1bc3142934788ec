// formatFixed is Python's f"{x:.{digits}f}": checked against python3 itself on values at, beside and far from ties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { formatFixed } from '../../src/core/format.ts';
import { Random } from '../../src/core/random.ts';

const python = spawnSync('python3', ['--version']).status === 0;

test(
  'formatFixed prints what Python prints: exact ties to even, near-ties and ordinary values',
  { skip: python || process.env.CI ? false : 'needs python3' },
  () => {
    const rng = new Random(7);
    const xs: number[] = [0, -0, 0.5, 1.5, 2.5, 1e-7, 123456.78125];
    for (let k = -200; k <= 200; k++) {
      const tie = k / 32; // x * 10^4 ends in exactly .5 for odd k
      xs.push(tie, tie + Number.EPSILON * Math.max(1, Math.abs(tie)), tie - Number.EPSILON * Math.max(1, Math.abs(tie)));
      xs.push((k + 0.5) / 10 ** 4, (k + 0.5) / 10 ** 2); // near-ties that are not exact in binary
    }
    for (let i = 0; i < 2000; i++) xs.push((rng.random() - 0.3) * 10 ** Math.floor(rng.random() * 8 - 3));
    for (const digits of [0, 2, 4, 6]) {
      const py = spawnSync('python3', ['-c', `import sys\nfor l in sys.stdin: print(f"{float.fromhex(l.strip()):.${digits}f}")`], {
        input: xs.map((x) => hex(x)).join('\n'),
        encoding: 'utf8',
      });
      assert.equal(py.status, 0, py.stderr);
      const expected = py.stdout.trim().split('\n');
      xs.forEach((x, i) => assert.equal(formatFixed(x, digits), expected[i], `${x} to ${digits} digits`));
    }
  },
);

/** x as Python's float.hex reads it, exactly. */
function hex(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0x0p+0' : '0x0p+0';
  const bits = new DataView(new Float64Array([x]).buffer).getBigUint64(0, true);
  const sign = bits >> 63n ? '-' : '';
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = bits & ((1n << 52n) - 1n);
  return exp === 0
    ? `${sign}0x0.${mant.toString(16).padStart(13, '0')}p-1022`
    : `${sign}0x1.${mant.toString(16).padStart(13, '0')}p${exp - 1023}`;
}
