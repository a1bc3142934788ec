/**
 * The Node entry of microgpt: everything of the browser-safe entry, plus
 * checkpoint files (written atomically) and text files. `import ... from 'microgpt'`
 * resolves here under Node.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from './core/checkpoint.ts';

export * from './index.ts';

/** Reads a checkpoint file (throws CheckpointError for a file that is not one). */
export function readCheckpointFile(path: string): Checkpoint {
  return loadCheckpoint(readFileSync(path));
}

/** Writes a checkpoint to a temporary name beside path, then renames it into place. */
export function writeCheckpointFile(path: string, checkpoint: Checkpoint): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, saveCheckpoint(checkpoint));
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The text of a file, for train({ text }). */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
