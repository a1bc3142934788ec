/**
 * The settings fields, built from the one settings table (core/settings.ts):
 * labels, ranges, defaults and help come from there. Also the page's address
 * (a link reproduces the run) and the marks on edits that wait for the next Train.
 */
import { checkChoice, checkSetting, keysIn, SETTINGS, type AnySettingKey, type Setting, type SettingKey } from '../index.ts';
import { isChoiceKey } from '../core/settings.ts';
import type { Settings } from './protocol.ts';

const onPage = (key: AnySettingKey) => !(SETTINGS[key] as { notOnPage?: boolean }).notOnPage;
export const MODEL_KEYS = keysIn('model').filter(onPage);
/** How the text becomes documents (Documents: lines or stream). */
export const DATA_KEYS = keysIn('data').filter(onPage);
/** The training settings with fields (Adam's betas and epsilon keep their defaults here). */
export const TRAIN_KEYS = keysIn('train').filter(onPage);
/** The sampling fields (a name here is as long as the block size allows). */
export const SAMPLE_KEYS = keysIn('sample').filter((k) => onPage(k) && k !== 'maxLength');
/** Settings the page has beside the table's: which engine, which text. */
const OTHER_KEYS = ['engine', 'dataset'] as const;
/** Share of the documents held out for the validation curve (when there are at least MIN_VAL_DOCS). */
export const VAL_SHARE = 0.1;
export const MIN_VAL_DOCS = 20;

/**
 * The share held out for validation: VAL_SHARE when the text has enough to hold out (MIN_VAL_DOCS documents; with
 * documents 'stream', one window of block size + 1 characters in its share), else none.
 */
export function valShare(shape: { docs: number; chars: number }, s: Settings): number {
  if (s.documents === 'stream') return Math.round(shape.chars * VAL_SHARE) >= s.blockSize + 1 ? VAL_SHARE : 0;
  return shape.docs < MIN_VAL_DOCS ? 0 : VAL_SHARE;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const field = (key: string) => $<HTMLInputElement>(key);

/** A sentence: the table's help with a capital and a full stop, a CLI flag it names (--documents) named by its label here. */
const sentence = (help: string) => {
  const named = help.replace(
    /--([a-z0-9-]+)/g,
    (flag, name: string) => Object.values<Setting>(SETTINGS).find((s) => s.flag === name)?.label ?? flag,
  );
  return `${named[0].toUpperCase()}${named.slice(1)}.`;
};

/** A number setting's input: its range and step from the table. */
function numberInput(s: Extract<Setting, { kind: 'int' | 'number' }>): HTMLInputElement {
  const input = Object.assign(document.createElement('input'), { id: s.key, type: 'number', value: String(s.default) });
  if (s.key !== 'seed') {
    input.min = String(s.min);
    input.max = String(s.max);
  }
  input.step = s.kind === 'int' ? '1' : 'any';
  input.inputMode = s.kind === 'int' ? 'numeric' : 'decimal';
  return input;
}

/** A choice setting's select: its words, in the table's order, the default chosen. */
function choiceSelect(s: Extract<Setting, { kind: 'choice' }>): HTMLSelectElement {
  const select = Object.assign(document.createElement('select'), { id: s.key });
  for (const c of s.choices) select.append(Object.assign(document.createElement('option'), { value: c, textContent: c }));
  select.value = s.default;
  return select;
}

/** Adds one labelled field per key to host (a number input, or a select for a choice), with its help below it. */
export function buildFields(host: HTMLElement, keys: readonly AnySettingKey[]): void {
  for (const key of keys) {
    const s: Setting = SETTINGS[key];
    const box = document.createElement('div');
    box.className = 'field';
    box.id = `field-${key}`;
    const label = Object.assign(document.createElement('label'), { htmlFor: key, textContent: s.label });
    const input = s.kind === 'choice' ? choiceSelect(s) : numberInput(s);
    const help = Object.assign(document.createElement('p'), { id: `help-${key}`, className: 'help', textContent: sentence(s.help) });
    input.setAttribute('aria-describedby', help.id);
    box.append(label, input, help, pendingMark(key));
    host.append(box);
  }
}

/** "applies at the next Train": shown beside an edit made while a run is on screen. */
export function pendingMark(key: string): HTMLElement {
  return Object.assign(document.createElement('p'), {
    id: `pending-${key}`,
    className: 'pending',
    hidden: true,
    textContent: 'applies at the next Train',
  });
}

/** The model and training settings in the fields (not checked). */
export function readSettings(valFraction: number): Settings {
  const n = (key: SettingKey) => (!onPage(key) ? SETTINGS[key].default : field(key).value.trim() === '' ? NaN : Number(field(key).value));
  const values = Object.fromEntries([...keysIn('model'), ...keysIn('train')].map((k) => [k, n(k)]));
  return {
    ...(values as Omit<Settings, 'engine' | 'valFraction' | 'documents'>),
    engine: $<HTMLSelectElement>('engine').value as Settings['engine'],
    valFraction,
    documents: onPage('documents') ? checkChoice('documents', field('documents').value) : SETTINGS.documents.default,
  };
}

/** A sample field's value, checked against the table (a ConfigError naming it otherwise). */
export const readSample = (key: (typeof SAMPLE_KEYS)[number]) =>
  checkSetting(key, field(key).value.trim() === '' ? NaN : Number(field(key).value));

/** Puts a run's settings into the fields. */
export function fillSettings(s: Settings): void {
  for (const key of [...MODEL_KEYS, ...TRAIN_KEYS, ...DATA_KEYS]) field(key).value = String(s[key]);
  $<HTMLSelectElement>('engine').value = s.engine;
}

/** Marks each edit that differs from the run on screen; the learning rate applies live while a run trains or is paused. */
export function markPending(run: Settings | undefined, liveRate: boolean, dataset: string | undefined): void {
  const now = readSettings(run?.valFraction ?? 0);
  for (const key of [...MODEL_KEYS, ...TRAIN_KEYS, ...DATA_KEYS, 'engine'] as const) {
    const differs = run !== undefined && String(now[key]) !== String(run[key]) && !(key === 'learningRate' && liveRate);
    $(`pending-${key}`).hidden = !differs;
  }
  $('pending-dataset').hidden = !(run && dataset !== undefined && $<HTMLSelectElement>('dataset').value !== dataset);
}

/** Writes the settings of the run on screen (or, with none, the fields) and the sampling fields into the address. */
export function saveToUrl(run: Settings | undefined, dataset: string | undefined): void {
  const params = new URLSearchParams();
  const s = run ?? readSettings(0);
  for (const key of [...MODEL_KEYS, ...TRAIN_KEYS, ...DATA_KEYS]) params.set(key, String(s[key]));
  params.set('engine', s.engine);
  params.set('dataset', dataset ?? $<HTMLSelectElement>('dataset').value);
  for (const key of SAMPLE_KEYS) params.set(key, field(key).value);
  const data = new URLSearchParams(location.search).get('data'); // a text file beside the page (panels/data-link.ts)
  if (data && params.get('dataset') === 'custom') params.set('data', data);
  history.replaceState(null, '', `?${params}`);
}

/** Fills the fields from the address: values the table accepts, options the selects have. */
export function loadFromUrl(): void {
  const params = new URLSearchParams(location.search);
  for (const key of [...MODEL_KEYS, ...TRAIN_KEYS, ...SAMPLE_KEYS, ...DATA_KEYS]) {
    const v = params.get(key);
    if (v === null || v.trim() === '') continue;
    try {
      if (isChoiceKey(key)) checkChoice(key, v);
      else checkSetting(key, Number(v));
      field(key).value = v;
    } catch {
      // a value out of range keeps the default
    }
  }
  for (const key of OTHER_KEYS) {
    const v = params.get(key);
    const select = $<HTMLSelectElement>(key);
    if (v && [...select.options].some((o) => o.value === v)) select.value = v;
  }
}
