/**
 * Checkpoints in the safetensors format: 8 bytes little-endian header length,
 * a JSON header (per tensor: dtype, shape, data_offsets; and __metadata__, a
 * map of strings), then the raw little-endian tensor data, contiguous.
 * Tensors are keyed by the state-dict names (wte, layer0.attn_wq, ...); Adam's
 * moments are stored as adam_m.<name> and adam_v.<name>. The metadata holds the
 * model configuration, the vocabulary, the training configuration, the step
 * reached and the Random state, each as JSON. Pure bytes in and out: file
 * access is the caller's (CLI, Node entry, browser).
 */
import { numParams, stateDictShapes, validateModelConfig, type ModelConfig, type TrainConfig } from './config.ts';
import type { RandomState } from './random.ts';
import type { DType, EngineName } from '../engines/engine.ts';

export const CHECKPOINT_FORMAT = 'microgpt';
export const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  model: ModelConfig;
  /** The tokenizer's characters, in id order (BOS is id vocab.length). */
  vocab: string[];
  train: TrainConfig & { valFraction: number };
  /** Training steps done. */
  step: number;
  /** The Random state after the steps done, so that sampling continues as in one run. */
  rng: RandomState;
  dtype: DType;
  /** The engine that trained it (a resume without --engine continues on it); any engine loads any checkpoint. */
  engine?: EngineName;
  /** Identifies the training text, so that a resume on other data is refused. */
  dataHash: string;
  /** Parameters flattened in state-dict order. */
  weights: Float64Array;
  /** Adam's moments, for an exact resume; absent in a weights-only file. */
  adam?: { m: Float64Array; v: Float64Array };
}

/** A file that is not a checkpoint this version can read; the message says why. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

interface TensorEntry {
  dtype: 'F64' | 'F32';
  shape: number[];
  data_offsets: [number, number];
}

export function saveCheckpoint(ckpt: Checkpoint): Uint8Array {
  const shapes = stateDictShapes(ckpt.model);
  const dtype = ckpt.dtype === 'float32' ? 'F32' : 'F64';
  const width = dtype === 'F32' ? 4 : 8;
  const groups: [prefix: string, values: Float64Array][] = [['', ckpt.weights]];
  if (ckpt.adam) groups.push(['adam_m.', ckpt.adam.m], ['adam_v.', ckpt.adam.v]);
  const header: Record<string, TensorEntry | Record<string, string>> = {
    __metadata__: {
      format: CHECKPOINT_FORMAT,
      version: String(CHECKPOINT_VERSION),
      model: JSON.stringify(ckpt.model),
      vocab: JSON.stringify(ckpt.vocab),
      train: JSON.stringify(ckpt.train),
      step: String(ckpt.step),
      rng: JSON.stringify(ckpt.rng),
      dtype: ckpt.dtype,
      ...(ckpt.engine ? { engine: ckpt.engine } : {}),
      data_hash: ckpt.dataHash,
    },
  };
  let offset = 0;
  for (const [prefix] of groups) {
    for (const [name, rows, cols] of shapes) {
      const bytes = rows * cols * width;
      header[prefix + name] = { dtype, shape: [rows, cols], data_offsets: [offset, offset + bytes] };
      offset += bytes;
    }
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, values] of groups) {
    for (let i = 0; i < values.length; i++, at += width) {
      if (width === 8) view.setFloat64(at, values[i], true);
      else view.setFloat32(at, values[i], true);
    }
  }
  return out;
}

export function loadCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 8) throw new CheckpointError(`truncated: ${bytes.length} bytes, not even a safetensors header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength < 2 || headerLength > 100_000_000) throw new CheckpointError('not a safetensors file (implausible header length)');
  if (8 + headerLength > bytes.length) throw new CheckpointError(`truncated: the header needs ${8 + headerLength} bytes, the file has ${bytes.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch {
    throw new CheckpointError('not a safetensors file (the header is not JSON)');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError('not a safetensors file (the header is not a JSON object)');
  const meta = header.__metadata__ as Record<string, string> | undefined;
  if (!meta || meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError('a safetensors file, but not a microgpt checkpoint (no microgpt metadata)');
  if (meta.version !== String(CHECKPOINT_VERSION)) throw new CheckpointError(`checkpoint version ${meta.version}; this microgpt reads version ${CHECKPOINT_VERSION}`);

  const parse = <T>(key: string): T => {
    try {
      return JSON.parse(meta[key]) as T;
    } catch {
      throw new CheckpointError(`corrupt metadata: ${key}`);
    }
  };
  const model = parse<ModelConfig>('model');
  try {
    validateModelConfig(model);
  } catch (e) {
    throw new CheckpointError(`corrupt metadata: model (${(e as Error).message})`);
  }
  const vocab = parse<string[]>('vocab');
  if (!Array.isArray(vocab) || vocab.length + 1 !== model.vocabSize || vocab.some((c) => typeof c !== 'string')) throw new CheckpointError('corrupt metadata: vocab does not match the model');
  const train = parse<Checkpoint['train']>('train');
  const rng = parse<RandomState>('rng');
  const step = Number(meta.step);
  if (!Number.isInteger(step) || step < 0) throw new CheckpointError('corrupt metadata: step');
  const dtype = meta.dtype === 'float32' ? 'float32' : 'float64';
  const engine = meta.engine === 'fast' || meta.engine === 'scalar' || meta.engine === 'wasm' ? meta.engine : undefined;

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const read = (name: string): Float64Array | undefined => {
    const entry = header[name] as TensorEntry | undefined;
    if (entry === undefined) return undefined;
    const [rows, cols] = entry.shape ?? [];
    const width = entry.dtype === 'F64' ? 8 : entry.dtype === 'F32' ? 4 : 0;
    const [start, end] = entry.data_offsets ?? [];
    if (!width || !Number.isInteger(start) || !Number.isInteger(end) || end - start !== rows * cols * width || start < 0) throw new CheckpointError(`corrupt tensor entry ${name}`);
    if (end > dataLength) throw new CheckpointError(`truncated: tensor ${name} ends at byte ${dataStart + end}, the file has ${bytes.length}`);
    const out = new Float64Array(rows * cols);
    for (let i = 0, at = dataStart + start; i < out.length; i++, at += width) out[i] = width === 8 ? view.getFloat64(at, true) : view.getFloat32(at, true);
    return out;
  };
  const gather = (prefix: string, required: boolean): Float64Array | undefined => {
    const flat = new Float64Array(numParams(model));
    let k = 0;
    for (const [name, rows, cols] of stateDictShapes(model)) {
      const t = read(prefix + name);
      if (t === undefined) {
        if (required || k > 0) throw new CheckpointError(`missing tensor ${prefix + name}`);
        return undefined;
      }
      if (t.length !== rows * cols) throw new CheckpointError(`tensor ${prefix + name} has the wrong shape`);
      flat.set(t, k);
      k += t.length;
    }
    return flat;
  };
  const weights = gather('', true)!;
  const m = gather('adam_m.', false);
  const v = gather('adam_v.', false);
  if ((m === undefined) !== (v === undefined)) throw new CheckpointError('corrupt: one of the Adam moments is missing');
  for (const x of weights) if (!Number.isFinite(x)) throw new CheckpointError('corrupt: a weight is not a finite number');
  return { model, vocab, train, step, rng, dtype, ...(engine ? { engine } : {}), dataHash: meta.data_hash ?? '', weights, adam: m && v ? { m, v } : undefined };
}

/** A short fingerprint of the documents (FNV-1a, 32 bits, over the text of the docs). */
export function hashDocs(docs: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const doc of docs) {
    for (let i = 0; i < doc.length; i++) h = Math.imul(h ^ doc.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + ':' + docs.length;
}
