#!/usr/bin/env node
/** The microgpt command line: subcommand dispatch and the one place errors are reported. */
import { ConfigError } from '../core/settings.ts';
import { DataError } from '../core/dataset.ts';
import { FileError } from '../io/files.ts';
import { UsageError } from './errors.ts';

// each command's modules load only when it runs: a run starts faster
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  train: async () => (await import('./train-command.ts')).trainCommand,
  sample: async () => (await import('./sample-command.ts')).sampleCommand,
  eval: async () => (await import('./eval-command.ts')).evalCommand,
  plot: async () => (await import('./plot-command.ts')).plotCommand,
};

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first !== undefined && first in COMMANDS) return (await COMMANDS[first]())(rest);
  if (first !== undefined && !first.startsWith('-')) throw new UsageError(`unknown command '${first}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`);
  return (await COMMANDS.train())(argv); // train is the default command
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const known = e instanceof UsageError || e instanceof FileError || e instanceof ConfigError || e instanceof DataError || e instanceof RangeError;
  const message = e instanceof ConfigError ? e.describe((s) => `--${s.flag}`) : e instanceof Error ? e.message : String(e);
  process.stderr.write(`microgpt: ${known ? message : `internal error: ${message}`}\n`);
  process.exitCode = known ? 2 : 1;
});
