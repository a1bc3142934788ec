/**
 * The wasm engine: the whole training step in WebAssembly, in float32 with
 * SIMD matrix kernels (assembly/), or in float64 with the fast engine's sums
 * in the fast engine's order (assembly/f64/: one thread computes the fast
 * engine's numbers bit for bit), on one memory laid out by layout.ts.
 * With helper threads (threads.ts) the batch's documents are split between
 * threads, each computes forward and backward into its own gradient buffer,
 * the buffers are summed in thread order and each thread applies Adam to its
 * slice of the parameters: data parallel and deterministic. forward, backward
 * and update are in model.ts; this class packs batches, dispatches commands,
 * and answers the Engine interface. Nothing in a training step allocates.
 */
import { numParams, type ModelConfig } from '../shape.ts';
import type { AdamStep, DType, Engine } from '../engine.ts';
import { instantiate, kernelModule, MAX_PAGES, type Kernels } from './kernels.ts';
import { layout, LAYOUT_BASE, pagesFor, writeTable, type Layout } from './layout.ts';
import { ThreadModel } from './model.ts';
import {
  ADAM,
  Command,
  CONTROL_SLOTS,
  DLOSS,
  Dispatcher,
  f64Slot,
  LOSS,
  MAX_THREADS,
  NORM,
  setCapacity,
  setConfig,
  setShare,
  views,
  type ThreadHelpers,
  type Views,
} from './threads.ts';

type Batch = readonly (readonly number[])[];

/** Helper pools already given to an engine: each serves one. */
const used = new WeakSet<ThreadHelpers>();

/** Sequences evaluated per forward (all threads together) when totalLoss() is given many. */
const EVAL_CHUNK = 64;

export interface WasmOptions {
  /** Helper threads, started (src/io/wasm-threads.ts in Node, src/web/wasm-threads.ts in a page): threads = count + 1. */
  helpers?: ThreadHelpers;
  /** float32 (the default) or float64 (the fast engine's numbers); helpers must have been spawned for the same. */
  dtype?: DType;
}

/** The layout, if one WebAssembly memory (4 GiB) holds it. */
function fits(lay: Layout): Layout {
  if (lay.bytes > MAX_PAGES * 65536)
    throw new RangeError(
      `the wasm engine would need ${(lay.bytes / 2 ** 30).toFixed(1)} GiB, more than a WebAssembly memory holds (4 GiB): use the fast engine`,
    );
  return lay;
}

export class WasmEngine implements Engine {
  readonly name = 'wasm' as const;
  readonly dtype: DType;
  readonly numParams: number;
  /** Threads that share each step (1 + helpers). */
  readonly threads: number;
  /** Whether the kernels use relaxed SIMD's fused multiply-add. */
  readonly relaxedSimd: boolean;
  private readonly memory: WebAssembly.Memory;
  private readonly k: Kernels;
  private readonly dispatcher: Dispatcher;
  private lay!: Layout;
  private v!: Views;
  /** The memory as floats of the engine's dtype. */
  private fv!: Float32Array | Float64Array;
  /** Bytes per float. */
  private readonly fb: number;
  private model!: ThreadModel;
  /** Positions in the KV cache of thread 0's sequence 0 while sampling. */
  private cached = 0;
  private readonly logits: Float64Array;
  /** The batch's split: thread w packs sequences cuts[w]..cuts[w + 1] - 1. */
  private readonly cuts: Int32Array;

  constructor(
    readonly config: ModelConfig,
    weights: ArrayLike<number>,
    options: WasmOptions = {},
  ) {
    this.numParams = numParams(config);
    this.threads = 1 + (options.helpers?.count ?? 0);
    if (this.threads > MAX_THREADS) throw new RangeError(`the wasm engine runs at most ${MAX_THREADS} threads, got ${this.threads}`);
    const helpers = options.helpers;
    if (helpers && used.has(helpers)) throw new Error('these helper threads already serve an engine: start new ones');
    this.dtype = options.dtype ?? 'float32';
    this.fb = this.dtype === 'float64' ? 8 : 4;
    if (helpers && (helpers.dtype ?? 'float32') !== this.dtype)
      throw new RangeError(
        `these helper threads run ${helpers.dtype ?? 'float32'} kernels; a ${this.dtype} engine needs helpers spawned for ${this.dtype}`,
      );
    if (helpers) used.add(helpers);
    const first = fits(layout(config, this.threads, 1, this.fb));
    const initial = pagesFor(first.bytes);
    // relaxed SIMD where supported; float64 never fuses, and skips the check (decoding and validating a float32 module)
    const { module, relaxed } = helpers ? { module: helpers.module, relaxed: helpers.relaxed } : kernelModule(false, undefined, this.dtype);
    this.relaxedSimd = relaxed;
    this.memory = helpers ? (helpers.memory as WebAssembly.Memory) : new WebAssembly.Memory({ initial });
    const grow = initial - this.memory.buffer.byteLength / 65536;
    if (grow > 0) this.memory.grow(grow);
    this.k = instantiate(module, this.memory);
    if (this.k.heapBase() > LAYOUT_BASE) throw new Error('wasm kernels: static data overlaps the layout');
    this.dispatcher = new Dispatcher(options.helpers, this.threads);
    this.use(first);
    setConfig(this.v.i32, config, this.threads, this.fb);
    this.logits = new Float64Array(config.vocabSize);
    this.cuts = new Int32Array(this.threads + 1);
    this.setWeights(weights);
  }

  private use(lay: Layout): void {
    this.lay = lay;
    this.v = views(this.memory);
    this.fv = this.fb === 8 ? this.v.f64 : this.v.f32;
    writeTable(this.v.i32, lay, CONTROL_SLOTS); // where every thread's step finds each buffer
    this.model = new ThreadModel(this.k, lay, 0);
    setCapacity(this.v.i32, lay.seqs);
    this.cached = 0; // the KV cache moved
  }

  /** Room for `seqs` sequences per thread; grows the memory on the first batch that needs more, as the fast engine does. */
  private reserve(seqs: number): void {
    if (seqs <= this.lay.seqs) return;
    const lay = fits(layout(this.config, this.threads, seqs, this.fb));
    const pages = pagesFor(lay.bytes) - this.memory.buffer.byteLength / 65536;
    if (pages > 0) this.memory.grow(pages);
    this.use(lay);
  }

  trainStep(batch: Batch, adam: AdamStep): number {
    const loss = this.lossAndGrad(batch);
    this.update(adam);
    return loss;
  }

  /** Mean cross-entropy over every predicted token of the batch, with its gradients summed into thread 0's buffer. */
  lossAndGrad(batch: Batch): number {
    const N = this.pack(batch, 0, batch.length);
    this.v.f64[f64Slot(DLOSS)] = 1 / N;
    this.dispatcher.run(Command.Train, this.model, this.v);
    this.dispatcher.run(Command.Sum, this.model, this.v);
    return this.lossSum() * (1 / N); // (1 / n) * sum(losses)
  }

  /** The threads' summed losses, in thread order. */
  private lossSum(): number {
    let loss = 0;
    for (let w = 0; w < this.threads; w++) loss += this.v.f64[f64Slot(LOSS + w)];
    return loss;
  }

  /** Adam with bias correction, as the fast engine arranges it, each thread on its slice and that slice's transposes. */
  update({ lr, beta1, beta2, eps, step }: AdamStep): void {
    const a = f64Slot(ADAM);
    const f64 = this.v.f64;
    f64[a] = lr / (1 - beta1 ** (step + 1));
    f64[a + 1] = beta1;
    f64[a + 2] = beta2;
    f64[a + 3] = eps;
    f64[a + 4] = 1 / Math.sqrt(1 - beta2 ** (step + 1));
    this.dispatcher.run(Command.Adam, this.model, this.v);
  }

  /** From the slices' squared norms that lossAndGrad's sum left, in thread order. */
  gradientNorm(): number {
    let sumSq = 0;
    for (let w = 0; w < this.threads; w++) sumSq += this.v.f64[f64Slot(NORM + w)];
    return Math.sqrt(sumSq);
  }

  /**
   * Splits sequences first..last-1 between the threads, consecutive runs of
   * documents with about equal numbers of tokens, and packs each share into
   * its thread's rows (each sequence cut to blockSize + 1 tokens). Returns the
   * rows (predicted tokens) of all shares.
   */
  private pack(batch: Batch, first: number, last: number): number {
    const W = this.threads;
    const T = this.config.blockSize;
    // thread w takes the documents that start before (w + 1) / W of the batch's tokens
    const cuts = this.cuts;
    let rows = 0;
    for (let b = first; b < last; b++) rows += Math.min(T, batch[b].length - 1);
    let seen = 0;
    let most = 0;
    cuts[0] = first;
    for (let b = first, w = 1; w <= W; w++) {
      while (b < last && (w === W || seen < (w * rows) / W)) seen += Math.min(T, batch[b++].length - 1);
      cuts[w] = b;
      most = Math.max(most, cuts[w] - cuts[w - 1]);
    }
    this.reserve(most);
    const i32 = this.v.i32;
    let total = 0;
    for (let w = 0; w < W; w++) {
      const t = this.lay.thread[w];
      const b0 = cuts[w];
      const b1 = cuts[w + 1];
      let row = 0;
      for (let b = b0; b < b1; b++) {
        const seq = batch[b];
        const n = Math.min(T, seq.length - 1);
        if (!(n >= 1)) throw new RangeError('a sequence needs at least two tokens');
        i32[t.starts / 4 + b - b0] = row;
        for (let p = 0; p < n; p++, row++) {
          i32[t.tokens / 4 + row] = seq[p];
          i32[t.positions / 4 + row] = p;
          i32[t.targets / 4 + row] = seq[p + 1];
        }
      }
      i32[t.starts / 4 + b1 - b0] = row;
      setShare(i32, w, b1 - b0);
      total += row;
    }
    this.cached = 0; // thread 0's rows are overwritten
    return total;
  }

  totalLoss(batch: Batch): { total: number; tokens: number } {
    let total = 0;
    let tokens = 0;
    const chunk = Math.max(this.lay.seqs * this.threads, Math.min(batch.length, EVAL_CHUNK));
    for (let i = 0; i < batch.length; i += chunk) {
      tokens += this.pack(batch, i, Math.min(batch.length, i + chunk));
      this.dispatcher.run(Command.Loss, this.model, this.v);
      total += this.lossSum();
    }
    return { total, tokens };
  }

  resetCache(): void {
    this.cached = 0;
  }

  forwardToken(tokenId: number, posId: number): Float64Array {
    const { blockSize: T, vocabSize: V } = this.config;
    if (posId !== this.cached || posId >= T)
      throw new RangeError(`forwardToken: position ${posId}, but the cache holds ${this.cached} of at most ${T}`);
    const t = this.lay.thread[0];
    const i32 = this.v.i32;
    i32[t.tokens / 4 + posId] = tokenId;
    i32[t.positions / 4 + posId] = posId;
    i32[t.starts / 4] = 0;
    i32[t.starts / 4 + 1] = posId + 1;
    this.model.forward(posId, posId + 1, 1, posId);
    this.cached = posId + 1;
    const at = t.logits / this.fb + posId * V;
    for (let i = 0; i < V; i++) this.logits[i] = this.fv[at + i];
    return this.logits;
  }

  attentionRow(layer: number, head: number, t: number): Float64Array {
    const T = this.config.blockSize;
    if (t >= this.cached) throw new RangeError(`no attention for position ${t}: the cache holds ${this.cached}`);
    const a = this.lay.thread[0].layers[layer].att / this.fb + (head * T + t) * T; // sequence 0's block
    return Float64Array.from(this.fv.subarray(a, a + t + 1));
  }

  attentionInputs(layer: number, head: number, t: number): { q: Float64Array; k: Float64Array[]; v: Float64Array[]; out: Float64Array } {
    const { nEmbd: C, nHead: NH } = this.config;
    if (t >= this.cached) throw new RangeError(`no attention for position ${t}: the cache holds ${this.cached}`);
    const la = this.lay.thread[0].layers[layer]; // sequence 0's rows start at row 0
    const hs = C / NH;
    const slice = (at: number, row: number) => {
      const i = at / this.fb + row * C + head * hs;
      return Float64Array.from(this.fv.subarray(i, i + hs));
    };
    const rows = Array.from({ length: t + 1 }, (_, t2) => t2);
    return { q: slice(la.q, t), k: rows.map((r) => slice(la.k, r)), v: rows.map((r) => slice(la.v, r)), out: slice(la.attOut, t) };
  }

  private copy(at: number): Float64Array {
    return Float64Array.from(this.fv.subarray(at / this.fb, at / this.fb + this.numParams));
  }

  weights(): Float64Array {
    return this.copy(this.lay.params);
  }

  gradients(): Float64Array {
    return this.copy(this.lay.thread[0].grads);
  }

  optimizerState(): { m: Float64Array; v: Float64Array } {
    return { m: this.copy(this.lay.m), v: this.copy(this.lay.v) };
  }

  setWeights(w: ArrayLike<number>): void {
    if (w.length !== this.numParams) throw new RangeError('parameter array of the wrong size');
    this.fv.set(w, this.lay.params / this.fb);
    this.dispatcher.run(Command.Transpose, this.model, this.v);
  }

  setOptimizerState(m: ArrayLike<number>, v: ArrayLike<number>): void {
    this.fv.set(m, this.lay.m / this.fb);
    this.fv.set(v, this.lay.v / this.fb);
  }

  /** Lets the helper threads go; the engine is unusable after. */
  close(): void {
    this.dispatcher.close(this.v.i32);
  }
}
