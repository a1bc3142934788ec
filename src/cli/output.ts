/**
 * Line output that stays cheap at thousands of lines per second: lines are
 * gathered and written at most every FLUSH_MS (and at the end), so progress
 * still streams to a pipe or a log while a fast run is not slowed by a write
 * per step. A closed stdout (`microgpt | head -3`) ends the run quietly.
 */
const FLUSH_MS = 100;

const closed = new AbortController();
/** Aborted when stdout's reader has gone (EPIPE). */
export const stdoutClosed: AbortSignal = closed.signal;
let exitWhenClosed = true;

/** Called once by main: a closed stdout exits with 0, unless a command stops on stdoutClosed itself (train saves first). */
export function watchStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      closed.abort();
      if (exitWhenClosed) process.exit(0);
      return;
    }
    process.stderr.write(`microgpt: cannot write to stdout: ${e.message}\n`);
    process.exit(2);
  });
}

/** The command handles stdoutClosed (stops, saves) instead of exiting at once. */
export function stopOnClosedStdout(): void {
  exitWhenClosed = false;
}

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
    if (this.pending && !(this.stream === process.stdout && stdoutClosed.aborted)) this.stream.write(this.pending);
    this.pending = '';
  }
}
