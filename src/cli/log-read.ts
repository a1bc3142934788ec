/**
 * Reading a --log file back: plot draws it, and a resume keeps its records up
 * to the checkpoint's step. A log is written as steps finish, so a run killed
 * mid-write can leave a torn last line (no newline, not JSON): readers drop it.
 */
import { lstatSync } from 'node:fs';
import type { ModelConfig } from '../core/config.ts';
import type { LossPoint } from '../core/plot.ts';
import { readRegularFile, TEXT_LIMIT } from '../io/files.ts';
import { UsageError } from './errors.ts';

/** One line of a log: a run header (a resumed run adds one, with the step it resumed at), or a step's record. */
export type LogRecord =
  | { kind: 'run'; text: string; vocabSize: number; model: unknown; train: unknown; resumedAt?: number }
  | { kind: 'step'; text: string; point: LossPoint };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The records of a log's text; where names it in messages ('l.jsonl', '--log l.jsonl').
 * Any line that is not a record, or a value that is not a finite number, is refused;
 * a last line without its newline that is not JSON is a torn write, and dropped.
 */
export function parseLogRecords(text: string, where: string): LogRecord[] {
  const records: LogRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const at = `${where}: line ${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) return; // torn: the run was killed while writing it
      throw new UsageError(`${at} is not JSON (is this a microgpt --log file?)`);
    }
    if (!isObject(record) || !(isObject(record.run) || 'step' in record))
      throw new UsageError(`${at} is not a record of a microgpt --log file`);
    const finite = (o: Record<string, unknown>, key: string): number => {
      const v = o[key];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new UsageError(`${at}: ${key} is not a finite number (${typeof v === 'number' ? v : (JSON.stringify(v) ?? 'missing')})`);
      return v;
    };
    if (isObject(record.run)) {
      const vocabSize = finite(record.run, 'vocab_size');
      if (!Number.isInteger(vocabSize) || vocabSize < 2)
        throw new UsageError(`${at}: vocab_size is not an integer of at least 2 (${vocabSize})`);
      const resumedAt = 'resumed_at' in record ? finite(record, 'resumed_at') : undefined;
      records.push({ kind: 'run', text: line, vocabSize, model: record.run.model, train: record.run.train, resumedAt });
      return;
    }
    const point: LossPoint = {
      step: finite(record, 'step'),
      loss: finite(record, 'loss'),
      ...('val_loss' in record ? { val_loss: finite(record, 'val_loss') } : {}),
    };
    records.push({ kind: 'step', text: line, point });
  });
  return records;
}

/** What a resume keeps of the log it continues: its lines up to the checkpoint's step, and their points for --plot. */
export interface KeptLog {
  readonly text: string;
  readonly points: readonly LossPoint[];
}

/**
 * The log at path that a run resumed at step continues: undefined when there is none (or it is empty), to start
 * afresh. One of another run (a model or vocabulary unlike the checkpoint's), or not a log, is refused in one line.
 */
export function keptLog(
  path: string,
  model: ModelConfig,
  step: number,
  train?: { readonly seed: number; readonly batchSize: number },
): KeptLog | undefined {
  try {
    lstatSync(path);
  } catch {
    return undefined; // no log yet (any other problem with the path was reported by checkOutputs)
  }
  const where = `--log ${path}`;
  const bytes = readRegularFile(path, 'log file', TEXT_LIMIT);
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${where} is not UTF-8 text (is this a microgpt --log file?)`);
  }
  const records = parseLogRecords(text, where);
  if (records[0]?.kind !== 'run') throw new UsageError(`${where}: no run header first (is this a microgpt --log file?)`);
  for (const r of records) {
    if (r.kind !== 'run') continue;
    const what =
      r.vocabSize !== model.vocabSize
        ? 'vocabulary'
        : !sameModel(r.model, model)
          ? 'model'
          : train && !sameRun(r.train, train)
            ? 'seed or batch size'
            : undefined;
    if (what) throw new UsageError(`${where} is the log of another run (its ${what} differs from the checkpoint's)`);
  }
  const kept = records.filter((r) => (r.kind === 'run' ? (r.resumedAt ?? 0) <= step : r.point.step <= step));
  return {
    text: kept.map((r) => `${r.text}\n`).join(''),
    points: kept.flatMap((r) => (r.kind === 'step' ? [r.point] : [])),
  };
}

const MODEL_KEYS = ['vocabSize', 'nLayer', 'nEmbd', 'nHead', 'blockSize'] as const;

/** The settings that tell two runs of one model apart (a header that lacks them, as older logs may, is not refused for it). */
function sameRun(logged: unknown, train: { readonly seed: number; readonly batchSize: number }): boolean {
  if (!isObject(logged)) return true;
  return (['seed', 'batchSize'] as const).every((k) => logged[k] === undefined || logged[k] === train[k]);
}

function sameModel(logged: unknown, model: ModelConfig): boolean {
  return isObject(logged) && MODEL_KEYS.every((k) => logged[k] === model[k]);
}
