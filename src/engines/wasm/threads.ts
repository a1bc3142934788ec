/**
 * Data-parallel threads on one shared memory, environment-neutral (Node's
 * worker_threads spawner is in src/io/, the page's in src/web/). A spawner
 * makes the shared memory, hands each helper the memory, the compiled module
 * and its index, and resolves once every helper has them: from then on
 * nothing but the memory passes between threads (a page's nested worker gets
 * no message while its parent blocks in Atomics.wait). The engine's thread is
 * thread 0; it writes the model's shape into the control block, and helpers
 * 1..W-1 each run runHelper() and wait on the control block. For each command the engine bumps the generation and wakes
 * them, does thread 0's part, and waits until all have counted themselves
 * done. Every command's work is split by a fixed rule (documents by thread,
 * parameters by slice, gradients summed in thread order), so the numbers do
 * not depend on which thread finishes first.
 */
import { instantiate, MAX_PAGES } from './kernels.ts';
import { layout, LAYOUT_BASE, type ControlSlots, type Layout } from './layout.ts';
import { ThreadModel } from './model.ts';
import type { ModelConfig } from '../shape.ts';
import type { DType } from '../engine.ts';
import type { WasmMemory, WasmModule } from './wasm-types.ts';

/** The commands: each thread's part of them is assembly/model.ts's execute() (which numbers them the same). */
export const Command = {
  /** Forward over the thread's share: its summed loss into LOSS + w. */
  Loss: 1,
  /** Forward and backward over the share into the thread's gradients, with dloss = 1 / (the batch's predicted tokens). */
  Train: 2,
  /** Thread 0's gradients += the others', slice by slice, and each slice's squared norm into NORM + w. */
  Sum: 3,
  /** Adam on each thread's slice of the parameters, and the slice's rows into the transposed weights. */
  Adam: 4,
  /** Refresh the transposed weights, slice by slice. */
  Transpose: 5,
  Exit: 6,
} as const;
export type Command = (typeof Command)[keyof typeof Command];

// the control block at LAYOUT_BASE: int32 slots, then float64 slots from byte 512
const GEN = 0; // command generation: helpers wait for it to change
const CMD = 1;
const DONE = 2; // helpers done with the current command
const SEQS_CAP = 3; // sequences per thread the layout has room for
const FAILED = 4; // a helper's part threw: its message is lost, the engine says so
const CONFIG = 8; // vocabSize, nLayer, nEmbd, nHead, blockSize, threads, bytes per float
const SEQS = 16; // + w: sequences in thread w's share
const F64 = 512 / 8;
export const DLOSS = F64;
export const ADAM = F64 + 1; // stepSize, beta1, beta2, eps, invSqrtBias2
export const LOSS = F64 + 8; // + w: thread w's summed loss
export const NORM = LOSS + 56; // + w: the squared norm of thread w's slice of the summed gradients
/** The most threads the control block has slots for (its LOSS and NORM slots). */
export const MAX_THREADS = 56;
/** Atomics.load polls before a thread sleeps in Atomics.wait. */
const SPINS = 4000;

/** What a helper thread is handed when it starts: the memory, the compiled module, who it is. */
export interface HelperInit {
  memory: WasmMemory;
  module: WasmModule;
  index: number;
}

/** Helper threads that hold their HelperInit and wait on the memory's control block, for one engine. */
export interface ThreadHelpers {
  readonly count: number;
  /** The shared memory (grown by the engine) and the module every thread instantiates. */
  readonly memory: WasmMemory;
  readonly module: WasmModule;
  /** Whether the module is the relaxed-SIMD variant. */
  readonly relaxed: boolean;
  /** The module's floats: float32 (the default, when absent) or float64 (assembly/f64/). */
  readonly dtype?: DType;
  /** Ends the helper threads. */
  close(): void;
  /** True once close() was called: an engine refuses to run a command on them (it would wait for them forever). */
  readonly closed?: boolean;
}

/** A shared memory to grow and the shared-memory module, for a spawner to hand its helpers. */
export function sharedMemory(): WasmMemory {
  return new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
}

/** Int32 index of a control slot. */
const ctrl = (slot: number) => (LAYOUT_BASE >> 2) + slot;

/** The memory's views, as a thread sees it. */
export interface Views {
  f32: Float32Array;
  i32: Int32Array;
  f64: Float64Array;
}

export function views(memory: WasmMemory): Views {
  const b = memory.buffer;
  return { f32: new Float32Array(b), i32: new Int32Array(b), f64: new Float64Array(b, 0, Math.floor(b.byteLength / 8)) };
}

/** f64 index of a float64 control slot. */
export const f64Slot = (slot: number) => (LAYOUT_BASE >> 3) + slot;

export function setShare(i32: Int32Array, thread: number, seqs: number): void {
  i32[ctrl(SEQS + thread)] = seqs;
}

export function setCapacity(i32: Int32Array, seqs: number): void {
  i32[ctrl(SEQS_CAP)] = seqs;
}

/** The engine's shape, thread count and float width, for the helpers to lay out the memory as the engine does. */
export function setConfig(i32: Int32Array, c: ModelConfig, threads: number, fb: number): void {
  [c.vocabSize, c.nLayer, c.nEmbd, c.nHead, c.blockSize, threads, fb].forEach((x, i) => (i32[ctrl(CONFIG + i)] = x));
}

function readConfig(i32: Int32Array): { config: ModelConfig; threads: number; fb: number } {
  const [vocabSize, nLayer, nEmbd, nHead, blockSize, threads, fb] = Array.from({ length: 7 }, (_, i) => i32[ctrl(CONFIG + i)]);
  return { config: { vocabSize, nLayer, nEmbd, nHead, blockSize }, threads, fb };
}

/** Where the step finds its inputs and leaves its results in the control block, for the layout's table. */
export const CONTROL_SLOTS: ControlSlots = {
  dloss: f64Slot(DLOSS) * 8,
  adam: f64Slot(ADAM) * 8,
  seqs: (w) => ctrl(SEQS + w) * 4,
  loss: (w) => f64Slot(LOSS + w) * 8,
  norm: (w) => f64Slot(NORM + w) * 8,
};

/** Thread 0's side: runs a command on every thread and returns when all are done. */
export class Dispatcher {
  constructor(
    private readonly helpers: ThreadHelpers | undefined,
    readonly threads: number,
  ) {}

  run(cmd: Command, model: ThreadModel, v: Views): void {
    const i32 = v.i32;
    if (this.helpers?.closed) throw new Error('the wasm helper threads were closed (helpers.close()) while their engine was in use');
    if (this.helpers) {
      Atomics.store(i32, ctrl(DONE), 0);
      i32[ctrl(CMD)] = cmd;
      Atomics.add(i32, ctrl(GEN), 1);
      Atomics.notify(i32, ctrl(GEN));
    }
    try {
      model.execute(cmd);
    } finally {
      // even when thread 0's part threw, the helpers finish theirs before the next command
      if (this.helpers) {
        const want = this.threads - 1;
        let spins = 0;
        for (let d = Atomics.load(i32, ctrl(DONE)); d < want; d = Atomics.load(i32, ctrl(DONE))) {
          if (++spins > SPINS) Atomics.wait(i32, ctrl(DONE), d);
        }
      }
    }
    if (this.helpers && Atomics.exchange(i32, ctrl(FAILED), 0) !== 0)
      throw new Error('a wasm helper thread failed (see its error on the console)');
  }

  /** Tells the helpers to return, and lets them go. */
  close(i32: Int32Array): void {
    if (!this.helpers) return;
    i32[ctrl(CMD)] = Command.Exit;
    Atomics.add(i32, ctrl(GEN), 1);
    Atomics.notify(i32, ctrl(GEN));
    this.helpers.close();
  }
}

/** A helper thread's loop: waits for each command, does its part, counts itself done; returns at Exit. */
export function runHelper(init: HelperInit): void {
  const k = instantiate(init.module, init.memory);
  let lay: Layout | undefined;
  let v = views(init.memory);
  let model: ThreadModel | undefined;
  let seen = 0;
  for (;;) {
    let spins = 0;
    for (let g = Atomics.load(v.i32, ctrl(GEN)); g === seen; g = Atomics.load(v.i32, ctrl(GEN))) {
      if (++spins > SPINS) Atomics.wait(v.i32, ctrl(GEN), g);
    }
    seen = Atomics.load(v.i32, ctrl(GEN));
    const cmd = v.i32[ctrl(CMD)] as Command;
    if (cmd === Command.Exit) return;
    const cap = v.i32[ctrl(SEQS_CAP)];
    if (!lay || lay.seqs !== cap || v.i32.buffer.byteLength !== init.memory.buffer.byteLength) {
      // the first command, or the engine grew the memory for larger shares: the layout and fresh views
      v = views(init.memory);
      const { config, threads, fb } = readConfig(v.i32);
      lay = layout(config, threads, cap, fb);
      model = new ThreadModel(k, lay, init.index);
    }
    try {
      model!.execute(cmd);
    } catch (e) {
      Atomics.store(v.i32, ctrl(FAILED), 1);
      console.error(e);
    }
    if (Atomics.add(v.i32, ctrl(DONE), 1) === lay.threads - 2) Atomics.notify(v.i32, ctrl(DONE));
  }
}
