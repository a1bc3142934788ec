// The autograd engine: every op against central finite differences, on the engine's Value (the typed-array
// tape) and on the lesson's (microgpt.py's, line for line), which compute the same numbers bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value as LessonValue } from '../../src/engines/scalar/lesson-value.ts';
import type { Scalar } from '../../src/engines/scalar/model.ts';
import { Value, freeGraph, sum } from '../../src/engines/scalar/value.ts';

/** d f / d x_i by central differences on plain numbers. */
function numericGrad(f: (xs: number[]) => number, xs: number[], h = 1e-6): number[] {
  return xs.map((_, i) => {
    const up = xs.slice();
    const down = xs.slice();
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** The ops both Values have. */
type Ops<V> = Scalar<V> & { radd(other: number): V; rsub(other: number): V; rdiv(other: number): V };

function checkOp(name: string, build: <V extends Ops<V>>(v: V[]) => V, inputs: number[]): void {
  test(`gradient of ${name} matches finite differences, and the lesson's Value computes the same numbers bit for bit`, () => {
    const leaves = inputs.map((x) => new Value(x));
    const out = build(leaves);
    const data = out.data; // (read now: the tape recycles its nodes)
    out.backward();
    const analytic = leaves.map((l) => l.grad);
    const numeric = numericGrad((xs) => {
      const r = build(xs.map((x) => new Value(x))).data;
      freeGraph();
      return r;
    }, inputs);
    analytic.forEach((g, i) =>
      assert.ok(Math.abs(g - numeric[i]) <= 1e-6 * Math.max(1, Math.abs(numeric[i])), `${name} d/dx${i}: ${g} vs ${numeric[i]}`),
    );
    const lessonLeaves = inputs.map((x) => new LessonValue(x));
    const lessonOut = build(lessonLeaves);
    lessonOut.backward();
    assert.equal(lessonOut.data, data);
    assert.deepEqual(
      lessonLeaves.map((l) => l.grad),
      analytic,
    );
  });
}

checkOp('add', ([a, b]) => a.add(b), [1.3, -0.7]);
checkOp('add number', ([a]) => a.add(2.5), [1.3]);
checkOp('radd', ([a]) => a.radd(2.5), [1.3]);
checkOp('mul', ([a, b]) => a.mul(b), [1.3, -0.7]);
checkOp('mul by itself', ([a]) => a.mul(a), [1.3]);
checkOp('mul number', ([a]) => a.mul(-3), [1.3]);
checkOp('rmul', ([a]) => a.rmul(-3), [1.3]);
checkOp('pow 3', ([a]) => a.pow(3), [1.3]);
checkOp('pow -0.5', ([a]) => a.pow(-0.5), [1.3]);
checkOp('pow -1', ([a]) => a.pow(-1), [-0.8]);
checkOp('log', ([a]) => a.log(), [1.3]);
checkOp('exp', ([a]) => a.exp(), [-0.4]);
checkOp('relu (positive)', ([a]) => a.relu(), [0.6]);
checkOp('relu (negative)', ([a]) => a.relu(), [-0.6]);
checkOp('neg', ([a]) => a.neg(), [0.6]);
checkOp('sub', ([a, b]) => a.sub(b), [1.3, -0.7]);
checkOp('sub number', ([a]) => a.sub(0.25), [1.3]);
checkOp('rsub', ([a]) => a.rsub(0.25), [1.3]);
checkOp('div', ([a, b]) => a.div(b), [1.3, -0.7]);
checkOp('div number', ([a]) => a.div(4), [1.3]);
checkOp('rdiv', ([a]) => a.rdiv(2), [1.3]);
checkOp(
  'a composite with shared nodes',
  ([a, b, c]) => {
    const d = a.mul(b).add(b.exp());
    return d
      .mul(d)
      .div(c.add(3))
      .sub(a.log())
      .relu()
      .add(sum([a, b, c]).pow(2));
  },
  [0.9, -0.3, 0.4],
);

test('ops compute the same numbers as Python', () => {
  const a = new Value(3);
  assert.equal(a.div(4).data, 0.75);
  assert.equal(a.relu().data, 3);
  assert.equal(new Value(-2).relu().data, 0);
  assert.equal(new Value(Number.NaN).relu().data, 0); // max(0, nan) is 0 in Python
  assert.equal(a.rsub(1).data, -2);
  assert.equal(a.rdiv(6).data, 6 * 3 ** -1);
  freeGraph();
});

test("backward() handles a 200,000-node chain without recursion; the lesson's recursive build_topo overflows the stack on it", () => {
  const x = new Value(1);
  let y = x.mul(1);
  for (let i = 0; i < 200_000; i++) y = y.add(x);
  y.backward();
  assert.equal(x.grad, 200_001);
  const lx = new LessonValue(1);
  let ly = lx.mul(1);
  for (let i = 0; i < 200_000; i++) ly = ly.add(lx);
  assert.throws(() => ly.backward(), RangeError, 'why the engine uses the tape');
});

test("the lesson's Value is microgpt.py's: numbers become leaf children, sum's nodes keep their children and local gradients", () => {
  const a = new LessonValue(3);
  const b = a.mul(2);
  assert.equal(b._children.length, 2);
  assert.equal(b._children[0], a);
  assert.equal(b._children[1].data, 2);
  assert.deepEqual(b._local_grads, [2, 3]);
  const c = b.add(a).relu().log();
  c.backward();
  assert.equal(c.grad, 1);
  assert.equal(a.grad, 3 / 9);
});

test('backward() leaves nodes the loss does not depend on alone, and accumulates into leaves', () => {
  const a = new Value(2);
  const b = new Value(5);
  const unrelated = b.mul(b);
  const loss = a.mul(a);
  loss.backward();
  assert.equal(a.grad, 4);
  assert.equal(b.grad, 0);
  assert.equal(unrelated.grad, 0);
  const again = a.mul(3);
  again.backward();
  assert.equal(a.grad, 7, 'leaf gradients accumulate until reset, as in Python');
});
