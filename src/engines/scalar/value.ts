/**
 * Autograd on scalars, as microgpt.py's `Value`: each op returns a node that
 * knows its data, its children and the local gradient toward each child;
 * backward() sorts the graph depth-first from the loss and chains the
 * gradients back in reverse, in exactly the original's order.
 *
 * Differences TypeScript forces, each kept small:
 * - No operator overloading: `a + b` is `a.add(b)`, `2 * a` is `a.rmul(2)`.
 * - A number operand is folded into the local gradient instead of becoming a
 *   `Value(other)` child (its gradient is never read).
 * - Storage. ~50,000 nodes per training step as JS objects would spend the
 *   step allocating and collecting (V8 also boxes every double field). So a
 *   node's numbers live in typed arrays, struct of arrays, and a Value is a
 *   handle whose `data` and `grad` read them. Graph nodes are recycled:
 *   backward() releases the graph (as PyTorch does), a node staying readable
 *   until the next op reuses it; code that builds graphs without calling
 *   backward() (sampling) calls freeGraph() when done with them. Leaves made
 *   with `new Value(x)` (the parameters) are kept for the life of the process.
 * - build_topo is the same depth-first sort, with an explicit stack (no
 *   recursion limit) and a visit mark per node instead of a set.
 */

// Child ids: a graph node i >= 0, a leaf k as ~k (< 0), or none.
const NO_CHILD = -0x80000000;

/** Graph nodes, struct of arrays, grown by doubling. */
let capacity = 0;
let DATA = new Float64Array(0);
let GRAD = new Float64Array(0);
/** Node i's children at CHILDREN[2i], CHILDREN[2i + 1], their local gradients likewise (one cache line each). */
let CHILDREN = new Int32Array(0);
let LOCAL_GRADS = new Float64Array(0);
/** build_topo's state of node i: its visit mark * 4 + the next child to look at (0, 1, 2 = done). */
let TOPO_STATE = new Int32Array(0);
let STACK = new Int32Array(0);
let TOPO = new Int32Array(0);
/** handles[i] is the Value for graph node i, made once and reused. */
const handles: Value[] = [];
let used = 0;

/** Leaves. */
let LEAF_DATA = new Float64Array(1024);
let LEAF_GRAD = new Float64Array(1024);
const leaves: Value[] = [];

export class Value {
  /** Graph node i (>= 0) or leaf ~i (< 0). */
  readonly _id: number;

  constructor(data: number, id?: number) {
    if (id !== undefined) {
      this._id = id; // a graph node handle, made by node()
      return;
    }
    const k = leaves.length;
    if (k === LEAF_DATA.length) {
      LEAF_DATA = grow(LEAF_DATA, 2 * k);
      LEAF_GRAD = grow(LEAF_GRAD, 2 * k);
    }
    LEAF_DATA[k] = data;
    LEAF_GRAD[k] = 0;
    leaves.push(this);
    this._id = ~k;
  }

  get data(): number {
    const id = this._id;
    return id >= 0 ? DATA[id] : LEAF_DATA[~id];
  }

  set data(x: number) {
    const id = this._id;
    if (id >= 0) DATA[id] = x;
    else LEAF_DATA[~id] = x;
  }

  get grad(): number {
    const id = this._id;
    return id >= 0 ? GRAD[id] : LEAF_GRAD[~id];
  }

  set grad(x: number) {
    const id = this._id;
    if (id >= 0) GRAD[id] = x;
    else LEAF_GRAD[~id] = x;
  }

  /** The children and local gradients, as the original stores them (for inspection and tests). */
  get _children(): Value[] {
    const id = this._id;
    if (id < 0) return [];
    return [CHILDREN[2 * id], CHILDREN[2 * id + 1]].filter((c) => c !== NO_CHILD).map(handleOf);
  }

  get _local_grads(): number[] {
    const id = this._id;
    if (id < 0) return [];
    return CHILDREN[2 * id + 1] === NO_CHILD ? [LOCAL_GRADS[2 * id]] : [LOCAL_GRADS[2 * id], LOCAL_GRADS[2 * id + 1]];
  }

  add(other: Value | number): Value {
    if (typeof other === 'number') return node(this.data + other, this._id, 1, NO_CHILD, 0);
    return node(this.data + other.data, this._id, 1, other._id, 1);
  }

  mul(other: Value | number): Value {
    if (typeof other === 'number') return node(this.data * other, this._id, other, NO_CHILD, 0);
    return node(this.data * other.data, this._id, other.data, other._id, this.data);
  }

  pow(other: number): Value {
    return node(this.data ** other, this._id, other * this.data ** (other - 1), NO_CHILD, 0);
  }

  log(): Value {
    return node(Math.log(this.data), this._id, 1 / this.data, NO_CHILD, 0);
  }

  exp(): Value {
    const e = Math.exp(this.data);
    return node(e, this._id, e, NO_CHILD, 0);
  }

  relu(): Value {
    // max(0, x) in Python returns 0 unless x > 0 (NaN included)
    const x = this.data;
    return node(x > 0 ? x : 0, this._id, x > 0 ? 1 : 0, NO_CHILD, 0);
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
    const root = this._id;
    const n = root >= 0 ? buildTopo(root) : 0;
    this.grad = 1;
    // locals, so the loop does not reload the (growable) module arrays
    const topo = TOPO, grads = GRAD, children = CHILDREN, localGrads = LOCAL_GRADS, leafGrads = LEAF_GRAD;
    for (let k = n - 1; k >= 0; k--) {
      const v = topo[k];
      const grad = grads[v];
      // for child, local_grad in zip(v._children, v._local_grads): child.grad += local_grad * v.grad
      const child0 = children[2 * v];
      if (child0 >= 0) grads[child0] += localGrads[2 * v] * grad;
      else leafGrads[~child0] += localGrads[2 * v] * grad;
      const child1 = children[2 * v + 1];
      if (child1 >= 0) grads[child1] += localGrads[2 * v + 1] * grad;
      else if (child1 !== NO_CHILD) leafGrads[~child1] += localGrads[2 * v + 1] * grad;
    }
    freeGraph();
  }
}

function handleOf(id: number): Value {
  return id >= 0 ? handles[id] : leaves[~id];
}

let visitMark = 0;

/** The original's build_topo over graph nodes: each node after its children, children in order. Leaves are left out (they pass nothing on). */
function buildTopo(root: number): number {
  if (visitMark >= 0x1fffffff) {
    TOPO_STATE.fill(0);
    visitMark = 0;
  }
  const mark = ++visitMark * 4;
  const state = TOPO_STATE, children = CHILDREN, stack = STACK, topo = TOPO;
  let n = 0;
  let depth = 0;
  state[root] = mark;
  stack[depth++] = root;
  while (depth > 0) {
    const v = stack[depth - 1];
    const s = state[v];
    if (s === mark) {
      // look at child0
      const child = children[2 * v];
      if (child >= 0 && state[child] < mark) {
        state[v] = mark + 1;
        state[child] = mark;
        stack[depth++] = child;
        continue;
      }
    }
    if (s !== mark + 2) {
      // look at child1
      state[v] = mark + 2;
      const child = children[2 * v + 1];
      if (child >= 0 && state[child] < mark) {
        state[child] = mark;
        stack[depth++] = child;
        continue;
      }
    }
    depth--;
    topo[n++] = v;
  }
  return n;
}

function node(data: number, child0: number, localGrad0: number, child1: number, localGrad1: number): Value {
  if (used === capacity) growGraph();
  const id = used++;
  DATA[id] = data;
  GRAD[id] = 0;
  CHILDREN[2 * id] = child0;
  CHILDREN[2 * id + 1] = child1;
  LOCAL_GRADS[2 * id] = localGrad0;
  LOCAL_GRADS[2 * id + 1] = localGrad1;
  return handles[id];
}

function growGraph(): void {
  const n = Math.max(1 << 16, 2 * capacity);
  if (n > 0x7fffffff) throw new RangeError('graph too large');
  DATA = grow(DATA, n);
  GRAD = grow(GRAD, n);
  CHILDREN = grow(CHILDREN, 2 * n);
  LOCAL_GRADS = grow(LOCAL_GRADS, 2 * n);
  TOPO_STATE = grow(TOPO_STATE, n);
  STACK = grow(STACK, n);
  TOPO = grow(TOPO, n);
  for (let i = capacity; i < n; i++) handles.push(new Value(0, i));
  capacity = n;
}

function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** Releases every graph node built so far for reuse; leaves are untouched. */
export function freeGraph(): void {
  used = 0;
}

/**
 * Python's sum() over Values, a left fold. sum(xs, term) is sum(term(x, i) for
 * i, x in enumerate(xs)): each term is made just before it is added, as with
 * a generator, and no array is built. Python starts from 0; x + 0 is x, so the
 * 0 is left out.
 */
export function sum<T>(xs: readonly T[], term: (x: T, i: number) => Value): Value;
export function sum(xs: readonly Value[]): Value;
export function sum<T>(xs: readonly T[], term?: (x: T, i: number) => Value): Value {
  const f = term ?? ((x: T) => x as unknown as Value);
  let total = f(xs[0], 0);
  for (let i = 1; i < xs.length; i++) total = total.add(f(xs[i], i));
  return total;
}
