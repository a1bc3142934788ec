/**
 * Node file access shared by the CLI and the library's Node entry: the one
 * atomic write, and errno codes as words.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** A failed read or write, worded for a person: 'cannot write out.st: permission denied'. */
export class FileError extends Error {
  override name = 'FileError';
}

/** An errno code as words ('no such file'), else the error's own message. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a parent is not a directory', EROFS: 'read-only file system', ENOSPC: 'no space left on the device' };
  return (code && words[code]) ?? (e as Error).message;
}

/** Writes to a temporary name beside the file, then renames: a killed process never leaves a truncated file. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new FileError(`cannot write ${path}: ${errnoText(e)}`);
  }
}

/** A file's bytes; what names the file in messages ('data file', 'checkpoint'). */
export function readFileBytes(path: string, what: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw new FileError(`${what} ${path} is a directory`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(`cannot read ${what} ${path}: ${errnoText(e)}`);
  }
}
