/**
 * The worker's side of the Backward view: before each traced Step it keeps
 * the weights the step starts from (worker.ts calls weightsBeforeStep); when
 * the view asks, it runs that step's forward and backward again on the
 * scalar engine (microgpt.py's Value graph, whatever engine the run trains
 * on), keeps the graph, and answers with small summaries of it: the chain
 * for one position, the walk over it, dL/dlogits, the position's groups.
 */
import type { GPT } from '../../core/gpt.ts';
import { stateDictShapes, type ModelConfig } from '../../engines/shape.ts';
import { ScalarEngine } from '../../engines/scalar/engine.ts';
import { layoutOf, lmHeadProducts, type Layout, type Segment } from '../../engines/scalar/layout.ts';
import {
  childrenOf,
  dataOf,
  gradOf,
  opOf,
  recordStep,
  replayBackward,
  topoOrder,
  type RecordedGraph,
} from '../../engines/scalar/record.ts';
import type { PanelAnswer } from '../protocol.ts';
import type { BackwardRequest, BackwardView, ChainRow, ShownNode } from '../backward-types.ts';
import type { ModelState } from './panel.ts';

/** Larger graphs are not recorded (a Value node costs about 50 bytes here). */
const MAX_NODES = 3_000_000;
/** Nor are the weights of a larger model kept at each Step. */
const MAX_PARAMS = 1_000_000;

let before: { step: number; config: ModelConfig; weights: Float64Array } | undefined;
let recorded: { step: number; graph: RecordedGraph; layout: Layout; topo: Int32Array; ms: number } | undefined;
let recorder: { key: string; engine: ScalarEngine } | undefined;

/** Keeps the weights a traced step starts from (step: steps taken before it). */
export function weightsBeforeStep(gpt: GPT, step: number): void {
  recorded = undefined;
  before = gpt.numParams <= MAX_PARAMS ? { step: step + 1, config: gpt.config, weights: gpt.engine.weights() } : undefined;
}

function record(request: BackwardRequest): NonNullable<typeof recorded> {
  if (recorded?.step === request.step) return recorded;
  if (!before || before.step !== request.step) throw new Error(`step ${request.step} is not the last traced step: press Step again`);
  const layout = layoutOf(before.config, request.batch);
  if (layout.size > MAX_NODES) throw new Error(`this step's graph has ${layout.size.toLocaleString('en')} nodes: too many to record here`);
  const t0 = performance.now();
  const key = JSON.stringify(before.config);
  // one engine per model shape: its parameters are leaves for the life of the worker
  if (recorder?.key !== key) recorder = { key, engine: new ScalarEngine(before.config, before.weights) };
  else recorder.engine.setWeights(before.weights);
  const graph = recordStep(recorder.engine, request.batch);
  const topo = topoOrder(graph);
  recorded = { step: request.step, graph, layout, topo, ms: performance.now() - t0 };
  return recorded;
}

/** The op, with the number a '* c' folded in (its local grad, exactly) or a '+ c' added (about: data − child's data). */
function withConstant(g: RecordedGraph, id: number): string {
  const op = opOf(g, id);
  const [k] = childrenOf(g, id);
  if (op === '* c') return `* ${+k.local.toPrecision(6)}`;
  if (op === '+ c') return `+ ${+(g.data[id] - dataOf(g, k.child)).toPrecision(6)}`;
  return op;
}

/** A parameter's name: 'lm_head[3][5]'. */
function paramName(config: ModelConfig, p: number): string {
  let offset = 0;
  for (const [name, rows, cols] of stateDictShapes(config)) {
    if (p < offset + rows * cols) return `${name}[${Math.floor((p - offset) / cols)}][${(p - offset) % cols}]`;
    offset += rows * cols;
  }
  return `param ${p}`;
}

/** The segment holding op node id (segments are in id order). */
function segmentOf(layout: Layout, id: number): Segment | undefined {
  let lo = 0;
  let hi = layout.segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = layout.segments[mid];
    if (id < s.start) hi = mid - 1;
    else if (id >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

function answer(request: BackwardRequest, { gpt }: ModelState): PanelAnswer {
  if (!gpt) return { type: 'panel-backward', view: null };
  const { graph: g, layout, topo, ms, step } = record(request);
  const config = g.config;
  const vocab = [...gpt.tokenizer.chars, 'BOS'];
  const positions = layout.positions;
  const pi = Math.min(Math.max(0, request.pos | 0), positions.length - 1);
  const p = positions[pi];
  const col = Math.min(Math.max(0, request.col | 0), config.nEmbd - 1);
  const t = p.target;
  const n = positions.length;
  const named = new Map<number, string>();
  const node = (id: number, label?: string): ShownNode => {
    if (label) named.set(id, label);
    return {
      id,
      label: label ?? named.get(id) ?? (id < 0 ? paramName(config, ~id) : `${segmentOf(layout, id)?.name ?? ''} #${id}`),
      op: id < 0 ? 'parameter' : withConstant(g, id),
      data: dataOf(g, id),
      grad: gradOf(g, id),
    };
  };
  const localTo = (parent: number, child: number) => childrenOf(g, parent).find((c) => c.child === child)?.local ?? NaN;
  /** From parent down to child through adds (child0 first): the hops and the product of local grads. */
  const through = (parent: number, child: number): { local: number; hops: number } => {
    let v = parent;
    let local = 1;
    let hops = 0;
    for (;;) {
      const kids = childrenOf(g, v);
      const direct = kids.find((c) => c.child === child);
      if (direct) return { local: local * direct.local, hops };
      if (kids[0].child < 0) return { local: NaN, hops };
      local *= kids[0].local;
      v = kids[0].child;
      hops++;
    }
  };
  const lossId = g.size - 1;
  const c = (t2: string) => (t2 === 'BOS' ? 'BOS' : t2);
  const chain: ChainRow[] = [{ node: node(lossId, 'loss = (1/n) · Σ losses_t'), local: 1, hops: 0, side: [] }];
  const lossT = node(p.lossT, `loss_t = −log p  (position ${p.pos})`);
  chain.push({ node: lossT, ...through(lossId, p.lossT), side: [] });
  chain.push({ node: node(p.log, 'log probs[target]'), local: localTo(p.lossT, p.log), hops: 0, side: [] });
  const probT = p.probs[t];
  chain.push({ node: node(probT, `probs[${c(vocab[t])}] = exp / total`), local: localTo(p.log, probT), hops: 0, side: [] });
  const total = node(p.total, 'total = Σ exp');
  chain.push({
    node: node(p.exps[t], `exp(logit − max)`),
    local: localTo(probT, p.exps[t]),
    hops: 0,
    side: [
      { node: node(p.pows[t], 'total⁻¹'), local: localTo(probT, p.pows[t]), parent: 'probs[target]' },
      { node: total, local: localTo(p.pows[t], p.total), parent: 'total⁻¹' },
    ],
  });
  chain.push({ node: node(p.shifted[t], 'logit − max'), local: localTo(p.exps[t], p.shifted[t]), hops: 0, side: [] });
  chain.push({ node: node(p.logits[t], `logits[${c(vocab[t])}] = Σ_j lm_head[${t}][j] · x_j`), local: 1, hops: 0, side: [] });
  const product = lmHeadProducts(config, p.lmHead, t)[col];
  chain.push({ node: node(product, `lm_head[${t}][${col}] · x_${col}`), ...through(p.logits[t], product), side: [] });
  const [w, x] = childrenOf(g, product);
  chain.push({
    node: node(x.child, `x_${col} (layer ${config.nLayer - 1} output)`),
    local: x.local,
    hops: 0,
    side: [{ node: node(w.child), local: w.local, parent: `lm_head[${t}][${col}] · x_${col}` }],
  });

  const watch = new Set(chain.flatMap((r) => [r.node.id, ...r.side.map((s) => s.node.id)]).filter((id) => id >= 0));
  const steps = replayBackward(g, watch, topo).steps;
  const labelOf = (id: number) => named.get(id) ?? node(id).label;
  const walk = steps.map((s) => ({ ...s, vId: s.v, childId: s.child, v: labelOf(s.v), child: labelOf(s.child) }));

  const groups = layout.segments
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => s.doc === p.doc && s.pos === p.pos)
    .reverse()
    .map(({ s, index }) => ({
      index,
      kind: s.kind,
      name: s.name,
      nodes: s.end - s.start,
      outGrad: Math.hypot(...s.outputs.map((o) => g.grad[o])),
    }));
  const view: BackwardView = {
    step,
    size: g.size,
    params: g.numParams,
    edges: g.edges,
    reachable: topo.length,
    pythonValues: g.size + layout.pythonExtra + g.numParams,
    pythonEdges: g.edges + layout.pythonExtra,
    recordMs: ms,
    loss: g.loss,
    n,
    positions: positions.map((q) => ({
      doc: q.doc,
      pos: q.pos,
      input: vocab[q.input],
      target: vocab[q.target],
      loss: g.data[q.lossT],
    })),
    pos: pi,
    col,
    nEmbd: config.nEmbd,
    chain,
    walk,
    dlogits: p.logits.map((id, i) => ({
      token: vocab[i],
      logit: g.data[id],
      prob: g.data[p.probs[i]],
      onehot: i === t ? 1 : 0,
      grad: g.grad[id],
    })),
    groups,
    open: request.open >= 0 ? openGroup(g, layout, request.open) : undefined,
  };
  return { type: 'panel-backward', view };
}

/** What an opened group shows: its inputs, its inner landmarks and its outputs, each data | grad (at most 64 outputs). */
function openGroup(g: RecordedGraph, layout: Layout, index: number): NonNullable<BackwardView['open']> {
  const s = layout.segments[index];
  if (!s) throw new RangeError(`no group ${index}`);
  const row = (label: string, id: number) => ({ label, data: dataOf(g, id), grad: gradOf(g, id) });
  const rows: { label: string; data: number; grad: number }[] = [];
  const d = g.config.nEmbd;
  let note = `${(s.end - s.start).toLocaleString('en')} nodes, ids ${s.start}–${s.end - 1}.`;
  if (s.kind === 'linear') {
    const nin = s.nin!;
    for (let j = 0; j < nin; j++) rows.push(row(`in x_${j}`, childrenOf(g, j === 0 ? s.start : s.start + 2 * j - 1)[1].child));
    note += ` out[o] = Σ_j ${s.matrix}[o][j] · x_j: ${nin} products and ${nin - 1} additions per output.`;
  } else if (s.kind === 'rmsnorm') {
    for (let i = 0; i < d; i++) rows.push(row(`in x_${i}`, childrenOf(g, i === 0 ? s.start : s.start + 2 * i - 1)[0].child));
    rows.push(
      row('ms = Σ x² / n', s.start + 2 * d - 1),
      row('ms + 1e-5', s.start + 2 * d),
      row('scale = (ms + 1e-5)^−0.5', s.start + 2 * d + 1),
    );
    note += ' out_i = x_i · scale.';
  } else if (s.kind === 'head') {
    const T = s.pos + 1;
    const hd = d / g.config.nHead;
    const s0 = s.start + 2 * hd * T;
    for (let k = 0; k < T; k++) rows.push(row(`score q·k_${k} / √${hd}`, s.start + 2 * hd * (k + 1) - 1));
    for (let k = 0; k < T; k++) rows.push(row(`weight a_${k}`, s0 + 3 * T + 2 * k));
    note += ` out_j = Σ_t a_t · v_t[j] over ${T} position${T > 1 ? 's' : ''}.`;
  }
  s.outputs.slice(0, 64).forEach((id, i) => rows.push(row(`out[${i}]`, id)));
  return { index, name: `${s.name} (position ${s.pos})`, rows, note };
}

export const backwardAnswers = { 'panel-backward': answer };
