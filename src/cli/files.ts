/** Checkpoint files for the CLI, read with one-line errors. */
import { CheckpointError, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../core/checkpoint.ts';
import { readCheckpointBytes, writeFileAtomic } from '../io/files.ts';
import type { Flags } from './args.ts';
import { UsageError } from './errors.ts';

export { writeFileAtomic } from '../io/files.ts';

export function readCheckpointFile(path: string): Checkpoint {
  const bytes = readCheckpointBytes(path);
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
