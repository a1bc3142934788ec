// The autograd engine: every op against central finite differences, and the
// tape's backward order against the original's recursive topological sort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

function checkOp(name: string, build: (v: Value[]) => Value, inputs: number[]): void {
  test(`gradient of ${name} matches finite differences`, () => {
    const leaves = inputs.map((x) => new Value(x));
    const out = build(leaves);
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

test('backward() handles a 200,000-node chain without recursion', () => {
  const x = new Value(1);
  let y = x.mul(1);
  for (let i = 0; i < 200_000; i++) y = y.add(x);
  y.backward();
  assert.equal(x.grad, 200_001);
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

/**
 * microgpt.py's backward: a depth-first topological sort from the loss, then
 * child.grad += local_grad * v.grad over it in reverse. Written iteratively here.
 */
export function referenceBackward(root: Value): void {
  const topo: Value[] = [];
  const visited = new Set<Value>();
  const stack: [Value, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [v, next] = top;
    const children = v._children;
    if (next < children.length) {
      top[1]++;
      const child = children[next];
      if (!visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      topo.push(v);
    }
  }
  root.grad = 1;
  for (let i = topo.length - 1; i >= 0; i--) {
    const v = topo[i];
    const grads = v._local_grads;
    v._children.forEach((child, k) => (child.grad += grads[k] * v.grad));
  }
}
