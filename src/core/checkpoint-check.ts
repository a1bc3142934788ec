/**
 * What makes a checkpoint's parts valid, said once for both faces: a file
 * (loadCheckpoint words a problem as 'corrupt metadata: ...') and an object a
 * program passes in (GPT.fromCheckpoint, saveCheckpoint, train's resume word
 * it as a TypeError naming the argument). Each check returns the problem as a
 * phrase that starts with the part's name, or undefined when the part is good.
 * Numbers are checked against the settings table (settings.ts), the one range
 * for the CLI, the library and the page.
 */
import type { Checkpoint, ModelCheckpoint } from './checkpoint-types.ts';
import { numParams, validateModelConfig, validateTrainConfig, type ModelConfig } from './config.ts';
import type { RandomState } from './random.ts';
import { checkChoice, checkSetting, defaultsOf, keysIn, pickSettings, SETTINGS } from './settings.ts';
import { isObject, shown } from './arguments.ts';
import { DTYPES, ENGINES, isOneOf, orList } from '../engines/engine.ts';

export { shown } from './arguments.ts';

/** Runs a validate* function of config.ts and returns its message as a problem. */
function settingsProblem(part: string, check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return `${part}: ${(e as Error).message}`;
  }
}

export function modelProblem(model: unknown): string | undefined {
  if (!isObject(model)) return `model must be an object of nLayer, nEmbd, nHead, blockSize and vocabSize, got ${shown(model)}`;
  return settingsProblem('model', () => validateModelConfig(model as unknown as ModelConfig));
}

/** The model's own keys only, in a fresh object (a file's extra keys are not carried along). */
export function pickModel(m: ModelConfig): ModelConfig {
  return { vocabSize: m.vocabSize, ...pickSettings(m, keysIn('model')) };
}

/** One character per id, none twice, one fewer than the model's vocabSize (BOS is the last id). */
export function vocabProblem(vocab: unknown, model: ModelConfig): string | undefined {
  if (!Array.isArray(vocab)) return `vocab must be an array of characters, got ${shown(vocab)}`;
  const seen = new Set<string>();
  for (let i = 0; i < vocab.length; i++) {
    const ch: unknown = vocab[i];
    if (typeof ch !== 'string' || [...ch].length !== 1) return `vocab entry ${i} must be one character, got ${shown(ch)}`;
    if (seen.has(ch)) return `vocab has the character ${JSON.stringify(ch)} twice`;
    seen.add(ch);
  }
  if (vocab.length + 1 !== model.vocabSize)
    return `vocab has ${vocab.length} characters; the model's vocabSize ${model.vocabSize} needs ${model.vocabSize - 1} (and BOS)`;
  return undefined;
}

export function trainProblem(train: unknown): string | undefined {
  if (!isObject(train)) return `train must be an object of training settings, got ${shown(train)}`;
  return settingsProblem('train', () => {
    validateTrainConfig(train as unknown as Checkpoint['train']);
    checkSetting('valFraction', train.valFraction);
    if (train.documents !== undefined) checkChoice('documents', train.documents);
  });
}

/**
 * A file's training settings with any key it lacks (one written before that
 * setting existed) given its default from the settings table, so that a new
 * setting does not orphan every checkpoint written before it. A key that is
 * there is kept as it is, to be checked (trainProblem).
 */
export function withTrainDefaults(train: unknown): unknown {
  if (!isObject(train)) return train;
  return { ...defaultsOf('train'), valFraction: SETTINGS.valFraction.default, documents: SETTINGS.documents.default, ...train };
}

export function pickTrain(t: Checkpoint['train']): Checkpoint['train'] {
  return { ...pickSettings(t, keysIn('train')), valFraction: t.valFraction, documents: t.documents ?? SETTINGS.documents.default };
}

/** Steps done: a whole number, at most the schedule's numSteps. */
export function stepProblem(step: unknown, train?: Checkpoint['train']): string | undefined {
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0)
    return `step must be a whole number of steps done, got ${shown(step)}`;
  if (train && step > train.numSteps) return `step ${step} is beyond train.numSteps (${train.numSteps})`;
  return undefined;
}

const MT_WORDS = 624;

/** Random.getstate()'s shape: 624 unsigned 32-bit words, an index from 0 to 624, gaussNext null or a finite number. */
export function rngProblem(rng: unknown): string | undefined {
  const bad = (why: string) => `rng must be a Random state (Random.getstate()): ${why}`;
  if (!isObject(rng)) return bad(`got ${shown(rng)}`);
  const { mt, index, gaussNext } = rng as Partial<Record<keyof RandomState, unknown>>;
  if (!Array.isArray(mt) || mt.length !== MT_WORDS) return bad(`mt must hold ${MT_WORDS} words`);
  const word = mt.findIndex((w) => !(Number.isInteger(w) && (w as number) >= 0 && (w as number) <= 0xffffffff));
  if (word >= 0) return bad(`mt[${word}] must be an integer from 0 to 2^32 - 1, got ${shown(mt[word])}`);
  if (!(Number.isInteger(index) && (index as number) >= 0 && (index as number) <= MT_WORDS))
    return bad(`index must be an integer from 0 to ${MT_WORDS}, got ${shown(index)}`);
  if (gaussNext !== null && !(typeof gaussNext === 'number' && Number.isFinite(gaussNext)))
    return bad(`gaussNext must be null or a finite number, got ${shown(gaussNext)}`);
  return undefined;
}

export function dtypeProblem(dtype: unknown): string | undefined {
  return isOneOf(DTYPES, dtype) ? undefined : `dtype must be ${orList(DTYPES)}, got ${shown(dtype)}`;
}

/** Where values has its first entry that is not finite (or negative, for Adam's v): 'NaN at index 3', or undefined. */
export function badValue(values: ArrayLike<number>, nonNegative = false): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) return `not a finite number (${x} at index ${i})`;
    if (nonNegative && x < 0) return `negative (${x} at index ${i}); a running mean of squares is at least 0`;
  }
  return undefined;
}

/** Which of the training state's parts are absent: train, step, rng. */
export function missingTraining(c: ModelCheckpoint): string[] {
  return (['train', 'step', 'rng'] as const).filter((k) => c[k] === undefined);
}

/** 'no train, step or rng metadata (a weights-only checkpoint); ...': what a checkpoint without its training state lacks. */
export function noTrainingText(missing: string[], noun: string): string {
  const list = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} or ${missing[missing.length - 1]}` : missing[0];
  const all = missing.length === 3 ? ' (a weights-only checkpoint)' : '';
  return `holds no training state: no ${list} ${noun}${all}; sampling and evaluating read it, training from it needs ${missing.length > 1 ? 'them' : 'it'}`;
}

/**
 * Checks a checkpoint object a program passes in; throws a TypeError that
 * names the argument (where: 'GPT.fromCheckpoint(checkpoint)'). With training,
 * the training state (train, step, rng, dataHash) must be there too.
 */
export function checkCheckpoint(c: unknown, where: string, training: boolean): asserts c is ModelCheckpoint {
  const fail = (problem: string): never => {
    throw new TypeError(`${where}: ${problem}`);
  };
  const parts = ['model', 'vocab', 'dtype', 'weights'];
  const absent = isObject(c) ? parts.filter((k) => c[k] === undefined) : parts;
  if (absent.length > 0) {
    throw new TypeError(
      `${where} must be a checkpoint (from loadCheckpoint or run.checkpoint()), got ${isObject(c) ? `an object without ${absent.join(', ')}` : shown(c)}`,
    );
  }
  const ck = c as Record<string, unknown>;
  const problem = modelProblem(ck.model) ?? vocabProblem(ck.vocab, ck.model as ModelConfig) ?? dtypeProblem(ck.dtype);
  if (problem) fail(problem);
  const model = ck.model as ModelConfig;
  const n = numParams(model);
  const arrayProblem = (name: string, v: unknown, nonNegative = false) => {
    if (!(v instanceof Float64Array) || v.length !== n)
      return `${name} must be a Float64Array of the model's ${n} parameters, got ${v instanceof Float64Array ? `${v.length} numbers` : shown(v)}`;
    const bad = badValue(v, nonNegative);
    return bad && `${name} has a value that is ${bad}`;
  };
  const weights = arrayProblem('weights', ck.weights);
  if (weights) fail(weights);
  if (ck.adam !== undefined) {
    const adam = ck.adam as Record<string, unknown>;
    const moments = isObject(adam)
      ? (arrayProblem('adam.m', adam.m) ?? arrayProblem('adam.v', adam.v, true))
      : `adam must be undefined or { m, v }, got ${shown(adam)}`;
    if (moments) fail(moments);
  }
  const missing = missingTraining(ck as unknown as ModelCheckpoint);
  if (training && missing.length > 0) fail(noTrainingText(missing, 'field'));
  const train = ck.train === undefined ? undefined : trainProblem(ck.train);
  if (train) fail(train);
  const step = ck.step === undefined ? undefined : stepProblem(ck.step, ck.train as Checkpoint['train'] | undefined);
  if (step) fail(step);
  if (ck.rng !== undefined) {
    const p = rngProblem(ck.rng);
    if (p) fail(p);
  }
  if (ck.dataHash !== undefined && typeof ck.dataHash !== 'string') fail(`dataHash must be a string, got ${shown(ck.dataHash)}`);
  if (ck.engine !== undefined && !isOneOf(ENGINES, ck.engine))
    fail(`engine must be ${orList(ENGINES)} (or absent), got ${shown(ck.engine)}`);
}
