/**
 * A training run one step at a time: startRun() checks its options once
 * (resolveTrainConfig, run-config.ts), then createRun() prepares the data and
 * the model; each takeStep() or traceStep() trains one step. train() is a
 * loop over it; the playground's Step button calls traceStep().
 */
import { hashDocs } from './checkpoint.ts';
import type { Checkpoint, CheckpointTrain } from './checkpoint-types.ts';
import { checkGroup, checkOptions, checkString, isObject, refuse, shown } from './arguments.ts';
import { ConfigError, type ModelConfig, type TrainConfig } from './config.ts';
import { DataError, prepareDataset, TokenizedDocs, type Dataset } from './dataset.ts';
import { DivergedError } from './errors.ts';
import { chooseEngine } from './engine-choice.ts';
import { checkEngineChoice, initModel, modelFromCheckpoint, type EngineChoice, type GPT } from './gpt.ts';
import { Random } from './random.ts';
import { resolveTrainConfig, type RunConfig } from './run-config.ts';
import { checkSetting, keysIn, type DocumentMode } from './settings.ts';
import { hashStream, prepareStream, StreamWindows, valWindows } from './stream.ts';
import { Tokenizer } from './tokenizer.ts';
import { traceStep, type ParamRef, type StepEvent, type StepTrace } from './trace.ts';
import { Trainer } from './trainer.ts';

/** What a run trains on and how: the part of train()'s options that startRun() reads. */
export interface RunOptions extends EngineChoice {
  /** The training text: one document per non-empty line, or with documents 'stream' one sequence of characters. */
  text: string;
  /** 'lines' (default, microgpt.py's) or 'stream': the whole text, newlines included, trained on windows at random offsets (src/core/stream.ts). */
  documents?: DocumentMode;
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
  /** The run's settings, a copy; learningRate is the current one (see setLearningRate). */
  readonly train: CheckpointTrain;
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
const RUN_KEYS = ['text', 'documents', 'model', 'train', 'valFraction', 'evalEvery', 'resume', 'engine', 'dtype', 'helpers'];

/** Prepares the data and builds (or resumes) the model: everything train() does before its first step. */
export function startRun(options: RunOptions): TrainRun {
  return openRun(options, 'startRun(options)', []);
}

/** startRun() for a caller whose options have more keys (train()); where names the caller in messages. */
export function openRun(options: RunOptions, where: string, moreKeys: readonly string[]): TrainRun {
  checkRunOptions(options, where, moreKeys);
  const run = createRun(resolveTrainConfig(options, { face: 'library', where }), options.text, options);
  const vocabSize = (options.model as Partial<ModelConfig> | undefined)?.vocabSize;
  if (vocabSize !== undefined && vocabSize !== run.gpt.config.vocabSize) {
    const from = options.resume ? 'checkpoint' : 'data';
    throw new ConfigError(
      `options.model.vocabSize ${vocabSize} differs from the ${from}'s ${run.gpt.config.vocabSize} (the vocabulary comes from the ${from})`,
    );
  }
  return run;
}

/**
 * A run of a configuration resolveTrainConfig() checked, on text: prepares the
 * data and builds (or resumes) the model. What is left to check is how the
 * configuration meets the data: the checkpoint's data, the held-out share.
 */
export function createRun(config: RunConfig, text: string, choice: EngineChoice = {}): TrainRun {
  const { model, train, valFraction, evalEvery, resume: ckpt } = config;
  if (config.documents === 'stream') return createStreamRun(config, text, choice);
  const rng = new Random(train.seed);
  // the model reads blockSize + 1 tokens of a document at most: longer ones are cut when they are encoded
  const dataset = prepareDataset(text, rng, valFraction, ckpt ? new Tokenizer(ckpt.vocab) : undefined, model.blockSize + 1);
  const dataHash = lazy(() => hashDocs(dataset.docs));
  // the engine and dtype asked for (or the helper threads' dtype), else the checkpoint's, else float64 on the fastest engine
  const engineChoice: EngineChoice = {
    ...choice,
    ...chooseEngine({ engine: choice.engine, dtype: choice.dtype ?? choice.helpers?.dtype }, ckpt),
  };
  let gpt: GPT;
  if (ckpt) {
    if (ckpt.dataHash && ckpt.dataHash !== dataHash()) throw new DataError(`the data differs from the data the checkpoint was trained on`);
    gpt = modelFromCheckpoint(ckpt, engineChoice);
  } else {
    if (dataset.tokenizer.vocabSize < 2) throw new ConfigError('the vocabulary needs at least one character besides BOS');
    gpt = initModel(dataset.tokenizer, model, rng, engineChoice);
  }
  if (evalEvery > 0 && dataset.val.length === 0)
    throw new ConfigError('needs held-out documents, and the validation share holds none of these few', 'evalEvery');
  return new Run(gpt, dataset, config, dataHash, ckpt?.step ?? 0);
}

/** createRun() of a stream: no shuffle, the vocabulary of the whole text, windows drawn from the run's Random (stream.ts). */
function createStreamRun(config: RunConfig, text: string, choice: EngineChoice): TrainRun {
  const { model, train, valFraction, resume: ckpt } = config;
  const rng = new Random(train.seed);
  const hash = hashStream(text);
  // the data is checked before it is read with the checkpoint's vocabulary, which another text may not fit
  if (ckpt?.dataHash && ckpt.dataHash !== hash) throw new DataError(`the data differs from the data the checkpoint was trained on`);
  const stream = prepareStream(text, valFraction, model.blockSize, ckpt ? new Tokenizer(ckpt.vocab) : undefined);
  const empty = new TokenizedDocs([], stream.tokenizer);
  const dataset: Dataset = {
    docs: [],
    tokenizer: stream.tokenizer,
    trainDocs: [],
    valDocs: [],
    longestDoc: 0,
    train: empty,
    val: empty,
    stream,
  };
  const engineChoice: EngineChoice = {
    ...choice,
    ...chooseEngine({ engine: choice.engine, dtype: choice.dtype ?? choice.helpers?.dtype }, ckpt),
  };
  if (!ckpt && stream.tokenizer.vocabSize < 2) throw new ConfigError('the vocabulary needs at least one character besides BOS');
  const gpt = ckpt ? modelFromCheckpoint(ckpt, engineChoice) : initModel(stream.tokenizer, model, rng, engineChoice);
  return new Run(gpt, dataset, config, () => hash, ckpt?.step ?? 0);
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
  checkGroup(options.train, where, 'options.train', [...TRAIN_KEYS, 'valFraction', 'documents']); // as a checkpoint's train has them
  checkEngineChoice(options, where, 'options');
}

class Run implements TrainRun {
  private readonly trainer: Trainer;
  private readonly valSeqs: number[][];
  private readonly evalEvery: number;

  constructor(
    readonly gpt: GPT,
    readonly dataset: Dataset,
    private readonly config: RunConfig,
    private readonly hash: () => string,
    startStep: number,
  ) {
    const { stream } = dataset;
    const T = config.model.blockSize;
    // a stream's windows come from the model's Random: the stream the weights were drawn from, or the checkpoint's
    this.trainer = new Trainer(gpt.engine, stream ? new StreamWindows(stream.train, T, gpt.rng) : dataset.train, config.train, startStep);
    this.evalEvery = config.evalEvery;
    this.valSeqs = this.evalEvery === 0 ? [] : stream ? valWindows(stream.val, T) : dataset.val.slice();
  }

  get train(): CheckpointTrain {
    const { config } = this;
    return { ...config.train, learningRate: this.trainer.learningRate, valFraction: config.valFraction, documents: config.documents };
  }

  get step(): number {
    return this.trainer.stepsDone;
  }

  get done(): boolean {
    return this.trainer.stepsDone >= this.config.train.numSteps;
  }

  get dataHash(): string {
    return this.hash();
  }

  checkpoint(weightsOnly = false): Checkpoint {
    return this.gpt.toCheckpoint(this.train, this.trainer.stepsDone, this.hash(), weightsOnly);
  }

  setLearningRate(lr: number): void {
    this.trainer.setLearningRate(checkSetting('learningRate', lr)); // a new value from outside: checked as it comes in
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
          trainer.docs instanceof StreamWindows
            ? this.peekWindows(trainer.docs)
            : Array.from({ length: this.config.train.batchSize }, (_, b) => {
                const i = trainer.docIndex(trainer.stepsDone, b);
                return { text: dataset.train.docs.at(i)!, tokens: dataset.train.at(i).slice() };
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

  /** A stream's next windows as the Step button shows them, the Random left as it was. */
  private peekWindows(windows: StreamWindows): StepTrace['docs'] {
    return windows.peekOffsets(this.config.train.batchSize).map((offset) => {
      const tokens = windows.window(offset);
      return { text: this.dataset.tokenizer.decode(tokens), tokens, offset };
    });
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
    const { numSteps } = this.config.train;
    if (this.done) throw new RangeError(`the run is done: ${numSteps} of ${numSteps} steps`);
  }

  /** The event of the step just taken, with the validation loss on eval steps. */
  private finishStep(loss: number, ms: number): StepEvent {
    const { trainer, evalEvery } = this;
    const { numSteps } = this.config.train;
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
