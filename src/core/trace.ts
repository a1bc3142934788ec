/**
 * What one training step computes, laid out for a reader (the playground's
 * Step button): the batch, each position's target probability and loss, the
 * gradient norm of every matrix, and one parameter's Adam update.
 */
import { stepLine } from './format.ts';
import { probabilities } from './sample.ts';
import { stateDictShapes, type ModelConfig } from '../engines/shape.ts';
import type { AdamStep, Engine } from '../engines/engine.ts';

/** One training step as train()'s onStep reports it. */
export interface StepEvent {
  /** Steps done, 1-based. */
  step: number;
  numSteps: number;
  loss: number;
  /** The learning rate this step used. */
  lr: number;
  /** Tokens predicted in this step. */
  tokens: number;
  /** Milliseconds the step took. */
  ms: number;
  /** Mean validation loss per token, on steps where it was measured. */
  valLoss?: number;
}

/** One weight: state-dict matrix name ('wte', 'layer0.attn_wq', ...), row and column. */
export interface ParamRef {
  name: string;
  row: number;
  col: number;
}

/** One predicted token of the batch. */
export interface PositionTrace {
  /** Index into StepTrace.docs. */
  doc: number;
  /** Position in the document's tokens (0 = BOS). */
  pos: number;
  /** Token fed at pos, and the token to predict (the one at pos + 1). */
  input: number;
  target: number;
  /** probs[target] at temperature 1, with the weights before the update. */
  pTarget: number;
  /** -log(pTarget). */
  loss: number;
}

/** One weight's Adam update in this step. */
export interface ParamTrace extends ParamRef {
  /** Index in the flat state-dict order (weights(), gradients()). */
  index: number;
  before: number;
  grad: number;
  /** The new moments: m = beta1 * m + (1 - beta1) * grad, v = beta2 * v + (1 - beta2) * grad². */
  m: number;
  v: number;
  /** Bias-corrected: m / (1 - beta1^step), v / (1 - beta2^step). */
  mHat: number;
  vHat: number;
  /** before - after: about lr * mHat / (sqrt(vHat) + eps). */
  update: number;
  after: number;
}

/** Everything one training step shows. */
export interface StepTrace {
  /** 1-based: the step just taken. */
  step: number;
  numSteps: number;
  /** The batch's documents, tokens with BOS on both ends; or a stream's windows: block size + 1 tokens from offset in the text, no BOS. */
  docs: { text: string; tokens: number[]; offset?: number }[];
  /** One per predicted token, as the engine cuts documents to blockSize. */
  positions: PositionTrace[];
  /** Predicted tokens. */
  n: number;
  /** The step's loss: the mean of positions' losses (as the engine computes it). */
  loss: number;
  /** L2 norm of each state-dict matrix's gradient, in state-dict order. */
  gradNorms: { name: string; rows: number; cols: number; norm: number }[];
  /** lr_t, the decayed learning rate this step used. */
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  param: ParamTrace;
  /** The CLI's line for this step: 'step    1 / 1000 | loss 3.3660'. */
  line: string;
  /** The step as train()'s onStep reports it (with valLoss on eval steps). */
  event: StepEvent;
}

/** What traceStep() needs of a run: its model, the next step's documents, and the step in its two halves. */
export interface TraceableRun {
  readonly engine: Engine;
  readonly config: ModelConfig;
  /** The next step's documents, text and tokens (BOS on both ends), or a stream's windows with their offsets. */
  nextDocs(): StepTrace['docs'];
  /** The next step's loss, with its gradients left in the engine (checked, as takeStep's are). */
  lossAndGrad(): number;
  /** Adam's update with those gradients; the step's event (ms: the forward and backward's time, the update's added). */
  update(loss: number, ms: number): StepEvent;
  /** Adam's settings of the step just taken. */
  readonly adamStep: Readonly<AdamStep>;
}

/** One training step, taken on run, and what it computed; param picks the weight to follow (default: wte, the first document's first character, column 0). */
export function traceStep(run: TraceableRun, param?: ParamRef): StepTrace {
  const { engine, config } = run;
  const docs = run.nextDocs();
  const ref = param ?? { name: 'wte', row: docs[0].tokens[1], col: 0 };
  const index = paramIndex(config, ref);
  const positions = tracePositions(engine, docs); // with the weights before the update
  const t0 = performance.now();
  const loss = run.lossAndGrad();
  const ms = performance.now() - t0;
  const grads = engine.gradients();
  const before = engine.weights()[index];
  const event = run.update(loss, ms);
  const { lr, beta1, beta2, eps } = run.adamStep;
  const { m, v } = engine.optimizerState();
  const after = engine.weights()[index];
  return {
    step: event.step,
    numSteps: event.numSteps,
    docs,
    positions,
    n: positions.length,
    loss,
    gradNorms: matrixNorms(config, grads),
    lr,
    beta1,
    beta2,
    eps,
    param: {
      ...ref,
      index,
      before,
      grad: grads[index],
      m: m[index],
      v: v[index],
      mHat: m[index] / (1 - beta1 ** event.step),
      vHat: v[index] / (1 - beta2 ** event.step),
      update: before - after,
      after,
    },
    line: stepLine(event.step, event.numSteps, loss),
    event,
  };
}

/** Each document's positions through forwardToken with the current weights; leaves the engine's cache empty. */
export function tracePositions(engine: Engine, docs: readonly { tokens: readonly number[] }[]): PositionTrace[] {
  const positions: PositionTrace[] = [];
  const probs = new Float64Array(engine.config.vocabSize);
  docs.forEach(({ tokens }, doc) => {
    engine.resetCache();
    const n = Math.min(engine.config.blockSize, tokens.length - 1);
    for (let pos = 0; pos < n; pos++) {
      probabilities(engine.forwardToken(tokens[pos], pos), 1, 0, probs);
      const target = tokens[pos + 1];
      const pTarget = probs[target];
      positions.push({ doc, pos, input: tokens[pos], target, pTarget, loss: -Math.log(pTarget) });
    }
  });
  engine.resetCache();
  return positions;
}

/** L2 norm of each state-dict matrix's slice of the flat gradients. */
export function matrixNorms(config: ModelConfig, grads: Float64Array): StepTrace['gradNorms'] {
  let offset = 0;
  return stateDictShapes(config).map(([name, rows, cols]) => {
    let sumSq = 0;
    for (let i = offset; i < offset + rows * cols; i++) sumSq += grads[i] * grads[i];
    offset += rows * cols;
    return { name, rows, cols, norm: Math.sqrt(sumSq) };
  });
}

/** The flat index of a weight; a RangeError for a name, row or column the model lacks. */
export function paramIndex(config: ModelConfig, { name, row, col }: ParamRef): number {
  let offset = 0;
  for (const [n, rows, cols] of stateDictShapes(config)) {
    if (n === name) {
      if (!(Number.isInteger(row) && row >= 0 && row < rows && Number.isInteger(col) && col >= 0 && col < cols)) {
        throw new RangeError(`${name} is ${rows} x ${cols}: no row ${row}, column ${col}`);
      }
      return offset + row * cols + col;
    }
    offset += rows * cols;
  }
  throw new RangeError(`no matrix named ${JSON.stringify(name)}`);
}
