/**
 * One thread's part of a training step: the step itself is in WebAssembly
 * (assembly/model.ts: forward over the sequences of its share, backward into
 * its own gradient buffer, its slices of the shared work), one call per
 * command, reading where each buffer lies from the layout's table. The engine
 * runs thread 0's part; helper threads (threads.ts) run the others' with the
 * same code. Nothing here allocates.
 */
import type { Kernels } from './kernels.ts';
import type { Layout } from './layout.ts';

export class ThreadModel {
  constructor(
    readonly k: Kernels,
    readonly lay: Layout,
    readonly index: number,
  ) {}

  /** This thread's part of a command (threads.ts's Command: its numbers are assembly/model.ts's). */
  execute(cmd: number): void {
    this.k.execute(this.lay.table, this.index, cmd);
  }

  /**
   * Runs rows r0..r1-1 through every layer to the logits, attention for
   * sequences 0..seqs-1 from position t0 on (training: r0 = 0, t0 = 0; sampling
   * one position of sequence 0 with the earlier keys and values in place).
   */
  forward(r0: number, r1: number, seqs: number, t0: number): void {
    this.k.forward(this.lay.table, this.index, r0, r1, seqs, t0);
  }
}
