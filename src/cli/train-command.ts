/** `microgpt train` (the default command): the original's run, with every setting a flag. */
import { existsSync } from 'node:fs';
import { availableParallelism, constants as osConstants } from 'node:os';
import type { Checkpoint } from '../core/checkpoint.ts';
import { chooseEngine } from '../core/engine-choice.ts';
import {
  DEFAULT_MODEL,
  DEFAULT_SAMPLE,
  DEFAULT_TRAIN,
  validateModelConfig,
  validateSampleConfig,
  validateTrainConfig,
  validateValidation,
} from '../core/config.ts';
import { keysIn, SETTINGS, type SettingKey } from '../core/settings.ts';
import { DivergedError } from '../core/errors.ts';
import { formatFixed, padInt } from '../core/format.ts';
import { vocabBound } from '../core/memory.ts';
import { lossCurveSvg } from '../core/plot.ts';
import { train, type TrainResult } from '../core/train.ts';
import type { DType, EngineName } from '../engines/engine.ts';
import { helpLine, int, oneOf, parseFlags, settingFlag, settingHelp, settingOptions, str, type Flags, type OptionSpec } from './args.ts';
import { resolveText } from './data-source.ts';
import { UsageError } from './errors.ts';
import { readCheckpointFile, writeCheckpointFile, writeFileAtomic } from './files.ts';
import { StepLog } from './log-file.ts';
import { checkModelMemory, MEMORY_HELP, MEMORY_OPTION } from './memory-flag.ts';
import { LineWriter, stdoutClosed, stdoutFailure, stopOnClosedStdout } from './output.ts';
import { checkOutputs, type NamedPath } from './paths.ts';
import { Progress } from './progress.ts';
import { markSample, summarizeMarks } from './sample-marks.ts';

/** Signals that stop training like Ctrl-C: save, one line, exit 128 + the signal's number (130, 143, 129). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const MODEL_KEYS = keysIn('model');
const TRAIN_KEYS = keysIn('train');
const SAMPLE_KEYS = keysIn('sample').filter((k) => k !== 'maxLength'); // a run's names are as long as its block size allows

const OPTIONS: OptionSpec = {
  ...settingOptions([...MODEL_KEYS, ...TRAIN_KEYS, ...keysIn('engine'), ...keysIn('validation'), ...SAMPLE_KEYS]),
  data: { type: 'string' },
  engine: { type: 'string' },
  dtype: { type: 'string' },
  out: { type: 'string' },
  'save-every': { type: 'string' },
  resume: { type: 'string' },
  until: { type: 'string' },
  log: { type: 'string' },
  plot: { type: 'string' },
  'mark-samples': { type: 'boolean' },
  ...MEMORY_OPTION,
  help: { type: 'boolean', short: 'h' },
};

export const TRAIN_HELP = `Usage: microgpt [train] [options]

Trains a GPT on the non-empty lines of a text file, one document per line,
then prints names sampled from it. With no options this is microgpt.py's run.
Other commands: microgpt sample, microgpt eval, microgpt plot (each has --help).

Data (first found): --data FILE; ./input.txt; makemore's names.txt, downloaded
once into the user cache; offline, the first-name lists of an npm package.

Model (default in brackets):
${settingHelp(MODEL_KEYS)}Training:
${helpLine('--data FILE', 'training text')}${settingHelp(TRAIN_KEYS)}${helpLine('--engine NAME', "fast (typed arrays, float64: microgpt.py's numbers), scalar (the readable autograd engine; same numbers) or wasm (WebAssembly SIMD, threads; float32, or with --dtype float64 the fast engine's numbers) [fast up to the original's size, n-layer * n-embd^2 * batch-size <= 256; else wasm]")}${helpLine('--dtype NAME', 'float64 or float32 (fast or wasm engine) [float64; wasm: float32]')}${settingHelp(keysIn('engine'))}${MEMORY_HELP}Validation:
${settingHelp(keysIn('validation'))}Checkpoints (safetensors):
${helpLine('--out FILE', 'save the model at the end, on Ctrl-C, SIGTERM or SIGHUP, and every --save-every K steps (written atomically)')}${helpLine('--resume FILE', 'continue a run exactly where its checkpoint stopped (same data; model and training flags must agree; --num-steps may extend the schedule)')}${helpLine('--until STEP', 'stop once STEP steps are done, to resume later')}Logging:
${helpLine('--log FILE', 'a JSON-lines record per step')}${helpLine('--plot FILE', 'the loss curve as an SVG file (see also microgpt plot)')}Sampling after training:
${settingHelp(SAMPLE_KEYS)}${helpLine('--mark-samples', 'mark each name as (train), (val) or (new)')}${helpLine('-h, --help', 'show this help')}${helpLine('--version', 'print the version')}`;

/** Settings from flags, else the checkpoint, else the defaults; a flag that disagrees with the checkpoint is an error (except those in free). */
function settings<K extends SettingKey>(
  keys: readonly K[],
  defaults: Record<K, number>,
  ckpt: Partial<Record<K, number>> | undefined,
  flags: Flags,
  free: readonly SettingKey[] = [],
): Record<K, number> {
  const out = { ...defaults, ...ckpt };
  for (const key of keys) {
    const v = settingFlag(flags, key);
    if (v === undefined) continue;
    if (ckpt && !free.includes(key) && ckpt[key] !== v)
      throw new UsageError(`--${SETTINGS[key].flag} ${v} disagrees with the checkpoint (${String(ckpt[key])})`);
    out[key] = v;
  }
  return out;
}

export async function trainCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, OPTIONS);
  if (flags.help) {
    process.stdout.write(TRAIN_HELP);
    return;
  }
  const resumePath = str(flags, 'resume');
  const ckpt: Checkpoint | undefined = resumePath ? readCheckpointFile(resumePath) : undefined;
  const shape = settings(MODEL_KEYS, DEFAULT_MODEL, ckpt?.model, flags);
  validateModelConfig({ ...shape, vocabSize: 2 }); // shape errors before reading any data
  const trainConfig = validateTrainConfig(settings(TRAIN_KEYS, DEFAULT_TRAIN, ckpt?.train, flags, ['numSteps']));
  const { valFraction } = settings(['valFraction'], { valFraction: 0 }, ckpt?.train, flags);
  const evalEvery = settingFlag(flags, 'evalEvery') ?? 0;
  validateValidation(valFraction, evalEvery);
  const sampling = validateSampleConfig(
    {
      temperature: settingFlag(flags, 'temperature') ?? DEFAULT_SAMPLE.temperature,
      numSamples: settingFlag(flags, 'numSamples') ?? DEFAULT_SAMPLE.numSamples,
      topK: settingFlag(flags, 'topK') ?? DEFAULT_SAMPLE.topK,
      maxLength: shape.blockSize,
    },
    shape.blockSize,
  );
  const engine = oneOf<EngineName>(
    flags,
    'engine',
    ['fast', 'scalar', 'wasm'],
    chooseEngine(undefined, shape, trainConfig.batchSize, ckpt),
  );
  const dtype = oneOf<DType>(
    flags,
    'dtype',
    ['float64', 'float32'],
    engine === 'scalar' ? 'float64' : engine === 'wasm' ? (ckpt?.engine === 'wasm' ? ckpt.dtype : 'float32') : (ckpt?.dtype ?? 'float64'),
  );
  if (engine === 'scalar' && dtype !== 'float64')
    throw new UsageError('--dtype float32 needs --engine fast (the scalar engine computes in float64)');
  const threadsFlag = settingFlag(flags, 'threads');
  if (threadsFlag !== undefined && threadsFlag > 1 && engine !== 'wasm')
    throw new UsageError(`--threads ${threadsFlag} needs --engine wasm (the ${engine} engine runs on one thread)`);
  const threads = engine !== 'wasm' ? 1 : threadsFlag || Math.min(availableParallelism(), trainConfig.batchSize);
  const outPath = str(flags, 'out');
  const saveEvery = int(flags, 'save-every');
  if (saveEvery !== undefined && (saveEvery < 1 || !outPath))
    throw new UsageError(saveEvery < 1 ? `--save-every must be a positive integer, got ${saveEvery}` : '--save-every needs --out FILE');
  const until = int(flags, 'until');
  if (until !== undefined && (until < 1 || until > trainConfig.numSteps))
    throw new UsageError(`--until must be from 1 to --num-steps (${trainConfig.numSteps}), got ${until}`);
  if (until !== undefined && ckpt && until <= ckpt.step)
    throw new UsageError(`--until ${until}: the checkpoint is already at step ${ckpt.step}`);
  const logPath = str(flags, 'log');
  const plotPath = str(flags, 'plot');
  const dataPath = str(flags, 'data') ?? (existsSync('input.txt') ? 'input.txt' : undefined);
  // every output is checked before the data is read or a step is taken
  const inputs: NamedPath[] = [
    ...(dataPath ? [{ path: dataPath, name: 'the data file' }] : []),
    ...(resumePath ? [{ path: resumePath, name: 'the checkpoint being resumed (--resume)' }] : []),
  ];
  const outputs = (['out', 'log', 'plot'] as const).flatMap((f) =>
    typeof flags[f] === 'string' ? [{ path: flags[f] as string, name: `--${f}` }] : [],
  );
  checkOutputs(inputs, outputs, [['--out', 'the checkpoint being resumed (--resume)']]);
  const memory = (vocabSize: number) =>
    checkModelMemory(flags, { ...shape, vocabSize }, { batchSize: trainConfig.batchSize, dtype, engine, threads });
  memory(2); // before reading the data: the vocabulary is not known yet, 2 is its least

  const note = (line: string) => process.stderr.write(`microgpt: ${line}\n`);
  const { text } = await resolveText(str(flags, 'data'), note);
  memory(vocabBound(text));
  // the wasm engine's Node side loads only when it runs: the default run starts faster
  if (engine === 'wasm') (await import('../io/wasm-node.ts')).enableRelaxedSimd();
  const helpers = threads > 1 ? await (await import('../io/wasm-threads.ts')).spawnHelpers(threads - 1, dtype) : undefined;

  const out = new LineWriter(process.stdout);
  const progress = new Progress(out, process.stdout.isTTY === true, engine === 'wasm' ? `wasm x${threads}` : engine);
  // Ctrl-C, SIGTERM, SIGHUP and a closed stdout stop after the current step and save what --out, --log and --plot name
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | 'stdout' | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    controller.abort();
  };
  const onClosed = () => {
    stoppedBy ??= 'stdout';
    controller.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  stopOnClosedStdout();
  stdoutClosed.addEventListener('abort', onClosed);
  if (stdoutClosed.aborted) onClosed(); // closed while the data was read
  let log: StepLog | undefined;
  const points: { step: number; loss: number; val_loss?: number }[] = [];
  let result: TrainResult;
  try {
    result = await train({
      text,
      model: shape,
      train: trainConfig,
      valFraction,
      evalEvery,
      engine,
      dtype,
      helpers,
      resume: ckpt,
      until,
      signal: controller.signal,
      onStart: (run) => {
        out.write(`num docs: ${run.dataset.docs.length}\n`);
        if (valFraction > 0) out.write(`val docs: ${run.dataset.valDocs.length}\n`);
        out.write(`vocab size: ${run.gpt.config.vocabSize}\n`);
        out.write(`num params: ${run.gpt.numParams}\n`);
        if (ckpt) note(`resuming from ${resumePath} at step ${ckpt.step}`);
        if (logPath)
          log = new StepLog(logPath, {
            vocab_size: run.gpt.config.vocabSize,
            model: run.gpt.config,
            train: run.train,
            engine,
            dtype,
            threads,
          });
      },
      onStep: (e) => {
        progress.step(e);
        log?.add(e);
        if (plotPath) points.push({ step: e.step, loss: e.loss, ...(e.valLoss !== undefined ? { val_loss: e.valLoss } : {}) });
      },
      checkpointEvery: saveEvery,
      onCheckpoint: outPath ? (c) => writeCheckpointFile(outPath, c) : undefined,
    });
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    // nothing is saved: --out, --log and --plot keep what they held
    out.flush();
    if (process.stdout.isTTY) process.stdout.write('\n');
    note(
      `diverged at step ${e.step} (${e.gradNorm === undefined ? `loss ${formatFixed(e.loss, 4)}` : `gradient norm ${formatFixed(e.gradNorm, 4)}`}); lower --learning-rate`,
    );
    process.exitCode = 2;
    return;
  } finally {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    stdoutClosed.removeEventListener('abort', onClosed);
    out.flush();
  }

  // the checkpoint is taken before sampling, so a resumed run samples as one run would
  if (outPath) writeCheckpointFile(outPath, result.checkpoint());
  log?.save();
  if (plotPath && points.length > 0) writeFileAtomic(plotPath, lossCurveSvg(points, result.gpt.config.vocabSize));
  if (result.stopped === 'aborted') {
    const saved = outPath ? `; saved ${outPath}` : '';
    if (stoppedBy === 'stdout') {
      // quietly, exit 0, when the reader went away (microgpt | head -3); one line and exit 2 when stdout failed
      if (saved || stdoutFailure) note(`${stdoutFailure ?? 'stdout closed'} at step ${result.step}${saved}`);
      if (stdoutFailure) process.exitCode = 2;
      return;
    }
    if (process.stdout.isTTY) process.stdout.write('\n');
    note(`${stoppedBy === 'SIGINT' ? 'interrupted' : `stopped by ${stoppedBy}`} at step ${result.step}${saved}`);
    process.exitCode = 128 + osConstants.signals[stoppedBy ?? 'SIGINT'];
    return;
  }

  out.write('\n--- inference (new, hallucinated names) ---\n');
  const names = result.gpt.sample(sampling);
  const marks = flags['mark-samples'] ? names.map((name) => markSample(name, result.dataset)) : undefined;
  names.forEach((name, i) => out.write(`sample ${padInt(i + 1, 2)}: ${name}${marks ? ` (${marks[i]})` : ''}\n`));
  if (marks) out.write(`${summarizeMarks(marks)}\n`);
  out.flush();
}
