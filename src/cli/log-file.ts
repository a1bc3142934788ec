/**
 * --log FILE: a JSON-lines record per step, written as steps finish. At the
 * start, the run header (after the records a resume keeps) goes to a
 * temporary file renamed to FILE, so what was there is replaced whole; then
 * each step's line is appended, flushed at least every second, and flushed
 * to the disk at every save: a run killed even with -9 keeps its history up
 * to its last save. A run that diverges puts back what FILE held before.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { errnoText, FileError, writeFileAtomic } from '../io/files.ts';
import type { KeptLog } from './log-read.ts';
import type { StepEvent } from '../core/train.ts';

export interface LogHeader {
  vocab_size: number;
  model: object;
  train: object;
  /** The engine that trained, its dtype, and its threads. */
  engine?: string;
  dtype?: string;
  threads?: number;
}

/** Lines are gathered and written at most this long apart (and at every save). */
const FLUSH_MS = 1000;

export class StepLog {
  private pending = '';
  private lastFlush = performance.now();
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** before is what path held (undefined: nothing), put back by discard(). */
  private constructor(
    private readonly path: string,
    private readonly before: Buffer | undefined,
  ) {}

  /** Starts the log at path: kept's lines (a resume's), then the header; a resumed run's header says the step it resumed at. */
  static open(path: string, header: LogHeader, kept?: KeptLog, resumedAt?: number): StepLog {
    const log = new StepLog(path, readIfThere(path));
    const head = JSON.stringify(resumedAt ? { run: header, resumed_at: resumedAt } : { run: header });
    writeFileAtomic(path, `${kept?.text ?? ''}${head}\n`);
    try {
      log.fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
    } catch (e) {
      throw new FileError(`cannot write ${path}: ${errnoText(e)}`);
    }
    return log;
  }

  add(e: StepEvent): void {
    const record: Record<string, number> = {
      step: e.step,
      loss: e.loss,
      lr: e.lr,
      tokens_per_sec: e.ms > 0 ? Math.round((e.tokens / e.ms) * 1000) : 0,
    };
    if (e.valLoss !== undefined) record.val_loss = e.valLoss;
    this.pending += `${JSON.stringify(record)}\n`;
    if (performance.now() - this.lastFlush >= FLUSH_MS) this.flush();
    // a slow step after quick ones: the lines before it are written once the event loop gets its turn
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Writes the lines gathered so far to the file. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined) return;
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    this.lastFlush = performance.now();
    try {
      for (let n = 0; n < bytes.length;) n += writeSync(this.fd, bytes, n, bytes.length - n);
    } catch (e) {
      throw new FileError(`cannot write ${this.path}: ${errnoText(e)}`);
    }
  }

  /** At a save: every line so far written and flushed to the disk, before the checkpoint is. */
  save(): void {
    this.flush();
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  /** The last lines written and flushed to the disk; the file closed. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.save();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** The run diverged: nothing of it is kept, the file holds what it held before the run (or is gone, if it was not there). */
  discard(): void {
    clearTimeout(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.pending = '';
    if (this.before) writeFileAtomic(this.path, this.before);
    else rmSync(this.path, { force: true });
  }
}

/** A file's bytes, or undefined when it is not there. */
function readIfThere(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileError(`cannot read ${path}: ${errnoText(e)}`);
  }
}
