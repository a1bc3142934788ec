/**
 * The training loop's bookkeeping: which documents a step takes, the learning
 * rate schedule, the step counter. The math is the engine's.
 */
import type { TrainConfig } from './config.ts';
import type { TokenizedDocs } from './dataset.ts';
import type { AdamStep, Engine } from '../engines/engine.ts';

export class Trainer {
  /** Steps done so far (the next step's 0-based index). */
  step: number;
  /** Tokens the last step predicted (real ones, no padding). */
  lastTokens = 0;
  // reused every step, so that a step allocates nothing
  private readonly batch: (readonly number[])[] = [];
  private readonly adam: AdamStep;

  constructor(
    readonly engine: Engine,
    /** Training documents as token ids with BOS on both ends, in shuffled order. */
    readonly docs: Pick<TokenizedDocs, 'at' | 'length'>,
    readonly config: TrainConfig,
    startStep = 0,
  ) {
    if (docs.length === 0) throw new RangeError('no training documents');
    this.step = startStep;
    this.adam = { lr: 0, beta1: config.beta1, beta2: config.beta2, eps: config.eps, step: 0 };
  }

  /** Documents of step s: docs[(s * B + b) % len(docs)] for b < B (B = 1 is the original's order). */
  private batchAt(step: number): readonly (readonly number[])[] {
    const B = this.config.batchSize;
    const batch = this.batch;
    batch.length = B;
    for (let b = 0; b < B; b++) batch[b] = this.docs.at((step * B + b) % this.docs.length);
    return batch;
  }

  /** lr_t = learning_rate * (1 - step / num_steps): linear decay to 0. */
  learningRateAt(step: number): number {
    return this.config.learningRate * (1 - step / this.config.numSteps);
  }

  /** Runs one step and returns its loss. */
  trainStep(): number {
    const step = this.step;
    this.adam.lr = this.learningRateAt(step);
    this.adam.step = step;
    const batch = this.batchAt(step);
    let tokens = 0;
    for (const doc of batch) tokens += Math.min(this.engine.config.blockSize, doc.length - 1);
    const loss = this.engine.trainStep(batch, this.adam);
    this.lastTokens = tokens;
    this.step = step + 1;
    return loss;
  }
}
