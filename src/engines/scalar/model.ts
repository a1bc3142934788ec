/**
 * The GPT of microgpt.py on scalar Values: read it beside the original.
 * Follows GPT-2 with minor differences: layernorm -> rmsnorm, no biases, GeLU -> ReLU.
 */
import type { ModelConfig } from '../shape.ts';
import { stateDictShapes } from '../shape.ts';
import { Value, sum } from './value.ts';

/**
 * What the model needs of a scalar: microgpt.py's Value ops. The engine runs
 * it on value.ts's Value; lesson-value.ts's (the original's, line for line) runs it too.
 */
export interface Scalar<V> {
  readonly data: number;
  add(other: V | number): V;
  mul(other: V | number): V;
  sub(other: V | number): V;
  div(other: V | number): V;
  pow(other: number): V;
  log(): V;
  exp(): V;
  relu(): V;
  neg(): V;
  rmul(other: number): V;
}

export type Matrix<V = Value> = V[][];
export type StateDict<V = Value> = Record<string, Matrix<V>>;
/** Per-layer KV cache: keys[li][t] is the key vector at position t. */
export type KVCache<V = Value> = V[][][];

/** The state dict from flat initial weights (drawn in state-dict order, as matrix() does); leaf makes each parameter. */
export function makeStateDict<V>(config: ModelConfig, weights: ArrayLike<number>, leaf: (x: number) => V): StateDict<V> {
  const state_dict: StateDict<V> = {};
  let k = 0;
  for (const [name, nout, nin] of stateDictShapes(config)) {
    state_dict[name] = Array.from({ length: nout }, () => Array.from({ length: nin }, () => leaf(weights[k++])));
  }
  return state_dict;
}

/** params = [p for mat in state_dict.values() for row in mat for p in row] */
export function flattenParams<V>(state_dict: StateDict<V>): V[] {
  return Object.values(state_dict).flatMap((mat) => mat.flat());
}

export function linear<V extends Scalar<V>>(x: V[], w: Matrix<V>): V[] {
  return w.map((wo) => dot(wo, x));
}

/** sum(wi * xi for wi, xi in zip(w, x)): the fold of linear, written out for speed. */
function dot<V extends Scalar<V>>(w: V[], x: V[]): V {
  let total = w[0].mul(x[0]);
  for (let i = 1; i < w.length; i++) total = total.add(w[i].mul(x[i]));
  return total;
}

export function softmax<V extends Scalar<V>>(logits: V[]): V[] {
  let max_val = -Infinity;
  for (const val of logits) max_val = Math.max(max_val, val.data);
  const exps = logits.map((val) => val.sub(max_val).exp());
  const total = sum(exps);
  return exps.map((e) => e.div(total));
}

export function rmsnorm<V extends Scalar<V>>(x: V[]): V[] {
  const ms = sum(x, (xi) => xi.mul(xi)).div(x.length);
  const scale = ms.add(1e-5).pow(-0.5);
  return x.map((xi) => xi.mul(scale));
}

export function emptyCache<V = Value>(config: ModelConfig): KVCache<V> {
  return Array.from({ length: config.nLayer }, () => []);
}

/**
 * What attention computed, kept for the page when gpt() is given one (not in
 * microgpt.py, which keeps nothing): per layer li and position t, the query
 * q[li][t] and the heads' outputs out[li][t] (nEmbd each, heads side by side),
 * and weights[li][h][t], head h's attention over positions 0..t.
 */
export interface AttentionSeen {
  q: number[][][];
  out: number[][][];
  weights: number[][][][];
}

export function emptySeen(config: ModelConfig): AttentionSeen {
  const perLayer = () => Array.from({ length: config.nLayer }, () => []);
  return {
    q: perLayer(),
    out: perLayer(),
    weights: Array.from({ length: config.nLayer }, () => Array.from({ length: config.nHead }, () => [])),
  };
}

export function gpt<V extends Scalar<V>>(
  config: ModelConfig,
  state_dict: StateDict<V>,
  token_id: number,
  pos_id: number,
  keys: KVCache<V>,
  values: KVCache<V>,
  seen?: AttentionSeen,
): V[] {
  const { nLayer: n_layer, nHead: n_head } = config; // the model's shape travels in config
  const head_dim = config.nEmbd / n_head;
  const tok_emb = state_dict['wte'][token_id]; // token embedding
  const pos_emb = state_dict['wpe'][pos_id]; // position embedding
  let x = tok_emb.map((t, i) => t.add(pos_emb[i])); // joint token and position embedding
  x = rmsnorm(x); // not redundant: the residual path's gradient passes through it

  for (let li = 0; li < n_layer; li++) {
    // 1) Multi-head attention block
    let x_residual = x;
    x = rmsnorm(x);
    const q = linear(x, state_dict[`layer${li}.attn_wq`]);
    const k = linear(x, state_dict[`layer${li}.attn_wk`]);
    const v = linear(x, state_dict[`layer${li}.attn_wv`]);
    keys[li].push(k);
    values[li].push(v);
    seen?.q[li].push(q.map((qi) => qi.data));
    const x_attn: V[] = [];
    for (let h = 0; h < n_head; h++) {
      const hs = h * head_dim;
      const q_h = q.slice(hs, hs + head_dim);
      const k_h = keys[li].map((ki) => ki.slice(hs, hs + head_dim));
      const v_h = values[li].map((vi) => vi.slice(hs, hs + head_dim));
      const attn_logits = k_h.map((k_ht) => sum(q_h, (q_hj, j) => q_hj.mul(k_ht[j])).div(head_dim ** 0.5));
      const attn_weights = softmax(attn_logits);
      seen?.weights[li][h].push(attn_weights.map((w) => w.data));
      const head_out = q_h.map((_, j) => sum(attn_weights, (a_t, t) => a_t.mul(v_h[t][j])));
      x_attn.push(...head_out);
    }
    seen?.out[li].push(x_attn.map((xi) => xi.data));
    x = linear(x_attn, state_dict[`layer${li}.attn_wo`]);
    x = x.map((a, i) => a.add(x_residual[i]));
    // 2) MLP block
    x_residual = x;
    x = rmsnorm(x);
    x = linear(x, state_dict[`layer${li}.mlp_fc1`]);
    x = x.map((xi) => xi.relu());
    x = linear(x, state_dict[`layer${li}.mlp_fc2`]);
    x = x.map((a, i) => a.add(x_residual[i]));
  }

  const logits = linear(x, state_dict['lm_head']);
  return logits;
}
