/**
 * `microgpt train`'s first step: its flags, resolved and checked, before any
 * data is read or any step taken. The run's settings go through core's
 * resolveTrainConfig (the one check, shared with the library and the page);
 * what only the command has (engine and threads, outputs, --until, sampling)
 * is checked here. The plan is frozen: the steps after it trust it.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Checkpoint } from '../core/checkpoint-types.ts';
import { DEFAULT_SAMPLE, validateSampleConfig, type SampleConfig } from '../core/config.ts';
import { chooseEngine } from '../core/engine-choice.ts';
import { resolveTrainConfig, type RunConfig } from '../core/run-config.ts';
import { keysIn, SETTINGS } from '../core/settings.ts';
import type { DType, EngineName } from '../engines/engine.ts';
import { choiceFlag, int, settingFlag, settingValues, str, type Flags } from './args.ts';
import { dtypeFlag, engineFlag } from './engine-flags.ts';
import { UsageError } from './errors.ts';
import { readCheckpointFile } from './files.ts';
import { keptLog, type KeptLog } from './log-read.ts';
import { checkModelMemory } from './memory-flag.ts';
import { checkOutputs, type NamedPath } from './paths.ts';

export interface TrainPlan {
  readonly flags: Flags;
  readonly config: RunConfig;
  /** The checkpoint resumed, and its path. */
  readonly resume?: { readonly path: string; readonly ckpt: Checkpoint };
  /** How the names after training are drawn. */
  readonly sampling: SampleConfig;
  /** With --documents stream: the characters of the passage drawn after training. */
  readonly sampleLength: number;
  readonly engine: EngineName;
  readonly dtype: DType;
  readonly threads: number;
  /** --data, else ./input.txt when there is one, else undefined (the names download). */
  readonly data?: string;
  readonly out?: string;
  readonly saveEvery?: number;
  readonly until?: number;
  readonly log?: string;
  /** What a resume keeps of the --log it continues (undefined: the log starts afresh). */
  readonly logKept?: KeptLog;
  readonly plot?: string;
}

/** The command's flags resolved into a plan; every problem a one-line error, in the order a person reads the flags. */
export function resolveTrainPlan(flags: Flags): TrainPlan {
  const resumePath = str(flags, 'resume');
  const ckpt: Checkpoint | undefined = resumePath ? readCheckpointFile(resumePath) : undefined;
  const config = resolveTrainConfig(
    {
      model: settingValues(flags, keysIn('model')),
      train: settingValues(flags, keysIn('train')),
      ...settingValues(flags, keysIn('validation')),
      documents: choiceFlag(flags, 'documents'),
      resume: ckpt,
    },
    { face: 'cli' },
  );
  const { model, train } = config;
  if (flags['mark-samples'] && config.documents === 'stream')
    throw new UsageError('--mark-samples marks names; a run with --documents stream writes a passage');
  const sampling = validateSampleConfig(
    {
      temperature: settingFlag(flags, 'temperature') ?? DEFAULT_SAMPLE.temperature,
      numSamples: settingFlag(flags, 'numSamples') ?? DEFAULT_SAMPLE.numSamples,
      topK: settingFlag(flags, 'topK') ?? DEFAULT_SAMPLE.topK,
      maxLength: model.blockSize, // a run's names are as long as its block size allows
    },
    model.blockSize,
  );
  // the engine and dtype asked for; else a resume's; else float64 on the fastest engine (engine-choice.ts)
  const asked = { engine: engineFlag(flags, undefined), dtype: dtypeFlag(flags, undefined) };
  const { engine, dtype } = chooseEngine(asked, ckpt);
  if (engine === 'scalar' && dtype !== 'float64')
    throw new UsageError('--dtype float32 needs --engine fast (the scalar engine computes in float64)');
  const threadsFlag = settingFlag(flags, 'threads');
  if (threadsFlag !== undefined && threadsFlag > 1 && engine !== 'wasm')
    throw new UsageError(`--threads ${threadsFlag} needs --engine wasm (the ${engine} engine runs on one thread)`);
  const threads = engine !== 'wasm' ? 1 : threadsFlag || Math.min(availableParallelism(), train.batchSize);
  const out = str(flags, 'out');
  const saveEvery = int(flags, 'save-every');
  if (saveEvery !== undefined && (saveEvery < 1 || !out))
    throw new UsageError(saveEvery < 1 ? `--save-every must be a positive integer, got ${saveEvery}` : '--save-every needs --out FILE');
  const until = int(flags, 'until');
  if (until !== undefined && (until < 1 || until > train.numSteps))
    throw new UsageError(`--until must be from 1 to --num-steps (${train.numSteps}), got ${until}`);
  if (until !== undefined && ckpt && until <= ckpt.step)
    throw new UsageError(`--until ${until}: the checkpoint is already at step ${ckpt.step}`);
  const data = str(flags, 'data') ?? (existsSync('input.txt') ? 'input.txt' : undefined);
  // every output is checked before the data is read or a step is taken
  const inputs: NamedPath[] = [
    ...(data ? [{ path: data, name: 'the data file' }] : []),
    ...(resumePath ? [{ path: resumePath, name: 'the checkpoint being resumed (--resume)' }] : []),
  ];
  const outputs = (['out', 'log', 'plot'] as const).flatMap((f) =>
    typeof flags[f] === 'string' ? [{ path: flags[f] as string, name: `--${f}` }] : [],
  );
  checkOutputs(inputs, outputs, [['--out', 'the checkpoint being resumed (--resume)']]);
  const log = str(flags, 'log');
  // a resume continues its log: one of another run is refused here, before any work
  const logKept = log && ckpt ? keptLog(log, ckpt.model, ckpt.step, ckpt.train) : undefined;
  const plan: TrainPlan = {
    flags,
    config,
    resume: resumePath && ckpt ? { path: resumePath, ckpt } : undefined,
    sampling,
    sampleLength: settingFlag(flags, 'sampleLength') ?? SETTINGS.sampleLength.default,
    engine,
    dtype,
    threads,
    data,
    out,
    saveEvery,
    until,
    log,
    logKept,
    plot: str(flags, 'plot'),
  };
  checkPlanMemory(plan, 2); // before reading the data: the vocabulary is not known yet, 2 is its least
  return Object.freeze(plan);
}

/** Refuses, in one line, a run whose model would need more memory than --max-memory allows. */
export function checkPlanMemory(plan: TrainPlan, vocabSize: number): void {
  const { config, engine, dtype, threads } = plan;
  checkModelMemory(plan.flags, { ...config.model, vocabSize }, { batchSize: config.train.batchSize, dtype, engine, threads });
}
