/** `microgpt eval`: a saved model's loss and perplexity on a text. */
import { parseDocs } from '../core/parse-docs.ts';
import { formatFixed } from '../core/format.ts';
import { GPT } from '../core/gpt.ts';
import type { EngineName } from '../engines/engine.ts';
import { oneOf, parseFlags, str, type OptionSpec } from './args.ts';
import { resolveText } from './data-source.ts';
import { UsageError } from './errors.ts';
import { readModelFlag } from './files.ts';

const OPTIONS: OptionSpec = {
  model: { type: 'string' },
  data: { type: 'string' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const EVAL_HELP = `Usage: microgpt eval --model FILE [--data FILE]

Prints the model's mean loss per predicted token (nats) and its perplexity on
every non-empty line of the data (found as for train: --data, ./input.txt,
names.txt). Documents longer than the block size are cut, as in training.

Options:
  --model FILE           a checkpoint written by microgpt train --out, or a
                         weights-only one (model, vocab, weights) (required)
  --data FILE            the text to evaluate on
  --engine NAME          fast or scalar [fast]
  -h, --help             show this help
`;

export async function evalCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, OPTIONS);
  if (flags.help) {
    process.stdout.write(EVAL_HELP);
    return;
  }
  const ckpt = readModelFlag(flags, 'eval');
  const engine = oneOf<EngineName>(flags, 'engine', ['fast', 'scalar'], 'fast');
  const gpt = GPT.fromCheckpoint(ckpt, { engine });
  const { text, origin } = await resolveText(str(flags, 'data'), (line) => process.stderr.write(`microgpt: ${line}\n`));
  const docs = parseDocs(text);
  if (docs.length === 0) throw new UsageError(`${origin} has no non-empty line`);
  docs.forEach((doc, i) => {
    try {
      gpt.tokenizer.encode(doc);
    } catch (e) {
      throw new UsageError(`${origin}: document ${i + 1} (${JSON.stringify(doc)}): ${(e as Error).message} of the model`);
    }
  });
  const r = gpt.evaluate(docs);
  process.stdout.write(`docs: ${docs.length}\ntokens: ${r.tokens}\nloss: ${formatFixed(r.loss, 4)} nats per token\nperplexity: ${formatFixed(r.perplexity, 3)}\n`);
}
