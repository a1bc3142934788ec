/**
 * The page's default text, as the CLI's: makemore's names.txt from its pinned
 * address (core/names-source.ts), checked by sha256 and kept in the browser's
 * cache; only when that fails, the built-in first names, with one line that
 * says so and how they differ (other names, so other numbers than microgpt.py's).
 */
import { parseDocs } from '../core/parse-docs.ts';
import { Tokenizer } from '../core/tokenizer.ts';
import { NAMES_DOWNLOAD_LIMIT, NAMES_SHA256, NAMES_URL } from '../core/names-source.ts';
import { BUILTIN_NAMES } from './datasets.ts';

export interface NamesText {
  text: string;
  /** One line for beside the dataset field: where the text came from. */
  note: string;
  /** True: the built-in names stand in for names.txt. */
  fallback: boolean;
}

const CACHE = 'microgpt-data';
const TIMEOUT_MS = 10_000;
const fmt = (n: number) => n.toLocaleString('en');

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A failure to get names.txt, in words. */
class NamesError extends Error {}

/** The verified bytes from the cache, or undefined. */
async function fromCache(): Promise<Uint8Array | undefined> {
  try {
    const hit = await (await caches.open(CACHE)).match(NAMES_URL);
    if (!hit) return undefined;
    const bytes = new Uint8Array(await hit.arrayBuffer());
    return (await sha256(bytes)) === NAMES_SHA256 ? bytes : undefined;
  } catch {
    return undefined; // no Cache API here (not a secure context): download
  }
}

async function download(): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(NAMES_URL, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new NamesError((e as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS / 1000} s` : (e as Error).message);
  }
  if (!response.ok) throw new NamesError(`HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > NAMES_DOWNLOAD_LIMIT) throw new NamesError(`the answer is larger than ${NAMES_DOWNLOAD_LIMIT / 1024} KiB`);
  if ((await sha256(bytes)) !== NAMES_SHA256) throw new NamesError('the download does not match the expected sha256');
  try {
    await (await caches.open(CACHE)).put(NAMES_URL, new Response(bytes as Uint8Array<ArrayBuffer>));
  } catch {
    // not cached: the next visit downloads again
  }
  return bytes;
}

/** The line for the built-in names: how many, their vocabulary and what it has beyond a–z. */
function fallbackNote(reason: string): string {
  const docs = parseDocs(BUILTIN_NAMES);
  const chars = Tokenizer.fromDocs(docs).chars;
  const extra = chars.filter((c) => !/[a-z]/.test(c)).map((c) => `“${c}”`);
  return `Offline: cannot download names.txt (${reason}); training on the built-in list of ${fmt(docs.length)} first names instead (vocabulary ${chars.length + 1}${extra.length ? `, with ${extra.join(' ')}` : ''}), so the numbers differ from microgpt.py’s.`;
}

/** names.txt (cached, else downloaded and verified), else the built-in names. */
export async function loadNames(): Promise<NamesText> {
  try {
    const bytes = (await fromCache()) ?? (await download());
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return {
      text,
      note: `makemore’s names.txt: ${fmt(parseDocs(text).length)} names, checked by its sha256, as microgpt.py trains on.`,
      fallback: false,
    };
  } catch (e) {
    if (!(e instanceof NamesError)) throw e;
    return { text: BUILTIN_NAMES, note: fallbackNote(e.message), fallback: true };
  }
}
