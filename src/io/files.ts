/**
 * Node file access shared by the CLI and the library's Node entry: the one
 * atomic write, the one reader (regular files only, with a size limit), and
 * errno codes as words.
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decodeText, mib, sizeProblem, TEXT_LIMIT } from '../core/text-file.ts';

export { TEXT_LIMIT } from '../core/text-file.ts';

/** A failed read or write, worded for a person: 'cannot write out.st: permission denied'. */
export class FileError extends Error {
  override name = 'FileError';
}

const MiB = 2 ** 20;
/** The largest checkpoint read: 2 GiB (about 89 million parameters with Adam's moments in float64). */
export const CHECKPOINT_LIMIT = 2048 * MiB;

/** An errno code as words ('no such file'), else the error's own message. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a parent is not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the file name is too long',
    EEXIST: 'a file of that name appeared meanwhile',
    EMFILE: 'too many open files (raise ulimit -n)',
    ENFILE: 'too many open files on the system',
  };
  return (code && words[code]) ?? (e as Error).message;
}

/** What a file is, when it is not a regular file: 'a directory', 'a FIFO', 'a character device'. */
export function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return s.isFile() ? 'a regular file' : 'not a file';
}

/**
 * A regular file's bytes, at most limit of them. what names the file in
 * messages ('data file', 'checkpoint'). Opened without blocking (a FIFO with
 * no writer would wait forever), checked to be a regular file, and read up
 * to the limit even if it grows meanwhile.
 */
export function readRegularFile(path: string, what: string, limit: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new FileError(`cannot read ${what} ${path}: ${errnoText(e)}`);
  }
  try {
    const s = fstatSync(fd);
    if (s.isDirectory()) throw new FileError(`${what} ${path} is a directory`);
    if (!s.isFile()) throw new FileError(`${what} ${path} is not a regular file (${kindOf(s)})`);
    const kind = what === 'checkpoint' ? 'checkpoints' : 'text';
    const tooBig = (size: number) => new FileError(`${what} ${path} ${sizeProblem(size, limit, kind) ?? `is ${mib(size)}`}`);
    if (s.size > limit) throw tooBig(s.size);
    // the size may be stale (a file being written, /proc): read to the end, one byte past the limit at most
    let buf = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(s.size + 1, 65536)));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, 2 * buf.length));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > limit) throw tooBig(n);
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(`cannot read ${what} ${path}: ${errnoText(e)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * A text file as a string: regular, at most TEXT_LIMIT bytes, UTF-8. A
 * byte-order mark stays a character (U+FEFF), as Python's open() reads it.
 */
export function readTextFile(path: string, what = 'data file'): string {
  const decoded = decodeText(readRegularFile(path, what, TEXT_LIMIT));
  if ('problem' in decoded) throw new FileError(`${what} ${path} ${decoded.problem}`);
  return decoded.text;
}

/** A checkpoint file's bytes: regular, at most CHECKPOINT_LIMIT. */
export function readCheckpointBytes(path: string): Uint8Array {
  return readRegularFile(path, 'checkpoint', CHECKPOINT_LIMIT);
}

/**
 * The name of a temporary file this process writes path through: the pid and 16 random hex digits, so that
 * two processes never share one (two containers on one volume both run as pid 1), nor can another user
 * plant a link at it beforehand. The bytes come from the global Web Crypto: node:crypto takes milliseconds to
 * load, and most runs write no file.
 */
export const tempNameFor = (path: string): string =>
  `${path}.${process.pid}-${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex')}.tmp`;

/** A temporary name tempNameFor made for a file whose name starts with prefix: the pid, or undefined. */
function tempPid(name: string, prefix: string): number | undefined {
  const m = /^([1-9]\d{0,9})-[0-9a-f]{16}\.tmp$/.exec(name.slice(prefix.length));
  return name.startsWith(prefix) && m ? Number(m[1]) : undefined;
}

/** A temporary file is stale when its process is gone and nothing has written it for this long (a save elsewhere is still writing). */
const STALE_MS = 10 * 60_000;

/** Writes all of data to a new file made exclusively (never through a link, never over an existing file), flushed to the disk. */
function writeNewFile(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let n = 0; n < bytes.length;) n += writeSync(fd, bytes, n, bytes.length - n);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes a file if it is there; a failure to remove never hides the error that led here. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // the first error is the one to report
  }
}

/**
 * Whether a file at path can be written as writeFileAtomic writes it: a temporary file of the real kind of
 * name is made in its directory and removed (a name too long, a full or read-only disk, no file descriptors
 * left all show here, before any work). The reason, or undefined.
 */
export function tempFileProblem(path: string): string | undefined {
  const tmp = tempNameFor(path);
  try {
    writeNewFile(tmp, '');
  } catch (e) {
    return errnoText(e);
  }
  removeQuietly(tmp);
  return undefined;
}

/**
 * Writes to a temporary name beside the file, then renames: a killed process
 * never leaves a truncated file. After a good save, the temporary files that
 * dead processes left for the same path (kill -9 during a save) are removed.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = tempNameFor(path);
  try {
    writeNewFile(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw new FileError(`cannot write ${path}: ${errnoText(e)}`);
  }
  removeStaleTemps(path);
}

/** Removes the temporary files, of names only this program makes, that dead processes left for path. */
function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = tempPid(name, prefix);
    if (pid === undefined || pid === process.pid || isAlive(pid)) continue;
    const file = join(dir, name);
    try {
      if (Date.now() - statSync(file).mtimeMs < STALE_MS) continue;
    } catch {
      continue;
    }
    removeQuietly(file);
  }
}

/** Whether a process exists (one of another user counts: kill answers EPERM). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
