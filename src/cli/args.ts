/**
 * Flag parsing on node:util parseArgs: every value is checked here or in
 * core/config.ts, and every problem becomes a UsageError naming the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  checkChoice,
  checkSetting,
  SETTINGS,
  type AnySettingKey,
  type ChoiceKey,
  type NumberSetting,
  type Setting,
  type SettingKey,
} from '../core/settings.ts';
import { UsageError } from './errors.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(argv: string[], options: OptionSpec): Flags {
  return parseCommandLine(argv, options, 0).flags;
}

/** Flags and up to maxPositionals arguments (plot's LOG), in any order. */
export function parseCommandLine(argv: string[], options: OptionSpec, maxPositionals: number): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: true });
    if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument '${positionals[maxPositionals]}' (see --help)`);
    return { flags: values as Flags, positionals };
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

/** Decimal numbers only: 16, -3, 0.5, .5, 1e-8 (not 0x10, 0b11, Infinity or an empty string). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A number flag; undefined when absent. */
export function num(flags: Flags, name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const v = DECIMAL.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(v)) throw new UsageError(`--${name}: '${raw}' is not a decimal number`);
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

/** parseArgs options for the settings named: each takes a value. */
export function settingOptions(keys: readonly AnySettingKey[]): OptionSpec {
  return Object.fromEntries(keys.map((k) => [SETTINGS[k].flag, { type: 'string' as const }]));
}

/** The settings' flags that are given, each read as its kind says (an integer, a decimal number), unchecked: for a caller that checks them all at once (resolveTrainConfig). */
export function settingValues<K extends SettingKey>(flags: Flags, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) {
    const s: NumberSetting = SETTINGS[key];
    const v = s.kind === 'int' ? int(flags, s.flag) : num(flags, s.flag);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** A setting's flag, read as its kind says and checked against its range; undefined when absent. */
export function settingFlag(flags: Flags, key: SettingKey): number | undefined {
  const s: NumberSetting = SETTINGS[key];
  const v = s.kind === 'int' ? int(flags, s.flag) : num(flags, s.flag);
  return v === undefined ? undefined : checkSetting(key, v);
}

/** A choice setting's flag, checked against its words; undefined when absent. */
export function choiceFlag<K extends ChoiceKey>(flags: Flags, key: K): ReturnType<typeof checkChoice<K>> | undefined {
  const v = str(flags, SETTINGS[key].flag);
  return v === undefined ? undefined : checkChoice(key, v);
}

/** How one command words a setting's help line, where the table's does not fit it: its own help, its own default ('' for none). */
export type HelpOverrides = Partial<Record<AnySettingKey, { help?: string; default?: string }>>;

/** --help lines for the settings named: flag, help, [default]; wrapped at 80 columns. */
export function settingHelp(keys: readonly AnySettingKey[], overrides: HelpOverrides = {}): string {
  return keys
    .map((k) => {
      const s: Setting = SETTINGS[k];
      const own = overrides[k];
      const fallback = own?.default ?? String(s.default);
      const value = s.valueName ?? (s.kind === 'choice' ? s.choices.join('|') : s.kind === 'int' ? 'N' : 'X');
      return helpLine(`--${s.flag} ${value}`, `${own?.help ?? s.help}${fallback ? ` [${fallback}]` : ''}`);
    })
    .join('');
}

/** One option's help: the name in a 23-column gutter, the text wrapped beside it. */
export function helpLine(name: string, text: string): string {
  const gutter = 25;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && gutter + line.length + 1 + word.length > 80) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  const head = `  ${name}`;
  const pad = ' '.repeat(gutter);
  const first = head.length <= gutter - 2 ? head.padEnd(gutter) + lines[0] : `${head}\n${pad}${lines[0]}`;
  return [first, ...lines.slice(1).map((l) => pad + l)].join('\n') + '\n';
}
