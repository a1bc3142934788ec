/**
 * microgpt.py's `Value` as the scalar engine runs it (lesson-value.ts has the
 * original's, line for line, and says why the engine uses this one): autograd
 * on scalars. Each op returns a node that
 * knows its data, its children and the local gradient toward each child;
 * backward() sorts the graph depth-first from the loss and chains the
 * gradients back in reverse, in exactly the original's order.
 *
 * What TypeScript forces: no operator overloading (`a + b` is `a.add(b)`,
 * `2 * a` is `a.rmul(2)`); and a Value is a handle whose numbers live in
 * typed arrays (graph.ts says why and how), so `data`, `grad`, `_children`
 * and `_local_grads` are read through it.
 */
import { backwardFrom, childIds, getData, getGrad, localGrads, newLeaf, newNode, NO_CHILD, setData, setGrad } from './graph.ts';

export { freeGraph } from './graph.ts';

export class Value {
  /** Graph node i (>= 0) or leaf ~k (< 0). */
  readonly _id: number;

  constructor(data: number, id?: number) {
    this._id = id ?? newLeaf(data);
    if (this._id < 0) leaves[~this._id] = this;
  }

  get data(): number {
    return getData(this._id);
  }
  set data(x: number) {
    setData(this._id, x);
  }
  get grad(): number {
    return getGrad(this._id);
  }
  set grad(x: number) {
    setGrad(this._id, x);
  }
  get _children(): Value[] {
    return childIds(this._id).map(handle);
  }
  get _local_grads(): number[] {
    return localGrads(this._id);
  }

  add(other: Value | number): Value {
    if (typeof other === 'number') return node(this.data + other, this._id, 1);
    return node(this.data + other.data, this._id, 1, other._id, 1);
  }

  mul(other: Value | number): Value {
    if (typeof other === 'number') return node(this.data * other, this._id, other);
    return node(this.data * other.data, this._id, other.data, other._id, this.data);
  }

  pow(other: number): Value {
    return node(this.data ** other, this._id, other * this.data ** (other - 1));
  }
  log(): Value {
    return node(Math.log(this.data), this._id, 1 / this.data);
  }

  exp(): Value {
    const e = Math.exp(this.data);
    return node(e, this._id, e);
  }

  relu(): Value {
    const x = this.data; // max(0, x) in Python is 0 unless x > 0, NaN included
    return node(x > 0 ? x : 0, this._id, x > 0 ? 1 : 0);
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

  backward(): void {
    backwardFrom(this._id);
  }
}

/** One handle per graph node id, made once and reused; leaves by ~id. */
const handles: Value[] = [];
const leaves: Value[] = [];
const handle = (id: number): Value => (id >= 0 ? handles[id] : leaves[~id]);

function node(data: number, child0: number, localGrad0: number, child1 = NO_CHILD, localGrad1 = 0): Value {
  const id = newNode(data, child0, localGrad0, child1, localGrad1);
  while (handles.length <= id) handles.push(new Value(0, handles.length));
  return handles[id];
}

/**
 * Python's sum() over Values (either Value), a left fold. sum(xs, term) is sum(term(x, i) for
 * i, x in enumerate(xs)): each term is made just before it is added, as with
 * a generator, and no array is built. Python starts from 0; x + 0 is x, so the
 * 0 is left out.
 */
export function sum<T, V extends { add(other: V): V }>(xs: readonly T[], term: (x: T, i: number) => V): V;
export function sum<V extends { add(other: V): V }>(xs: readonly V[]): V;
export function sum<T, V extends { add(other: V): V }>(xs: readonly T[], term?: (x: T, i: number) => V): V {
  const f = term ?? ((x: T) => x as unknown as V);
  let total = f(xs[0], 0);
  for (let i = 1; i < xs.length; i++) total = total.add(f(xs[i], i));
  return total;
}
