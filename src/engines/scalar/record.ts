/**
 * One training step's autograd graph, copied out of the scalar engine for a
 * reader (the playground's Backward view): the very nodes microgpt.py's
 * `loss.backward()` walks, each with its data, grad, children and the local
 * gradient toward each child.
 *
 * How it is counted: the graph's nodes are the Values the forward pass
 * computes (every +, *, **, log, exp, relu: the engine's graph nodes, in the
 * order they were made; the loss is the last), and the parameters they read
 * (the leaves). microgpt.py makes more Values than that: one for every number
 * it combines with a Value (`x - max_val`, `-p`, `/ len(x)`, `+ 1e-5`,
 * `(1 / n) *`), and one `0 + first` at the start of each `sum()`; the engine
 * folds a number into its node's local gradient and starts a sum at its first
 * term (layout.ts counts those Values too). Neither changes a gradient.
 */
import type { ModelConfig } from '../shape.ts';
import type { ScalarEngine } from './engine.ts';
import { graphArrays, graphSize, NO_CHILD } from './graph.ts';

export { NO_CHILD };

export interface RecordedGraph {
  config: ModelConfig;
  /** The batch the step read (tokens with BOS on both ends). */
  batch: number[][];
  /** Op nodes, ids 0 .. size - 1 in the order the forward pass made them; the loss is size - 1. */
  size: number;
  /** Child slots in use (an op has one or two children): the graph's edges. */
  edges: number;
  numParams: number;
  data: Float64Array;
  grad: Float64Array;
  /** Node i's children at 2i and 2i + 1: an op node (>= 0), parameter p as ~p (< 0, state-dict order), or NO_CHILD. */
  children: Int32Array;
  localGrads: Float64Array;
  /** The parameters' data (before the update) and their gradients after backward(). */
  paramData: Float64Array;
  paramGrad: Float64Array;
  loss: number;
}

/**
 * Runs the engine's own forward pass on batch (its forwardLoss, the graph
 * lossAndGrad builds), then loss.backward(), and copies the graph out. The
 * engine's gradients() are then the ones this step computed.
 */
export function recordStep(engine: ScalarEngine, batch: readonly (readonly number[])[]): RecordedGraph {
  const params = engine.params;
  for (const p of params) p.grad = 0;
  const start = graphSize();
  const loss = engine.forwardLoss(batch);
  const end = graphSize();
  if (loss._id !== end - 1) throw new Error('the loss is not the last node of its graph');
  loss.backward(); // frees the graph; its nodes stay readable until the next op
  const size = end - start;
  const live = graphArrays();
  const children = live.children.slice(2 * start, 2 * end);
  // leaf ids to parameter indices
  const leafToParam = new Map<number, number>();
  params.forEach((p, i) => leafToParam.set(p._id, i));
  let edges = 0;
  for (let s = 0; s < children.length; s++) {
    const c = children[s];
    if (c === NO_CHILD) continue;
    edges++;
    if (c >= 0) {
      if (c < start) throw new Error('the step graph reads a node made before it');
      children[s] = c - start;
    } else {
      const p = leafToParam.get(c);
      if (p === undefined) throw new Error('the step graph reads a leaf that is not a parameter');
      children[s] = ~p;
    }
  }
  return {
    config: engine.config,
    batch: batch.map((t) => [...t]),
    size,
    edges,
    numParams: params.length,
    data: live.data.slice(start, end),
    grad: live.grad.slice(start, end),
    children,
    localGrads: live.localGrads.slice(2 * start, 2 * end),
    paramData: Float64Array.from(params, (p) => p.data),
    paramGrad: Float64Array.from(params, (p) => p.grad),
    loss: live.data[end - 1],
  };
}

/**
 * microgpt.py's build_topo from the loss, over op nodes: each node after its
 * children, children in order, each node once (depth first, with a stack
 * instead of recursion). Parameters are left out: they have no children and
 * pass nothing on, so reversed(topo) does the same without them.
 */
export function topoOrder(g: RecordedGraph): Int32Array {
  const topo = new Int32Array(g.size);
  const visited = new Uint8Array(g.size);
  const next = new Uint8Array(g.size); // the next child slot to look at
  const stack = new Int32Array(g.size);
  let n = 0;
  let depth = 0;
  const root = g.size - 1;
  visited[root] = 1;
  stack[depth++] = root;
  while (depth > 0) {
    const v = stack[depth - 1];
    if (next[v] < 2) {
      const c = g.children[2 * v + next[v]++];
      if (c >= 0 && !visited[c]) {
        visited[c] = 1;
        stack[depth++] = c;
      }
      continue;
    }
    depth--;
    topo[n++] = v;
  }
  return topo.subarray(0, n);
}

/** One `child.grad += local_grad * v.grad` of the walk, with the child's grad before and after. */
export interface ChainStep {
  /** Position of v in the walk (0: the loss). */
  k: number;
  v: number;
  /** Op node (>= 0) or parameter ~p. */
  child: number;
  local: number;
  vGrad: number;
  before: number;
  after: number;
}

/**
 * Value.backward() again over the recorded graph: loss.grad = 1, then for v in
 * reversed(topo): for child, local_grad in zip(v._children, v._local_grads):
 * child.grad += local_grad * v.grad. Returns the grads it computes, and every
 * step whose v is in watch, in the order taken.
 */
export function replayBackward(
  g: RecordedGraph,
  watch?: ReadonlySet<number>,
  topo = topoOrder(g),
): { grad: Float64Array; paramGrad: Float64Array; steps: ChainStep[] } {
  const grad = new Float64Array(g.size);
  const paramGrad = new Float64Array(g.numParams);
  const steps: ChainStep[] = [];
  grad[g.size - 1] = 1;
  for (let k = topo.length - 1; k >= 0; k--) {
    const v = topo[k];
    const vGrad = grad[v];
    for (let s = 2 * v; s < 2 * v + 2; s++) {
      const c = g.children[s];
      if (c === NO_CHILD) continue;
      const local = g.localGrads[s];
      const before = c >= 0 ? grad[c] : paramGrad[~c];
      const after = before + local * vGrad;
      if (c >= 0) grad[c] = after;
      else paramGrad[~c] = after;
      if (watch?.has(v)) steps.push({ k: topo.length - 1 - k, v, child: c, local, vGrad, before, after });
    }
  }
  return { grad, paramGrad, steps };
}

/** The children of op node v, with their local gradients. */
export function childrenOf(g: RecordedGraph, v: number): { child: number; local: number }[] {
  const out = [];
  for (let s = 2 * v; s < 2 * v + 2; s++) if (g.children[s] !== NO_CHILD) out.push({ child: g.children[s], local: g.localGrads[s] });
  return out;
}

/** data of an op node (>= 0) or a parameter (~p). */
export const dataOf = (g: RecordedGraph, id: number) => (id >= 0 ? g.data[id] : g.paramData[~id]);
export const gradOf = (g: RecordedGraph, id: number) => (id >= 0 ? g.grad[id] : g.paramGrad[~id]);

/**
 * The operation that made op node v, read from the node itself (the engine
 * stores no name): '+', '*', 'exp', 'log', 'relu', '**-1', '**-0.5', and for
 * a number folded in, '+ c' or '* c' (microgpt.py's Value(c) operand).
 */
export function opOf(g: RecordedGraph, v: number): string {
  const kids = childrenOf(g, v);
  const x = g.data[v];
  const a = dataOf(g, kids[0].child);
  const local = kids[0].local;
  if (kids.length === 2) return x === a + dataOf(g, kids[1].child) && local === 1 && kids[1].local === 1 ? '+' : '*';
  if (x === Math.exp(a) && local === x) return 'exp';
  if (x === Math.log(a) && local === 1 / a) return 'log';
  if (x === a ** -1 && local === -1 * a ** -2) return '**-1';
  if (x === a ** -0.5 && local === -0.5 * a ** -1.5) return '**-0.5';
  if ((a > 0 && x === a && local === 1) || (!(a > 0) && x === 0 && local === 0)) return 'relu';
  if (local === 1) return '+ c';
  return '* c';
}
