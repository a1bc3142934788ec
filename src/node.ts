/**
 * The Node entry of microgpt: everything of the browser-safe entry, plus
 * checkpoint files (written atomically) and text files. `import ... from 'microgpt'`
 * resolves here under Node.
 */
import { loadCheckpoint, loadModelCheckpoint, saveCheckpoint, type Checkpoint, type ModelCheckpoint } from './core/checkpoint.ts';
import { readCheckpointBytes, readTextFile, writeFileAtomic } from './io/files.ts';
import { enableRelaxedSimd } from './io/wasm-node.ts';
import { shown } from './core/arguments.ts';

enableRelaxedSimd(); // the wasm engine's fused multiply-add (Node 20 has relaxed SIMD behind a flag)

export { FileError } from './io/files.ts';
/** Helper threads for the wasm engine: `startRun({ ..., engine: 'wasm', helpers: await spawnHelpers(1) })` trains on 2 threads. */
export { spawnHelpers } from './io/wasm-threads.ts';

export * from './index.ts';

/** Reads a checkpoint file: a regular file of at most 2 GiB (else FileError), that is a checkpoint (else CheckpointError). */
export function readCheckpointFile(path: string): Checkpoint {
  checkPath('readCheckpointFile', path);
  return loadCheckpoint(readCheckpointBytes(path));
}

/** Reads a checkpoint file to sample from and evaluate with: a full one, or a weights-only one (loadModelCheckpoint). */
export function readModelCheckpointFile(path: string): ModelCheckpoint {
  checkPath('readModelCheckpointFile', path);
  return loadModelCheckpoint(readCheckpointBytes(path));
}

/** Writes a checkpoint to a temporary name beside path, then renames it into place. */
export function writeCheckpointFile(path: string, checkpoint: ModelCheckpoint): void {
  checkPath('writeCheckpointFile', path);
  writeFileAtomic(path, saveCheckpoint(checkpoint));
}

/** The text of a file, for train({ text }): a regular file of at most 256 MiB of UTF-8 (else FileError); a byte-order mark stays a character, as in Python. */
export function readText(path: string): string {
  checkPath('readText', path);
  return readTextFile(path, 'text file');
}

/** A path is a non-empty string (a FileError's message would otherwise be Node's, or String() of the value could throw). */
function checkPath(where: string, path: unknown): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${where}(path): path must be a file name, got ${shown(path)}`);
}
