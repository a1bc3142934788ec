/**
 * A run's configuration, checked once, at the edge: resolveTrainConfig()
 * turns what a face gives (the CLI's flags, the library's options, the page's
 * fields, which reach it through startRun) and the checkpoint resumed, if
 * any, into one frozen, validated RunConfig. Everything below it (the Run,
 * the Trainer, the engines) trusts it and checks nothing again.
 */
import { checkCheckpoint, pickModel } from './checkpoint-check.ts';
import type { Checkpoint } from './checkpoint-types.ts';
import { DEFAULT_MODEL, DEFAULT_TRAIN, validateModelConfig, validateValidation, type ModelConfig, type TrainConfig } from './config.ts';
import { checkChoice, checkSetting, ConfigError, keysIn, SETTINGS, type DocumentMode, type SettingKey } from './settings.ts';

/** The model's shape: its settings without the vocabulary, which comes from the data. */
export type ModelShape = Omit<ModelConfig, 'vocabSize'>;

/** What a face asks for; a setting left undefined is the checkpoint's, else the table's default. */
export interface TrainInput {
  model?: Partial<ModelShape>;
  /** valFraction and documents may come here too, as a checkpoint's train holds them. */
  train?: Partial<TrainConfig> & { valFraction?: number; documents?: DocumentMode };
  valFraction?: number;
  /** 'lines' (a document per line, microgpt.py's) or 'stream' (the whole text as one sequence); a resume keeps the checkpoint's. */
  documents?: DocumentMode;
  evalEvery?: number;
  resume?: Checkpoint;
}

/**
 * Who asks, which says how a setting that differs from the checkpoint's is taken:
 * the library (and the page) may change the training settings but not the model's,
 * and checks the checkpoint object it was given (where names the call in messages);
 * the CLI's flags must all agree with the checkpoint but --num-steps, whose file was checked as it was read.
 */
export type ConfigSource = { face: 'library'; where: string } | { face: 'cli' };

/** A run's settings, validated and frozen. */
export interface RunConfig {
  readonly model: Readonly<ModelShape>;
  readonly train: Readonly<TrainConfig>;
  /** Share of the shuffled documents held out for validation. */
  readonly valFraction: number;
  /** Measure the validation loss every this many steps (and after the last); 0: never. */
  readonly evalEvery: number;
  /** How the text becomes documents. */
  readonly documents: DocumentMode;
  /** The checkpoint the run continues (checked). */
  readonly resume?: Checkpoint;
}

const MODEL_KEYS = keysIn('model');
const TRAIN_KEYS = keysIn('train');

/** The one place a run's settings are checked: ranges, how they fit together, and against the checkpoint resumed. */
export function resolveTrainConfig(input: TrainInput, source: ConfigSource): RunConfig {
  const ckpt = input.resume;
  const cli = source.face === 'cli';
  if (ckpt !== undefined && source.face === 'library') checkCheckpoint(ckpt, `${source.where}: options.resume`, true);
  /** A setting the face gave that differs from the checkpoint's. */
  const disagree = (key: SettingKey, v: number, theirs: number) =>
    new ConfigError(
      cli ? `${v} disagrees with the checkpoint (${theirs})` : `must be the checkpoint's ${theirs} when resuming, got ${v}`,
      key,
    );

  const model = { ...DEFAULT_MODEL, ...(ckpt ? pickModel(ckpt.model) : {}) };
  for (const key of MODEL_KEYS) {
    const v = input.model?.[key];
    if (v === undefined) continue;
    checkSetting(key, v);
    if (ckpt && v !== ckpt.model[key]) throw disagree(key, v, ckpt.model[key]);
    model[key] = v;
  }
  delete (model as Partial<ModelConfig>).vocabSize;
  validateModelConfig({ ...model, vocabSize: 2 }); // (the vocabulary comes from the data: 2 is its least)

  const train = { ...DEFAULT_TRAIN };
  for (const key of TRAIN_KEYS) {
    const v = input.train?.[key];
    // a key given as undefined is refused as the value it is (the library's options.train: { learningRate: undefined })
    train[key] = input.train && key in input.train ? (v as number) : (ckpt?.train[key] ?? train[key]);
    checkSetting(key, train[key]);
    if (cli && ckpt && v !== undefined && key !== 'numSteps' && v !== ckpt.train[key]) throw disagree(key, v, ckpt.train[key]);
  }
  if (ckpt && ckpt.step > train.numSteps)
    throw new ConfigError(`must be at least the checkpoint's ${ckpt.step} steps done, got ${train.numSteps}`, 'numSteps');

  const inTrain = input.train?.valFraction;
  if (input.valFraction !== undefined && inTrain !== undefined && input.valFraction !== inTrain)
    throw new ConfigError(`options.valFraction (${input.valFraction}) and options.train.valFraction (${inTrain}) differ`);
  const asked = input.valFraction ?? inTrain;
  const valFraction = asked ?? ckpt?.train.valFraction ?? SETTINGS.valFraction.default;
  if (cli && ckpt && asked !== undefined && checkSetting('valFraction', asked) !== ckpt.train.valFraction)
    throw disagree('valFraction', asked, ckpt.train.valFraction);
  const evalEvery = input.evalEvery ?? SETTINGS.evalEvery.default;
  validateValidation(valFraction, evalEvery);

  const trainDocuments = input.train?.documents;
  if (input.documents !== undefined && trainDocuments !== undefined && input.documents !== trainDocuments)
    throw new ConfigError(`options.documents ('${input.documents}') and options.train.documents ('${trainDocuments}') differ`);
  const askedDocuments = input.documents ?? trainDocuments;
  const theirs = ckpt ? (ckpt.train.documents ?? SETTINGS.documents.default) : undefined;
  const documents = askedDocuments === undefined ? (theirs ?? SETTINGS.documents.default) : checkChoice('documents', askedDocuments);
  // the same text read another way is other data: no face may change it on resume
  if (theirs !== undefined && documents !== theirs)
    throw new ConfigError(
      cli
        ? `'${documents}' disagrees with the checkpoint ('${theirs}')`
        : `must be the checkpoint's '${theirs}' when resuming, got '${documents}'`,
      'documents',
    );

  return Object.freeze({
    model: Object.freeze(model),
    train: Object.freeze(train),
    valFraction,
    evalEvery,
    documents,
    ...(ckpt ? { resume: ckpt } : {}),
  });
}
