/**
 * The files a command writes, checked before any work: each must be a new
 * name in a writable directory or a regular file, and none may be a file the
 * command reads or another of its outputs (compared as files, so a symlink or
 * a path spelled another way counts).
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errnoText, kindOf, tempFileProblem } from '../io/files.ts';
import { UsageError } from './errors.ts';

/** A file the command reads or writes, and how messages name it ('the data file', '--out'). */
export interface NamedPath {
  path: string;
  name: string;
}

/** Why path cannot be written (the text follows the path: ' is a directory', ': the directory d does not exist'), or undefined. */
export function outputProblem(path: string): string | undefined {
  try {
    const s = statSync(path);
    if (s.isDirectory()) return `${path} is a directory`;
    if (!s.isFile()) return `${path} is not a regular file (${kindOf(s)})`;
    if ((s.mode & 0o222) === 0) return `${path} is read-only (chmod u+w it to let microgpt replace it)`; // a rename would replace it regardless
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${path}: ${errnoText(e)}`;
  }
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `${path}: ${dir} is not a directory`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${path}: the directory ${dir} does not exist`;
    if (code === 'ENOTDIR') return `${path}: a parent of ${dir} is not a directory`;
    return `${path}: ${errnoText(e)}`;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    return `${path}: cannot write in ${dir} (${errnoText(e)})`;
  }
  const problem = tempFileProblem(path); // the real temporary name, made and removed: a name too long, a full disk
  return problem && `${path}: cannot write in ${dir} (${problem})`;
}

/** What identifies a file: device and inode when it exists, else the real path of its directory plus its name. */
function identity(path: string): string {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * Refuses, with one line, an output that cannot be written or that is an
 * input or an earlier output. allowed lists [output, input] name pairs that
 * may be the same file (--out and --resume: continuing a run in place).
 */
export function checkOutputs(inputs: readonly NamedPath[], outputs: readonly NamedPath[], allowed: readonly [string, string][] = []): void {
  const seen: (NamedPath & { id: string })[] = inputs.map((p) => ({ ...p, id: identity(p.path) }));
  for (const out of outputs) {
    const problem = outputProblem(out.path);
    if (problem) throw new UsageError(`${out.name} ${problem}`);
    const id = identity(out.path);
    const same = seen.find((p) => p.id === id && !allowed.some(([o, i]) => o === out.name && i === p.name));
    if (same) throw new UsageError(`${out.name} ${out.path} is also ${same.name}`);
    seen.push({ ...out, id });
  }
}
