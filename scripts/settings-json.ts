/**
 * Writes pytorch/settings.json, the settings table (src/core/settings.ts) as
 * the PyTorch port reads it: each setting's flag, default, range and help, and
 * which settings a checkpoint's model and train metadata hold. Run it after
 * changing the table: `npm run settings:json`. The output depends on the table
 * alone, so test/pytorch/settings-json.test.ts regenerates it and compares.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pickModel, pickTrain } from '../src/core/checkpoint-check.ts';
import { rangeText, SETTING_LIST, type Setting } from '../src/core/settings.ts';

export const SETTINGS_JSON = fileURLToPath(new URL('../pytorch/settings.json', import.meta.url));

/** One setting as the port reads it: every field present, the two exclusive flags as booleans; a choice setting has its words instead of a range. */
function entry(s: Setting) {
  if (s.kind === 'choice') {
    const range = s.choices.map((c) => `'${c}'`).join(' or ');
    return {
      key: s.key,
      flag: s.flag,
      group: s.group,
      kind: s.kind,
      default: s.default,
      choices: s.choices,
      range,
      valueName: s.valueName ?? null,
      help: s.help,
    };
  }
  return {
    key: s.key,
    flag: s.flag,
    group: s.group,
    kind: s.kind,
    default: s.default,
    min: s.min,
    max: s.max,
    minExclusive: s.minExclusive ?? false,
    maxExclusive: s.maxExclusive ?? false,
    /** The range as an error message says it: 'an integer from 1 to 64'. */
    range: rangeText(s),
    valueName: s.valueName ?? null,
    help: s.help,
  };
}

/** The keys a checkpoint's model and train metadata hold, in the order they are written, as checkpoint-check.ts picks them. */
function checkpointKeys() {
  const all = Object.fromEntries(SETTING_LIST.map((s) => [s.key, s.default]));
  const settings = new Set(SETTING_LIST.map((s) => s.key));
  const keys = (picked: object) => Object.keys(picked).filter((k) => settings.has(k));
  return {
    model: keys(pickModel({ ...all, vocabSize: 2 } as unknown as Parameters<typeof pickModel>[0])),
    train: keys(pickTrain(all as unknown as Parameters<typeof pickTrain>[0])),
  };
}

/** The file's text, as prettier writes it: two-space JSON, a short array of names on one line, a final newline. */
export function settingsJson(): string {
  const json = {
    generated: 'by `npm run settings:json` from src/core/settings.ts: change the table there, not this file',
    settings: SETTING_LIST.map(entry),
    checkpoint: checkpointKeys(),
  };
  const oneLine = (list: string) => `[${(JSON.parse(list) as unknown[]).map((v) => JSON.stringify(v)).join(', ')}]`;
  return JSON.stringify(json, null, 2).replace(/\[\n[^[\]{}]*\]/g, oneLine) + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(SETTINGS_JSON, settingsJson());
  console.log(`wrote ${SETTINGS_JSON}`);
}
