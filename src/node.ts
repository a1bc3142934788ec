/**
 * The Node entry of microgpt: everything of the browser-safe entry, plus
 * checkpoint files (written atomically) and text files. `import ... from 'microgpt'`
 * resolves here under Node.
 */
import { readFileSync } from 'node:fs';
import { loadCheckpoint, loadModelCheckpoint, saveCheckpoint, type Checkpoint, type ModelCheckpoint } from './core/checkpoint.ts';
import { writeFileAtomic } from './io/files.ts';

export { FileError } from './io/files.ts';

export * from './index.ts';

/** Reads a checkpoint file (throws CheckpointError for a file that is not one). */
export function readCheckpointFile(path: string): Checkpoint {
  return loadCheckpoint(readFileSync(path));
}

/** Reads a checkpoint file to sample from and evaluate with: a full one, or a weights-only one (loadModelCheckpoint). */
export function readModelCheckpointFile(path: string): ModelCheckpoint {
  return loadModelCheckpoint(readFileSync(path));
}

/** Writes a checkpoint to a temporary name beside path, then renames it into place. */
export function writeCheckpointFile(path: string, checkpoint: ModelCheckpoint): void {
  writeFileAtomic(path, saveCheckpoint(checkpoint));
}

/** The text of a file, for train({ text }). */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
