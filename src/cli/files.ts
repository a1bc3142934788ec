/** Checkpoint files for the CLI, read with one-line errors. */
import { CheckpointError, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../core/checkpoint.ts';
import { readCheckpointBytes, writeFileAtomic } from '../io/files.ts';
import { checkMemory, MemoryError } from '../core/memory.ts';
import { memoryLimit, type Flags } from './args.ts';
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

/** The checkpoint named by a command's --model flag, refused if its model needs more memory than --max-memory allows for batches of batchSize. */
export function readModelFlag(flags: Flags, command: string, engine: string, batchSize: number): Checkpoint {
  const path = typeof flags.model === 'string' ? flags.model : undefined;
  if (!path) throw new UsageError(`${command} needs --model FILE (see --help)`);
  const ckpt = readCheckpointFile(path);
  try {
    checkMemory(ckpt.model, { batchSize, dtype: ckpt.dtype, engine }, memoryLimit(flags));
  } catch (e) {
    if (e instanceof MemoryError) throw new UsageError(`checkpoint ${path}: ${e.describe((s) => `--${s.flag}`)}${e.overLimit ? ' (--max-memory GIB raises it)' : ''}`);
    throw e;
  }
  return ckpt;
}

export function writeCheckpointFile(path: string, ckpt: Checkpoint): void {
  writeFileAtomic(path, saveCheckpoint(ckpt));
}
