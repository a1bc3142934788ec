/** The Backward view's request and the worker's answer (protocol.ts lists them with the other panels'). */

export interface BackwardRequest {
  type: 'panel-backward';
  /** The step the view shows (1-based), and the batch it read (tokens with BOS on both ends). */
  step: number;
  batch: number[][];
  /** The position (index into the step's positions), lm_head's column on the chain, and the group opened (segment index; -1: none). */
  pos: number;
  col: number;
  open: number;
}

/** A node of the graph as the view shows it: op node id >= 0, parameter p as ~p. */
export interface ShownNode {
  id: number;
  label: string;
  op: string;
  data: number;
  grad: number;
}

/** One box of the chain, with the edge from the box above: the local gradient, through `hops` nodes not drawn (each a + of local 1). */
export interface ChainRow {
  node: ShownNode;
  local: number;
  hops: number;
  /** Nodes beside it: the other child of its parent (total⁻¹ beside exp, the weight beside x_j), each with its edge. */
  side: { node: ShownNode; local: number; parent: string }[];
}

export interface WalkStep {
  /** Position in reversed(topo), 0 = the loss. */
  k: number;
  /** v and the child: ids (as ShownNode.id) and labels. */
  vId: number;
  childId: number;
  v: string;
  child: string;
  local: number;
  vGrad: number;
  before: number;
  after: number;
}

export interface GroupSummary {
  index: number;
  kind: string;
  name: string;
  nodes: number;
  /** L2 norm of the grads of its outputs. */
  outGrad: number;
}

export interface BackwardView {
  step: number;
  /** Op nodes, parameters, edges; nodes that lead to the loss; what microgpt.py makes in all (constants and sum's 0 + too). */
  size: number;
  params: number;
  edges: number;
  reachable: number;
  pythonValues: number;
  pythonEdges: number;
  /** Milliseconds to record the graph (forward, backward, copy), in the worker. */
  recordMs: number;
  loss: number;
  n: number;
  /** Each predicted token: its document, position, input and target characters. */
  positions: { doc: number; pos: number; input: string; target: string; loss: number }[];
  pos: number;
  col: number;
  nEmbd: number;
  chain: ChainRow[];
  walk: WalkStep[];
  /** dL/dlogits at the position: one row per token id. */
  dlogits: { token: string; logit: number; prob: number; onehot: number; grad: number }[];
  groups: GroupSummary[];
  open?: { index: number; name: string; rows: { label: string; data: number; grad: number }[]; note: string };
}
