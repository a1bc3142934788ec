/**
 * The faithful engine: microgpt.py's training step and Adam on Value graphs.
 *
 * Where each line of microgpt.py's training loop lives:
 *
 *   for step in range(num_steps):                      core/run.ts     TrainRun.takeStep (one call, one step)
 *     doc = docs[step % len(docs)]                     core/trainer.ts docIndex (batch B: docs[(step*B + b) % len])
 *     tokens = [BOS] + [uchars.index(ch) ...] + [BOS]  core/tokenizer.ts encodeDoc (once, when the data is read)
 *     n = min(block_size, len(tokens) - 1)             here: forwardLoss
 *     keys, values = [[] ...], [[] ...]                here: forwardLoss
 *     for pos_id in range(n): ... loss_t               here: forwardLoss (gpt, softmax in ./model.ts)
 *     loss = (1 / n) * sum(losses)                     here: forwardLoss
 *     loss.backward()                                  here: lossAndGrad (Value.backward in ./value.ts)
 *     lr_t = learning_rate * (1 - step / num_steps)    core/trainer.ts learningRateAt
 *     for i, p in enumerate(params): m, v, ... p.grad  here: update (p.grad = 0 at the next lossAndGrad)
 *     print(f"step {step+1:4d} / ...")                 core/format.ts stepLine
 */
import type { ModelConfig } from '../shape.ts';
import { numParams } from '../shape.ts';
import type { AdamStep, Engine } from '../engine.ts';
import {
  emptyCache,
  emptySeen,
  flattenParams,
  gpt,
  makeStateDict,
  softmax,
  type AttentionSeen,
  type KVCache,
  type StateDict,
} from './model.ts';
import { freeGraph, sum, Value } from './value.ts';

export class ScalarEngine implements Engine {
  readonly name = 'scalar' as const;
  readonly dtype = 'float64' as const;
  readonly config: ModelConfig;
  readonly numParams: number;
  readonly state_dict: StateDict;
  readonly params: Value[];
  // Adam's first and second moment buffers
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private keys: KVCache;
  private values: KVCache;
  private readonly logitsOut: Float64Array;
  /** What attention computed for the tokens fed by forwardToken since the last resetCache. */
  private seen: AttentionSeen;

  constructor(config: ModelConfig, weights: ArrayLike<number>) {
    this.config = config;
    this.numParams = numParams(config);
    this.state_dict = makeStateDict(config, weights, (x) => new Value(x));
    this.params = flattenParams(this.state_dict);
    this.m = new Float64Array(this.numParams);
    this.v = new Float64Array(this.numParams);
    this.keys = emptyCache(config);
    this.values = emptyCache(config);
    this.seen = emptySeen(config);
    this.logitsOut = new Float64Array(config.vocabSize);
  }

  /** Builds the graph to the mean loss over every predicted token of the batch (public for record.ts, which copies that graph out). */
  forwardLoss(batch: readonly (readonly number[])[]): Value {
    const losses: Value[] = [];
    for (const tokens of batch) {
      const n = Math.min(this.config.blockSize, tokens.length - 1);
      const keys = emptyCache(this.config);
      const values = emptyCache(this.config);
      for (let posId = 0; posId < n; posId++) {
        const tokenId = tokens[posId];
        const targetId = tokens[posId + 1];
        const logits = gpt(this.config, this.state_dict, tokenId, posId, keys, values);
        const probs = softmax(logits);
        const loss_t = probs[targetId].log().neg();
        losses.push(loss_t);
      }
    }
    return sum(losses).rmul(1 / losses.length); // (1 / n) * sum(losses)
  }

  lossAndGrad(batch: readonly (readonly number[])[]): number {
    for (const p of this.params) p.grad = 0;
    const loss = this.forwardLoss(batch);
    const lossData = loss.data;
    loss.backward();
    return lossData;
  }

  trainStep(batch: readonly (readonly number[])[], adam: AdamStep): number {
    const loss = this.lossAndGrad(batch);
    this.update(adam);
    return loss;
  }

  gradientNorm(): number {
    let sumSq = 0;
    for (const p of this.params) sumSq += p.grad * p.grad;
    return Math.sqrt(sumSq);
  }

  /** microgpt.py's Adam loop (the gradients are zeroed by the next lossAndGrad, not here). */
  update(adam: AdamStep): void {
    const { lr, beta1, beta2, eps, step } = adam;
    const { m, v, params } = this;
    // the original computes these inside the loop; they are the same for every parameter
    const bias1 = 1 - beta1 ** (step + 1);
    const bias2 = 1 - beta2 ** (step + 1);
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      m[i] = beta1 * m[i] + (1 - beta1) * p.grad;
      v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2;
      const m_hat = m[i] / bias1;
      const v_hat = v[i] / bias2;
      p.data -= (lr * m_hat) / (v_hat ** 0.5 + eps);
    }
  }

  totalLoss(batch: readonly (readonly number[])[]): { total: number; tokens: number } {
    let total = 0;
    let tokens = 0;
    for (const seq of batch) {
      const n = Math.min(this.config.blockSize, seq.length - 1);
      this.resetCache();
      for (let posId = 0; posId < n; posId++) {
        const probs = softmax(gpt(this.config, this.state_dict, seq[posId], posId, this.keys, this.values));
        total -= Math.log(probs[seq[posId + 1]].data);
        tokens++;
      }
    }
    this.resetCache();
    return { total, tokens };
  }

  resetCache(): void {
    freeGraph(); // the cached keys and values are graph nodes: recycle them with the cache
    this.keys = emptyCache(this.config);
    this.values = emptyCache(this.config);
    this.seen = emptySeen(this.config);
  }

  forwardToken(tokenId: number, posId: number): Float64Array {
    const logits = gpt(this.config, this.state_dict, tokenId, posId, this.keys, this.values, this.seen);
    for (let i = 0; i < logits.length; i++) this.logitsOut[i] = logits[i].data;
    return this.logitsOut;
  }

  private checkSeen(t: number): void {
    const n = this.keys[0]?.length ?? 0;
    if (!(t < n)) throw new RangeError(`no attention for position ${t}: the cache holds ${n}`);
  }

  attentionRow(layer: number, head: number, t: number): Float64Array {
    this.checkSeen(t);
    return Float64Array.from(this.seen.weights[layer][head][t]);
  }

  attentionInputs(layer: number, head: number, t: number): { q: Float64Array; k: Float64Array[]; v: Float64Array[]; out: Float64Array } {
    this.checkSeen(t);
    const hs = this.config.nEmbd / this.config.nHead;
    const part = (xs: readonly (number | Value)[]) =>
      Float64Array.from(xs.slice(head * hs, (head + 1) * hs), (x) => (typeof x === 'number' ? x : x.data));
    const rows = this.keys[layer].slice(0, t + 1);
    return {
      q: part(this.seen.q[layer][t]),
      k: rows.map(part),
      v: this.values[layer].slice(0, t + 1).map(part),
      out: part(this.seen.out[layer][t]),
    };
  }

  weights(): Float64Array {
    return Float64Array.from(this.params, (p) => p.data);
  }

  gradients(): Float64Array {
    return Float64Array.from(this.params, (p) => p.grad);
  }

  optimizerState(): { m: Float64Array; v: Float64Array } {
    return { m: this.m.slice(), v: this.v.slice() };
  }

  setWeights(w: ArrayLike<number>): void {
    this.params.forEach((p, i) => (p.data = w[i]));
  }

  setOptimizerState(m: ArrayLike<number>, v: ArrayLike<number>): void {
    this.m.set(m);
    this.v.set(v);
  }
}
