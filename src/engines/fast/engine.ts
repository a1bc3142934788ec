/**
 * The fast engine: microgpt's GPT on preallocated typed arrays with
 * hand-derived backward passes, in the manner of llm.c's train_gpt2.c.
 * forward, backward and update are at the top; the layers are in layers.ts.
 * Nothing in a training step allocates.
 */
import { numParams, type ModelConfig } from '../shape.ts';
import type { AdamStep, DType, Engine } from '../engine.ts';
import {
  attentionBackward,
  attentionForward,
  encoderBackward,
  encoderForward,
  matmulBackward,
  matmulForward,
  reluBackward,
  reluForward,
  residualForward,
  rmsnormBackward,
  rmsnormForward,
  softmaxCrossEntropyBackward,
  softmaxCrossEntropyForward,
} from './layers.ts';
import {
  activationTensors,
  allocFloats,
  gradientScratch,
  parameterTensors,
  type ActivationTensors,
  type Floats,
  type GradientScratch,
  type ParameterTensors,
} from './tensors.ts';

type Batch = readonly (readonly number[])[];

/** Sequences per forward when totalLoss() is given many. */
const EVAL_CHUNK = 64;

export class FastEngine implements Engine {
  readonly name = 'fast' as const;
  readonly numParams: number;
  readonly params: ParameterTensors;
  readonly grads: ParameterTensors;
  private readonly m: Floats;
  private readonly v: Floats;
  // sized for maxBatch sequences by reserve(), which grows them on first use of a larger batch
  private acts!: ActivationTensors;
  private scratch!: GradientScratch;
  private maxBatch = 0;
  /**
   * The batch in flight, packed: sequence b's positions are rows
   * starts[b] .. starts[b + 1] - 1, each row with its token, position and target.
   */
  private tokens!: Int32Array;
  private positions!: Int32Array;
  private targets!: Int32Array;
  private starts!: Int32Array;
  private batchSize = 0;
  /** Positions already in the KV cache of sequence 0 while sampling. */
  private cached = 0;

  constructor(
    readonly config: ModelConfig,
    weights: ArrayLike<number>,
    readonly dtype: DType = 'float64',
  ) {
    this.numParams = numParams(config);
    const all = allocFloats(dtype, this.numParams);
    all.set(weights);
    this.params = parameterTensors(config, all);
    this.grads = parameterTensors(config, allocFloats(dtype, this.numParams));
    this.m = allocFloats(dtype, this.numParams);
    this.v = allocFloats(dtype, this.numParams);
    this.reserve(1);
  }

  /** Sizes activations for batches of up to B sequences; like llm.c's gpt2_forward, on the first batch that needs more. */
  private reserve(B: number): void {
    if (B <= this.maxBatch) return;
    const { config, dtype } = this;
    this.acts = activationTensors(config, B, dtype);
    this.scratch = gradientScratch(config, B, dtype);
    const rows = B * config.blockSize;
    this.tokens = new Int32Array(rows);
    this.positions = new Int32Array(rows);
    this.targets = new Int32Array(rows);
    this.starts = new Int32Array(B + 1);
    this.maxBatch = B;
    this.cached = 0; // the KV cache was in the old arrays
  }

  trainStep(batch: Batch, adam: AdamStep): number {
    const loss = this.lossAndGrad(batch);
    this.update(adam);
    return loss;
  }

  lossAndGrad(batch: Batch): number {
    const loss = this.forward(batch);
    this.backward();
    return loss;
  }

  /** Mean cross-entropy over every predicted token of the batch. */
  forward(batch: Batch): number {
    const N = this.loadBatch(batch);
    const a = this.acts;
    this.cached = 0; // the KV cache rows are overwritten
    for (let b = 0; b < batch.length; b++) this.forwardPositions(b, 0, this.starts[b + 1] - this.starts[b]);
    const lossSum = softmaxCrossEntropyForward(a.probs, a.logits, this.targets, 0, N, this.config.vocabSize);
    return lossSum * (1 / N); // (1 / n) * sum(losses)
  }

  /** Gradients of the last forward's loss into grads (set, not accumulated). */
  backward(): void {
    const { blockSize: T, nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.config;
    const { params: p, grads: g, acts: a, scratch: s } = this;
    const N = this.starts[this.batchSize]; // rows 0..N-1
    g.all.fill(0);
    softmaxCrossEntropyBackward(s.dLogits, a.probs, this.targets, 0, N, V, 1 / N);
    s.dResid.fill(0, 0, N * C);
    matmulBackward(s.dResid, g.lm_head, s.dLogits, L > 0 ? a.layers[L - 1].resid3 : a.ln0, p.lm_head, 0, N, C, V);
    for (let l = L - 1; l >= 0; l--) {
      const la = a.layers[l];
      const lp = p.layers[l];
      const lg = g.layers[l];
      const resid = l === 0 ? a.ln0 : a.layers[l - 1].resid3;
      // MLP block: dResid is d resid3, and resid3 = fc2 + resid2
      s.dFc.fill(0, 0, N * 4 * C);
      matmulBackward(s.dFc, lg.mlp_fc2, s.dResid, la.relu, lp.mlp_fc2, 0, N, 4 * C, C);
      reluBackward(s.dFc, la.fc1, 0, N, 4 * C);
      s.dLn.fill(0, 0, N * C);
      matmulBackward(s.dLn, lg.mlp_fc1, s.dFc, la.ln2, lp.mlp_fc1, 0, N, C, 4 * C);
      rmsnormBackward(s.dResid, s.dLn, la.resid2, la.ln2Scale, 0, N, C); // now d resid2
      // attention block: resid2 = attProj + resid
      s.dAttOut.fill(0, 0, N * C);
      matmulBackward(s.dAttOut, lg.attn_wo, s.dResid, la.attOut, lp.attn_wo, 0, N, C, C);
      s.dq.fill(0, 0, N * C);
      s.dk.fill(0, 0, N * C);
      s.dv.fill(0, 0, N * C);
      for (let b = 0; b < this.batchSize; b++) {
        const start = this.starts[b];
        attentionBackward(
          s.dq,
          s.dk,
          s.dv,
          s.dAttRow,
          s.dAttOut,
          la.att,
          la.q,
          la.k,
          la.v,
          start,
          b * NH * T * T,
          this.starts[b + 1] - start,
          T,
          C,
          NH,
        );
      }
      s.dLn.fill(0, 0, N * C);
      matmulBackward(s.dLn, lg.attn_wq, s.dq, la.ln1, lp.attn_wq, 0, N, C, C);
      matmulBackward(s.dLn, lg.attn_wk, s.dk, la.ln1, lp.attn_wk, 0, N, C, C);
      matmulBackward(s.dLn, lg.attn_wv, s.dv, la.ln1, lp.attn_wv, 0, N, C, C);
      rmsnormBackward(s.dResid, s.dLn, resid, la.ln1Scale, 0, N, C); // now d resid
    }
    // the rmsnorm after the embedding
    s.dLn.fill(0, 0, N * C);
    rmsnormBackward(s.dLn, s.dResid, a.encoded, a.ln0Scale, 0, N, C);
    encoderBackward(g.wte, g.wpe, s.dLn, this.tokens, this.positions, 0, N, C);
  }

  /**
   * Adam with bias correction (lr already decayed by the caller). The same
   * update as the original's m_hat / (v_hat ** 0.5 + eps), arranged as PyTorch
   * does so that each parameter costs one division and one square root:
   * lr / bias1 * m / (sqrt(v) / sqrt(bias2) + eps). It differs in the last bits.
   */
  update({ lr, beta1, beta2, eps, step }: AdamStep): void {
    const { m, v } = this;
    const p = this.params.all;
    const g = this.grads.all;
    const stepSize = lr / (1 - beta1 ** (step + 1));
    const invSqrtBias2 = 1 / Math.sqrt(1 - beta2 ** (step + 1));
    for (let i = 0; i < p.length; i++) {
      const grad = g[i];
      const mi = beta1 * m[i] + (1 - beta1) * grad;
      const vi = beta2 * v[i] + (1 - beta2) * (grad * grad);
      m[i] = mi;
      v[i] = vi;
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtBias2 + eps);
    }
  }

  gradientNorm(): number {
    const g = this.grads.all;
    let sumSq = 0;
    for (let i = 0; i < g.length; i++) sumSq += g[i] * g[i];
    return Math.sqrt(sumSq);
  }

  /** Packs the batch's sequences (each cut to blockSize + 1 tokens) into rows; returns the row count. */
  private loadBatch(batch: Batch): number {
    this.reserve(batch.length);
    const T = this.config.blockSize;
    let row = 0;
    for (let b = 0; b < batch.length; b++) {
      const seq = batch[b];
      const n = Math.min(T, seq.length - 1);
      if (!(n >= 1)) throw new RangeError('a sequence needs at least two tokens');
      this.starts[b] = row;
      for (let t = 0; t < n; t++, row++) {
        this.tokens[row] = seq[t];
        this.positions[row] = t;
        this.targets[row] = seq[t + 1];
      }
    }
    this.starts[batch.length] = row;
    this.batchSize = batch.length;
    return row;
  }

  /**
   * Runs positions t0..t1-1 of sequence b through every layer to the logits;
   * keys and values of its earlier positions must be in place (training runs
   * 0..n at once; sampling one position at a time, the KV cache).
   */
  private forwardPositions(b: number, t0: number, t1: number): void {
    const { blockSize: T, nEmbd: C, nHead: NH, vocabSize: V } = this.config;
    const { params: p, acts: a } = this;
    const base = this.starts[b]; // the row of the sequence's position 0
    const r0 = base + t0; // rows r0..r1-1 are computed
    const r1 = base + t1;
    const attBase = b * NH * T * T; // the sequence's (NH, T, T) block of attention weights
    encoderForward(a.encoded, this.tokens, this.positions, p.wte, p.wpe, r0, r1, C); // (B, T, C) wte[token] + wpe[pos]
    rmsnormForward(a.ln0, a.ln0Scale, a.encoded, r0, r1, C); // (B, T, C) the residual stream starts normalized
    let resid = a.ln0;
    for (let l = 0; l < this.config.nLayer; l++) {
      const la = a.layers[l];
      const lp = p.layers[l];
      // 1) multi-head attention block
      rmsnormForward(la.ln1, la.ln1Scale, resid, r0, r1, C); // (B, T, C)
      matmulForward(la.q, la.ln1, lp.attn_wq, r0, r1, C, C); // (B, T, C) queries
      matmulForward(la.k, la.ln1, lp.attn_wk, r0, r1, C, C); // (B, T, C) keys
      matmulForward(la.v, la.ln1, lp.attn_wv, r0, r1, C, C); // (B, T, C) values
      attentionForward(la.attOut, la.att, la.q, la.k, la.v, base, attBase, t0, t1, T, C, NH); // (B, T, C) heads side by side; att (B, NH, T, T)
      matmulForward(la.attProj, la.attOut, lp.attn_wo, r0, r1, C, C); // (B, T, C)
      residualForward(la.resid2, la.attProj, resid, r0, r1, C); // (B, T, C) + x_residual
      // 2) MLP block
      rmsnormForward(la.ln2, la.ln2Scale, la.resid2, r0, r1, C); // (B, T, C)
      matmulForward(la.fc1, la.ln2, lp.mlp_fc1, r0, r1, C, 4 * C); // (B, T, 4C)
      reluForward(la.relu, la.fc1, r0, r1, 4 * C); // (B, T, 4C)
      matmulForward(la.fc2, la.relu, lp.mlp_fc2, r0, r1, 4 * C, C); // (B, T, C)
      residualForward(la.resid3, la.fc2, la.resid2, r0, r1, C); // (B, T, C) + x_residual
      resid = la.resid3;
    }
    matmulForward(a.logits, resid, p.lm_head, r0, r1, C, V); // (B, T, V)
  }

  totalLoss(batch: Batch): { total: number; tokens: number } {
    let total = 0;
    let tokens = 0;
    const chunk = Math.max(this.maxBatch, Math.min(batch.length, EVAL_CHUNK));
    for (let i = 0; i < batch.length; i += chunk) {
      const N = this.loadBatch(batch.slice(i, i + chunk));
      for (let b = 0; b < this.batchSize; b++) this.forwardPositions(b, 0, this.starts[b + 1] - this.starts[b]);
      total += softmaxCrossEntropyForward(this.acts.probs, this.acts.logits, this.targets, 0, N, this.config.vocabSize);
      tokens += N;
    }
    this.cached = 0;
    return { total, tokens };
  }

  resetCache(): void {
    this.cached = 0;
    this.batchSize = 1;
    this.starts[0] = 0;
  }

  forwardToken(tokenId: number, posId: number): Float64Array {
    const { blockSize: T, vocabSize: V } = this.config;
    if (posId !== this.cached || posId >= T)
      throw new RangeError(`forwardToken: position ${posId}, but the cache holds ${this.cached} of at most ${T}`);
    if (posId === 0) this.resetCache();
    this.tokens[posId] = tokenId;
    this.positions[posId] = posId;
    this.forwardPositions(0, posId, posId + 1);
    this.cached = posId + 1;
    const row = this.acts.logits.subarray(posId * V, posId * V + V);
    return row instanceof Float64Array ? row : Float64Array.from(row);
  }

  /**
   * Attention weights of the sequence fed by forwardToken: layer l, head h,
   * query position t over key positions 0..t (a copy).
   */
  attentionRow(layer: number, head: number, t: number): Float64Array {
    const T = this.config.blockSize;
    if (t >= this.cached) throw new RangeError(`no attention for position ${t}: the cache holds ${this.cached}`);
    const a = (head * T + t) * T; // sequence 0's block starts at 0
    return Float64Array.from(this.acts.layers[layer].att.subarray(a, a + t + 1));
  }

  /**
   * What attention reads for one head and query position of the sequence fed
   * by forwardToken: the query, the keys and values of positions 0..t (each
   * head-size long) and the head's output (copies).
   */
  attentionInputs(layer: number, head: number, t: number): { q: Float64Array; k: Float64Array[]; v: Float64Array[]; out: Float64Array } {
    const { nEmbd: C, nHead: NH } = this.config;
    if (t >= this.cached) throw new RangeError(`no attention for position ${t}: the cache holds ${this.cached}`);
    const la = this.acts.layers[layer];
    const hs = C / NH;
    const slice = (x: Floats, row: number) => Float64Array.from(x.subarray(row * C + head * hs, row * C + (head + 1) * hs));
    const rows = Array.from({ length: t + 1 }, (_, t2) => t2);
    return { q: slice(la.q, t), k: rows.map((r) => slice(la.k, r)), v: rows.map((r) => slice(la.v, r)), out: slice(la.attOut, t) };
  }

  weights(): Float64Array {
    return Float64Array.from(this.params.all);
  }

  gradients(): Float64Array {
    return Float64Array.from(this.grads.all);
  }

  optimizerState(): { m: Float64Array; v: Float64Array } {
    return { m: Float64Array.from(this.m), v: Float64Array.from(this.v) };
  }

  setWeights(w: ArrayLike<number>): void {
    this.params.all.set(w);
  }

  setOptimizerState(m: ArrayLike<number>, v: ArrayLike<number>): void {
    this.m.set(m);
    this.v.set(v);
  }
}
