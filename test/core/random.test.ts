// CPython compatibility of Random. The fixture is recorded from python3:
//   python3 test/fixtures/make-random-fixture.py > test/fixtures/random-cpython.json
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Random } from '../../src/core/random.ts';

interface Case {
  seed: number;
  uint32: number[];
  random: string[];
  getrandbits: [number, number][];
  randbelow: [number, number][];
  shuffle50: number[];
  gauss: string[];
  choices: number[];
  after: string;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/random-cpython.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Parses Python's float.hex() output exactly. */
function fromPythonHex(h: string): number {
  const m = /^(-?)0x([01])\.([0-9a-f]+)p([+-]\d+)$/.exec(h);
  if (!m) throw new Error(`bad float hex ${h}`);
  const mantissa = parseInt(m[2] + m[3], 16) / 16 ** m[3].length;
  return (m[1] ? -1 : 1) * mantissa * 2 ** Number(m[4]);
}

for (const c of fixture.cases) {
  test(`Random(${c.seed}) replays CPython's stream`, () => {
    const r = new Random(c.seed);
    assert.deepEqual(
      c.uint32.map(() => r.getrandbits(32)),
      c.uint32,
      'genrand_uint32 via getrandbits(32)',
    );
    assert.deepEqual(
      c.random.map(() => r.random()),
      c.random.map(fromPythonHex),
      'random()',
    );
    for (const [k, want] of c.getrandbits) assert.equal(r.getrandbits(k), want, `getrandbits(${k})`);
    for (const [n, want] of c.randbelow) assert.equal(r.randbelow(n), want, `_randbelow(${n})`);
    const xs = Array.from({ length: 50 }, (_, i) => i);
    r.shuffle(xs);
    assert.deepEqual(xs, c.shuffle50, 'shuffle');
    let exact = 0;
    for (const h of c.gauss) {
      const want = fromPythonHex(h);
      const got = r.gauss(0, 0.08);
      // Math.log/cos/sin may differ from glibc in the last bit: allow 2 ulps (4e-16 relative), and require most to be exact
      assert.ok(Math.abs(got - want) <= Math.abs(want) * 2 ** -51, `gauss ${got} vs ${want}`);
      if (got === want) exact++;
    }
    assert.ok(exact / c.gauss.length > 0.85, `only ${exact}/${c.gauss.length} gauss values bit-exact`);
    assert.deepEqual(
      c.choices.map(() => r.choiceIndex([0.5, 0.0, 2.25, 1e-3, 3.0])),
      c.choices,
      'choices',
    );
    assert.equal(r.random(), fromPythonHex(c.after), 'stream position after all of the above');
  });
}

test('getstate/setstate continues the same stream, gauss cache included', () => {
  const a = new Random(7);
  a.gauss();
  const saved = JSON.parse(JSON.stringify(a.getstate()));
  const want = [a.gauss(), a.random(), a.gauss()];
  const b = new Random(1);
  b.setstate(saved);
  assert.deepEqual([b.gauss(), b.random(), b.gauss()], want);
});

test('choices never picks a zero-weight item and rejects bad weights', () => {
  const r = new Random(3);
  for (let i = 0; i < 200; i++) assert.notEqual(r.choices(['a', 'b', 'c'], [1, 0, 1]), 'b');
  assert.throws(() => r.choiceIndex([0, 0]), /positive/);
  assert.throws(() => r.choiceIndex([]), /no weights/);
});

test("shuffle draws what random.shuffle's randbelow(i + 1) draws, at lengths on both sides of powers of two", () => {
  for (const n of [1, 2, 3, 4, 5, 31, 32, 33, 255, 256, 257, 1000, 32033, 65537]) {
    const fast = Array.from({ length: n }, (_, i) => i);
    const slow = fast.slice();
    const a = new Random(n);
    const b = new Random(n);
    a.shuffle(fast);
    for (let i = slow.length - 1; i > 0; i--) {
      const j = b.randbelow(i + 1);
      [slow[i], slow[j]] = [slow[j], slow[i]];
    }
    assert.deepEqual(fast, slow, `length ${n}`);
    assert.equal(a.random(), b.random(), `length ${n}: the stream goes on alike`);
  }
});
