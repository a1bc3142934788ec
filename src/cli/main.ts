#!/usr/bin/env node
/**
 * The microgpt command line: subcommand dispatch; errors are reported in report.ts.
 * Everything but this file loads by import(), so that a process that cannot
 * open its own modules (too few file descriptors: ulimit -n) still says so in
 * one line instead of Node's stack trace. Built, the CLI is one file
 * (scripts/bundle-cli.mjs): there is nothing more to open, and each import()
 * becomes a call that runs the command's modules on first use.
 */

// each command's modules load (or, bundled, run) only when it runs: a run starts faster
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  train: async () => (await import('./train-command.ts')).trainCommand,
  sample: async () => (await import('./sample-command.ts')).sampleCommand,
  eval: async () => (await import('./eval-command.ts')).evalCommand,
  plot: async () => (await import('./plot-command.ts')).plotCommand,
};

async function main(argv: string[]): Promise<void> {
  const [{ UsageError }, { mark }, { watchStdout }, { reportError }, { VERSION }] = await Promise.all([
    import('./errors.ts'),
    import('./timing.ts'),
    import('./output.ts'),
    import('./report.ts'),
    import('./version.ts'),
  ]);
  watchStdout();
  process.on('uncaughtException', (e) => {
    report(e, reportError);
    process.exit();
  });
  mark('main loaded');
  const [first, ...rest] = argv;
  if (first === '--version') return void process.stdout.write(`microgpt ${VERSION}\n`);
  if (first !== undefined && first in COMMANDS) return (await COMMANDS[first]())(rest);
  if (first !== undefined && !first.startsWith('-'))
    throw new UsageError(`unknown command '${first}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`);
  return (await COMMANDS.train())(argv); // train is the default command
}

type Reporter = (e: unknown) => { exitCode: number; text: string };

/** The error as report.ts words it; when report.ts itself could not be loaded, the file-descriptor case in its words. */
function report(e: unknown, reportError?: Reporter): void {
  const { exitCode, text } = reportError?.(e) ?? withoutModules(e);
  process.stderr.write(text);
  process.exitCode = exitCode;
}

function withoutModules(e: unknown): { exitCode: number; text: string } {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EMFILE' || code === 'ENFILE') return { exitCode: 2, text: `microgpt: ${TOO_MANY_FILES}\n` };
  return { exitCode: 1, text: `microgpt: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n` };
}

/** The same words as report.ts's (kept here too: this is what a process says when it cannot load report.ts). */
const TOO_MANY_FILES = 'too many open files: microgpt needs more file descriptors than ulimit -n allows (about 64; raise it)';

main(process.argv.slice(2)).catch(async (e) => {
  const reporter = await import('./report.ts').then((m) => m.reportError).catch(() => undefined);
  report(e, reporter);
});
