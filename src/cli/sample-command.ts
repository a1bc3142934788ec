/** `microgpt sample`: names from a saved model. */
import { DEFAULT_SAMPLE, validateSampleConfig } from '../core/config.ts';
import { prepareDataset } from '../core/dataset.ts';
import { GPT } from '../core/gpt.ts';
import { Random } from '../core/random.ts';
import { checkSetting } from '../core/settings.ts';
import type { EngineName } from '../engines/engine.ts';
import { int, num, oneOf, parseFlags, str, type OptionSpec } from './args.ts';
import { readTextFile } from './data-source.ts';
import { UsageError } from './errors.ts';
import { readModelFlag } from './files.ts';
import { checkModelMemory, MEMORY_HELP, MEMORY_OPTION } from './memory-flag.ts';
import { markSample, summarizeMarks, type Mark } from './sample-marks.ts';

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  'num-samples': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  prompt: { type: 'string' },
  seed: { type: 'string' },
  'max-length': { type: 'string' },
  data: { type: 'string' },
  engine: { type: 'string' },
  ...MEMORY_OPTION,
  help: { type: 'boolean', short: 'h' },
};

export const SAMPLE_HELP = `Usage: microgpt sample --model FILE [options]

Prints names drawn from a saved model, one per line.

Options (default in brackets):
  --model FILE           a checkpoint written by microgpt train --out, or a
                         weights-only one (model, vocab, weights) (required)
  --num-samples N        how many names [20]
  --temperature X        > 0; lower is more conservative [0.5]
  --top-k K              draw from the K most likely characters only; 0 = all [0]
  --prompt TEXT          every name starts with TEXT (fed through the model first)
  --seed N               random seed; without it, sampling continues the
                         training run's random stream, so the first names are
                         the ones training printed
  --max-length L         longest name in characters, at most the block size
  --data FILE            the training text: mark each name (train), (val) or (new)
  --engine NAME          fast, scalar or wasm [the engine that trained the
                         checkpoint, else fast]
${MEMORY_HELP}  -h, --help             show this help
`;

export async function sampleCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, OPTIONS);
  if (flags.help) {
    process.stdout.write(SAMPLE_HELP);
    return;
  }
  const ckpt = readModelFlag(flags, 'sample');
  const engine = oneOf<EngineName>(flags, 'engine', ['fast', 'scalar', 'wasm'], ckpt.engine ?? 'fast');
  if (engine === 'wasm') (await import('../io/wasm-node.ts')).enableRelaxedSimd(); // as training computed
  checkModelMemory(flags, ckpt.model, { batchSize: 1, dtype: ckpt.dtype, engine }, `checkpoint ${flags.model}: `);
  const options = validateSampleConfig(
    {
      temperature: num(flags, 'temperature') ?? DEFAULT_SAMPLE.temperature,
      numSamples: int(flags, 'num-samples') ?? DEFAULT_SAMPLE.numSamples,
      topK: int(flags, 'top-k') ?? DEFAULT_SAMPLE.topK,
      maxLength: int(flags, 'max-length') ?? ckpt.model.blockSize,
    },
    ckpt.model.blockSize,
  );
  const gpt = GPT.fromCheckpoint(ckpt, { engine });
  const seed = int(flags, 'seed');
  if (seed !== undefined) gpt.rng.seed(checkSetting('seed', seed));
  const prompt = str(flags, 'prompt') ?? '';
  try {
    gpt.tokenizer.encode(prompt);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e; // the tokenizer's word for a character it does not know
    throw new UsageError(`--prompt: ${e.message}`);
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
      if (!data) return n;
      const mark = markSample(n, data);
      marks.push(mark);
      return `${n}\t(${mark})`;
    });
    process.stdout.write(lines.join('\n') + '\n');
    await new Promise((resolve) => setImmediate(resolve)); // a closed stdout's error arrives here (output.ts exits)
  }
  if (data) process.stdout.write(summarizeMarks(marks) + '\n');
}

const CHUNK = 1000;
