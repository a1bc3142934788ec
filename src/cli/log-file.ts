/** --log FILE: a JSON-lines record per step, written atomically when training ends (or is interrupted). */
import { writeFileAtomic } from './files.ts';
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

export class StepLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly path: string,
    header: LogHeader,
  ) {
    this.lines.push(JSON.stringify({ run: header }));
  }

  add(e: StepEvent): void {
    const record: Record<string, number> = {
      step: e.step,
      loss: e.loss,
      lr: e.lr,
      tokens_per_sec: e.ms > 0 ? Math.round((e.tokens / e.ms) * 1000) : 0,
    };
    if (e.valLoss !== undefined) record.val_loss = e.valLoss;
    this.lines.push(JSON.stringify(record));
  }

  save(): void {
    writeFileAtomic(this.path, this.lines.join('\n') + '\n');
  }
}
