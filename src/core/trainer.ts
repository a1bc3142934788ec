/**
 * The training loop's bookkeeping: which documents (or, with --documents
 * stream, which windows of the text) a step takes, the learning
 * rate schedule, the step counter. The math is the engine's.
 *
 * "Step" counts two ways, as in microgpt.py: `step` inside a step is the
 * loop's 0-based index (`for step in range(num_steps)`: the learning rate and
 * Adam's bias correction use it); `stepsDone` after it is 1-based (the
 * printed `step    1 / 1000`, StepEvent.step, a checkpoint's step, --until).
 */
import type { TrainConfig } from './config.ts';
import type { TokenizedDocs } from './dataset.ts';
import { StreamWindows } from './stream.ts';
import type { AdamStep, Engine } from '../engines/engine.ts';

export class Trainer {
  /** Steps done so far, which is also the next step's 0-based index. */
  stepsDone: number;
  /** The base learning rate the schedule decays from (setLearningRate changes it). */
  private lr: number;
  private readonly numSteps: number;
  private readonly batchSize: number;
  /** Tokens the last step predicted (real ones, no padding). */
  lastTokens = 0;
  // reused every step, so that a step allocates nothing
  private readonly batch: (readonly number[])[] = [];
  private readonly adam: AdamStep;
  /** lossAndGrad() ran and its update() has not. */
  private gradientsReady = false;

  constructor(
    readonly engine: Engine,
    /** Training documents as token ids with BOS on both ends, in shuffled order; or a stream's windows, drawn from the run's Random. */
    readonly docs: Pick<TokenizedDocs, 'at' | 'length'> | StreamWindows,
    /** Checked by the caller (resolveTrainConfig): trusted here, and copied, so that the trainer alone changes its learning rate. */
    config: Readonly<TrainConfig>,
    startStep = 0,
  ) {
    if (!(docs instanceof StreamWindows) && docs.length === 0) throw new RangeError('no training documents');
    this.stepsDone = startStep;
    this.lr = config.learningRate;
    this.numSteps = config.numSteps;
    this.batchSize = config.batchSize;
    this.adam = { lr: 0, beta1: config.beta1, beta2: config.beta2, eps: config.eps, step: 0 };
  }

  /** The base learning rate the schedule decays from. */
  get learningRate(): number {
    return this.lr;
  }

  /** A new base learning rate (checked by the caller) from the next step on; the schedule keeps decaying. */
  setLearningRate(lr: number): void {
    this.lr = lr;
  }

  /** Index into docs of document b of step s's batch: (s * B + b) % len(docs) (B = 1 is the original's order). */
  docIndex(step: number, b: number): number {
    if (this.docs instanceof StreamWindows) throw new Error('a stream has windows, not documents');
    return (step * this.batchSize + b) % this.docs.length;
  }

  /** Documents of step s; a stream's windows are drawn here, once per step. */
  private batchAt(step: number): readonly (readonly number[])[] {
    const B = this.batchSize;
    const batch = this.batch;
    if (this.docs instanceof StreamWindows) {
      this.docs.fill(batch, B);
      return batch;
    }
    batch.length = B;
    const docs = this.docs;
    for (let b = 0; b < B; b++) batch[b] = docs.at(this.docIndex(step, b));
    return batch;
  }

  /** lr_t = learning_rate * (1 - step / num_steps): linear decay to 0. */
  learningRateAt(step: number): number {
    return this.lr * (1 - step / this.numSteps);
  }

  /** Adam's settings for the step in flight (after lossAndGrad) or the last one taken. */
  get adamStep(): Readonly<AdamStep> {
    return this.adam;
  }

  /** Forward and backward over the next step's batch: its loss, with the gradients left in the engine. The step is taken by update(). */
  lossAndGrad(): number {
    const step = this.stepsDone;
    this.adam.lr = this.learningRateAt(step);
    this.adam.step = step;
    const batch = this.batchAt(step);
    let tokens = 0;
    for (const doc of batch) tokens += Math.min(this.engine.config.blockSize, doc.length - 1);
    const loss = this.engine.lossAndGrad(batch);
    this.lastTokens = tokens;
    this.gradientsReady = true;
    return loss;
  }

  /** Adam's update with the gradients of lossAndGrad(); counts the step. */
  update(): void {
    if (!this.gradientsReady) throw new Error('update() needs the gradients of lossAndGrad() first');
    this.engine.update(this.adam);
    this.gradientsReady = false;
    this.stepsDone++;
  }

  /** Runs one step and returns its loss. */
  trainStep(): number {
    const loss = this.lossAndGrad();
    this.update();
    return loss;
  }
}
