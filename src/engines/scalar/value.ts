/**
 * Autograd on scalars, as microgpt.py's `Value`: each op returns a node that
 * knows its data, its children and the local gradient toward each child;
 * backward() chains them from the loss down.
 *
 * Differences TypeScript forces, each kept small:
 * - No operator overloading: `a + b` is `a.add(b)`, `2 * a` is `a.rmul(2)`.
 * - Every op has at most two children, stored in fields, and a number operand
 *   is folded into the local gradient instead of becoming a `Value(other)`
 *   child (its gradient is never read).
 * - Graph nodes come from a reusable pool, the tape, instead of fresh objects:
 *   ~50,000 nodes per training step would otherwise dominate the step with
 *   allocation and garbage collection. Nodes sit on the tape in creation
 *   order, which is a topological order, so backward() is one reverse sweep.
 *   backward() releases the graph (as PyTorch does): a node's data stays
 *   readable until the next op reuses it. Code that builds graphs without
 *   calling backward() (sampling) calls freeGraph() when done with them.
 *   Leaves made with `new Value(x)` (the parameters) are never pooled.
 */
export class Value {
  data: number;
  grad = 0;
  /** Position on the tape; -1 for a leaf. */
  _index = -1;
  _child0: Value | null;
  _child1: Value | null;
  _localGrad0: number;
  _localGrad1: number;

  constructor(data: number, child0: Value | null = null, localGrad0 = 0, child1: Value | null = null, localGrad1 = 0) {
    this.data = data;
    this._child0 = child0;
    this._localGrad0 = localGrad0;
    this._child1 = child1;
    this._localGrad1 = localGrad1;
  }

  add(other: Value | number): Value {
    if (typeof other === 'number') return node(this.data + other, this, 1, null, 0);
    return node(this.data + other.data, this, 1, other, 1);
  }

  mul(other: Value | number): Value {
    if (typeof other === 'number') return node(this.data * other, this, other, null, 0);
    return node(this.data * other.data, this, other.data, other, this.data);
  }

  pow(other: number): Value {
    return node(this.data ** other, this, other * this.data ** (other - 1), null, 0);
  }

  log(): Value {
    return node(Math.log(this.data), this, 1 / this.data, null, 0);
  }

  exp(): Value {
    const e = Math.exp(this.data);
    return node(e, this, e, null, 0);
  }

  relu(): Value {
    // max(0, x) in Python returns 0 unless x > 0 (NaN included)
    return node(this.data > 0 ? this.data : 0, this, this.data > 0 ? 1 : 0, null, 0);
  }

  neg(): Value {
    return this.mul(-1);
  }

  radd(other: number): Value {
    return this.add(other);
  }

  sub(other: Value | number): Value {
    return this.add(typeof other === 'number' ? -other : other.neg());
  }

  rsub(other: number): Value {
    return this.neg().add(other);
  }

  rmul(other: number): Value {
    return this.mul(other);
  }

  div(other: Value | number): Value {
    return this.mul(typeof other === 'number' ? other ** -1 : other.pow(-1));
  }

  rdiv(other: number): Value {
    return this.pow(-1).mul(other);
  }

  /**
   * Sets d(this)/d(node) into every node's grad, adding into the leaves'.
   * The tape from this node down is a reverse topological order; nodes the
   * loss does not depend on have grad 0 and pass nothing on.
   */
  backward(): void {
    this.grad = 1;
    for (let i = this._index; i >= 0; i--) {
      const v = tape[i];
      const grad = v.grad;
      if (grad === 0) continue;
      const child0 = v._child0;
      if (child0 !== null) child0.grad += v._localGrad0 * grad;
      const child1 = v._child1;
      if (child1 !== null) child1.grad += v._localGrad1 * grad;
    }
    freeGraph();
  }
}

const tape: Value[] = [];
let tapeLength = 0;

function node(data: number, child0: Value, localGrad0: number, child1: Value | null, localGrad1: number): Value {
  let v = tape[tapeLength];
  if (v === undefined) {
    v = new Value(data, child0, localGrad0, child1, localGrad1);
    tape.push(v);
  } else {
    v.data = data;
    v.grad = 0;
    v._child0 = child0;
    v._localGrad0 = localGrad0;
    v._child1 = child1;
    v._localGrad1 = localGrad1;
  }
  v._index = tapeLength++;
  return v;
}

/** Releases every graph node built so far for reuse; leaves are untouched. */
export function freeGraph(): void {
  tapeLength = 0;
}

/** Python's sum() over Values, a left fold (Python starts from 0; x + 0 === x, so the 0 is left out). */
export function sum(xs: readonly Value[]): Value {
  let total = xs[0];
  for (let i = 1; i < xs.length; i++) total = total.add(xs[i]);
  return total;
}
