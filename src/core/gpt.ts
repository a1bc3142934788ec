/**
 * A model ready to use: configuration, tokenizer, an engine holding the
 * weights, and the Random stream it samples from.
 */
import type { Checkpoint, CheckpointTrain, ModelCheckpoint } from './checkpoint.ts';
import { checkCheckpoint } from './checkpoint-check.ts';
import {
  INIT_STD,
  initialWeights,
  numParams,
  validateModelConfig,
  validateSampleConfig,
  type ModelConfig,
  type TrainConfig,
} from './config.ts';
import { gaussFill } from './prepare-native.ts';
import { checkOptions, checkString, isObject, refuse, shown } from './arguments.ts';
import { Random } from './random.ts';
import { checkSettings, SETTINGS } from './settings.ts';
import { probabilities, sampleStream, sampleTokens } from './sample.ts';
import { coveringWindows, streamText } from './stream.ts';
import { Tokenizer } from './tokenizer.ts';
import { checkHelpers, makeEngine } from '../engines/create.ts';
import { DTYPES, ENGINES, isOneOf, orList, type DType, type Engine, type EngineName } from '../engines/engine.ts';
import type { ThreadHelpers } from '../engines/wasm/threads.ts';

export interface EngineChoice {
  /** One of ENGINES: fast, scalar or wasm (SIMD, threads). GPT's default is 'fast'; startRun() picks the fastest for the dtype (chooseEngine). */
  engine?: EngineName;
  /**
   * 'float64' or 'float32' (fast and wasm engines). startRun(): float64 unless asked (or resuming a float32 checkpoint);
   * wasm in float64 prints the fast engine's numbers. GPT.init() and createEngine() on wasm: float32 unless asked.
   */
  dtype?: DType;
  /** The wasm engine's helper threads, started (spawnHelpers() under Node): threads = count + 1. */
  helpers?: ThreadHelpers;
}

export interface SampleRequest {
  /** Default 20. */
  numSamples?: number;
  /** Default 0.5. */
  temperature?: number;
  /** Keep the k most likely characters; 0 (default) keeps all. */
  topK?: number;
  /** Text the samples start with; each of its characters must be in the vocabulary. */
  prompt?: string;
  /** Longest sample in characters, prompt included; at most blockSize (the default). */
  maxLength?: number;
  /** Draw from this stream instead of the model's own (which training runs continue). */
  rng?: Random;
}

/** What the model computes for a text: next-character probabilities and attention, position by position. */
export interface Inspection {
  /** 'BOS' then the text's characters: the input at each position. */
  inputs: string[];
  /** probs[t]: the distribution of the character after inputs[0..t]. */
  probs: Float64Array[];
  /** attention[layer][head][t]: weights of query t over positions 0..t. */
  attention: Float64Array[][][];
}

/** One sampled character and the distribution it was drawn from. */
export interface SampledToken {
  char: string;
  probs: Float64Array;
}

export class GPT {
  constructor(
    readonly config: ModelConfig,
    readonly tokenizer: Tokenizer,
    readonly engine: Engine,
    /** The stream samples are drawn from. */
    readonly rng: Random,
  ) {}

  /** A fresh model: weights drawn from rng, gauss(0, 0.08) each, as microgpt.py draws them. */
  static init(tokenizer: Tokenizer, shape: Omit<ModelConfig, 'vocabSize'>, rng: Random, choice: EngineChoice = {}): GPT {
    if (!(tokenizer instanceof Tokenizer))
      refuse('GPT.init(tokenizer, shape, rng)', `tokenizer must be a Tokenizer, got ${shown(tokenizer)}`);
    if (!isObject(shape))
      refuse('GPT.init(tokenizer, shape, rng)', `shape must be an object of nLayer, nEmbd, nHead and blockSize, got ${shown(shape)}`);
    if (!(rng instanceof Random)) refuse('GPT.init(tokenizer, shape, rng)', `rng must be a Random, got ${shown(rng)}`);
    checkEngineChoice(choice, 'GPT.init(tokenizer, shape, rng, choice)', 'choice');
    validateModelConfig({ ...shape, vocabSize: tokenizer.vocabSize });
    return initModel(tokenizer, shape, rng, choice);
  }

  /**
   * The model a checkpoint holds, with its Adam moments and its Random state; the fast engine keeps the checkpoint's dtype.
   * A weights-only checkpoint (no rng) samples from a fresh Random seeded with the default seed, 42.
   */
  static fromCheckpoint(ckpt: ModelCheckpoint, choice: EngineChoice = {}): GPT {
    checkCheckpoint(ckpt, 'GPT.fromCheckpoint(checkpoint)', false);
    checkEngineChoice(choice, 'GPT.fromCheckpoint(checkpoint, choice)', 'choice');
    return modelFromCheckpoint(ckpt, choice);
  }

  get numParams(): number {
    return this.engine.numParams;
  }

  /** Names drawn one after another from this model's Random stream. */
  sample(request: SampleRequest = {}): string[] {
    const where = 'sample(request)';
    checkOptions(request, where, 'request', 'of sampling settings', ['numSamples', 'temperature', 'topK', 'prompt', 'maxLength', 'rng']);
    const { numSamples = 20, temperature = 0.5, topK = 0, prompt = '', maxLength = this.config.blockSize, rng = this.rng } = request;
    checkString(prompt, where, 'request.prompt');
    if (!(rng instanceof Random)) refuse(where, `request.rng must be a Random, got ${shown(rng)}`);
    validateSampleConfig({ numSamples, temperature, topK, maxLength }, this.config.blockSize);
    const promptIds = this.tokenizer.encode(prompt);
    const limit = maxLength;
    if (promptIds.length >= limit) throw new RangeError(`the prompt has ${promptIds.length} characters; samples are at most ${limit}`);
    const names: string[] = [];
    for (let i = 0; i < numSamples; i++) {
      names.push(
        this.tokenizer.decode(
          sampleTokens(this.engine, this.tokenizer.BOS, rng, { temperature, topK, prompt: promptIds, maxLength: limit }),
        ),
      );
    }
    return names;
  }

  /**
   * A passage from a model trained with documents 'stream': length characters drawn after the prompt
   * (newlines included), from this model's Random unless request.rng. Returns the characters drawn, without the prompt.
   */
  sampleText(request: Omit<SampleRequest, 'numSamples' | 'maxLength'> & { length?: number } = {}): string {
    const where = 'sampleText(request)';
    checkOptions(request, where, 'request', 'of sampling settings', ['length', 'temperature', 'topK', 'prompt', 'rng']);
    const { length = SETTINGS.sampleLength.default, temperature = 0.5, topK = 0, prompt = '', rng = this.rng } = request;
    checkString(prompt, where, 'request.prompt');
    if (!(rng instanceof Random)) refuse(where, `request.rng must be a Random, got ${shown(rng)}`);
    checkSettings({ sampleLength: length, temperature, topK });
    const ids = sampleStream(this.engine, this.tokenizer.BOS, rng, { temperature, topK, prompt: this.tokenizer.encode(prompt), length });
    return this.tokenizer.decode(ids);
  }

  /** A stream's mean loss per predicted token: windows at 0, T, 2T, ... predict every character but the first once (stream.ts). */
  evaluateText(text: string): { loss: number; tokens: number; windows: number; perplexity: number } {
    checkString(text, 'evaluateText(text)', 'text');
    const windows = coveringWindows(this.tokenizer.encode(streamText(text)), this.config.blockSize);
    if (windows.length === 0) throw new RangeError('evaluateText(text): the text needs at least two characters');
    const { total, tokens } = this.engine.totalLoss(windows);
    return { loss: total / tokens, tokens, windows: windows.length, perplexity: Math.exp(total / tokens) };
  }

  /** Next-character distributions after BOS + text at temperature and top-k, one per position (the first after BOS alone). */
  nextTokenProbabilities(text: string, temperature = 1, topK = 0): Float64Array[] {
    return this.inspectAs('nextTokenProbabilities(text)', text, temperature, topK).probs;
  }

  /** Probabilities and attention maps for BOS + text. */
  inspect(text: string, temperature = 1, topK = 0): Inspection {
    return this.inspectAs('inspect(text)', text, temperature, topK);
  }

  private inspectAs(where: string, text: string, temperature: number, topK: number): Inspection {
    checkString(text, where, 'text');
    checkSettings({ temperature, topK });
    const engine = this.engine;
    const ids = this.tokenizer.encode(text);
    if (ids.length >= this.config.blockSize)
      throw new RangeError(`the text has ${ids.length} characters; the model reads at most ${this.config.blockSize - 1}`);
    const inputs = ['BOS', ...[...text]];
    const probs: Float64Array[] = [];
    engine.resetCache();
    [this.tokenizer.BOS, ...ids].forEach((id, pos) => {
      probs.push(probabilities(engine.forwardToken(id, pos), temperature, topK, new Float64Array(this.config.vocabSize)));
    });
    const attention = Array.from({ length: this.config.nLayer }, (_, l) =>
      Array.from({ length: this.config.nHead }, (_, h) => inputs.map((_, t) => engine.attentionRow(l, h, t))),
    );
    engine.resetCache();
    return { inputs, probs, attention };
  }

  /** Mean loss per predicted token (nats) over the documents, and the perplexity. */
  evaluate(docs: readonly string[]): { loss: number; tokens: number; perplexity: number } {
    const where = 'evaluate(docs)';
    if (!Array.isArray(docs)) refuse(where, `docs must be an array of strings (documents), got ${shown(docs)}`);
    if (docs.length === 0) throw new RangeError(`${where}: docs must hold at least one document`);
    const seqs = docs.map((d, i) => {
      checkString(d, where, `docs[${i}]`);
      try {
        return this.tokenizer.encodeDoc(d, this.config.blockSize + 1);
      } catch (e) {
        throw new RangeError(`${where}: docs[${i}] (${shown(d)}): ${(e as Error).message}`);
      }
    });
    const { total, tokens } = this.engine.totalLoss(seqs);
    return { loss: total / tokens, tokens, perplexity: Math.exp(total / tokens) };
  }

  /** Everything a checkpoint holds; the Adam moments unless weightsOnly. */
  toCheckpoint(train: CheckpointTrain, step: number, dataHash: string, weightsOnly = false): Checkpoint {
    const dtype = this.engine.dtype;
    return {
      model: this.config,
      vocab: [...this.tokenizer.chars],
      train,
      step,
      rng: this.rng.getstate(),
      dtype,
      engine: this.engine.name,
      dataHash,
      weights: this.engine.weights(),
      adam: weightsOnly ? undefined : this.engine.optimizerState(),
    };
  }
}

/** GPT.init() for a caller whose arguments are checked already (createRun, with its RunConfig): trusts them. */
export function initModel(tokenizer: Tokenizer, shape: Omit<ModelConfig, 'vocabSize'>, rng: Random, choice: EngineChoice): GPT {
  const config: ModelConfig = { ...shape, vocabSize: tokenizer.vocabSize };
  // gauss(0, 0.08) each, in state-dict order (initialWeights), drawn in WebAssembly where it runs: the same numbers, sooner
  const drawn = new Float64Array(numParams(config));
  const weights = gaussFill(rng, drawn, 0, INIT_STD) ? drawn : initialWeights(config, rng);
  return new GPT(config, tokenizer, makeEngine(choice.engine ?? 'fast', config, weights, choice), rng);
}

/** GPT.fromCheckpoint() for a caller whose checkpoint and choice are checked already: trusts them. */
export function modelFromCheckpoint(ckpt: ModelCheckpoint, choice: EngineChoice): GPT {
  const name = choice.engine ?? 'fast';
  // the wasm engine: float64 for its own float64 checkpoints (unless helper threads say otherwise), else its default
  const wasmDtype = ckpt.engine === 'wasm' && !choice.helpers ? ckpt.dtype : undefined;
  const dtype = choice.dtype ?? (name === 'scalar' ? 'float64' : name === 'wasm' ? wasmDtype : ckpt.dtype);
  const engine = makeEngine(name, ckpt.model, ckpt.weights, { dtype, helpers: choice.helpers });
  if (ckpt.adam) engine.setOptimizerState(ckpt.adam.m, ckpt.adam.v);
  const rng = new Random(SETTINGS.seed.default);
  if (ckpt.rng) rng.setstate(ckpt.rng);
  return new GPT(ckpt.model, new Tokenizer(ckpt.vocab), engine, rng);
}

/** An EngineChoice's types: engine one of ENGINES, dtype one of DTYPES (undefined picks the default). */
export function checkEngineChoice(choice: EngineChoice, where: string, name: string): void {
  if (!isObject(choice)) refuse(where, `${name} must be an object with engine and dtype, got ${shown(choice)}`);
  const { engine, dtype } = choice;
  if (engine !== undefined && !isOneOf(ENGINES, engine))
    throw new RangeError(`${where}: ${name}.engine must be ${orList(ENGINES)}, got ${shown(engine)}`);
  if (dtype !== undefined && !isOneOf(DTYPES, dtype))
    throw new RangeError(`${where}: ${name}.dtype must be ${orList(DTYPES)}, got ${shown(dtype)}`);
  checkHelpers(choice.helpers);
}
