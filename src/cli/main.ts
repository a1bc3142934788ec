#!/usr/bin/env node
/** The microgpt command line: subcommand dispatch; errors are reported in report.ts. */
import { UsageError } from './errors.ts';
import { mark } from './timing.ts';
import { watchStdout } from './output.ts';
import { reportError } from './report.ts';
import { VERSION } from './version.ts';

// each command's modules load only when it runs: a run starts faster
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  train: async () => (await import('./train-command.ts')).trainCommand,
  sample: async () => (await import('./sample-command.ts')).sampleCommand,
  eval: async () => (await import('./eval-command.ts')).evalCommand,
  plot: async () => (await import('./plot-command.ts')).plotCommand,
};

async function main(argv: string[]): Promise<void> {
  mark('main loaded');
  const [first, ...rest] = argv;
  if (first === '--version') return void process.stdout.write(`microgpt ${VERSION}\n`);
  if (first !== undefined && first in COMMANDS) return (await COMMANDS[first]())(rest);
  if (first !== undefined && !first.startsWith('-'))
    throw new UsageError(`unknown command '${first}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`);
  return (await COMMANDS.train())(argv); // train is the default command
}

function report(e: unknown): void {
  const { exitCode, text } = reportError(e);
  process.stderr.write(text);
  process.exitCode = exitCode;
}

watchStdout();
process.on('uncaughtException', (e) => {
  report(e);
  process.exit();
});
main(process.argv.slice(2)).catch(report);
