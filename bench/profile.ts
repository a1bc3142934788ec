/**
 * Where the wasm engine's step goes (float32 or float64): every kernel call
 * of thread 0 timed (one thread, so thread 0 does all the work), with the matrix products'
 * GFLOP/s. The engine's step calls its kernels from inside WebAssembly
 * (assembly/model.ts), where they cannot be timed one by one: here the same
 * step runs from JavaScript (src/engines/wasm/reference-step.ts, the same calls
 * in the same order), each call through a timer. Timing each call adds about
 * a microsecond per call; the shares are what matters.
 */
import { DEFAULT_TRAIN, initialWeights, type ModelConfig } from '../src/core/config.ts';
import { prepareDataset } from '../src/core/dataset.ts';
import { Random } from '../src/core/random.ts';
import { Trainer } from '../src/core/trainer.ts';
import { WasmEngine } from '../src/engines/wasm/engine.ts';
import type { Kernels } from '../src/engines/wasm/kernels.ts';
import type { Layout } from '../src/engines/wasm/layout.ts';
import { ReferenceStep } from '../src/engines/wasm/reference-step.ts';
import type { Views } from '../src/engines/wasm/threads.ts';
import type { DType } from '../src/engines/engine.ts';

export interface KernelTime {
  name: string;
  ms: number;
  share: number;
  gflops?: number;
}

/**
 * The core's clock, estimated: a chain of dependent integer operations runs
 * one per cycle, so chain length / time is the frequency. Median of 5.
 */
export function clockGHz(): number {
  const chain = (n: number) => {
    let x = 0;
    for (let i = 0; i < n; i++) {
      x = (x + i) | 0;
      x = (x ^ 3) | 0;
      x = (x + 7) | 0;
      x = (x ^ i) | 0;
    }
    return x;
  };
  chain(1e7);
  const ghz = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    chain(1e8);
    return (4 * 1e8) / ((performance.now() - t0) * 1e6);
  });
  return ghz.sort((a, b) => a - b)[2];
}

export async function profileWasm(
  text: string,
  shape: Omit<ModelConfig, 'vocabSize'>,
  batchSize: number,
  steps: number,
  dtype: DType = 'float32',
): Promise<KernelTime[]> {
  const rng = new Random(42);
  const data = prepareDataset(text, rng);
  const config: ModelConfig = { ...shape, vocabSize: data.tokenizer.vocabSize };
  const engine = new WasmEngine(config, initialWeights(config, rng), { dtype });
  const trainer = new Trainer(engine, data.train, { ...DEFAULT_TRAIN, batchSize, numSteps: steps + 10 });
  for (let i = 0; i < 10; i++) trainer.trainStep();
  // thread 0's step, from JavaScript, each kernel call through a timer
  const inside = engine as unknown as { model: unknown; k: Kernels; lay: Layout; v: Views };
  const kernels = inside.k;
  const ms = new Map<string, number>();
  const flops = new Map<string, number>();
  const timed = {} as Record<string, (...a: number[]) => number | void>;
  for (const [key, fn] of Object.entries(kernels) as [string, (...a: number[]) => number | void][]) {
    timed[key] = (...a: number[]) => {
      const t0 = performance.now();
      const r = fn(...a);
      const dt = performance.now() - t0;
      let name = key;
      if (key === 'gemm') {
        // gemm(c, a, b, M, K, N, sai, sak, mode): forward y = x W^T (mode 0), dx = dy W, dW += dy^T x (A read transposed)
        name = a[8] === 0 ? 'gemm: forward' : a[6] === 1 ? 'gemm: dW' : 'gemm: dx';
        flops.set(name, (flops.get(name) ?? 0) + 2 * a[3] * a[4] * a[5]);
      }
      ms.set(name, (ms.get(name) ?? 0) + dt);
      return r;
    };
  }
  inside.model = new ReferenceStep(timed as unknown as Kernels, inside.lay, 0, inside.v);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) trainer.trainStep();
  const total = performance.now() - t0;
  const rows: KernelTime[] = [...ms].map(([name, t]) => ({
    name,
    ms: t / steps,
    share: t / total,
    ...(flops.has(name) ? { gflops: flops.get(name)! / t / 1e6 } : {}),
  }));
  rows.sort((a, b) => b.ms - a.ms);
  const inKernels = rows.reduce((s, r) => s + r.ms, 0);
  rows.push({
    name: '(outside the kernels: JavaScript, calls, timing)',
    ms: total / steps - inKernels,
    share: 1 - (inKernels * steps) / total,
  });
  return rows;
}
