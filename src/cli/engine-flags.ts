/**
 * --engine and --dtype, shared by train, sample and eval: their choices and
 * their help are read from the engine interface's ENGINES and DTYPES, so an
 * engine added there is a choice everywhere (and, by the type below, needs a
 * line of help here).
 */
import { float32Gain } from '../core/engine-choice.ts';
import { DTYPES, ENGINES, orList, type DType, type EngineName } from '../engines/engine.ts';
import { helpLine, oneOf, str, type Flags, type OptionSpec } from './args.ts';
import type { RunConfig } from '../core/run-config.ts';

/** What each engine is, for train's --help. */
const WHAT: Record<EngineName, string> = {
  fast: "typed arrays, float64: microgpt.py's numbers",
  scalar: 'the readable autograd engine; same numbers',
  wasm: "WebAssembly SIMD, threads; in float64 the fast engine's numbers",
};

export const ENGINE_OPTION: OptionSpec = { engine: { type: 'string' } };
export const DTYPE_OPTION: OptionSpec = { dtype: { type: 'string' } };

/** train's --engine: each engine with what it is, and the default: the fastest for the dtype. */
export const TRAIN_ENGINE_HELP = helpLine(
  '--engine NAME',
  `${orList(ENGINES.map((e) => `${e} (${WHAT[e]})`))} [wasm, or fast where WebAssembly SIMD is missing; on --resume the checkpoint's]`,
);
/** sample's and eval's --engine: a saved model runs on the engine that trained it unless told. */
export const MODEL_ENGINE_HELP = helpLine('--engine NAME', `${orList(ENGINES)} [the engine that trained the checkpoint, else fast]`);
export const DTYPE_HELP = helpLine(
  '--dtype NAME',
  `${orList(DTYPES)} (fast or wasm engine); float32 trains about 2x faster on big models, its digits differ from microgpt.py's [float64; on --resume the checkpoint's]`,
);

/** --engine, one of ENGINES; fallback when absent. */
export function engineFlag<F extends EngineName | undefined>(flags: Flags, fallback: F): EngineName | F {
  return str(flags, 'engine') === undefined ? fallback : oneOf(flags, 'engine', ENGINES, ENGINES[0]);
}

/** --dtype, one of DTYPES; fallback when absent. */
export function dtypeFlag<F extends DType | undefined>(flags: Flags, fallback: F): DType | F {
  return str(flags, 'dtype') === undefined ? fallback : oneOf(flags, 'dtype', DTYPES, DTYPES[0]);
}

/**
 * The line a terminal is shown before training: the engine, its dtype and
 * threads; and, once, on a model where float32 trains markedly faster and
 * float64 was not asked for, how much faster --dtype float32 would be.
 */
export function engineStatus(plan: {
  engine: EngineName;
  dtype: DType;
  threads: number;
  flags: Flags;
  config: Pick<RunConfig, 'model' | 'train'>;
  resume?: unknown;
}): string {
  const { engine, dtype, threads } = plan;
  const line = `training on the ${engine} engine, ${dtype}, ${threads} thread${threads === 1 ? '' : 's'}`;
  const gain = float32Gain(plan.config.model, plan.config.train.batchSize);
  const asked = str(plan.flags, 'dtype') !== undefined;
  if (engine !== 'wasm' || dtype !== 'float64' || asked || plan.resume || gain === undefined) return line;
  return `${line} (--dtype float32 trains about ${gain}x faster at this size; its digits then differ from microgpt.py's)`;
}
