/**
 * train(): the whole job as a library call. Prepares the data, builds or
 * resumes the model, runs the steps and reports each one; stops on an
 * AbortSignal. Yields to the event loop every few milliseconds, so that a
 * signal, a UI or a worker's messages get their turn.
 */
import { hashDocs, type Checkpoint } from './checkpoint.ts';
import { ConfigError, DEFAULT_MODEL, DEFAULT_TRAIN, validateTrainConfig, validateValidation, type ModelConfig, type TrainConfig } from './config.ts';
import { DataError, prepareDataset, type Dataset } from './dataset.ts';
import { GPT, type EngineChoice } from './gpt.ts';
import { Random } from './random.ts';
import { Tokenizer } from './tokenizer.ts';
import { Trainer } from './trainer.ts';

export interface TrainOptions extends EngineChoice {
  /** The training text: one document per non-empty line. */
  text: string;
  model?: Partial<Omit<ModelConfig, 'vocabSize'>>;
  train?: Partial<TrainConfig>;
  /** Share of the shuffled documents held out for validation. Default 0. */
  valFraction?: number;
  /** Measure the validation loss every this many steps (and after the last). 0: never. */
  evalEvery?: number;
  /** Continue from a checkpoint of a run on the same text. */
  resume?: Checkpoint;
  /** Stop once this many steps are done (of numSteps); the run can be resumed from there. */
  until?: number;
  signal?: AbortSignal;
  /** Called once the data and model are ready, before the first step. */
  onStart?: (run: TrainRun) => void;
  onStep?: (event: StepEvent) => void;
  /** Called every checkpointEvery steps with a checkpoint of that moment. */
  checkpointEvery?: number;
  onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>;
  /** Longest stretch without yielding to the event loop. Default 50 ms. */
  yieldEveryMs?: number;
}

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

export interface TrainRun {
  gpt: GPT;
  dataset: Dataset;
  train: TrainConfig & { valFraction: number };
  /** Steps done so far. */
  step: number;
  /** Identifies the training documents (stored in checkpoints). */
  readonly dataHash: string;
  /** A checkpoint of the run as it stands now. */
  checkpoint(weightsOnly?: boolean): Checkpoint;
}

export interface TrainResult extends TrainRun {
  /** 'done': all numSteps; 'until': stopped at options.until; 'aborted': by the signal. */
  stopped: 'done' | 'until' | 'aborted';
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const ckpt = options.resume;
  const trainConfig = validateTrainConfig({ ...DEFAULT_TRAIN, ...ckpt?.train, ...options.train });
  const valFraction = options.valFraction ?? ckpt?.train.valFraction ?? 0;
  const evalEvery = options.evalEvery ?? 0;
  validateValidation(valFraction, evalEvery);
  const rng = new Random(trainConfig.seed);
  const dataset = prepareDataset(options.text, rng, valFraction, ckpt ? new Tokenizer(ckpt.vocab) : undefined);
  let hash: string | undefined; // computed when a checkpoint needs it
  const dataHash = () => (hash ??= hashDocs(dataset.docs));
  let gpt: GPT;
  if (ckpt) {
    if (ckpt.dataHash && ckpt.dataHash !== dataHash()) throw new DataError(`the data differs from the data the checkpoint was trained on`);
    if (ckpt.step > trainConfig.numSteps) throw new ConfigError(`must be at least the checkpoint's ${ckpt.step} steps done, got ${trainConfig.numSteps}`, 'numSteps');
    gpt = GPT.fromCheckpoint(ckpt, options);
  } else {
    gpt = GPT.init(dataset.tokenizer, { ...DEFAULT_MODEL, ...options.model }, rng, options);
  }
  const fullTrain = { ...trainConfig, valFraction };
  const trainer = new Trainer(gpt.engine, dataset.train, trainConfig, ckpt?.step ?? 0);
  const run: TrainRun = {
    gpt,
    dataset,
    train: fullTrain,
    get dataHash() {
      return dataHash();
    },
    get step() {
      return trainer.step;
    },
    checkpoint: (weightsOnly = false) => gpt.toCheckpoint(fullTrain, trainer.step, dataHash(), weightsOnly),
  };
  options.onStart?.(run);

  const { numSteps } = trainConfig;
  const until = Math.min(options.until ?? numSteps, numSteps);
  const yieldEveryMs = options.yieldEveryMs ?? 50;
  const valSeqs = evalEvery > 0 && dataset.val.length > 0 ? dataset.val.slice() : [];
  if (evalEvery > 0 && valSeqs.length === 0) throw new ConfigError('needs held-out documents, and the validation share holds none of these few', 'evalEvery');
  let lastYield = performance.now();
  let stopped: TrainResult['stopped'] = 'done';
  while (trainer.step < until) {
    if (options.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    const step = trainer.step;
    const lr = trainer.learningRateAt(step);
    const t0 = performance.now();
    const loss = trainer.trainStep();
    const t1 = performance.now();
    const event: StepEvent = { step: trainer.step, numSteps, loss, lr, tokens: trainer.lastTokens, ms: t1 - t0 };
    if (evalEvery > 0 && (trainer.step % evalEvery === 0 || trainer.step === numSteps)) {
      const r = gpt.engine.evaluate(valSeqs);
      event.valLoss = r.loss / r.tokens;
    }
    options.onStep?.(event);
    if (options.checkpointEvery && options.onCheckpoint && trainer.step % options.checkpointEvery === 0 && trainer.step < until) {
      await options.onCheckpoint(run.checkpoint());
    }
    if (t1 - lastYield >= yieldEveryMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
  if (stopped === 'done' && trainer.step < numSteps) stopped = 'until';
  return Object.assign(run, { stopped });
}
