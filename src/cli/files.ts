/** File access for the CLI: atomic writes, and checkpoints read with one-line errors. */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { CheckpointError, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../core/checkpoint.ts';
import type { Flags } from './args.ts';
import { UsageError } from './errors.ts';

/** Writes to a temporary name beside the file, then renames: a killed process never leaves a truncated file. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readCheckpointFile(path: string): Checkpoint {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`checkpoint ${path} is a directory`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read checkpoint ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  try {
    return loadCheckpoint(bytes);
  } catch (e) {
    if (e instanceof CheckpointError) throw new UsageError(`checkpoint ${path}: ${e.message}`);
    throw e;
  }
}

/** The checkpoint named by a command's --model flag. */
export function readModelFlag(flags: Flags, command: string): Checkpoint {
  const path = typeof flags.model === 'string' ? flags.model : undefined;
  if (!path) throw new UsageError(`${command} needs --model FILE (see --help)`);
  return readCheckpointFile(path);
}

export function writeCheckpointFile(path: string, ckpt: Checkpoint): void {
  writeFileAtomic(path, saveCheckpoint(ckpt));
}
