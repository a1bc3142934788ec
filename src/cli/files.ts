/** Checkpoint files for the CLI, read with one-line errors. */
import {
  CheckpointError,
  loadCheckpoint,
  loadModelCheckpoint,
  saveCheckpoint,
  type Checkpoint,
  type ModelCheckpoint,
} from '../core/checkpoint.ts';
import { readCheckpointBytes, writeFileAtomic } from '../io/files.ts';
import { helpLine, type Flags } from './args.ts';
import { UsageError } from './errors.ts';

export { writeFileAtomic } from '../io/files.ts';

export function readCheckpointFile(path: string): Checkpoint;
/** modelOnly: a weights-only checkpoint (no training state) is enough, as for sample and eval. */
export function readCheckpointFile(path: string, modelOnly: true): ModelCheckpoint;
export function readCheckpointFile(path: string, modelOnly = false): ModelCheckpoint {
  const bytes = readCheckpointBytes(path);
  try {
    return modelOnly ? loadModelCheckpoint(bytes) : loadCheckpoint(bytes);
  } catch (e) {
    if (e instanceof CheckpointError) throw new UsageError(`checkpoint ${path}: ${e.message}`);
    throw e;
  }
}

/** sample's and eval's --model. */
export const MODEL_FILE_HELP = helpLine(
  '--model FILE',
  'a checkpoint written by microgpt train --out, or a weights-only one (model, vocab, weights) (required)',
);

/** The checkpoint named by a command's --model flag (weights-only is enough). */

export function readModelFlag(flags: Flags, command: string): ModelCheckpoint {
  const path = typeof flags.model === 'string' ? flags.model : undefined;
  if (!path) throw new UsageError(`${command} needs --model FILE (see --help)`);
  return readCheckpointFile(path, true);
}

export function writeCheckpointFile(path: string, ckpt: Checkpoint): void {
  writeFileAtomic(path, saveCheckpoint(ckpt));
}
