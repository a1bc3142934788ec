/**
 * Flag parsing on node:util parseArgs: every value is checked here or in
 * core/config.ts, and every problem becomes a UsageError naming the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(argv: string[], options: OptionSpec): Flags {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see --help)`);
    return values as Flags;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // parseArgs's messages are one sentence plus a hint; keep the sentence
    const msg = (e as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${msg} (see --help)`);
  }
}

/** `--flag -3` as `--flag=-3`: parseArgs would take -3 for an option, and range checks give the better message. */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && /^-(\d|\.\d|inf)/i.test(argv[i + 1] ?? '')) {
      out.push(`${argv[i]}=${argv[++i]}`);
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** A number flag; undefined when absent. */
export function num(flags: Flags, name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new UsageError(`--${name}: '${raw}' is not a number`);
  return v;
}

/** An integer flag; undefined when absent. */
export function int(flags: Flags, name: string): number | undefined {
  const v = num(flags, name);
  if (v !== undefined && !Number.isInteger(v)) throw new UsageError(`--${name}: '${flags[name]}' is not an integer`);
  return v;
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function oneOf<T extends string>(flags: Flags, name: string, choices: readonly T[], fallback: T): T {
  const v = str(flags, name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
  return v as T;
}
