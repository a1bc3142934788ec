/** --max-memory GIB, shared by train, sample and eval: the model's memory is checked against it before anything is allocated. */
import { checkMemory, DEFAULT_MEMORY_LIMIT, MemoryError, type MemoryOptions } from '../core/memory.ts';
import type { ModelConfig } from '../engines/shape.ts';
import { helpLine, num, type Flags, type OptionSpec } from './args.ts';
import { UsageError } from './errors.ts';

export const MEMORY_OPTION: OptionSpec = { 'max-memory': { type: 'string' } };
export const MEMORY_HELP = helpLine(
  '--max-memory GIB',
  `refuse a model whose weights, Adam state and activations need more than GIB GiB [${DEFAULT_MEMORY_LIMIT / 2 ** 30}]`,
);

/** --max-memory in bytes (the default when absent). */
export function memoryLimit(flags: Flags): number {
  const gib = num(flags, 'max-memory');
  if (gib === undefined) return DEFAULT_MEMORY_LIMIT;
  if (!(gib > 0)) throw new UsageError(`--max-memory must be a number of GiB above 0, got ${flags['max-memory']}`);
  return gib * 2 ** 30;
}

/** Refuses, in one line naming the flags, a model over --max-memory; from says where a loaded model came from (its batch is then not a flag). */
export function checkModelMemory(flags: Flags, model: ModelConfig, options: MemoryOptions, from = ''): void {
  try {
    checkMemory(model, options, memoryLimit(flags), !from);
  } catch (e) {
    if (e instanceof MemoryError)
      throw new UsageError(`${from}${e.describe((s) => `--${s.flag}`)}${e.overLimit ? ' (--max-memory GIB raises it)' : ''}`);
    throw e;
  }
}
