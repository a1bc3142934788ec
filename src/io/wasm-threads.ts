/**
 * Helper threads for the wasm engine in Node: worker_threads running
 * wasm-helper.ts, each handed the shared memory, the module and its index,
 * and ready before the engine blocks on them (the protocol is
 * src/engines/wasm/threads.ts). Unref'd: a process whose work is done exits
 * without closing them. Call enableRelaxedSimd() first for the fused kernels.
 */
import { Worker } from 'node:worker_threads';
import type { DType } from '../engines/engine.ts';
import { kernelModule } from '../engines/wasm/kernels.ts';
import { sharedMemory, type HelperInit, type ThreadHelpers } from '../engines/wasm/threads.ts';

/**
 * A worker running wasm-helper: built, dist/io/wasm-helper.js (named from
 * dist/io/ up and down again, so that the same words find it from the CLI's
 * one-file bundle in dist/cli/, scripts/bundle-cli.mjs); from the sources
 * (tests, bench, under tsx), the .ts through tsx's loader, which a worker
 * does not inherit from --import.
 */
function newHelper(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('../io/wasm-helper.js', import.meta.url));
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const helper = JSON.stringify(new URL('./wasm-helper.ts', import.meta.url).href);
  return new Worker(`import(${api}).then(({ register }) => { register(); return import(${helper}); })`, { eval: true });
}

/** Starts `count` helper threads for one wasm engine of the given dtype (threads = count + 1) and resolves once each holds its init. */
export async function spawnHelpers(count: number, dtype: DType = 'float64'): Promise<ThreadHelpers> {
  const memory = sharedMemory();
  const { module, relaxed } = kernelModule(true, undefined, dtype); // relaxed where supported (float32 only)
  const workers = Array.from({ length: count }, () => newHelper());
  try {
    await Promise.all(
      workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.once('exit', (code) => reject(new Error(`wasm helper thread exited (${code}) before it was ready`)));
            w.postMessage({ memory, module, index: i + 1 } satisfies HelperInit);
          }),
      ),
    );
  } catch (e) {
    for (const w of workers) void w.terminate();
    throw e;
  }
  for (const w of workers) {
    w.removeAllListeners();
    w.unref();
  }
  let closed = false;
  return {
    count,
    memory,
    module,
    relaxed,
    dtype,
    close: () => {
      closed = true;
      for (const w of workers) void w.terminate();
    },
    get closed() {
      return closed;
    },
  };
}
