/**
 * Where Value's numbers live. ~50,000 nodes per training step as JS objects
 * would spend the step allocating and collecting (V8 also boxes every double
 * field), so the graph is stored struct-of-arrays in typed arrays grown by
 * doubling, and a Value (value.ts) is a handle holding an id:
 * - a graph node i >= 0: data, grad, up to two children and their local
 *   gradients. Nodes are recycled: backward() releases the graph (as PyTorch
 *   does), a node staying readable until the next op reuses it; code that
 *   builds graphs without calling backward() (sampling) calls freeGraph().
 * - a leaf k, as id ~k < 0: data and grad only. Leaves are the parameters,
 *   made with `new Value(x)`, kept for the life of the process.
 * A number operand is folded into its node's local gradient rather than stored
 * as a child (the original makes it a Value whose gradient is never read).
 */

/** A missing second child. */
export const NO_CHILD = -0x80000000;

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
/** Nodes in use: ids 0 .. used - 1. */
let used = 0;

let LEAF_DATA = new Float64Array(1024);
let LEAF_GRAD = new Float64Array(1024);
let leafCount = 0;

/** A new leaf holding data; returns its id (< 0). */
export function newLeaf(data: number): number {
  const k = leafCount++;
  if (k === LEAF_DATA.length) {
    LEAF_DATA = grow(LEAF_DATA, 2 * k);
    LEAF_GRAD = grow(LEAF_GRAD, 2 * k);
  }
  LEAF_DATA[k] = data;
  LEAF_GRAD[k] = 0;
  return ~k;
}

/** A new graph node; returns its id (>= 0). */
export function newNode(data: number, child0: number, localGrad0: number, child1: number, localGrad1: number): number {
  if (used === capacity) growGraph();
  const id = used++;
  DATA[id] = data;
  GRAD[id] = 0;
  CHILDREN[2 * id] = child0;
  CHILDREN[2 * id + 1] = child1;
  LOCAL_GRADS[2 * id] = localGrad0;
  LOCAL_GRADS[2 * id + 1] = localGrad1;
  return id;
}

export function getData(id: number): number {
  return id >= 0 ? DATA[id] : LEAF_DATA[~id];
}
export function getGrad(id: number): number {
  return id >= 0 ? GRAD[id] : LEAF_GRAD[~id];
}

export function setData(id: number, x: number): void {
  if (id >= 0) DATA[id] = x;
  else LEAF_DATA[~id] = x;
}

export function setGrad(id: number, x: number): void {
  if (id >= 0) GRAD[id] = x;
  else LEAF_GRAD[~id] = x;
}

/** The ids of node id's children, in order (none for a leaf). */
export function childIds(id: number): number[] {
  if (id < 0) return [];
  return [CHILDREN[2 * id], CHILDREN[2 * id + 1]].filter((c) => c !== NO_CHILD);
}

/** The local gradients toward node id's children, in order. */
export function localGrads(id: number): number[] {
  if (id < 0) return [];
  return CHILDREN[2 * id + 1] === NO_CHILD ? [LOCAL_GRADS[2 * id]] : [LOCAL_GRADS[2 * id], LOCAL_GRADS[2 * id + 1]];
}

/** Value.backward(): grad 1 at root, then child.grad += local_grad * v.grad over the reversed topological order; releases the graph. */
export function backwardFrom(root: number): void {
  const n = root >= 0 ? buildTopo(root) : 0;
  setGrad(root, 1);
  // locals, so the loop does not reload the (growable) module arrays
  const topo = TOPO,
    grads = GRAD,
    children = CHILDREN,
    local = LOCAL_GRADS,
    leafGrads = LEAF_GRAD;
  for (let k = n - 1; k >= 0; k--) {
    const v = topo[k];
    const grad = grads[v];
    // for child, local_grad in zip(v._children, v._local_grads): child.grad += local_grad * v.grad
    const child0 = children[2 * v];
    if (child0 >= 0) grads[child0] += local[2 * v] * grad;
    else leafGrads[~child0] += local[2 * v] * grad;
    const child1 = children[2 * v + 1];
    if (child1 >= 0) grads[child1] += local[2 * v + 1] * grad;
    else if (child1 !== NO_CHILD) leafGrads[~child1] += local[2 * v + 1] * grad;
  }
  freeGraph();
}

let visitMark = 0;

/**
 * The original's build_topo over graph nodes: each node after its children,
 * children in order; the same depth-first sort with an explicit stack (no
 * recursion limit) and a visit mark per node instead of a set. Leaves are left
 * out (they pass nothing on). Returns the count, the order is in TOPO.
 */
function buildTopo(root: number): number {
  if (visitMark >= 0x1fffffff) {
    TOPO_STATE.fill(0);
    visitMark = 0;
  }
  const mark = ++visitMark * 4;
  const state = TOPO_STATE,
    children = CHILDREN,
    stack = STACK,
    topo = TOPO;
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

/** Graph nodes in use: the next node made gets this id (the playground's backward view counts a step's graph with it). */
export function graphSize(): number {
  return used;
}

/** The live node arrays, to copy a graph out (record.ts): valid until the next node grows them. */
export function graphArrays(): { data: Float64Array; grad: Float64Array; children: Int32Array; localGrads: Float64Array } {
  return { data: DATA, grad: GRAD, children: CHILDREN, localGrads: LOCAL_GRADS };
}
