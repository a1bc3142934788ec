/**
 * The fast engine's memory: one flat array per kind (parameters, gradients,
 * Adam moments) with named views in state-dict order, and the activations of
 * a (B, T) batch, all allocated once.
 */
import { numParams, stateDictShapes, type ModelConfig } from '../shape.ts';
import type { DType } from '../engine.ts';

export type Floats = Float64Array | Float32Array;

export function allocFloats(dtype: DType, n: number): Floats {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

export interface LayerParams {
  attn_wq: Floats; // (C, C)
  attn_wk: Floats; // (C, C)
  attn_wv: Floats; // (C, C)
  attn_wo: Floats; // (C, C)
  mlp_fc1: Floats; // (4C, C)
  mlp_fc2: Floats; // (C, 4C)
}

/** Named views into one flat array laid out in state-dict order. */
export interface ParameterTensors {
  all: Floats;
  wte: Floats; // (V, C)
  wpe: Floats; // (T, C)
  lm_head: Floats; // (V, C)
  layers: LayerParams[];
}

export function parameterTensors(config: ModelConfig, all: Floats): ParameterTensors {
  if (all.length !== numParams(config)) throw new RangeError('parameter array of the wrong size');
  const views = new Map<string, Floats>();
  let offset = 0;
  for (const [name, rows, cols] of stateDictShapes(config)) {
    views.set(name, all.subarray(offset, offset + rows * cols));
    offset += rows * cols;
  }
  const view = (name: string) => views.get(name)!;
  const layers = Array.from({ length: config.nLayer }, (_, i) => ({
    attn_wq: view(`layer${i}.attn_wq`),
    attn_wk: view(`layer${i}.attn_wk`),
    attn_wv: view(`layer${i}.attn_wv`),
    attn_wo: view(`layer${i}.attn_wo`),
    mlp_fc1: view(`layer${i}.mlp_fc1`),
    mlp_fc2: view(`layer${i}.mlp_fc2`),
  }));
  return { all, wte: view('wte'), wpe: view('wpe'), lm_head: view('lm_head'), layers };
}

export interface LayerActivations {
  ln1: Floats; // (B, T, C) rmsnorm of the residual stream
  ln1Scale: Floats; // (B, T) its 1/rms
  q: Floats; // (B, T, C)
  k: Floats; // (B, T, C)
  v: Floats; // (B, T, C)
  att: Floats; // (B, NH, T, T) attention weights
  attOut: Floats; // (B, T, C) heads concatenated
  attProj: Floats; // (B, T, C)
  resid2: Floats; // (B, T, C) attProj + residual
  ln2: Floats; // (B, T, C)
  ln2Scale: Floats; // (B, T)
  fc1: Floats; // (B, T, 4C) before ReLU
  relu: Floats; // (B, T, 4C)
  fc2: Floats; // (B, T, C)
  resid3: Floats; // (B, T, C) fc2 + resid2: the layer's output
}

export interface ActivationTensors {
  encoded: Floats; // (B, T, C) wte[token] + wpe[pos]
  ln0: Floats; // (B, T, C) rmsnorm of the embedding: the residual stream's start
  ln0Scale: Floats; // (B, T)
  layers: LayerActivations[];
  logits: Floats; // (B, T, V)
  probs: Floats; // (B, T, V)
}

/** Gradients of activations, reused by every layer in turn during backward. */
export interface GradientScratch {
  dResid: Floats; // (B, T, C) d loss / d residual stream at the current layer
  dLn: Floats; // (B, T, C) d loss / d an rmsnorm's output
  dq: Floats; // (B, T, C)
  dk: Floats; // (B, T, C)
  dv: Floats; // (B, T, C)
  dAttOut: Floats; // (B, T, C)
  dFc: Floats; // (B, T, 4C)
  dLogits: Floats; // (B, T, V)
  dAttRow: Floats; // (T) one query's d loss / d attention weights
}

export function activationTensors(config: ModelConfig, B: number, dtype: DType): ActivationTensors {
  const { blockSize: T, nEmbd: C, nHead: NH, vocabSize: V } = config;
  const f = (n: number) => allocFloats(dtype, n);
  const layers = Array.from({ length: config.nLayer }, () => ({
    ln1: f(B * T * C),
    ln1Scale: f(B * T),
    q: f(B * T * C),
    k: f(B * T * C),
    v: f(B * T * C),
    att: f(B * NH * T * T),
    attOut: f(B * T * C),
    attProj: f(B * T * C),
    resid2: f(B * T * C),
    ln2: f(B * T * C),
    ln2Scale: f(B * T),
    fc1: f(B * T * 4 * C),
    relu: f(B * T * 4 * C),
    fc2: f(B * T * C),
    resid3: f(B * T * C),
  }));
  return { encoded: f(B * T * C), ln0: f(B * T * C), ln0Scale: f(B * T), layers, logits: f(B * T * V), probs: f(B * T * V) };
}

export function gradientScratch(config: ModelConfig, B: number, dtype: DType): GradientScratch {
  const { blockSize: T, nEmbd: C, vocabSize: V } = config;
  const f = (n: number) => allocFloats(dtype, n);
  return {
    dResid: f(B * T * C),
    dLn: f(B * T * C),
    dq: f(B * T * C),
    dk: f(B * T * C),
    dv: f(B * T * C),
    dAttOut: f(B * T * C),
    dFc: f(B * T * 4 * C),
    dLogits: f(B * T * V),
    dAttRow: f(T),
  };
}
