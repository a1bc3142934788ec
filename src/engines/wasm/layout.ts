/**
 * The wasm engine's memory: one WebAssembly.Memory holding, at byte offsets
 * computed here, a control block (threads.ts), the parameters in state-dict
 * order, their transposes (the forward's right-hand sides), Adam's moments,
 * then per thread a gradient buffer and the activations of its share of a
 * batch: `seqs` sequences of up to T positions, packed as rows. Like
 * src/engines/fast/tensors.ts, as offsets instead of views. Floats are 4
 * bytes (float32) or 8 (float64); the batch's int32 arrays 4. Every thread
 * computes the same layout from (config, threads, seqs, float bytes).
 */
import { numParams, stateDictShapes, type ModelConfig } from '../shape.ts';

/** Where the layout starts: above the module's static data (checked against heapBase()). */
export const LAYOUT_BASE = 65536;
const ALIGN = 64;
export const CONTROL_BYTES = 2048;

/** Float offsets (from the array's start) of each matrix in state-dict order. */
export interface MatrixOffsets {
  wte: number; // (V, C)
  wpe: number; // (T, C)
  lm_head: number; // (V, C)
  layers: { attn_wq: number; attn_wk: number; attn_wv: number; attn_wo: number; mlp_fc1: number; mlp_fc2: number }[];
}

export function matrixOffsets(config: ModelConfig): MatrixOffsets {
  const at = new Map<string, number>();
  let offset = 0;
  for (const [name, rows, cols] of stateDictShapes(config)) {
    at.set(name, offset);
    offset += rows * cols;
  }
  const o = (name: string) => at.get(name)!;
  return {
    wte: o('wte'),
    wpe: o('wpe'),
    lm_head: o('lm_head'),
    layers: Array.from({ length: config.nLayer }, (_, i) => ({
      attn_wq: o(`layer${i}.attn_wq`),
      attn_wk: o(`layer${i}.attn_wk`),
      attn_wv: o(`layer${i}.attn_wv`),
      attn_wo: o(`layer${i}.attn_wo`),
      mlp_fc1: o(`layer${i}.mlp_fc1`),
      mlp_fc2: o(`layer${i}.mlp_fc2`),
    })),
  };
}

/** Byte offsets of one layer's activations. */
export interface LayerActs {
  ln1: number; // (R, C) rmsnorm of the residual stream
  ln1Scale: number; // (R) its 1/rms
  q: number; // (R, C)
  k: number; // (R, C)
  v: number; // (R, C)
  att: number; // (S, NH, T, T) attention weights
  attOut: number; // (R, C) heads side by side
  attProj: number; // (R, C)
  resid2: number; // (R, C) attProj + residual
  ln2: number; // (R, C)
  ln2Scale: number; // (R)
  fc1: number; // (R, 4C) before ReLU
  relu: number; // (R, 4C)
  fc2: number; // (R, C)
  resid3: number; // (R, C) fc2 + resid2: the layer's output
}

/** Byte offsets of one thread's buffers: R = seqs * T rows. */
export interface ThreadLayout {
  grads: number; // numParams floats, state-dict order
  encoded: number; // (R, C) wte[token] + wpe[pos]
  ln0: number; // (R, C) the residual stream's start
  ln0Scale: number; // (R)
  layers: LayerActs[];
  logits: number; // (R, V)
  probs: number; // (R, V)
  // gradients of activations, reused layer after layer
  dResid: number; // (R, C)
  dLn: number; // (R, C)
  dq: number; // (R, C)
  dk: number; // (R, C)
  dv: number; // (R, C)
  dAttOut: number; // (R, C)
  dFc: number; // (R, 4C)
  dLogits: number; // (R, V)
  attScratch: number; // (T, T + hs) one head's attention scratch: its d logits (T, T); float64 also its keys or values transposed (hs, T)
  // the thread's share of the batch (int32): token, position and target per row; the first row of each sequence
  tokens: number; // (R)
  positions: number; // (R)
  targets: number; // (R)
  starts: number; // (S + 1)
}

export interface Layout {
  config: ModelConfig;
  /** The table of the offsets below that the step in WebAssembly reads (writeTable). */
  table: number;
  /** Bytes per float: 4 (float32) or 8 (float64). */
  fb: number;
  numParams: number;
  threads: number;
  /** Sequences each thread has room for. */
  seqs: number;
  control: number;
  params: number;
  /** Each weight matrix transposed, (cols, rows), at the same float offset as in params. */
  paramsT: number;
  m: number;
  v: number;
  /** Bytes from one thread's gradient buffer to the next. */
  gradStride: number;
  matrices: MatrixOffsets;
  /** Each thread's slice of the parameters, [cuts[w], cuts[w + 1]): cut at the start of a matrix row, so that a thread transposes whole rows. */
  cuts: number[];
  thread: ThreadLayout[];
  /** Bytes the layout needs, from 0. */
  bytes: number;
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export function layout(config: ModelConfig, threads: number, seqs: number, fb = 4): Layout {
  const { blockSize: T, nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = config;
  const P = numParams(config);
  let at = LAYOUT_BASE;
  const bytes = (n: number) => {
    const p = at;
    at = alignUp(at + n);
    return p;
  };
  const take = (floats: number) => bytes(floats * fb);
  const ints = (n: number) => bytes(n * 4);
  const control = at;
  at += CONTROL_BYTES;
  const table = ints(tableInts(L, threads));
  const params = take(P);
  const paramsT = take(P);
  const m = take(P);
  const v = take(P);
  const gradStride = alignUp(P * fb);
  const grads0 = at;
  at += gradStride * threads;
  const R = seqs * T;
  const thread: ThreadLayout[] = [];
  for (let w = 0; w < threads; w++) {
    const encoded = take(R * C);
    const ln0 = take(R * C);
    const ln0Scale = take(R);
    const layers: LayerActs[] = [];
    for (let l = 0; l < L; l++) {
      layers.push({
        ln1: take(R * C),
        ln1Scale: take(R),
        q: take(R * C),
        k: take(R * C),
        v: take(R * C),
        att: take(seqs * NH * T * T),
        attOut: take(R * C),
        attProj: take(R * C),
        resid2: take(R * C),
        ln2: take(R * C),
        ln2Scale: take(R),
        fc1: take(R * 4 * C),
        relu: take(R * 4 * C),
        fc2: take(R * C),
        resid3: take(R * C),
      });
    }
    thread.push({
      grads: grads0 + w * gradStride,
      encoded,
      ln0,
      ln0Scale,
      layers,
      logits: take(R * V),
      probs: take(R * V),
      dResid: take(R * C),
      dLn: take(R * C),
      dq: take(R * C),
      dk: take(R * C),
      dv: take(R * C),
      dAttOut: take(R * C),
      dFc: take(R * 4 * C),
      dLogits: take(R * V),
      attScratch: take(T * (T + C / NH)),
      tokens: ints(R),
      positions: ints(R),
      targets: ints(R),
      starts: ints(seqs + 1),
    });
  }
  return {
    config,
    table,
    fb,
    numParams: P,
    threads,
    seqs,
    control,
    params,
    paramsT,
    m,
    v,
    gradStride,
    matrices: matrixOffsets(config),
    cuts: sliceCuts(config, threads),
    thread,
    bytes: at,
  };
}

/**
 * The table assembly/model.ts reads (int32, in this order): TABLE_HEADER, the
 * cuts (threads + 1), each layer's six matrices (float offsets), then each
 * thread's record: THREAD_FIELDS, then each layer's LAYER_FIELDS (byte offsets).
 * Its constants name the same entries in the same order.
 */
const TABLE_HEADER = [
  'vocabSize',
  'nLayer',
  'nEmbd',
  'nHead',
  'blockSize',
  'threads',
  'fb',
  'numParams',
  'params',
  'paramsT',
  'm',
  'v',
  'gradStride',
  'dloss',
  'adam',
  'wte',
  'wpe',
  'lm_head',
] as const;
const LAYER_MATRICES = ['attn_wq', 'attn_wk', 'attn_wv', 'attn_wo', 'mlp_fc1', 'mlp_fc2'] as const;
const THREAD_FIELDS = [
  'grads',
  'encoded',
  'ln0',
  'ln0Scale',
  'logits',
  'probs',
  'dResid',
  'dLn',
  'dq',
  'dk',
  'dv',
  'dAttOut',
  'dFc',
  'dLogits',
  'attScratch',
  'tokens',
  'positions',
  'targets',
  'starts',
] as const;
const LAYER_FIELDS = [
  'ln1',
  'ln1Scale',
  'q',
  'k',
  'v',
  'att',
  'attOut',
  'attProj',
  'resid2',
  'ln2',
  'ln2Scale',
  'fc1',
  'relu',
  'fc2',
  'resid3',
] as const;
/** A thread's record also holds where its control slots are: its sequence count, its summed loss, its slice's squared norm. */
const THREAD_SLOTS = 3;

function tableInts(nLayer: number, threads: number): number {
  const perThread = THREAD_FIELDS.length + THREAD_SLOTS + LAYER_FIELDS.length * nLayer;
  return TABLE_HEADER.length + threads + 1 + LAYER_MATRICES.length * nLayer + threads * perThread;
}

/** Byte offsets of the control block's slots (threads.ts) that the step reads and writes. */
export interface ControlSlots {
  dloss: number;
  adam: number;
  seqs(w: number): number;
  loss(w: number): number;
  norm(w: number): number;
}

/** Writes lay's table into the memory (its int32 view), for every thread to read. */
export function writeTable(i32: Int32Array, lay: Layout, slots: ControlSlots): void {
  const c = lay.config;
  const header: Record<(typeof TABLE_HEADER)[number], number> = {
    ...c,
    threads: lay.threads,
    fb: lay.fb,
    numParams: lay.numParams,
    params: lay.params,
    paramsT: lay.paramsT,
    m: lay.m,
    v: lay.v,
    gradStride: lay.gradStride,
    dloss: slots.dloss,
    adam: slots.adam,
    wte: lay.matrices.wte,
    wpe: lay.matrices.wpe,
    lm_head: lay.matrices.lm_head,
  };
  const entries: number[] = [...TABLE_HEADER.map((k) => header[k]), ...lay.cuts];
  for (const m of lay.matrices.layers) entries.push(...LAYER_MATRICES.map((k) => m[k]));
  lay.thread.forEach((t, w) => {
    entries.push(...THREAD_FIELDS.map((k) => t[k]), slots.seqs(w), slots.loss(w), slots.norm(w));
    for (const a of t.layers) entries.push(...LAYER_FIELDS.map((k) => a[k]));
  });
  if (entries.length !== tableInts(c.nLayer, lay.threads)) throw new Error('wasm layout: the table has the wrong length');
  i32.set(entries, lay.table / 4);
}

/** w * P / threads for each w, moved up to the next row start of the matrix it falls in. */
function sliceCuts(config: ModelConfig, threads: number): number[] {
  const P = numParams(config);
  const cuts = [0];
  for (let w = 1; w < threads; w++) {
    const target = Math.floor((w * P) / threads);
    let off = 0;
    for (const [, rows, cols] of stateDictShapes(config)) {
      if (target < off + rows * cols) {
        cuts.push(Math.max(cuts[w - 1], off + Math.ceil((target - off) / cols) * cols));
        break;
      }
      off += rows * cols;
    }
  }
  cuts.push(P);
  return cuts;
}

/** 64 KiB pages that hold `bytes`. */
export const pagesFor = (bytes: number) => Math.ceil(bytes / 65536);
