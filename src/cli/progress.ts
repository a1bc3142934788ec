/**
 * Training progress. Not a terminal: the original's lines, one per step
 * (plus a line when the validation loss is measured). A terminal: one live
 * status line with loss, its moving average, learning rate, speed and time left.
 */
import { formatFixed, stepHead, stepLine } from '../core/format.ts';
import type { StepEvent } from '../core/train.ts';
import type { LineWriter } from './output.ts';

const REDRAW_MS = 50;

export class Progress {
  private avgLoss = 0;
  private avgMs = 0;
  private avgTokens = 0;
  private seen = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: LineWriter,
    private readonly live: boolean,
    /** The engine, shown at the end of the live line ('fast', 'wasm x2'). */
    private readonly engine = '',
  ) {}

  step(e: StepEvent): void {
    const head = stepHead(e.step, e.numSteps);
    // exponential moving averages, bias-corrected over the first steps
    this.seen++;
    const k = Math.max(0.02, 1 / this.seen);
    this.avgLoss += k * (e.loss - this.avgLoss);
    this.avgMs += k * (e.ms - this.avgMs);
    this.avgTokens += k * (e.tokens - this.avgTokens);
    if (!this.live) {
      this.out.write(`${stepLine(e.step, e.numSteps, e.loss)}\n`);
      if (e.valLoss !== undefined) this.out.write(`${head} | val loss ${formatFixed(e.valLoss, 4)}\n`);
      return;
    }
    if (e.valLoss !== undefined)
      this.out.write(`\r\x1b[K${head} | loss ${formatFixed(e.loss, 4)} | val loss ${formatFixed(e.valLoss, 4)}\n`);
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && e.step < e.numSteps) return;
    this.lastDraw = now;
    const tokensPerSecond = (this.avgTokens / this.avgMs) * 1000;
    const left = ((e.numSteps - e.step) * this.avgMs) / 1000;
    this.out.write(
      `\r\x1b[K${head} | loss ${formatFixed(e.loss, 4)} | avg ${formatFixed(this.avgLoss, 4)} | lr ${e.lr.toPrecision(3)}` +
        ` | ${this.avgMs < 1 ? this.avgMs.toFixed(3) : this.avgMs.toFixed(1)} ms/step | ${Math.round(tokensPerSecond)} tok/s | ${formatDuration(left)} left${this.engine ? ` | ${this.engine}` : ''}`,
    );
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
