/**
 * --engine and --dtype, shared by train, sample and eval: their choices and
 * their help are read from the engine interface's ENGINES and DTYPES, so an
 * engine added there is a choice everywhere (and, by the type below, needs a
 * line of help here).
 */
import { DTYPES, ENGINES, orList, type DType, type EngineName } from '../engines/engine.ts';
import { helpLine, oneOf, type Flags, type OptionSpec } from './args.ts';

/** What each engine is, for train's --help. */
const WHAT: Record<EngineName, string> = {
  fast: "typed arrays, float64: microgpt.py's numbers",
  scalar: 'the readable autograd engine; same numbers',
  wasm: "WebAssembly SIMD, threads; float32, or with --dtype float64 the fast engine's numbers",
};

export const ENGINE_OPTION: OptionSpec = { engine: { type: 'string' } };
export const DTYPE_OPTION: OptionSpec = { dtype: { type: 'string' } };

/** train's --engine: each engine with what it is, and the default by size. */
export const TRAIN_ENGINE_HELP = helpLine(
  '--engine NAME',
  `${orList(ENGINES.map((e) => `${e} (${WHAT[e]})`))} [fast up to the original's size, n-layer * n-embd^2 * batch-size <= 256; else wasm]`,
);
/** sample's and eval's --engine: a saved model runs on the engine that trained it unless told. */
export const MODEL_ENGINE_HELP = helpLine('--engine NAME', `${orList(ENGINES)} [the engine that trained the checkpoint, else fast]`);
export const DTYPE_HELP = helpLine('--dtype NAME', `${orList(DTYPES)} (fast or wasm engine) [float64; wasm: float32]`);

/** --engine, one of ENGINES; fallback when absent. */
export const engineFlag = (flags: Flags, fallback: EngineName): EngineName => oneOf(flags, 'engine', ENGINES, fallback);

/** --dtype, one of DTYPES; fallback when absent. */
export const dtypeFlag = (flags: Flags, fallback: DType): DType => oneOf(flags, 'dtype', DTYPES, fallback);
