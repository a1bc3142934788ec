/**
 * Line output that stays cheap at thousands of lines per second: lines are
 * gathered and written at most every FLUSH_MS (and at the end), so progress
 * still streams to a pipe or a log while a fast run is not slowed by a write
 * per step.
 */
const FLUSH_MS = 100;

export class LineWriter {
  private pending = '';
  private lastFlush = performance.now();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  write(text: string): void {
    this.pending += text;
    const now = performance.now();
    if (now - this.lastFlush >= FLUSH_MS) {
      this.flush();
      this.lastFlush = now;
    }
  }

  flush(): void {
    if (this.pending) this.stream.write(this.pending);
    this.pending = '';
  }
}
