/** `microgpt plot`: the loss curve of a --log file as an SVG. */
import { lossCurveSvg, type LossPoint } from '../core/plot.ts';
import { parseFlags, str, type OptionSpec } from './args.ts';
import { readTextFile } from './data-source.ts';
import { UsageError } from './errors.ts';
import { writeFileAtomic } from './files.ts';

const OPTIONS: OptionSpec = {
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const PLOT_HELP = `Usage: microgpt plot LOG [--out FILE]

Draws the loss curve of a training log (microgpt train --log LOG) as an SVG
file: training loss (raw and smoothed), validation loss where measured, and
the loss of random guessing, ln(vocab size).

Options:
  --out FILE             where to write the SVG [LOG with .svg for its extension]
  -h, --help             show this help
`;

export async function plotCommand(argv: string[]): Promise<void> {
  const positional = argv.filter((a) => !a.startsWith('-'));
  const logPath = positional[0];
  const flags = parseFlags(argv.filter((a) => a !== logPath), OPTIONS);
  if (flags.help) {
    process.stdout.write(PLOT_HELP);
    return;
  }
  if (!logPath) throw new UsageError('plot needs a log file: microgpt plot LOG (see --help)');
  const lines = readTextFile(logPath, 'log file').split('\n').filter((l) => l.trim());
  let vocabSize = 0;
  const points: LossPoint[] = [];
  lines.forEach((line, i) => {
    let record: { run?: { vocab_size?: number }; step?: number; loss?: number; val_loss?: number };
    try {
      record = JSON.parse(line);
    } catch {
      throw new UsageError(`${logPath}: line ${i + 1} is not JSON (is this a microgpt --log file?)`);
    }
    if (record.run) vocabSize = record.run.vocab_size ?? 0;
    else if (typeof record.step === 'number' && typeof record.loss === 'number') points.push({ step: record.step, loss: record.loss, val_loss: record.val_loss });
  });
  if (!vocabSize) throw new UsageError(`${logPath}: no run header (is this a microgpt --log file?)`);
  if (points.length === 0) throw new UsageError(`${logPath}: no steps to plot`);
  const outPath = str(flags, 'out') ?? logPath.replace(/(\.[^./]*)?$/, '.svg');
  writeFileAtomic(outPath, lossCurveSvg(points, vocabSize));
  process.stderr.write(`microgpt: wrote ${outPath}\n`);
}
