/**
 * The training loop's bookkeeping: which documents a step takes, the learning
 * rate schedule, the step counter. The math is the engine's.
 */
import type { TrainConfig } from './config.ts';
import type { Engine } from '../engines/engine.ts';

export class Trainer {
  /** Steps done so far (the next step's 0-based index). */
  step: number;

  constructor(
    readonly engine: Engine,
    /** Training documents as token ids with BOS on both ends, in shuffled order. */
    readonly docs: readonly (readonly number[])[],
    readonly config: TrainConfig,
    startStep = 0,
  ) {
    if (docs.length === 0) throw new RangeError('no training documents');
    this.step = startStep;
  }

  /** Documents of step s: docs[(s * B + b) % len(docs)] for b < B (B = 1 is the original's order). */
  batchAt(step: number): (readonly number[])[] {
    const B = this.config.batchSize;
    const batch: (readonly number[])[] = [];
    for (let b = 0; b < B; b++) batch.push(this.docs[(step * B + b) % this.docs.length]);
    return batch;
  }

  /** lr_t = learning_rate * (1 - step / num_steps): linear decay to 0. */
  learningRateAt(step: number): number {
    return this.config.learningRate * (1 - step / this.config.numSteps);
  }

  /** Runs one step and returns its loss. */
  trainStep(): number {
    const step = this.step;
    const { beta1, beta2, eps } = this.config;
    const loss = this.engine.trainStep(this.batchAt(step), { lr: this.learningRateAt(step), beta1, beta2, eps, step });
    this.step = step + 1;
    return loss;
  }

  /** Tokens the model predicts in a step's batch (the real ones, no padding). */
  tokensAt(step: number, blockSize: number): number {
    let n = 0;
    for (const doc of this.batchAt(step)) n += Math.min(blockSize, doc.length - 1);
    return n;
  }
}
