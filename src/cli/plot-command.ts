/** `microgpt plot`: the loss curve of a --log file as an SVG. */
import { lossCurveSvg, type LossPoint } from '../core/plot.ts';
import { helpLine, parseCommandLine, str, type OptionSpec } from './args.ts';
import { readTextFile } from './data-source.ts';
import { UsageError } from './errors.ts';
import { writeFileAtomic } from './files.ts';
import { parseLogRecords } from './log-read.ts';
import { checkOutputs } from './paths.ts';

export const OPTIONS: OptionSpec = {
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const PLOT_HELP = `Usage: microgpt plot LOG [--out FILE]

Draws the loss curve of a training log (microgpt train --log LOG) as an SVG
file: training loss (raw and smoothed), validation loss where measured, and
the loss of random guessing, ln(vocab size).

Options:
${helpLine('--out FILE', 'where to write the SVG [LOG with .svg for its extension]')}${helpLine('-h, --help', 'show this help')}`;

export async function plotCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseCommandLine(argv, OPTIONS, 1);
  if (flags.help) {
    process.stdout.write(PLOT_HELP);
    return;
  }
  const logPath = positionals[0];
  if (!logPath) throw new UsageError('plot needs a log file: microgpt plot LOG (see --help)');
  const outPath = str(flags, 'out') ?? logPath.replace(/(\.[^./]*)?$/, '.svg');
  checkOutputs([{ path: logPath, name: 'the log file' }], [{ path: outPath, name: flags.out === undefined ? 'the SVG' : '--out' }]);
  const { vocabSize, points } = parseLog(readTextFile(logPath, 'log file'), logPath);
  writeFileAtomic(outPath, lossCurveSvg(points, vocabSize));
  process.stderr.write(`microgpt: wrote ${outPath}\n`);
}

/** The run header's vocabulary size and a point per step (parseLogRecords refuses anything else). */
function parseLog(text: string, logPath: string): { vocabSize: number; points: LossPoint[] } {
  const records = parseLogRecords(text, logPath);
  let vocabSize = 0;
  for (const r of records) if (r.kind === 'run') vocabSize = r.vocabSize;
  const points = records.flatMap((r) => (r.kind === 'step' ? [r.point] : []));
  if (!vocabSize) throw new UsageError(`${logPath}: no run header (is this a microgpt --log file?)`);
  if (points.length === 0) throw new UsageError(`${logPath}: no steps to plot`);
  return { vocabSize, points };
}
