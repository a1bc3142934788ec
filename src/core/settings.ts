/**
 * Every setting in one table: its key, CLI flag, page label, kind, default,
 * range and one line of help. Validation, the CLI's options and --help, and
 * the playground's fields, labels and URL keys are all read from here, so a
 * new hyperparameter is one entry plus its use.
 */

import { shown } from './arguments.ts';

/** Which object a setting belongs to: ModelConfig, TrainConfig, the validation options, the engine's, SampleConfig, how the text becomes documents. */
export type SettingGroup = 'model' | 'train' | 'validation' | 'engine' | 'sample' | 'data';

export interface NumberSetting {
  /** The library's name, and the key in the page's address. */
  key: string;
  /** The CLI flag without its dashes. */
  flag: string;
  /** The page's label. */
  label: string;
  group: SettingGroup;
  kind: 'int' | 'number';
  default: number;
  min: number;
  max: number;
  /** The bounds themselves are not allowed (a learning rate above 0, a beta below 1). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** One line of help (the CLI's --help and the page's explanation). */
  help: string;
  /** The CLI shows this instead of the flag's value name (N or X). */
  valueName?: string;
  /** Not among the playground's fields (the page uses the default). */
  notOnPage?: boolean;
}

/** A setting that is one of a few words (--documents lines|stream): the CLI reads it as text, the page as a select. */
export interface ChoiceSetting {
  key: string;
  flag: string;
  label: string;
  group: SettingGroup;
  kind: 'choice';
  default: string;
  /** The words allowed, the default among them; the page shows them in this order. */
  choices: readonly string[];
  help: string;
  /** The CLI shows this instead of the choices (lines|stream). */
  valueName?: string;
  notOnPage?: boolean;
}

/** Any entry of the table. */
export type Setting = NumberSetting | ChoiceSetting;

/** How a text becomes training documents: one per line (microgpt.py's), or the whole text as one stream of characters. */
export const DOCUMENT_MODES = ['lines', 'stream'] as const;
export type DocumentMode = (typeof DOCUMENT_MODES)[number];

// const type parameters keep each entry's key and group as literal types (KeysIn reads them)
const int = <const S extends Omit<NumberSetting, 'kind'>>(s: S) => ({ ...s, kind: 'int' }) as NumberSetting & S & { kind: 'int' };
const num = <const S extends Omit<NumberSetting, 'kind'>>(s: S) => ({ ...s, kind: 'number' }) as NumberSetting & S & { kind: 'number' };
const choice = <const S extends Omit<ChoiceSetting, 'kind'>>(s: S) => ({ ...s, kind: 'choice' }) as ChoiceSetting & S & { kind: 'choice' };

/** microgpt.py's settings with its defaults, and ours beside them. */
// a table: one line per setting
// prettier-ignore
export const SETTINGS = {
  // the shape of the network
  nLayer: int({ key: 'nLayer', flag: 'n-layer', label: 'Layers', group: 'model', default: 1, min: 1, max: 64, help: 'transformer layers' }),
  nEmbd: int({ key: 'nEmbd', flag: 'n-embd', label: 'Embedding', group: 'model', default: 16, min: 1, max: 4096, help: 'embedding width: numbers per token' }),
  nHead: int({ key: 'nHead', flag: 'n-head', label: 'Heads', group: 'model', default: 4, min: 1, max: 4096, help: 'attention heads; must divide the embedding width' }),
  blockSize: int({ key: 'blockSize', flag: 'block-size', label: 'Block size', group: 'model', default: 16, min: 1, max: 4096, help: 'context length; longer documents are cut' }),
  // how training runs
  numSteps: int({ key: 'numSteps', flag: 'num-steps', label: 'Steps', group: 'train', default: 1000, min: 1, max: 1_000_000_000, help: 'training steps; the learning rate decays linearly to 0 over them' }),
  learningRate: num({ key: 'learningRate', flag: 'learning-rate', label: 'Learning rate', group: 'train', default: 0.01, min: 0, max: 10, minExclusive: true, help: "Adam's learning rate: how far each step moves the weights" }),
  beta1: num({ key: 'beta1', flag: 'beta1', label: 'Adam β1', group: 'train', default: 0.85, min: 0, max: 1, maxExclusive: true, notOnPage: true, help: "Adam's beta1: how long the gradient's running mean remembers" }),
  beta2: num({ key: 'beta2', flag: 'beta2', label: 'Adam β2', group: 'train', default: 0.99, min: 0, max: 1, maxExclusive: true, notOnPage: true, help: "Adam's beta2: how long the squared gradient's running mean remembers" }),
  eps: num({ key: 'eps', flag: 'eps', label: 'Adam ε', group: 'train', default: 1e-8, min: 0, max: 1, minExclusive: true, notOnPage: true, help: "Adam's epsilon, added to the root of v_hat" }),
  batchSize: int({ key: 'batchSize', flag: 'batch-size', label: 'Batch', group: 'train', default: 1, min: 1, max: 65536, help: "documents per step; the loss is the mean over every predicted token of the batch's documents (a document of n characters counts n + 1 tokens, cut to the block size), so longer documents weigh more" }),
  threads: int({ key: 'threads', flag: 'threads', label: 'Threads', group: 'engine', default: 0, min: 0, max: 56, help: "the wasm engine's threads, each training on a share of the batch's documents; 0 = one per core, at most the batch size" }),
  seed: int({ key: 'seed', flag: 'seed', label: 'Seed', group: 'train', default: 42, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, help: 'random seed for the shuffle, the initial weights and the samples' }),
  valFraction: num({ key: 'valFraction', flag: 'val-fraction', label: 'Validation share', group: 'validation', default: 0, min: 0, max: 1, maxExclusive: true, valueName: 'F', help: 'hold out this share of the shuffled documents for validation' }),
  evalEvery: int({ key: 'evalEvery', flag: 'eval-every', label: 'Validate every', group: 'validation', default: 0, min: 0, max: 1_000_000_000, valueName: 'K', help: 'measure the validation loss every K steps and after the last; 0 = never' }),
  // how the text becomes documents
  documents: choice({ key: 'documents', flag: 'documents', label: 'Documents', group: 'data', default: 'lines', choices: DOCUMENT_MODES, help: "lines: one document per non-empty line, cut to the block size (microgpt.py's); stream: the whole text, newlines included, as one sequence, trained on windows of block-size + 1 characters at random offsets" }),
  // how names are drawn
  temperature: num({ key: 'temperature', flag: 'temperature', label: 'Temperature', group: 'sample', default: 0.5, min: 0.001, max: 100, help: 'divides the logits: lower is more conservative, higher more surprising' }),
  numSamples: int({ key: 'numSamples', flag: 'num-samples', label: 'Names', group: 'sample', default: 20, min: 0, max: 1_000_000, help: 'how many names to sample' }),
  maxLength: int({ key: 'maxLength', flag: 'max-length', label: 'Longest name', group: 'sample', default: 16, min: 1, max: 4096, valueName: 'L', help: 'longest name in characters, prompt included; at most the block size' }),
  topK: int({ key: 'topK', flag: 'top-k', label: 'Top-k', group: 'sample', default: 0, min: 0, max: 1_000_000, valueName: 'K', help: 'draw from the K most likely characters only; 0 = all' }),
  sampleLength: int({ key: 'sampleLength', flag: 'sample-length', label: 'Sample length', group: 'sample', default: 200, min: 1, max: 1_000_000, help: 'with --documents stream: characters to write after the prompt, newlines included' }),
} as const satisfies Record<string, Setting>;

/** Every key of the table. */
export type AnySettingKey = keyof typeof SETTINGS;
/** The keys of the number settings: nearly all (a choice setting's key is a ChoiceKey). */
export type SettingKey = { [K in AnySettingKey]: (typeof SETTINGS)[K]['kind'] extends 'choice' ? never : K }[AnySettingKey];
export type ChoiceKey = Exclude<AnySettingKey, SettingKey>;
export const SETTING_LIST: readonly Setting[] = Object.values(SETTINGS);

/** A setting out of range (key names it), or settings that disagree (no key). Each face words the name its own way. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    /** What is wrong, without the setting's name: 'must be an integer from 1 to 64, got 100'. */
    readonly problem: string,
    readonly key?: AnySettingKey,
  ) {
    super(key ? `${key} ${problem}` : problem);
  }

  /** The message with the setting named as a face names it: `(s) => '--' + s.flag` for the CLI, `(s) => s.label` for the page. */
  describe(name: (s: Setting) => string): string {
    return this.key ? `${name(SETTINGS[this.key])} ${this.problem}` : this.problem;
  }
}

/** How a range reads in a message: 'an integer from 1 to 64', 'a number greater than 0 and at most 10'. */
export function rangeText(s: NumberSetting): string {
  const what = s.kind === 'int' ? 'an integer' : 'a number';
  if (s.key === 'seed') return what;
  const lo = s.minExclusive ? `greater than ${s.min}` : `at least ${s.min}`;
  const hi = s.maxExclusive ? `less than ${s.max}` : `at most ${s.max}`;
  if (!s.minExclusive && !s.maxExclusive) return `${what} from ${s.min} to ${s.max}`;
  return `${what} ${lo} and ${hi}`;
}

/** A number, boolean, null or undefined prints as itself; an object or a symbol as what it is (String() of one can throw). */
const isPlain = (v: unknown) => v == null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';

/** Checks one value against its entry; returns it. */
export function checkSetting(key: SettingKey, value: unknown): number {
  const s: NumberSetting = SETTINGS[key];
  const v = value as number;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (s.kind === 'number' || Number.isSafeInteger(v)) &&
    (s.minExclusive ? v > s.min : v >= s.min) &&
    (s.maxExclusive ? v < s.max : v <= s.max);
  if (!ok)
    throw new ConfigError(
      `must be ${rangeText(s)}, got ${typeof value === 'string' ? JSON.stringify(value) : isPlain(value) ? String(value) : shown(value)}`,
      key,
    );
  return v;
}

/** Checks a choice setting's value (one of its words); returns it. */
export function checkChoice<K extends ChoiceKey>(key: K, value: unknown): (typeof SETTINGS)[K]['choices'][number] {
  const s: ChoiceSetting = SETTINGS[key];
  if (typeof value !== 'string' || !s.choices.includes(value))
    throw new ConfigError(
      `must be ${s.choices.map((c) => `'${c}'`).join(' or ')}, got ${typeof value === 'string' ? `'${value}'` : isPlain(value) ? String(value) : shown(value)}`,
      key,
    );
  return value as (typeof SETTINGS)[K]['choices'][number];
}

/** A choice setting's key. */
export const isChoiceKey = (key: string): key is ChoiceKey => key in SETTINGS && SETTINGS[key as AnySettingKey].kind === 'choice';

/** Checks every key of `values` that the table knows. */
export function checkSettings<T extends object>(values: T): T {
  for (const [key, v] of Object.entries(values)) {
    if (isChoiceKey(key)) checkChoice(key, v);
    else if (key in SETTINGS) checkSetting(key as SettingKey, v);
  }
  return values;
}

/** The keys of one group's settings. */
export type KeysIn<G extends SettingGroup> = { [K in AnySettingKey]: (typeof SETTINGS)[K]['group'] extends G ? K : never }[AnySettingKey];
/** The groups whose settings are all numbers. */
export type NumberGroup = Exclude<SettingGroup, 'data'>;

/** The keys of one group, in table order. */
export function keysIn<G extends SettingGroup>(group: G): KeysIn<G>[] {
  return SETTING_LIST.filter((s) => s.group === group).map((s) => s.key) as KeysIn<G>[];
}

/** The table's defaults for one group, keyed by setting. */
export function defaultsOf<G extends NumberGroup>(group: G): Record<KeysIn<G>, number> {
  return Object.fromEntries(SETTING_LIST.filter((s) => s.group === group).map((s) => [s.key, s.default])) as Record<KeysIn<G>, number>;
}

/** The given keys of an object of settings (a checkpoint's model or train, a page's settings). */
export function pickSettings<K extends SettingKey>(values: Readonly<Record<K, number>>, keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, values[k]])) as Record<K, number>;
}
