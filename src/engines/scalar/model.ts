/**
 * The GPT of microgpt.py on scalar Values: read it beside the original.
 * Follows GPT-2 with minor differences: layernorm -> rmsnorm, no biases, GeLU -> ReLU.
 */
import type { ModelConfig } from '../shape.ts';
import { stateDictShapes } from '../shape.ts';
import { Value, sum } from './value.ts';

export type Matrix = Value[][];
export type StateDict = Record<string, Matrix>;
/** Per-layer KV cache: keys[li][t] is the key vector at position t. */
export type KVCache = Value[][][];

/** The state dict from flat initial weights (drawn in state-dict order, as matrix() does). */
export function makeStateDict(config: ModelConfig, weights: ArrayLike<number>): StateDict {
  const state_dict: StateDict = {};
  let k = 0;
  for (const [name, nout, nin] of stateDictShapes(config)) {
    state_dict[name] = Array.from({ length: nout }, () => Array.from({ length: nin }, () => new Value(weights[k++])));
  }
  return state_dict;
}

/** params = [p for mat in state_dict.values() for row in mat for p in row] */
export function flattenParams(state_dict: StateDict): Value[] {
  return Object.values(state_dict).flatMap((mat) => mat.flat());
}

export function linear(x: Value[], w: Matrix): Value[] {
  return w.map((wo) => dot(wo, x));
}

/** sum(wi * xi for wi, xi in zip(w, x)): the fold of linear, written out for speed. */
function dot(w: Value[], x: Value[]): Value {
  let total = w[0].mul(x[0]);
  for (let i = 1; i < w.length; i++) total = total.add(w[i].mul(x[i]));
  return total;
}

export function softmax(logits: Value[]): Value[] {
  let max_val = -Infinity;
  for (const val of logits) max_val = Math.max(max_val, val.data);
  const exps = logits.map((val) => val.sub(max_val).exp());
  const total = sum(exps);
  return exps.map((e) => e.div(total));
}

export function rmsnorm(x: Value[]): Value[] {
  const ms = sum(x, (xi) => xi.mul(xi)).div(x.length);
  const scale = ms.add(1e-5).pow(-0.5);
  return x.map((xi) => xi.mul(scale));
}

export function emptyCache(config: ModelConfig): KVCache {
  return Array.from({ length: config.nLayer }, () => []);
}

export function gpt(config: ModelConfig, state_dict: StateDict, tokenId: number, posId: number, keys: KVCache, values: KVCache): Value[] {
  const { nLayer, nHead } = config;
  const headDim = config.nEmbd / nHead;
  const tokEmb = state_dict['wte'][tokenId]; // token embedding
  const posEmb = state_dict['wpe'][posId]; // position embedding
  let x = tokEmb.map((t, i) => t.add(posEmb[i])); // joint token and position embedding
  x = rmsnorm(x); // not redundant: the residual path's gradient passes through it

  for (let li = 0; li < nLayer; li++) {
    // 1) Multi-head attention block
    let xResidual = x;
    x = rmsnorm(x);
    const q = linear(x, state_dict[`layer${li}.attn_wq`]);
    const k = linear(x, state_dict[`layer${li}.attn_wk`]);
    const v = linear(x, state_dict[`layer${li}.attn_wv`]);
    keys[li].push(k);
    values[li].push(v);
    const xAttn: Value[] = [];
    for (let h = 0; h < nHead; h++) {
      const hs = h * headDim;
      const q_h = q.slice(hs, hs + headDim);
      const k_h = keys[li].map((ki) => ki.slice(hs, hs + headDim));
      const v_h = values[li].map((vi) => vi.slice(hs, hs + headDim));
      const attnLogits = k_h.map((k_ht) => sum(q_h, (q_hj, j) => q_hj.mul(k_ht[j])).div(headDim ** 0.5));
      const attnWeights = softmax(attnLogits);
      const headOut = q_h.map((_, j) => sum(attnWeights, (a_t, t) => a_t.mul(v_h[t][j])));
      xAttn.push(...headOut);
    }
    x = linear(xAttn, state_dict[`layer${li}.attn_wo`]);
    x = x.map((a, i) => a.add(xResidual[i]));
    // 2) MLP block
    xResidual = x;
    x = rmsnorm(x);
    x = linear(x, state_dict[`layer${li}.mlp_fc1`]);
    x = x.map((xi) => xi.relu());
    x = linear(x, state_dict[`layer${li}.mlp_fc2`]);
    x = x.map((a, i) => a.add(xResidual[i]));
  }

  const logits = linear(x, state_dict['lm_head']);
  return logits;
}
