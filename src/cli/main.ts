#!/usr/bin/env node
/** The microgpt command line: subcommand dispatch and the one place errors are reported. */
import { ConfigError } from '../core/config.ts';
import { DataError } from '../core/dataset.ts';
import { UsageError } from './errors.ts';
import { evalCommand } from './eval-command.ts';
import { plotCommand } from './plot-command.ts';
import { sampleCommand } from './sample-command.ts';
import { trainCommand } from './train-command.ts';

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  train: trainCommand,
  sample: sampleCommand,
  eval: evalCommand,
  plot: plotCommand,
};

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first !== undefined && first in COMMANDS) return COMMANDS[first](rest);
  if (first !== undefined && !first.startsWith('-')) throw new UsageError(`unknown command '${first}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`);
  return trainCommand(argv); // train is the default command
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const known = e instanceof UsageError || e instanceof ConfigError || e instanceof DataError || e instanceof RangeError;
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`microgpt: ${known ? message : `internal error: ${message}`}\n`);
  process.exitCode = known ? 2 : 1;
});
