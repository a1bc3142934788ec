/** `microgpt plot`: the loss curve of a --log file as an SVG. */
import { lossCurveSvg, type LossPoint } from '../core/plot.ts';
import { helpLine, parseCommandLine, str, type OptionSpec } from './args.ts';
import { readTextFile } from './data-source.ts';
import { UsageError } from './errors.ts';
import { writeFileAtomic } from './files.ts';
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

/** The run header's vocabulary size and a point per step; any record that is not one of those, or a value that is not a finite number, is refused. */
function parseLog(text: string, logPath: string): { vocabSize: number; points: LossPoint[] } {
  let vocabSize = 0;
  const points: LossPoint[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${logPath}: line ${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new UsageError(`${where} is not JSON (is this a microgpt --log file?)`);
    }
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isObject(record) || !(isObject(record.run) || 'step' in record))
      throw new UsageError(`${where} is not a record of a microgpt --log file`);
    const finite = (o: Record<string, unknown>, key: string): number => {
      const v = o[key];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new UsageError(`${where}: ${key} is not a finite number (${typeof v === 'number' ? v : (JSON.stringify(v) ?? 'missing')})`);
      return v;
    };
    if (isObject(record.run)) {
      vocabSize = finite(record.run, 'vocab_size');
      if (!Number.isInteger(vocabSize) || vocabSize < 2)
        throw new UsageError(`${where}: vocab_size is not an integer of at least 2 (${vocabSize})`);
      return;
    }
    points.push({
      step: finite(record, 'step'),
      loss: finite(record, 'loss'),
      ...('val_loss' in record ? { val_loss: finite(record, 'val_loss') } : {}),
    });
  });
  if (!vocabSize) throw new UsageError(`${logPath}: no run header (is this a microgpt --log file?)`);
  if (points.length === 0) throw new UsageError(`${logPath}: no steps to plot`);
  return { vocabSize, points };
}
