/**
 * The typed messages between the page and the training worker.
 *
 * Run ids: the page and the worker both count the requests that replace the
 * run ('start', 'reset', 'load'); the worker wraps every answer in an
 * Envelope with its count, and the page drops answers whose count is not its
 * own, so nothing from a run that was reset or replaced reaches the screen.
 */
import type { DocumentMode, KeysIn } from '../core/settings.ts';
import type { ParamRef, StepTrace } from '../core/trace.ts';
import type { BackwardRequest, BackwardView } from './backward-types.ts';
import type { LengthCounts } from './doc-lengths.ts';

/** Where a training document sits in the text it was read from. */
export interface DocOrigin {
  /** 1-based line of the text the document was read from. */
  line: number;
  /** 0-based position in docs after the shuffle (docs[index]). */
  index: number;
}

/** A run's settings: the table's model and training settings (core/settings.ts), the engine and the held-out share. */
export interface Settings extends Record<KeysIn<'model' | 'train'>, number> {
  /**
   * auto: as the CLI picks (float64 on the fastest engine, wasm where WebAssembly SIMD runs; a checkpoint's own engine and
   * dtype first); float32: float32 on the fastest engine; fast, wasm (float64) or scalar as named.
   */
  engine: 'auto' | 'float32' | 'fast' | 'wasm' | 'scalar';
  /** Share of documents held out for the validation curve. */
  valFraction: number;
  /** How the text becomes documents: a document per line, or one stream of characters (core/stream.ts). */
  documents: DocumentMode;
}

export interface SampleSettings {
  numSamples: number;
  temperature: number;
  topK: number;
  prompt: string;
  /** Characters each sample writes after the prompt, for a model trained with documents 'stream' (Sample length). */
  length: number;
}

export interface ModelInfo {
  vocab: string[];
  numParams: number;
  numDocs: number;
  valDocs: number;
  step: number;
  numSteps: number;
  nLayer: number;
  nHead: number;
  blockSize: number;
}

/** Steps since the last progress message, as parallel arrays (valLoss NaN where not measured). */
export interface ProgressBatch {
  steps: number[];
  losses: number[];
  valLosses: number[];
  /** Training milliseconds per step, averaged over every step this run has trained on the page (validation not included). */
  msPerStep: number;
  tokensPerSecond: number;
  /** Milliseconds the worker has spent on this run: training, validation and the preview samples. */
  workerMs: number;
  /** Of workerMs: the training steps alone, and measuring the validation loss. */
  trainMs: number;
  evalMs: number;
  /** Steps trained in this run on this page (a loaded checkpoint's earlier steps not counted). */
  stepsTrained: number;
}

export type RunState = 'training' | 'paused' | 'done' | 'idle' | 'diverged';

/** A training text: the text itself (small), or the large text the worker read and holds (its id, from 'data-loaded'). */
export type TextRef = string | { loaded: number };

/** A text file the worker read: what the page shows instead of the text itself. */
export interface TextSummary {
  id: number;
  name: string;
  bytes: number;
  docs: number;
  /** The vocabulary's characters, sorted (BOS not included). */
  vocab: string[];
  /** The text's characters (code points, each CRLF one newline): what a stream trains on. */
  chars: number;
  /** [length, count]: how many documents have each length in characters (the page counts what lines mode cuts from it). */
  lineLengths: LengthCounts;
  /** The first documents, to show. */
  head: string[];
  /** The whole text when it is small enough to edit in the page's box. */
  small?: string;
}

/** The envelope's run for answers that belong to no run (a text file read): the page takes them whatever run it shows. */
export const NO_RUN = -1;

/** What replaces the run: answers to earlier requests are dropped (see the top of this file). */
export const REPLACES_RUN: readonly ToWorker['type'][] = ['start', 'reset', 'load'];

export type ToWorker =
  /** param: the weight the Training loop panel follows through Adam in the steps traced while it trains. */
  | { type: 'start'; settings: Settings; text: TextRef; param?: ParamRef }
  | { type: 'pause' }
  /** Continues a paused run; a loaded checkpoint continues on text up to numSteps (as the CLI's --resume with --num-steps). */
  | { type: 'resume'; text?: TextRef; numSteps?: number; param?: ParamRef }
  | { type: 'reset' }
  /** The learning rate from the next step on (the schedule keeps decaying). */
  | { type: 'learning-rate'; learningRate: number }
  /** Names streamed in chunks ('samples', done on the last); a new request or 'sample-stop' ends the one before. */
  | { type: 'sample'; request: SampleSettings }
  | { type: 'sample-stop' }
  /**
   * A text file to read, check and hold here, answered by 'data-loaded' or an error: an upload, or (a string) the
   * page's address whose ?data= names a file beside it, fetched here so that not even its bytes pass through the page; or (builtin)
   * the address of a text shipped with the page (Moby-Dick), fetched here too.
   */
  | { type: 'data-load'; source: Blob | string | { builtin: string }; name: string }
  | { type: 'save' }
  | { type: 'load'; bytes: ArrayBuffer }
  /** Exactly one training step, traced: pauses a running run first; with no run, starts one from settings and text. */
  | { type: 'step'; settings: Settings; text: TextRef; param?: ParamRef }
  | PanelRequest;

export type FromWorker =
  /** A new model: its settings (from the page, or from a loaded checkpoint) and a preview of what it writes. */
  | { type: 'ready'; info: ModelInfo; settings: Settings; samples: string[]; trained: boolean; fromCheckpoint: boolean }
  /** samples: a preview of what the model writes now (at the default temperature, from a stream of its own). */
  | { type: 'progress'; batch: ProgressBatch; samples?: string[] }
  | {
      type: 'state';
      state: RunState;
      step: number;
      numSteps: number;
      workerMs: number;
      trainMs: number;
      evalMs: number;
      /** Steps this run has trained on the page (a loaded checkpoint's earlier steps not counted). */
      stepsTrained: number;
      /** With state 'diverged': the step whose loss (or gradient norm) was not finite. */
      diverged?: { step: number; loss: number; gradNorm?: number };
    }
  /**
   * Names the user asked for, a chunk at a time (first: the request's first chunk; done: its last), with the request and the step of
   * the model that wrote them; stream: the model trained with documents 'stream', so each is a passage (the prompt, then length characters).
   */
  | { type: 'samples'; names: string[]; request: SampleSettings; step: number; first: boolean; done: boolean; stream: boolean }
  /** A text file read and checked (posted with NO_RUN). */
  | { type: 'data-loaded'; summary: TextSummary }
  | { type: 'checkpoint'; bytes: ArrayBuffer; step: number }
  /** request: what failed; key: the setting at fault, where one is. */
  | { type: 'error'; message: string; request?: ToWorker['type']; key?: string }
  /** The step just taken by a 'step' request; live: a step Train traced on its way (the last of a progress batch). */
  /** origins[b]: where document b of the batch sits in the text (worked out by the worker, which holds the text; null when it cannot tell). */
  | { type: 'trace'; trace: StepTrace; live?: boolean; origins?: (DocOrigin | null)[] }
  | PanelAnswer;

/** What the worker posts: an answer and the run it belongs to. */
export interface Envelope {
  run: number;
  message: FromWorker;
}

// --- the panels' requests and answers (panels/registry.ts lists which panel sends and answers each)

export type PanelRequest =
  /** One state-dict matrix's weights and gradients, for the architecture view's heatmap. */
  | { type: 'panel-matrix'; name: string }
  /** The next-token logits after BOS + prefix, for the generation panel. */
  | { type: 'panel-logits'; prefix: string }
  /** Attention over BOS + text: every layer and head, q, k, v of one of them at one query position, and the logits at each position. */
  | { type: 'panel-attention'; text: string; layer: number; head: number; pos: number }
  /** The last traced step's autograd graph (the Backward view): one position's chain, a group opened. */
  | BackwardRequest;

export interface MatrixView {
  name: string;
  /** The rows and columns sent: the whole matrix, or its top-left part when it is larger than MATRIX_SIDE either way. */
  rows: number;
  cols: number;
  /** The whole matrix's shape. */
  fullRows: number;
  fullCols: number;
  /** Row-major, rows × cols. */
  weights: number[];
  grads: number[];
  /** Steps taken; 0: the gradients are all zero, nothing has been computed yet. */
  step: number;
  /** The vocabulary (characters, then 'BOS'): the rows of wte and lm_head. */
  vocab: string[];
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
  /** all[l][h][t][t2]: the same for every layer and head. */
  all: number[][][][];
  /** Query of position pos, keys and values of positions 0..pos, and the head's output (head-size each). */
  q: number[];
  k: number[][];
  v: number[][];
  out: number[];
  /** logits[t]: the next-token logits after inputs 0..t (one per token id, BOS last). */
  logits: number[][];
  /** The characters, 'BOS' last. */
  vocab: string[];
}

/** The most rows, and columns, of a matrix the architecture view shows (a 4096 × 1024 one would be four million cells). */
export const MATRIX_SIDE = 64;

export type PanelAnswer =
  /** view null: no model yet. */
  | { type: 'panel-matrix'; name: string; view: MatrixView | null }
  | { type: 'panel-logits'; prefix: string; view: LogitsView | null }
  | { type: 'panel-attention'; view: AttentionView | null }
  | { type: 'panel-backward'; view: BackwardView | null }
  /** A request the model cannot answer (a character outside the vocabulary, a word longer than the block): said in its panel. */
  | { type: 'panel-error'; request: PanelRequest['type']; message: string };

export const isPanelRequest = (m: { type: string }): m is PanelRequest => m.type.startsWith('panel-');

/** The validation loss is measured on the first VAL_DOCS held-out documents: all of them would cost more than the training. */
export const VAL_DOCS = 160;
