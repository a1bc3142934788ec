/**
 * The Node entry of microgpt: everything of the browser-safe entry, plus
 * checkpoint files (written atomically) and text files. `import ... from 'microgpt'`
 * resolves here under Node.
 */
import { readFileSync } from 'node:fs';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from './core/checkpoint.ts';
import { writeFileAtomic } from './io/files.ts';
import { enableRelaxedSimd } from './io/wasm-node.ts';

enableRelaxedSimd(); // the wasm engine's fused multiply-add (Node 20 has relaxed SIMD behind a flag)

export { FileError } from './io/files.ts';
/** Helper threads for the wasm engine: `startRun({ ..., engine: 'wasm', helpers: await spawnHelpers(1) })` trains on 2 threads. */
export { spawnHelpers } from './io/wasm-threads.ts';

export * from './index.ts';

/** Reads a checkpoint file (throws CheckpointError for a file that is not one). */
export function readCheckpointFile(path: string): Checkpoint {
  return loadCheckpoint(readFileSync(path));
}

/** Writes a checkpoint to a temporary name beside path, then renames it into place. */
export function writeCheckpointFile(path: string, checkpoint: Checkpoint): void {
  writeFileAtomic(path, saveCheckpoint(checkpoint));
}

/** The text of a file, for train({ text }). */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
