/**
 * The one place an error becomes what a person sees. Only our own error
 * types mean bad input (one line, exit 2); anything else is a bug in
 * microgpt: 'internal error', exit 1, with the stack and versions to report.
 */
import { CheckpointError } from '../core/checkpoint.ts';
import { DataError } from '../core/dataset.ts';
import { DivergedError } from '../core/errors.ts';
import { ConfigError } from '../core/settings.ts';
import { FileError } from '../io/files.ts';
import { UsageError } from './errors.ts';
import { VERSION } from './version.ts';

/** What a process told EMFILE says (main.ts keeps the same words for when this file itself cannot be loaded). */
export const TOO_MANY_FILES = 'too many open files: microgpt needs more file descriptors than ulimit -n allows (about 64; raise it)';

export interface Report {
  exitCode: number;
  /** What goes to stderr, ending in a newline. */
  text: string;
}

export function isBadInput(e: unknown): boolean {
  return (
    e instanceof UsageError ||
    e instanceof FileError ||
    e instanceof ConfigError ||
    e instanceof DataError ||
    e instanceof CheckpointError ||
    e instanceof DivergedError
  );
}

export function reportError(e: unknown): Report {
  if (isBadInput(e)) {
    const message = e instanceof ConfigError ? e.describe((s) => `--${s.flag}`) : (e as Error).message;
    return { exitCode: 2, text: `microgpt: ${message}\n` };
  }
  // too few file descriptors (ulimit -n) to load a module, start a helper thread or open a file: no bug either
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EMFILE' || code === 'ENFILE') return { exitCode: 2, text: `microgpt: ${TOO_MANY_FILES}\n` };
  // a helper thread that could not even start says so only in its message: 'Worker initialization failure: EMFILE'
  if (code === 'ERR_WORKER_INIT_FAILED' && /\b(EMFILE|ENFILE)\b/.test((e as Error).message))
    return { exitCode: 2, text: `microgpt: ${TOO_MANY_FILES}\n` };
  // the wasm engine reserves about 10 GiB of address space for its memory: under ulimit -v that fails, which is no bug
  if (e instanceof RangeError && /^WebAssembly\.Memory\(\): could not allocate memory/.test(e.message)) {
    const text = `microgpt: the wasm engine cannot reserve its memory (${e.message}; it needs about 10 GiB of address space: is ulimit -v set?): use --engine fast\n`;
    return { exitCode: 2, text };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const stack = (err.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .join('\n');
  return {
    exitCode: 1,
    text: `microgpt: internal error: ${err.name}: ${err.message}\n${stack ? `${stack}\n` : ''}microgpt ${VERSION}, node ${process.version}, ${process.platform}-${process.arch}: this is a bug; please report it with the command line\n`,
  };
}
