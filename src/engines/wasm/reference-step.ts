/**
 * The step of assembly/model.ts written in JavaScript, kernel call by kernel
 * call, in the same order with the same arguments: one thread's part of each
 * command. The engine runs the WebAssembly one; this one is for bench/profile.ts,
 * which times each kernel call (inside WebAssembly the calls cannot be
 * timed), and a test checks that it computes the WebAssembly step's numbers
 * bit for bit. It has ThreadModel's interface: it can stand in for it.
 */
import type { Kernels } from './kernels.ts';
import type { Layout, ThreadLayout } from './layout.ts';
import { Command, CONTROL_SLOTS, type Views } from './threads.ts';

export class ReferenceStep {
  readonly t: ThreadLayout;

  constructor(
    readonly k: Kernels,
    readonly lay: Layout,
    readonly index: number,
    /** The memory's views, as the engine has them. */
    private readonly v: Views,
  ) {
    this.t = lay.thread[index];
  }

  /** This thread's part of a command, as assembly/model.ts's execute() does it. */
  execute(cmd: number): void {
    const w = this.index;
    const { i32, f64 } = this.v;
    const seqs = i32[CONTROL_SLOTS.seqs(w) / 4];
    const loss = CONTROL_SLOTS.loss(w);
    if (cmd === Command.Loss || cmd === Command.Train) {
      if (seqs > 0) this.lossSum(seqs, loss);
      else f64[loss / 8] = 0;
      if (cmd === Command.Train) this.backward(seqs, f64[CONTROL_SLOTS.dloss / 8]);
    } else if (cmd === Command.Sum) {
      this.sumGradients(CONTROL_SLOTS.norm(w));
    } else if (cmd === Command.Adam) {
      const a = CONTROL_SLOTS.adam / 8;
      this.adam(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4]);
    } else if (cmd === Command.Transpose) {
      this.transposeWeights();
    }
  }

  /** Sequence starts of the share: rows starts[b] .. starts[b + 1] - 1 hold sequence b. */
  start(b: number): number {
    return this.v.i32[this.t.starts / 4 + b];
  }

  /**
   * Runs rows r0..r1-1 through every layer to the logits, attention for
   * sequences 0..seqs-1 from position t0 on (training: r0 = 0, t0 = 0; sampling
   * one position of sequence 0 with the earlier keys and values in place).
   */
  forward(r0: number, r1: number, seqs: number, t0: number): void {
    const { blockSize: T, nEmbd: C, nHead: NH, vocabSize: V } = this.lay.config;
    const { k, t } = this;
    const P = this.lay.params;
    const mo = this.lay.matrices;
    const n = r1 - r0;
    const fb = this.lay.fb;
    const rC = r0 * C * fb; // byte offset of row r0 in an (R, C) buffer
    k.encoderForward(t.encoded, t.tokens, t.positions, P + mo.wte * fb, P + mo.wpe * fb, r0, r1, C); // (R, C) wte[token] + wpe[pos]
    k.rmsnormForward(t.ln0, t.ln0Scale, t.encoded, r0, r1, C); // (R, C) the residual stream starts normalized
    let resid = t.ln0;
    for (let l = 0; l < this.lay.config.nLayer; l++) {
      const a = t.layers[l];
      const w = mo.layers[l];
      // 1) multi-head attention block
      k.rmsnormForward(a.ln1, a.ln1Scale, resid, r0, r1, C); // (R, C)
      this.linear(a.q, a.ln1, w.attn_wq, C, C, r0, n); // (R, C) queries
      this.linear(a.k, a.ln1, w.attn_wk, C, C, r0, n); // (R, C) keys
      this.linear(a.v, a.ln1, w.attn_wv, C, C, r0, n); // (R, C) values
      for (let b = 0; b < seqs; b++) {
        const base = this.start(b);
        k.attentionForward(a.attOut, a.att, t.attScratch, a.q, a.k, a.v, base, b * NH * T * T, t0, this.start(b + 1) - base, T, C, NH); // (R, C); att (S, NH, T, T)
      }
      this.linear(a.attProj, a.attOut, w.attn_wo, C, C, r0, n); // (R, C)
      k.add(a.resid2 + rC, a.attProj + rC, resid + rC, n * C); // (R, C) + x_residual
      // 2) MLP block
      k.rmsnormForward(a.ln2, a.ln2Scale, a.resid2, r0, r1, C); // (R, C)
      this.linear(a.fc1, a.ln2, w.mlp_fc1, C, 4 * C, r0, n); // (R, 4C)
      k.reluForward(a.relu + 4 * rC, a.fc1 + 4 * rC, n * 4 * C); // (R, 4C)
      this.linear(a.fc2, a.relu, w.mlp_fc2, 4 * C, C, r0, n); // (R, C)
      k.add(a.resid3 + rC, a.fc2 + rC, a.resid2 + rC, n * C); // (R, C) + x_residual
      resid = a.resid3;
    }
    this.linear(t.logits, resid, mo.lm_head, C, V, r0, n); // (R, V)
  }

  /** Rows r0..r0+n-1: y (n, OC) = x (n, IC) W^T, with W^T (IC, OC) kept transposed; w is the matrix's float offset. */
  private linear(out: number, inp: number, w: number, IC: number, OC: number, r0: number, n: number): void {
    const fb = this.lay.fb;
    this.k.gemm(out + r0 * OC * fb, inp + r0 * IC * fb, this.lay.paramsT + w * fb, n, IC, OC, IC, 1, 0);
  }

  /**
   * dx (N, IC) += dy (N, OC) W; dW (OC, IC) += dy^T x, into this thread's
   * gradients (in float64 each dW sum starts from dW, as the fast engine's does: mode 2).
   */
  private linearBackward(dinp: number, dout: number, inp: number, w: number, IC: number, OC: number, N: number): void {
    const fb = this.lay.fb;
    this.k.gemm(dinp, dout, this.lay.params + w * fb, N, OC, IC, OC, 1, 1);
    this.k.gemm(this.t.grads + w * fb, dout, inp, OC, N, IC, 1, OC, fb === 8 ? 2 : 1);
  }

  /** Forward over the share's N rows; the summed (not mean) cross-entropy to the f64 at byte `result`. */
  lossSum(seqs: number, result: number): void {
    const N = this.start(seqs);
    this.forward(0, N, seqs, 0);
    this.k.softmaxCrossEntropyForward(this.t.probs, this.t.logits, this.t.targets, 0, N, this.lay.config.vocabSize, result);
  }

  /** Gradients of dloss times the last lossSum into this thread's buffer (set, not accumulated). */
  backward(seqs: number, dloss: number): void {
    const { blockSize: T, nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.lay.config;
    const { k, t } = this;
    const mo = this.lay.matrices;
    const g = t.grads;
    const N = this.start(seqs);
    k.zero(g, this.lay.numParams);
    k.softmaxCrossEntropyBackward(t.dLogits, t.probs, t.targets, 0, N, V, dloss);
    k.zero(t.dResid, N * C);
    this.linearBackward(t.dResid, t.dLogits, L > 0 ? t.layers[L - 1].resid3 : t.ln0, mo.lm_head, C, V, N);
    for (let l = L - 1; l >= 0; l--) {
      const a = t.layers[l];
      const w = mo.layers[l];
      const resid = l === 0 ? t.ln0 : t.layers[l - 1].resid3;
      // MLP block: dResid is d resid3, and resid3 = fc2 + resid2
      k.zero(t.dFc, N * 4 * C);
      this.linearBackward(t.dFc, t.dResid, a.relu, w.mlp_fc2, 4 * C, C, N);
      k.reluBackward(t.dFc, a.fc1, N * 4 * C);
      k.zero(t.dLn, N * C);
      this.linearBackward(t.dLn, t.dFc, a.ln2, w.mlp_fc1, C, 4 * C, N);
      k.rmsnormBackward(t.dResid, t.dLn, a.resid2, a.ln2Scale, 0, N, C); // now d resid2
      // attention block: resid2 = attProj + resid
      k.zero(t.dAttOut, N * C);
      this.linearBackward(t.dAttOut, t.dResid, a.attOut, w.attn_wo, C, C, N);
      k.zero(t.dq, N * C);
      k.zero(t.dk, N * C);
      k.zero(t.dv, N * C);
      for (let b = 0; b < seqs; b++) {
        const base = this.start(b);
        k.attentionBackward(
          t.dq,
          t.dk,
          t.dv,
          t.attScratch,
          t.dAttOut,
          a.att,
          a.q,
          a.k,
          a.v,
          base,
          b * NH * T * T,
          this.start(b + 1) - base,
          T,
          C,
          NH,
        );
      }
      k.zero(t.dLn, N * C);
      this.linearBackward(t.dLn, t.dq, a.ln1, w.attn_wq, C, C, N);
      this.linearBackward(t.dLn, t.dk, a.ln1, w.attn_wk, C, C, N);
      this.linearBackward(t.dLn, t.dv, a.ln1, w.attn_wv, C, C, N);
      k.rmsnormBackward(t.dResid, t.dLn, resid, a.ln1Scale, 0, N, C); // now d resid
    }
    // the rmsnorm after the embedding
    k.zero(t.dLn, N * C);
    k.rmsnormBackward(t.dLn, t.dResid, t.encoded, t.ln0Scale, 0, N, C);
    k.encoderBackward(g + mo.wte * this.lay.fb, g + mo.wpe * this.lay.fb, t.dLn, t.tokens, t.positions, 0, N, C);
  }

  /** Thread 0's buffer += every other thread's, on this thread's slice, in thread order; the slice's squared norm to the f64 at byte `result`. */
  sumGradients(result: number): void {
    const lo = this.lay.cuts[this.index];
    const hi = this.lay.cuts[this.index + 1];
    const g0 = this.lay.thread[0].grads;
    if (this.lay.threads > 1) this.k.sumInto(g0, this.lay.gradStride, this.lay.threads, lo, hi);
    this.k.sumSquares(g0, lo, hi, result);
  }

  /** Adam on this thread's slice with thread 0's (summed) gradients, then the slice's rows into the transposed weights. */
  adam(stepSize: number, beta1: number, beta2: number, eps: number, invSqrtBias2: number): void {
    const { params, m, v, thread, cuts } = this.lay;
    this.k.adam(params, thread[0].grads, m, v, cuts[this.index], cuts[this.index + 1], stepSize, beta1, beta2, eps, invSqrtBias2);
    this.transposeWeights();
  }

  /** Refreshes the transposed weights (the forward's) of the rows in this thread's slice. */
  transposeWeights(): void {
    const { config, matrices } = this.lay;
    const C = config.nEmbd;
    this.transposeSlice(matrices.lm_head, config.vocabSize, C);
    for (const w of matrices.layers) {
      this.transposeSlice(w.attn_wq, C, C);
      this.transposeSlice(w.attn_wk, C, C);
      this.transposeSlice(w.attn_wv, C, C);
      this.transposeSlice(w.attn_wo, C, C);
      this.transposeSlice(w.mlp_fc1, 4 * C, C);
      this.transposeSlice(w.mlp_fc2, C, 4 * C);
    }
  }

  /** The rows of the (rows, cols) matrix at float offset `at` that lie in this thread's slice (slices are cut at row starts). */
  private transposeSlice(at: number, rows: number, cols: number): void {
    const lo = this.lay.cuts[this.index];
    const hi = this.lay.cuts[this.index + 1];
    const r0 = Math.max(0, Math.ceil((lo - at) / cols));
    const r1 = Math.min(rows, Math.ceil((hi - at) / cols));
    if (r0 < r1) this.k.transposeRows(this.lay.paramsT + at * this.lay.fb, this.lay.params + at * this.lay.fb, rows, cols, r0, r1);
  }
}
