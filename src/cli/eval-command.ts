/** `microgpt eval`: a saved model's loss and perplexity on a text. */
import { parseDocs } from '../core/parse-docs.ts';
import { formatFixed } from '../core/format.ts';
import { GPT } from '../core/gpt.ts';
import { coveringWindows, streamText } from '../core/stream.ts';
import { helpLine, parseFlags, str, type OptionSpec } from './args.ts';
import { ENGINE_OPTION, engineFlag, MODEL_ENGINE_HELP } from './engine-flags.ts';
import { resolveText } from './data-source.ts';
import { UsageError } from './errors.ts';
import { MODEL_FILE_HELP, readModelFlag } from './files.ts';
import { checkModelMemory, MEMORY_HELP, MEMORY_OPTION } from './memory-flag.ts';

export const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  data: { type: 'string' },
  ...ENGINE_OPTION,
  ...MEMORY_OPTION,
  help: { type: 'boolean', short: 'h' },
};

export const EVAL_HELP = `Usage: microgpt eval --model FILE [--data FILE]

Prints the model's mean loss per predicted token (nats) and its perplexity on
every non-empty line of the data (found as for train: --data, ./input.txt,
names.txt). Documents longer than the block size are cut, as in training.
A model trained with --documents stream reads the whole text as one stream,
in windows of block-size + 1 characters at 0, block-size, 2 x block-size, ...:
every character but the first is predicted once.
On a terminal, progress is shown on stderr.

Options:
${MODEL_FILE_HELP}${helpLine('--data FILE', 'the text to evaluate on')}${MODEL_ENGINE_HELP}${MEMORY_HELP}${helpLine('-h, --help', 'show this help')}`;

export async function evalCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, OPTIONS);
  if (flags.help) {
    process.stdout.write(EVAL_HELP);
    return;
  }
  const ckpt = readModelFlag(flags, 'eval');
  const engine = engineFlag(flags, ckpt.engine ?? 'fast');
  if (engine === 'wasm') (await import('../io/wasm-node.ts')).enableRelaxedSimd(); // as training computed
  checkModelMemory(flags, ckpt.model, { batchSize: 64, dtype: ckpt.dtype, engine }, `checkpoint ${flags.model}: `);
  const gpt = GPT.fromCheckpoint(ckpt, { engine });
  // where the data came from is said once it has passed the checks: a refusal stays one line
  const said: string[] = [];
  const { text, origin } = await resolveText(str(flags, 'data'), (line) => said.push(line));
  const tell = () => said.forEach((line) => process.stderr.write(`microgpt: ${line}\n`));
  if (ckpt.train?.documents === 'stream') return evalStream(gpt, text, origin, tell);
  const docs = parseDocs(text);
  if (docs.length === 0) throw new UsageError(`${origin} has no non-empty line`);
  docs.forEach((doc, i) => {
    const unknown = gpt.tokenizer.unknownCharacter(doc);
    if (unknown !== undefined) {
      const shown = doc.length > 60 ? `${JSON.stringify(doc.slice(0, 60))}...` : JSON.stringify(doc);
      throw new UsageError(
        `${origin}: document ${i + 1} (${shown}): character ${JSON.stringify(unknown)} is not in the vocabulary of the model`,
      );
    }
  });
  tell();
  const r = evaluateWithProgress(gpt, docs, process.stderr.isTTY === true);
  process.stdout.write(
    `docs: ${docs.length}\ntokens: ${r.tokens}\nloss: ${formatFixed(r.loss, 4)} nats per token\nperplexity: ${formatFixed(r.perplexity, 3)}\n`,
  );
}

/** eval of a stream model: the text's covering windows (stream.ts), in chunks. */
function evalStream(gpt: GPT, raw: string, origin: string, tell: () => void): void {
  const text = streamText(raw);
  const unknown = gpt.tokenizer.unknownCharacter(text);
  if (unknown !== undefined) throw new UsageError(`${origin}: character ${JSON.stringify(unknown)} is not in the vocabulary of the model`);
  const windows = coveringWindows(gpt.tokenizer.encode(text), gpt.config.blockSize);
  if (windows.length === 0) throw new UsageError(`${origin} has fewer than two characters: nothing to predict`);
  tell();
  let total = 0;
  let tokens = 0;
  const live = process.stderr.isTTY === true;
  for (let i = 0; i < windows.length; i += CHUNK) {
    const r = gpt.engine.totalLoss(windows.slice(i, i + CHUNK));
    total += r.total;
    tokens += r.tokens;
    if (live) process.stderr.write(`\r\x1b[Kevaluating: ${Math.min(i + CHUNK, windows.length)} / ${windows.length} windows`);
  }
  if (live) process.stderr.write('\r\x1b[K');
  const loss = total / tokens;
  process.stdout.write(
    `windows: ${windows.length}\ntokens: ${tokens}\nloss: ${formatFixed(loss, 4)} nats per token\nperplexity: ${formatFixed(Math.exp(loss), 3)}\n`,
  );
}

/** Documents per evaluate() call: progress is redrawn between them. */
const CHUNK = 2048;
const REDRAW_MS = 100;

/** gpt.evaluate over all docs, in chunks; on a terminal, a live 'evaluating: i / n docs' line on stderr, cleared at the end. */
function evaluateWithProgress(gpt: GPT, docs: readonly string[], live: boolean): { loss: number; tokens: number; perplexity: number } {
  if (docs.length <= CHUNK) return gpt.evaluate(docs);
  const draw = (done: number) => process.stderr.write(`\r\x1b[Kevaluating: ${done} / ${docs.length} docs`);
  let lastDraw = performance.now();
  if (live) draw(0);
  let lossSum = 0;
  let tokens = 0;
  for (let i = 0; i < docs.length; i += CHUNK) {
    const r = gpt.evaluate(docs.slice(i, i + CHUNK));
    lossSum += r.loss * r.tokens;
    tokens += r.tokens;
    const now = performance.now();
    if (live && now - lastDraw >= REDRAW_MS) {
      draw(Math.min(i + CHUNK, docs.length));
      lastDraw = now;
    }
  }
  if (live) process.stderr.write('\r\x1b[K');
  return { loss: lossSum / tokens, tokens, perplexity: Math.exp(lossSum / tokens) };
}
