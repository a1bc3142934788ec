/**
 * Helper threads for the wasm engine in the page: module workers running
 * wasm-helper.ts (the protocol is src/engines/wasm/threads.ts). They share
 * memory, so they need a cross-origin isolated page (COOP: same-origin and
 * COEP: require-corp, as the Vite servers send); elsewhere training runs on
 * the training worker's one thread. Each helper gets its init before training
 * starts (a nested worker gets no message while its parent blocks). One pool
 * at a time: a new run closes the last run's helpers.
 */
import type { DType } from '../engines/engine.ts';
import { kernelModule } from '../engines/wasm/kernels.ts';
import { MAX_THREADS, sharedMemory, type HelperInit, type ThreadHelpers } from '../engines/wasm/threads.ts';

let current: ThreadHelpers | undefined;

/** Threads for a batch here: one per core, at most the batch size; 1 unless the page is cross-origin isolated. */
export function pageThreads(batchSize: number): number {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, batchSize, MAX_THREADS));
}

/** Started helpers running the kernels of dtype for a run of this batch size (undefined for one thread); closes the previous run's. */
export async function pageHelpers(batchSize: number, dtype: DType): Promise<ThreadHelpers | undefined> {
  current?.close();
  current = undefined;
  const count = pageThreads(batchSize) - 1;
  if (count < 1) return undefined;
  const memory = sharedMemory();
  const { module, relaxed } = kernelModule(true, undefined, dtype);
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./wasm-helper.ts', import.meta.url), { type: 'module', name: 'wasm-helper' }),
  );
  await Promise.all(
    workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          w.onmessage = () => resolve();
          w.onerror = (e) => reject(new Error(`a wasm helper thread failed to start: ${e.message}`));
          w.postMessage({ memory, module, index: i + 1 } satisfies HelperInit);
        }),
    ),
  );
  current = {
    count,
    memory,
    module,
    relaxed,
    dtype,
    close: () => {
      for (const w of workers) w.terminate();
    },
  };
  return current;
}
