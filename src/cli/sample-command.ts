/** `microgpt sample`: names from a saved model. */
import { DEFAULT_SAMPLE, validateSampleConfig } from '../core/config.ts';
import { prepareDataset } from '../core/dataset.ts';
import { GPT } from '../core/gpt.ts';
import { Random } from '../core/random.ts';
import { keysIn, SETTINGS } from '../core/settings.ts';
import { helpLine, parseFlags, settingFlag, settingHelp, settingOptions, str, type OptionSpec } from './args.ts';
import { ENGINE_OPTION, engineFlag, MODEL_ENGINE_HELP } from './engine-flags.ts';
import { readTextFile } from './data-source.ts';
import { UsageError } from './errors.ts';
import { MODEL_FILE_HELP, readModelFlag } from './files.ts';
import { checkModelMemory, MEMORY_HELP, MEMORY_OPTION } from './memory-flag.ts';
import { shownOn } from './output.ts';
import { markSample, summarizeMarks, type Mark } from './sample-marks.ts';

/** The sampling settings (temperature, num-samples, max-length, top-k) and the seed: flags and help from the settings table. */
const SETTING_KEYS = [...keysIn('sample'), 'seed'] as const;

export const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  ...settingOptions(SETTING_KEYS),
  prompt: { type: 'string' },
  data: { type: 'string' },
  ...ENGINE_OPTION,
  ...MEMORY_OPTION,
  help: { type: 'boolean', short: 'h' },
};

export const SAMPLE_HELP = `Usage: microgpt sample --model FILE [options]

Prints names drawn from a saved model, one per line; from a model trained
with --documents stream, a passage of --sample-length characters after the
prompt, newlines included (--num-samples and --max-length are for names).

Options (default in brackets):
${MODEL_FILE_HELP}${settingHelp(SETTING_KEYS, {
  maxLength: { default: "the model's block size" },
  seed: {
    help: "random seed for the samples; without it, sampling continues the training run's random stream, so the first names are the ones training printed",
    default: '',
  },
})}${helpLine('--prompt TEXT', 'every name starts with TEXT (fed through the model first)')}${helpLine('--data FILE', 'the training text: mark each name (train), (val) or (new)')}${MODEL_ENGINE_HELP}${MEMORY_HELP}${helpLine('-h, --help', 'show this help')}`;

export async function sampleCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, OPTIONS);
  if (flags.help) {
    process.stdout.write(SAMPLE_HELP);
    return;
  }
  const ckpt = readModelFlag(flags, 'sample');
  const engine = engineFlag(flags, ckpt.engine ?? 'fast');
  if (engine === 'wasm') (await import('../io/wasm-node.ts')).enableRelaxedSimd(); // as training computed
  checkModelMemory(flags, ckpt.model, { batchSize: 1, dtype: ckpt.dtype, engine }, `checkpoint ${flags.model}: `);
  const options = validateSampleConfig(
    {
      temperature: settingFlag(flags, 'temperature') ?? DEFAULT_SAMPLE.temperature,
      numSamples: settingFlag(flags, 'numSamples') ?? DEFAULT_SAMPLE.numSamples,
      topK: settingFlag(flags, 'topK') ?? DEFAULT_SAMPLE.topK,
      maxLength: settingFlag(flags, 'maxLength') ?? ckpt.model.blockSize,
    },
    ckpt.model.blockSize,
  );
  const gpt = GPT.fromCheckpoint(ckpt, { engine });
  const seed = settingFlag(flags, 'seed');
  if (seed !== undefined) gpt.rng.seed(seed);
  const prompt = str(flags, 'prompt') ?? '';
  try {
    gpt.tokenizer.encode(prompt);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e; // the tokenizer's word for a character it does not know
    throw new UsageError(`--prompt: ${e.message}`);
  }
  if (ckpt.train?.documents === 'stream') {
    if (str(flags, 'data') !== undefined) throw new UsageError('--data marks names; a model trained on a stream writes a passage');
    const length = settingFlag(flags, 'sampleLength') ?? SETTINGS.sampleLength.default;
    const { temperature, topK } = options;
    process.stdout.write(`${prompt}${gpt.sampleText({ length, temperature, topK, prompt })}\n`);
    return;
  }
  if ([...prompt].length >= options.maxLength)
    throw new UsageError(`--prompt has ${[...prompt].length} characters; names are at most ${options.maxLength}`);
  const dataPath = str(flags, 'data');
  // a weights-only checkpoint does not say how its run split the data: every document counts as (train)
  const data = dataPath
    ? prepareDataset(readTextFile(dataPath), new Random(ckpt.train?.seed ?? 0), ckpt.train?.valFraction ?? 0)
    : undefined;
  // in chunks (the same names as one call: each name draws from the same stream), each written as it is ready,
  // so a reader that goes away (microgpt sample ... | head -1) ends the command without sampling the rest
  const marks: Mark[] = [];
  for (let done = 0; done < options.numSamples; done += CHUNK) {
    const names = gpt.sample({ ...options, numSamples: Math.min(CHUNK, options.numSamples - done), prompt });
    const lines = names.map((n) => {
      if (!data) return shownOn(process.stdout, n);
      const mark = markSample(n, data);
      marks.push(mark);
      return `${shownOn(process.stdout, n)}\t(${mark})`;
    });
    process.stdout.write(lines.join('\n') + '\n');
    await new Promise((resolve) => setImmediate(resolve)); // a closed stdout's error arrives here (output.ts exits)
  }
  if (data) process.stdout.write(summarizeMarks(marks) + '\n');
}

const CHUNK = 1000;
