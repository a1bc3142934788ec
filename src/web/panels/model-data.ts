/**
 * The numbers the panels show, computed without the page (tested in Node):
 * the architecture's blocks, the generation pipeline, the attention pipeline.
 */
import { probabilities } from '../../core/sample.ts';
import { numParams, stateDictShapes, type ModelConfig } from '../../engines/shape.ts';

export interface Block {
  /** matrix: a state-dict weight; op: a computation without weights (rmsnorm, attention, relu, +). */
  kind: 'matrix' | 'op';
  /** State-dict name for a matrix ('layer0.mlp_fc1'), else what it does. */
  name: string;
  rows: number;
  cols: number;
  params: number;
  /** What it does, in a few words. */
  note: string;
}

export interface BlockGroup {
  title: string;
  blocks: Block[];
}

/** microgpt.py's gpt() as blocks in the order a token goes through them; the matrices' params add up to numParams. */
export function architecture(config: ModelConfig): { groups: BlockGroup[]; total: number } {
  const shapes = new Map(stateDictShapes(config).map(([name, rows, cols]) => [name, [rows, cols] as const]));
  const matrix = (name: string, note: string): Block => {
    const [rows, cols] = shapes.get(name)!;
    return { kind: 'matrix', name, rows, cols, params: rows * cols, note };
  };
  const op = (name: string, note: string): Block => ({ kind: 'op', name, rows: 0, cols: 0, params: 0, note });
  const { nEmbd: C, nHead: NH } = config;
  const groups: BlockGroup[] = [
    {
      title: 'Embedding',
      blocks: [
        matrix('wte', 'a row per token: its vector'),
        matrix('wpe', 'a row per position'),
        op('wte[token] + wpe[pos]', `one vector of ${C}`),
        op('rmsnorm', 'scale to unit size; no weights'),
      ],
    },
  ];
  for (let l = 0; l < config.nLayer; l++) {
    const p = `layer${l}.`;
    groups.push(
      {
        title: `Layer ${l}: attention`,
        blocks: [
          op('rmsnorm', 'no weights'),
          matrix(`${p}attn_wq`, 'queries'),
          matrix(`${p}attn_wk`, 'keys'),
          matrix(`${p}attn_wv`, 'values'),
          op(`attention × ${NH} heads`, `softmax(q·k/√${C / NH}) · v per head`),
          matrix(`${p}attn_wo`, 'mixes the heads'),
          op('+ residual', 'adds the layer’s input back'),
        ],
      },
      {
        title: `Layer ${l}: MLP`,
        blocks: [
          op('rmsnorm', 'no weights'),
          matrix(`${p}mlp_fc1`, `widens to ${4 * C}`),
          op('relu', 'max(0, x)'),
          matrix(`${p}mlp_fc2`, `back to ${C}`),
          op('+ residual', 'adds the block’s input back'),
        ],
      },
    );
  }
  groups.push({ title: 'Output', blocks: [matrix('lm_head', 'a logit per token'), op('softmax', 'probabilities of the next token')] });
  return { groups, total: numParams(config) };
}

/** `layer0.mlp_fc1 64 × 16` */
export const blockLabel = (b: Block) => (b.kind === 'matrix' ? `${b.name} ${b.rows} × ${b.cols}` : b.name);

export interface GenerationRow {
  id: number;
  logit: number;
  /** logit / temperature */
  scaled: number;
  /** softmax of the scaled logits, before top-k. */
  softmax: number;
  /** Whether top-k keeps this token (always, with top-k 0). */
  kept: boolean;
  /** The probability it is drawn with: softmax over the kept tokens. */
  p: number;
}

/** logits → ÷ temperature → softmax → top-k, for every token (the same arithmetic as sampling). */
export function generationRows(logits: readonly number[], temperature: number, topK: number): GenerationRow[] {
  const V = logits.length;
  const soft = probabilities(logits, temperature, 0, new Float64Array(V));
  const p = probabilities(logits, temperature, topK, new Float64Array(V));
  const cutoff = topK > 0 && topK < V ? [...logits].sort((a, b) => b - a)[topK - 1] : -Infinity;
  return logits.map((logit, id) => ({ id, logit, scaled: logit * temperature ** -1, softmax: soft[id], kept: logit >= cutoff, p: p[id] }));
}

export interface AttentionStep {
  /** Key position. */
  pos: number;
  /** q·k */
  dot: number;
  /** q·k / √d */
  scaled: number;
  /** Weight after the causal mask and softmax (0 for masked positions). */
  weight: number;
  masked: boolean;
}

/**
 * One head and query position: q·k/√d for the keys 0..pos, the causal mask
 * for the positions after it (up to n - 1), softmax, and Σ weight · v.
 */
export function attentionSteps(
  q: readonly number[],
  k: readonly (readonly number[])[],
  v: readonly (readonly number[])[],
  n: number,
): { steps: AttentionStep[]; out: number[] } {
  const d = q.length;
  const scale = (d ** 0.5) ** -1;
  const dots = k.map((kj) => kj.reduce((acc, x, i) => acc + q[i] * x, 0));
  const scaled = dots.map((x) => x * scale);
  const max = Math.max(...scaled);
  const exps = scaled.map((x) => Math.exp(x - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const steps: AttentionStep[] = [];
  for (let j = 0; j < n; j++) {
    if (j < k.length) steps.push({ pos: j, dot: dots[j], scaled: scaled[j], weight: exps[j] / total, masked: false });
    else steps.push({ pos: j, dot: NaN, scaled: NaN, weight: 0, masked: true });
  }
  const out = q.map((_, i) => steps.reduce((acc, s, j) => (s.masked ? acc : acc + s.weight * v[j][i]), 0));
  return { steps, out };
}
