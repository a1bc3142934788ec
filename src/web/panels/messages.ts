/** The panels' requests to the training worker and its answers (added to protocol.ts's unions). */

export type PanelRequest =
  /** One state-dict matrix's weights and gradients, for the architecture view's heatmap. */
  | { type: 'panel-matrix'; name: string }
  /** The next-token logits after BOS + prefix, for the generation panel. */
  | { type: 'panel-logits'; prefix: string }
  /** Attention of one layer and head over BOS + text, and q, k, v for one query position. */
  | { type: 'panel-attention'; text: string; layer: number; head: number; pos: number };

export interface MatrixView {
  name: string;
  rows: number;
  cols: number;
  /** Row-major, rows × cols. */
  weights: number[];
  grads: number[];
  /** Steps taken; 0: the gradients are all zero, nothing has been computed yet. */
  step: number;
}

export interface LogitsView {
  prefix: string;
  /** Position of the prediction (0 = after BOS alone). */
  pos: number;
  /** One per token id, BOS last. */
  logits: number[];
  /** The characters, 'BOS' last. */
  vocab: string[];
  /** True when BOS + prefix fills the block: nothing more can follow. */
  full: boolean;
}

export interface AttentionView {
  /** 'BOS' then the text's characters. */
  inputs: string[];
  layer: number;
  head: number;
  pos: number;
  nLayer: number;
  nHead: number;
  /** weights[t][t2]: query t over keys 0..t (this layer and head). */
  weights: number[][];
  /** Query of position pos, keys and values of positions 0..pos, and the head's output (head-size each). */
  q: number[];
  k: number[][];
  v: number[][];
  out: number[];
}

export type PanelAnswer =
  /** view null: no model yet. */
  | { type: 'panel-matrix'; name: string; view: MatrixView | null }
  | { type: 'panel-logits'; prefix: string; view: LogitsView | null }
  | { type: 'panel-attention'; view: AttentionView | null }
  /** A request the model cannot answer (a character outside the vocabulary, a word longer than the block): said in its panel. */
  | { type: 'panel-error'; request: PanelRequest['type']; message: string };

export const isPanelRequest = (m: { type: string }): m is PanelRequest => m.type.startsWith('panel-');
