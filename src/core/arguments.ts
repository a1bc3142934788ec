/**
 * Checks of what a program passes to the library, at the door: a wrong type
 * is a TypeError that names the argument and says what it must be ('train(options):
 * options.text must be a string (the training text), got 123'), never an error
 * from deep inside. Numbers are checked by the settings table (settings.ts).
 */

/** A value as a message shows it: "ab", 5, null, nothing, an object, an ArrayBuffer, a function. */
export function shown(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v !== 'object') return `a ${typeof v}`;
  const proto = Object.getPrototypeOf(v);
  const name = proto === Object.prototype || proto === null ? 'object' : ((v as object).constructor?.name ?? 'object');
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws a TypeError `${where}: ${problem}`. */
export function refuse(where: string, problem: string): never {
  throw new TypeError(`${where}: ${problem}`);
}

/** An options object: an object (or undefined when optional) whose every key is one of known; hint(key) says where a stray key belongs. */
export function checkOptions(
  value: unknown,
  where: string,
  name: string,
  what: string,
  known: readonly string[],
  hint: (key: string) => string = () => '',
): void {
  if (!isObject(value)) refuse(where, `${name} must be an object ${what}, got ${shown(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) refuse(where, `${name}.${key} is not an option of ${where.replace(/\(.*$/, '')}()${hint(key)}`);
  }
}

/** A group of settings (options.model, options.train): an object whose keys are among known. */
export function checkGroup(value: unknown, where: string, name: string, known: readonly string[]): void {
  if (value === undefined) return;
  const what = name.endsWith('model') ? 'model' : 'training';
  if (!isObject(value)) refuse(where, `${name} must be an object of ${what} settings, got ${shown(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) refuse(where, `${name} has no setting ${key} (its settings: ${known.join(', ')})`);
  }
}

export function checkFunction(value: unknown, where: string, name: string): void {
  if (value !== undefined && typeof value !== 'function') refuse(where, `${name} must be a function, got ${shown(value)}`);
}

export function checkString(value: unknown, where: string, name: string, what = ''): asserts value is string {
  if (typeof value !== 'string') refuse(where, `${name} must be a string${what}, got ${shown(value)}`);
}

/** An AbortSignal, or anything with its boolean `aborted` (a signal of another realm). */
export function checkSignal(value: unknown, where: string, name: string): void {
  if (value !== undefined && !(isObject(value) && typeof value.aborted === 'boolean'))
    refuse(where, `${name} must be an AbortSignal, got ${shown(value)}`);
}
