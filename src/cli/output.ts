/**
 * Line output that stays cheap at thousands of lines per second: lines are
 * gathered and written at most every FLUSH_MS (and at the end), so progress
 * still streams to a pipe or a log while a fast run is not slowed by a write
 * per step. A closed stdout (`microgpt | head -3`) ends the run quietly.
 */
import { errnoText } from '../io/files.ts';

const FLUSH_MS = 100;

const closed = new AbortController();
/** Aborted when stdout cannot be written any more: its reader has gone (EPIPE), its terminal hung up (EIO), or another error. */
export const stdoutClosed: AbortSignal = closed.signal;
/** Why stdout failed, when it was not a reader that went away (a full disk): the run says so and exits 2. */
export let stdoutFailure: string | undefined;
let exitWhenClosed = true;

/**
 * Called once by main. A reader that went away (microgpt | head -3) ends the
 * command quietly with exit 0; another failure with one line and exit 2.
 * A command that stops on stdoutClosed itself (train: it saves first) calls
 * stopOnClosedStdout(). Errors on stderr are dropped: there is nowhere left to report them.
 */
export function watchStdout(): void {
  let reported = false;
  const reportFailure = () => {
    if (!stdoutFailure || reported) return;
    reported = true;
    process.stderr.write(`microgpt: ${stdoutFailure}\n`);
  };
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (closed.signal.aborted) return;
    if (e.code !== 'EPIPE' && e.code !== 'EIO') stdoutFailure = `cannot write to stdout: ${errnoText(e)}`;
    closed.abort();
    if (!exitWhenClosed) return;
    reportFailure();
    process.exit(stdoutFailure ? 2 : 0);
  });
  // the last lines' write can fail after the command has finished (a full disk): still one line and exit 2
  // (a command that already failed, or said so itself and set its exit code, is not told twice)
  process.on('exit', () => {
    if (!stdoutFailure || reported || process.exitCode) return;
    reportFailure();
    process.exitCode = 2;
  });
  process.stderr.on('error', () => {});
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

/** C0 controls but tab and newline, DEL, and C1 controls: what a terminal would act on rather than show. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Text from the training data (sampled names) as a stream shows it: on a terminal, each control character
 * other than newline and tab as \xHH (ESC as the four characters \x1b), so a name cannot retitle the window
 * or move the cursor; to a pipe or a file, the text as it is, byte for byte.
 */
export function shownOn(stream: NodeJS.WriteStream, text: string): string {
  if (!stream.isTTY) return text;
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
