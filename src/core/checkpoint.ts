/**
 * Checkpoints in the safetensors format: 8 bytes little-endian header length,
 * a JSON header (per tensor: dtype, shape, data_offsets; and __metadata__, a
 * map of strings), then the raw little-endian tensor data, contiguous.
 * Tensors are keyed by the state-dict names (wte, layer0.attn_wq, ...); Adam's
 * moments are stored as adam_m.<name> and adam_v.<name>. The metadata holds the
 * model configuration, the vocabulary, the training configuration, the step
 * reached and the Random state, each as JSON; a weights-only file (as a
 * PyTorch export writes) has only format, version, model and vocab. Reading
 * checks everything (checkpoint-check.ts), so an edited or damaged file is
 * refused with the problem named, never loaded as garbage; a training setting
 * the file lacks (written before the setting existed) takes its default. Pure bytes in and
 * out: file access is the caller's (CLI, Node entry, browser).
 */
import {
  badValue,
  checkCheckpoint,
  dtypeProblem,
  missingTraining,
  modelProblem,
  noTrainingText,
  pickModel,
  pickTrain,
  rngProblem,
  shown,
  stepProblem,
  trainProblem,
  withTrainDefaults,
  vocabProblem,
} from './checkpoint-check.ts';
import { numParams, stateDictShapes, type ModelConfig } from './config.ts';
import type { Checkpoint, ModelCheckpoint } from './checkpoint-types.ts';
import type { RandomState } from './random.ts';
import { ENGINES, isOneOf, type DType } from '../engines/engine.ts';

export const CHECKPOINT_FORMAT = 'microgpt';
export const CHECKPOINT_VERSION = 1;

export type { Checkpoint, CheckpointTrain, ModelCheckpoint } from './checkpoint-types.ts';

/** A file that is not a checkpoint this version can read; the message says why. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const WIDTH: Record<string, number> = { F64: 8, F32: 4 };

/** The bytes of a .safetensors file: a checkpoint, or a weights-only one (without train, step, rng). */
export function saveCheckpoint(ckpt: ModelCheckpoint): Uint8Array {
  checkCheckpoint(ckpt, 'saveCheckpoint(checkpoint)', false);
  const shapes = stateDictShapes(ckpt.model);
  const dtype = ckpt.dtype === 'float32' ? 'F32' : 'F64';
  const width = WIDTH[dtype];
  const groups: [prefix: string, values: Float64Array][] = [['', ckpt.weights]];
  if (ckpt.adam) groups.push(['adam_m.', ckpt.adam.m], ['adam_v.', ckpt.adam.v]);
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    model: JSON.stringify(pickModel(ckpt.model)),
    vocab: JSON.stringify(ckpt.vocab),
  };
  if (ckpt.train) metadata.train = JSON.stringify(pickTrain(ckpt.train));
  if (ckpt.step !== undefined) metadata.step = String(ckpt.step);
  if (ckpt.rng) metadata.rng = JSON.stringify(ckpt.rng);
  metadata.dtype = ckpt.dtype;
  if (ckpt.dataHash !== undefined) metadata.data_hash = ckpt.dataHash;
  if (ckpt.engine) metadata.engine = ckpt.engine;
  const header: Record<string, object> = { __metadata__: metadata };
  let offset = 0;
  for (const [prefix] of groups) {
    for (const [name, rows, cols] of shapes) {
      const bytes = rows * cols * width;
      header[prefix + name] = { dtype, shape: [rows, cols], data_offsets: [offset, offset + bytes] };
      offset += bytes;
    }
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.length + ((8 - (json.length % 8)) % 8); // padded with spaces: the data starts 8-byte aligned in the file
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, values] of groups) {
    for (let i = 0; i < values.length; i++, at += width) {
      if (width === 8) view.setFloat64(at, values[i], true);
      else view.setFloat32(at, values[i], true);
    }
  }
  return out;
}

/** A checkpoint to train from; a file without the training state (train, step, rng) is refused, saying what it lacks (loadModelCheckpoint reads it). */
export function loadCheckpoint(bytes: Uint8Array): Checkpoint {
  const c = readCheckpoint(bytes, 'loadCheckpoint(bytes)');
  const missing = missingTraining(c);
  if (missing.length > 0) throw new CheckpointError(noTrainingText(missing, 'metadata'));
  return { ...c, dataHash: c.dataHash ?? '' } as Checkpoint;
}

/** A checkpoint to sample from and evaluate with: a full one, or a weights-only one (format, version, model, vocab and the weights). */
export function loadModelCheckpoint(bytes: Uint8Array): ModelCheckpoint {
  return readCheckpoint(bytes, 'loadModelCheckpoint(bytes)');
}

interface Entry {
  dtype: unknown;
  shape: unknown;
  start: number;
  end: number;
}

/** The safetensors layout: header length, a JSON object, tensors that tile the data to its end. */
function readLayout(bytes: Uint8Array): { meta: unknown; entries: Map<string, Entry>; view: DataView; dataStart: number } {
  if (bytes.length < 8) throw new CheckpointError(`truncated: ${bytes.length} bytes, not even a safetensors header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength < 2 || headerLength > 100_000_000) throw new CheckpointError('not a safetensors file (implausible header length)');
  if (8 + headerLength > bytes.length)
    throw new CheckpointError(`truncated: the header needs ${8 + headerLength} bytes, the file has ${bytes.length}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new CheckpointError('not a safetensors file (the header is not JSON)');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new CheckpointError('not a safetensors file (the header is not a JSON object)');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries = new Map<string, Entry>();
  for (const [name, e] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (e ?? {}) as Record<string, unknown>;
    const [start, end] = Array.isArray(offsets) && offsets.length === 2 ? (offsets as number[]) : [];
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
      throw new CheckpointError(`corrupt tensor entry ${name} (data_offsets must be two byte offsets, start <= end)`);
    if (end > dataLength)
      throw new CheckpointError(`truncated: tensor ${name} ends at byte ${dataStart + end}, the file has ${bytes.length}`);
    entries.set(name, { dtype, shape, start, end });
  }
  return { meta: (header as Record<string, unknown>).__metadata__, entries, view, dataStart };
}

/** The tensors tile the data, from its first byte to its last, without gap or overlap (as safetensors requires). */
function checkTiling(entries: Map<string, Entry>, dataLength: number): void {
  const spans = [...entries].sort(([, a], [, b]) => a.start - b.start || a.end - b.end);
  let pos = 0;
  spans.forEach(([name, { start, end }], i) => {
    if (start < pos) throw new CheckpointError(`corrupt: tensors ${spans[i - 1][0]} and ${name} overlap in the data`);
    if (start > pos) throw new CheckpointError(`corrupt: bytes ${pos} to ${start} of the data belong to no tensor`);
    pos = end;
  });
  if (pos < dataLength) throw new CheckpointError(`corrupt: the last ${dataLength - pos} bytes of data belong to no tensor`);
}

/** 12,345 */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function readCheckpoint(bytes: Uint8Array, where: string): ModelCheckpoint {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `${where}: bytes must be a Uint8Array (a Node Buffer is one), got ${shown(bytes)}${(bytes as unknown) instanceof ArrayBuffer ? '; pass new Uint8Array(buffer)' : ''}`,
    );
  }
  const { meta, entries, view, dataStart } = readLayout(bytes);
  if (typeof meta !== 'object' || meta === null || (meta as Record<string, unknown>).format !== CHECKPOINT_FORMAT)
    throw new CheckpointError('a safetensors file, but not a microgpt checkpoint (no microgpt metadata)');
  const corrupt = (problem: string): never => {
    throw new CheckpointError(`corrupt metadata: ${problem}`);
  };
  const strings = meta as Record<string, unknown>;
  for (const [key, v] of Object.entries(strings)) {
    if (typeof v !== 'string')
      corrupt(
        `${key} must be a string (safetensors metadata values are strings), got ${typeof v === 'number' ? `the number ${v}` : shown(v)}`,
      );
  }
  const m = strings as Record<string, string | undefined>;
  if (m.version !== String(CHECKPOINT_VERSION))
    throw new CheckpointError(`checkpoint version ${m.version}; this microgpt reads version ${CHECKPOINT_VERSION}`);
  const parse = (key: string): unknown => {
    const raw = m[key];
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      return corrupt(`${key} is not JSON`);
    }
  };
  const model = parse('model') as ModelConfig;
  if (model === undefined) corrupt('no model');
  const vocab = parse('vocab') as string[];
  if (vocab === undefined) corrupt('no vocab');
  const fail = (p: string | undefined) => p && corrupt(p);
  fail(modelProblem(model));
  fail(vocabProblem(vocab, model));
  const train = withTrainDefaults(parse('train')) as Checkpoint['train'] | undefined; // a key it lacks: the setting's default
  if (train !== undefined) fail(trainProblem(train));
  let step: number | undefined;
  if (m.step !== undefined) {
    if (!/^(0|[1-9]\d*)$/.test(m.step)) corrupt(`step must be a whole number of steps done, got ${JSON.stringify(m.step)}`);
    step = Number(m.step);
    fail(stepProblem(step, train));
  }
  const rng = parse('rng') as RandomState | undefined;
  if (rng !== undefined) fail(rngProblem(rng));
  if (m.dtype !== undefined) fail(dtypeProblem(m.dtype));
  if (m.engine !== undefined && !isOneOf(ENGINES, m.engine))
    corrupt(`engine must be one of ${ENGINES.join(', ')}, got ${JSON.stringify(m.engine)}`);

  const n = numParams(model);
  const dataLength = bytes.length - dataStart;
  if (n * 4 > dataLength)
    corrupt(
      `the model has ${grouped(n)} parameters (at least ${grouped(n * 4)} bytes); the file holds ${grouped(dataLength)} bytes of tensor data`,
    );
  const shapes = stateDictShapes(model);
  const known = new Set(['', 'adam_m.', 'adam_v.'].flatMap((prefix) => shapes.map(([name]) => prefix + name)));
  for (const name of entries.keys())
    if (!known.has(name)) throw new CheckpointError(`corrupt: tensor ${name} is not part of the model the metadata describes`);
  const read = (name: string, rows: number, cols: number, out: Float64Array, at: number): string => {
    const { dtype, shape, start, end } = entries.get(name)!;
    const width = typeof dtype === 'string' ? WIDTH[dtype] : undefined;
    if (!width)
      throw new CheckpointError(`tensor ${name} has dtype ${typeof dtype === 'string' ? dtype : shown(dtype)}; microgpt reads F64 and F32`);
    if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== rows || shape[1] !== cols)
      throw new CheckpointError(`tensor ${name} has shape ${JSON.stringify(shape)}; the model needs [${rows},${cols}]`);
    if (end - start !== rows * cols * width)
      throw new CheckpointError(
        `corrupt tensor entry ${name} (its data_offsets span ${end - start} bytes; ${dtype} [${rows},${cols}] needs ${rows * cols * width})`,
      );
    for (let i = 0, b = dataStart + start; i < rows * cols; i++, b += width)
      out[at + i] = width === 8 ? view.getFloat64(b, true) : view.getFloat32(b, true);
    return dtype as string;
  };
  const gather = (prefix: string, what: string, nonNegative = false): [Float64Array, Set<string>] | undefined => {
    if (prefix && shapes.every(([name]) => !entries.has(prefix + name))) return undefined;
    const flat = new Float64Array(n);
    const dtypes = new Set<string>();
    let k = 0;
    for (const [name, rows, cols] of shapes) {
      if (!entries.has(prefix + name)) throw new CheckpointError(`missing tensor ${prefix + name}`);
      dtypes.add(read(prefix + name, rows, cols, flat, k));
      const bad = badValue(flat.subarray(k, k + rows * cols), nonNegative);
      if (bad) throw new CheckpointError(`corrupt: ${what} ${prefix + name} has a value that is ${bad}`);
      k += rows * cols;
    }
    return [flat, dtypes];
  };
  const [weights, dtypes] = gather('', 'weight tensor')!;
  const adamM = gather('adam_m.', "Adam's first moment");
  const adamV = gather('adam_v.', "Adam's second moment", true);
  if ((adamM === undefined) !== (adamV === undefined)) throw new CheckpointError('corrupt: one of the Adam moments is missing');
  checkTiling(entries, dataLength);
  const dtype: DType = m.dtype === undefined ? (dtypes.has('F64') ? 'float64' : 'float32') : (m.dtype as DType);
  const c: ModelCheckpoint = { model: pickModel(model), vocab, dtype, weights };
  if (adamM && adamV) c.adam = { m: adamM[0], v: adamV[0] };
  if (train !== undefined) c.train = pickTrain(train);
  if (step !== undefined) c.step = step;
  if (rng !== undefined) c.rng = rng;
  if (m.data_hash !== undefined) c.dataHash = m.data_hash;
  if (m.engine !== undefined && isOneOf(ENGINES, m.engine)) c.engine = m.engine;
  return c;
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
