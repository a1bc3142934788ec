/**
 * A training run one step at a time: startRun() prepares the data and the
 * model; each takeStep() or traceStep() trains one step. train() is a loop
 * over it; the playground's Step button calls traceStep().
 */
import { hashDocs } from './checkpoint.ts';
import type { Checkpoint } from './checkpoint-types.ts';
import { checkGroup, checkOptions, checkString, isObject, refuse, shown } from './arguments.ts';
import { checkCheckpoint } from './checkpoint-check.ts';
import {
  ConfigError,
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  validateTrainConfig,
  validateValidation,
  type ModelConfig,
  type TrainConfig,
} from './config.ts';
import { DataError, prepareDataset, type Dataset } from './dataset.ts';
import { DivergedError } from './errors.ts';
import { chooseEngine } from './engine-choice.ts';
import { checkEngineChoice, GPT, type EngineChoice } from './gpt.ts';
import { Random } from './random.ts';
import { checkSetting, keysIn } from './settings.ts';
import { Tokenizer } from './tokenizer.ts';
import { traceStep, type ParamRef, type StepEvent, type StepTrace } from './trace.ts';
import { Trainer } from './trainer.ts';

/** What a run trains on and how: the part of train()'s options that startRun() reads. */
export interface RunOptions extends EngineChoice {
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
}

export type { StepEvent } from './trace.ts';

/** A run in progress. Every step checks its loss and gradients before the update: a DivergedError leaves the weights as they were. */
export interface TrainRun {
  readonly gpt: GPT;
  readonly dataset: Dataset;
  /** The run's settings; learningRate is the current one (see setLearningRate). */
  readonly train: TrainConfig & { valFraction: number };
  /** Steps done so far. */
  readonly step: number;
  /** step === train.numSteps. */
  readonly done: boolean;
  /** Identifies the training documents (stored in checkpoints). */
  readonly dataHash: string;
  /** A checkpoint of the run as it stands now. */
  checkpoint(weightsOnly?: boolean): Checkpoint;
  /** Trains one step, as train() does (with the validation loss on eval steps). Throws DivergedError at a non-finite loss or gradient. */
  takeStep(): StepEvent;
  /** The same step as takeStep(), and what it computed; param picks the weight to follow (default: wte, the first document's first character, column 0). */
  traceStep(param?: ParamRef): StepTrace;
  /** A new base learning rate from the next step on; the schedule keeps decaying: lr_t = lr * (1 - step / numSteps). */
  setLearningRate(lr: number): void;
}

const MODEL_KEYS = keysIn('model');
const TRAIN_KEYS = keysIn('train');
const RUN_KEYS = ['text', 'model', 'train', 'valFraction', 'evalEvery', 'resume', 'engine', 'dtype', 'helpers'];

/** Prepares the data and builds (or resumes) the model: everything train() does before its first step. */
export function startRun(options: RunOptions): TrainRun {
  return openRun(options, 'startRun(options)', []);
}

/** startRun() for a caller whose options have more keys (train()); where names the caller in messages. */
export function openRun(options: RunOptions, where: string, moreKeys: readonly string[]): TrainRun {
  checkRunOptions(options, where, moreKeys);
  const ckpt = options.resume;
  if (ckpt !== undefined) checkCheckpoint(ckpt, `${where}: options.resume`, true);
  const trainConfig = validateTrainConfig({ ...DEFAULT_TRAIN, ...ckpt?.train, ...options.train });
  const trainValFraction = (options.train as { valFraction?: number } | undefined)?.valFraction;
  if (options.valFraction !== undefined && trainValFraction !== undefined && options.valFraction !== trainValFraction) {
    throw new ConfigError(`options.valFraction (${options.valFraction}) and options.train.valFraction (${trainValFraction}) differ`);
  }
  const valFraction = options.valFraction ?? trainValFraction ?? ckpt?.train.valFraction ?? 0;
  const evalEvery = options.evalEvery ?? 0;
  validateValidation(valFraction, evalEvery);
  const rng = new Random(trainConfig.seed);
  // the model reads blockSize + 1 tokens of a document at most: longer ones are cut when they are encoded
  const blockSize = ckpt?.model.blockSize ?? options.model?.blockSize ?? DEFAULT_MODEL.blockSize;
  const maxTokens = Number.isSafeInteger(blockSize) && blockSize > 0 ? blockSize + 1 : Infinity; // (checked below)
  const dataset = prepareDataset(options.text, rng, valFraction, ckpt ? new Tokenizer(ckpt.vocab) : undefined, maxTokens);
  const dataHash = lazy(() => hashDocs(dataset.docs));
  for (const key of MODEL_KEYS) if (options.model?.[key] !== undefined) checkSetting(key, options.model[key]); // before the engine is chosen by size
  // the engine asked for, else the one the checkpoint was trained on, else the faster for this size
  const shape = { ...DEFAULT_MODEL, ...(ckpt?.model ?? options.model) };
  const choice: EngineChoice = { ...options, engine: chooseEngine(options.engine, shape, trainConfig.batchSize, ckpt) };
  let gpt: GPT;
  if (ckpt) {
    for (const key of MODEL_KEYS) {
      const v = options.model?.[key];
      if (v !== undefined && v !== ckpt.model[key])
        throw new ConfigError(`must be the checkpoint's ${ckpt.model[key]} when resuming, got ${v}`, key);
    }
    if (ckpt.dataHash && ckpt.dataHash !== dataHash()) throw new DataError(`the data differs from the data the checkpoint was trained on`);
    if (ckpt.step > trainConfig.numSteps)
      throw new ConfigError(`must be at least the checkpoint's ${ckpt.step} steps done, got ${trainConfig.numSteps}`, 'numSteps');
    gpt = GPT.fromCheckpoint(ckpt, choice);
  } else {
    gpt = GPT.init(dataset.tokenizer, { ...DEFAULT_MODEL, ...options.model }, rng, choice);
  }
  const vocabSize = (options.model as Partial<ModelConfig> | undefined)?.vocabSize;
  if (vocabSize !== undefined && vocabSize !== gpt.config.vocabSize) {
    throw new ConfigError(
      `options.model.vocabSize ${vocabSize} differs from the ${ckpt ? "checkpoint's" : "data's"} ${gpt.config.vocabSize} (the vocabulary comes from ${ckpt ? 'the checkpoint' : 'the data'})`,
    );
  }
  if (evalEvery > 0 && dataset.val.length === 0)
    throw new ConfigError('needs held-out documents, and the validation share holds none of these few', 'evalEvery');
  return new Run(gpt, dataset, { ...trainConfig, valFraction }, evalEvery, dataHash, ckpt?.step ?? 0);
}

/** The options' types and keys; their numbers are checked by the settings table as they are used. */
function checkRunOptions(options: RunOptions, where: string, moreKeys: readonly string[]): void {
  const hint = (key: string) =>
    (MODEL_KEYS as readonly string[]).includes(key)
      ? '; the model settings go in options.model'
      : (TRAIN_KEYS as readonly string[]).includes(key)
        ? '; the training settings go in options.train'
        : '';
  checkOptions(options, where, 'options', 'with the training text', [...RUN_KEYS, ...moreKeys], hint);
  checkString(options.text, where, 'options.text', ' (the training text)');
  checkGroup(options.model, where, 'options.model', [...MODEL_KEYS, 'vocabSize']); // vocabSize: as a checkpoint's model has it
  checkGroup(options.train, where, 'options.train', [...TRAIN_KEYS, 'valFraction']); // valFraction: as a checkpoint's train has it
  checkEngineChoice(options, where, 'options');
}

class Run implements TrainRun {
  private readonly trainer: Trainer;
  private readonly valSeqs: number[][];

  constructor(
    readonly gpt: GPT,
    readonly dataset: Dataset,
    readonly train: TrainConfig & { valFraction: number },
    private readonly evalEvery: number,
    private readonly hash: () => string,
    startStep: number,
  ) {
    this.trainer = new Trainer(gpt.engine, dataset.train, train, startStep); // reads train.learningRate at every step
    this.valSeqs = evalEvery > 0 ? dataset.val.slice() : [];
  }

  get step(): number {
    return this.trainer.stepsDone;
  }

  get done(): boolean {
    return this.trainer.stepsDone >= this.train.numSteps;
  }

  get dataHash(): string {
    return this.hash();
  }

  checkpoint(weightsOnly = false): Checkpoint {
    return this.gpt.toCheckpoint({ ...this.train }, this.trainer.stepsDone, this.hash(), weightsOnly);
  }

  setLearningRate(lr: number): void {
    this.train.learningRate = checkSetting('learningRate', lr);
  }

  takeStep(): StepEvent {
    const t0 = performance.now();
    const loss = this.lossAndGrad();
    this.trainer.update();
    return this.finishStep(loss, performance.now() - t0);
  }

  traceStep(param?: ParamRef): StepTrace {
    if (param != null && !(isObject(param) && typeof param.name === 'string'))
      refuse('traceStep(param)', `param must be { name, row, col } naming a weight, got ${shown(param)}`);
    this.checkNotDone();
    const { trainer, gpt, dataset } = this;
    return traceStep(
      {
        engine: gpt.engine,
        config: gpt.config,
        nextDocs: () =>
          Array.from({ length: this.train.batchSize }, (_, b) => {
            const i = trainer.docIndex(trainer.stepsDone, b);
            return { text: dataset.trainDocs[i], tokens: dataset.train.at(i).slice() };
          }),
        lossAndGrad: () => this.lossAndGrad(),
        update: (loss, ms) => {
          const t1 = performance.now();
          trainer.update();
          return this.finishStep(loss, ms + performance.now() - t1);
        },
        get adamStep() {
          return trainer.adamStep;
        },
      },
      param,
    );
  }

  /** The next step's loss and gradients, checked: a DivergedError before anything is updated. */
  private lossAndGrad(): number {
    this.checkNotDone();
    const loss = this.trainer.lossAndGrad();
    if (!Number.isFinite(loss)) throw new DivergedError(this.trainer.stepsDone + 1, loss);
    const norm = this.gpt.engine.gradientNorm();
    if (!Number.isFinite(norm)) throw new DivergedError(this.trainer.stepsDone + 1, loss, norm);
    return loss;
  }

  private checkNotDone(): void {
    if (this.done) throw new RangeError(`the run is done: ${this.train.numSteps} of ${this.train.numSteps} steps`);
  }

  /** The event of the step just taken, with the validation loss on eval steps. */
  private finishStep(loss: number, ms: number): StepEvent {
    const { trainer, evalEvery } = this;
    const { numSteps } = this.train;
    const event: StepEvent = { step: trainer.stepsDone, numSteps, loss, lr: trainer.adamStep.lr, tokens: trainer.lastTokens, ms };
    if (evalEvery > 0 && (trainer.stepsDone % evalEvery === 0 || trainer.stepsDone === numSteps)) {
      const r = this.gpt.engine.totalLoss(this.valSeqs);
      event.valLoss = r.total / r.tokens;
    }
    return event;
  }
}

/** f() computed on first use, then remembered. */
function lazy<T>(f: () => T): () => T {
  let value: T | undefined;
  let known = false;
  return () => {
    if (!known) [value, known] = [f(), true];
    return value as T;
  };
}
