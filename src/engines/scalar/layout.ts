/**
 * Where each part of a step's graph lies. The forward pass makes its nodes in
 * a fixed order (model.ts's gpt(), then softmax and loss_t, position by
 * position, then the mean), so the ids of each rmsnorm, linear, attention
 * head, ... of each position follow from the model's shape alone. The reader's
 * groups come from here; record.test.ts checks every count against the
 * engine's graph and the operation at the ids named below.
 */
import type { ModelConfig } from '../shape.ts';

export type SegmentKind = 'embed' | 'rmsnorm' | 'linear' | 'head' | 'residual' | 'relu' | 'softmax' | 'loss' | 'mean';

/** One operation of one position, over node ids start .. end - 1. */
export interface Segment {
  kind: SegmentKind;
  /** 'wte + wpe', 'rmsnorm', 'layer0.attn_wq', 'layer0 head 2', 'softmax', ... */
  name: string;
  start: number;
  end: number;
  /** Index into the batch, and the position in it (-1 for the mean). */
  doc: number;
  pos: number;
  /** Its output nodes, in order. */
  outputs: number[];
  /** For a linear: the matrix, its size; for a head, its layer, number and size. */
  matrix?: string;
  nin?: number;
  layer?: number;
  head?: number;
  /** Values microgpt.py makes here beyond these nodes: a Value per number operand, and `0 +` with its 0 at each sum(). */
  pythonExtra: number;
}

/** One predicted token's landmarks. */
export interface PositionNodes {
  doc: number;
  pos: number;
  input: number;
  target: number;
  /** Segment indices of its first and last segment. */
  first: number;
  last: number;
  /** Node ids, one per token id. */
  logits: number[];
  shifted: number[];
  exps: number[];
  pows: number[];
  probs: number[];
  total: number;
  /** lm_head's row of products and its first node (logits[o] = Σ_j lm_head[o][j] · x_j). */
  lmHead: number;
  log: number;
  /** loss_t = -log(probs[target]). */
  lossT: number;
}

export interface Layout {
  segments: Segment[];
  positions: PositionNodes[];
  /** Op nodes in all: the engine's graph size. */
  size: number;
  /** The values microgpt.py makes beyond the op nodes (constants, sum's 0 +). */
  pythonExtra: number;
}

/** The layout of the graph forwardLoss(batch) builds. */
export function layoutOf(config: ModelConfig, batch: readonly (readonly number[])[]): Layout {
  const d = config.nEmbd;
  const V = config.vocabSize;
  const hd = d / config.nHead;
  const segments: Segment[] = [];
  const positions: PositionNodes[] = [];
  let at = 0;
  const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
  const add = (s: Omit<Segment, 'start' | 'end' | 'outputs'> & { count: number; outputs?: (start: number) => number[] }) => {
    const start = at;
    at += s.count;
    const { count, outputs, ...rest } = s;
    segments.push({ ...rest, start, end: at, outputs: outputs ? outputs(start) : range(at - count, count) });
    return start;
  };
  const rmsnorm = (doc: number, pos: number, name: string) =>
    add({ kind: 'rmsnorm', name, doc, pos, count: 3 * d + 2, outputs: (s) => range(s + 2 * d + 2, d), pythonExtra: 4 });
  const linear = (doc: number, pos: number, matrix: string, nin: number, nout: number) =>
    add({
      kind: 'linear',
      name: matrix,
      matrix,
      nin,
      doc,
      pos,
      count: nout * (2 * nin - 1),
      outputs: (s) => range(0, nout).map((o) => s + (o + 1) * (2 * nin - 1) - 1),
      pythonExtra: 2 * nout,
    });
  batch.forEach((tokens, doc) => {
    const n = Math.min(config.blockSize, tokens.length - 1);
    for (let pos = 0; pos < n; pos++) {
      const first = segments.length;
      const T = pos + 1;
      add({ kind: 'embed', name: 'wte + wpe', doc, pos, count: d, pythonExtra: 0 });
      rmsnorm(doc, pos, 'rmsnorm');
      for (let li = 0; li < config.nLayer; li++) {
        rmsnorm(doc, pos, `layer${li} rmsnorm`);
        for (const w of ['q', 'k', 'v']) linear(doc, pos, `layer${li}.attn_w${w}`, d, d);
        for (let h = 0; h < config.nHead; h++) {
          const outAt = 2 * hd * T + 5 * T - 1;
          add({
            kind: 'head',
            name: `layer${li} head ${h}`,
            layer: li,
            head: h,
            doc,
            pos,
            count: outAt + hd * (2 * T - 1),
            outputs: (s) => range(0, hd).map((j) => s + outAt + (j + 1) * (2 * T - 1) - 1),
            pythonExtra: 4 * T + 2 + 2 * hd,
          });
        }
        linear(doc, pos, `layer${li}.attn_wo`, d, d);
        add({ kind: 'residual', name: `layer${li} attention + residual`, doc, pos, count: d, pythonExtra: 0 });
        rmsnorm(doc, pos, `layer${li} rmsnorm`);
        linear(doc, pos, `layer${li}.mlp_fc1`, d, 4 * d);
        add({ kind: 'relu', name: `layer${li} relu`, doc, pos, count: 4 * d, pythonExtra: 0 });
        linear(doc, pos, `layer${li}.mlp_fc2`, 4 * d, d);
        add({ kind: 'residual', name: `layer${li} MLP + residual`, doc, pos, count: d, pythonExtra: 0 });
      }
      const lmHead = linear(doc, pos, 'lm_head', d, V);
      const s0 = add({
        kind: 'softmax',
        name: 'softmax',
        doc,
        pos,
        count: 5 * V - 1,
        outputs: (s) => range(0, V).map((i) => s + 3 * V + 2 * i),
        pythonExtra: V + 2,
      });
      const log = add({ kind: 'loss', name: 'loss_t = −log probs[target]', doc, pos, count: 2, outputs: (s) => [s + 1], pythonExtra: 1 });
      positions.push({
        doc,
        pos,
        input: tokens[pos],
        target: tokens[pos + 1],
        first,
        last: segments.length - 1,
        logits: segments[segments.length - 3].outputs,
        shifted: range(0, V).map((i) => s0 + 2 * i),
        exps: range(0, V).map((i) => s0 + 2 * i + 1),
        pows: range(0, V).map((i) => s0 + 3 * V - 1 + 2 * i),
        probs: range(0, V).map((i) => s0 + 3 * V + 2 * i),
        total: s0 + 3 * V - 2,
        lmHead,
        log,
        lossT: log + 1,
      });
    }
  });
  const N = positions.length;
  add({ kind: 'mean', name: 'loss = (1/n) · Σ losses_t', doc: -1, pos: -1, count: N, outputs: (s) => [s + N - 1], pythonExtra: 3 });
  return { segments, positions, size: at, pythonExtra: segments.reduce((a, s) => a + s.pythonExtra, 0) };
}

/** The node ids of logits[o] = Σ_j lm_head[o][j] · x_j: the product for each j (the sum runs through them in order). */
export function lmHeadProducts(config: ModelConfig, lmHead: number, o: number): number[] {
  const d = config.nEmbd;
  const row = lmHead + o * (2 * d - 1);
  return Array.from({ length: d }, (_, j) => (j === 0 ? row : row + 2 * j - 1));
}
