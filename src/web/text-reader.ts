/**
 * A text file read in the training worker, never on the page: its bytes are
 * checked as the CLI checks a data file (core/text-file.ts, the same words),
 * decoded and parsed here, and the page gets a summary (size, documents,
 * vocabulary, the first lines), and the text itself only when it is small.
 */
import { parseDocs } from '../core/parse-docs.ts';
import { decodeText, sizeProblem } from '../core/text-file.ts';
import { Tokenizer } from '../core/tokenizer.ts';
import { loadLinkedData } from './panels/data-link.ts';
import { lengthCounts, streamLength } from './doc-lengths.ts';
import type { TextRef, TextSummary } from './protocol.ts';

/** Texts up to this many bytes go back to the page's box, to edit; larger ones stay here. */
export const SMALL_TEXT = 64 * 1024;
/** Documents shown from the start of a large text. */
const HEAD_DOCS = 12;

/** Where a held text came from: the learner's (an upload, ?data=) or one built into the page (Moby-Dick); one of each is held. */
export type TextSlot = 'user' | 'builtin';
const held = new Map<TextSlot, { id: number; text: string }>();
let lastId = 0;

/** A text shipped beside the page (vite.config.ts's virtual:builtin-texts), fetched from its address and read as an upload is. */
export async function readBuiltinText(url: string, name: string): Promise<TextSummary> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${name}: the server answered ${response.status}`);
  return readTextFile(await response.blob(), name, 'builtin');
}

/** The file a page address's ?data= names, read as readTextFile reads an upload. */
export async function readLinkedFile(pageUrl: string): Promise<TextSummary> {
  const linked = await loadLinkedData(pageUrl);
  if (!linked) throw new Error('the address has no ?data=');
  if ('error' in linked) throw new Error(linked.error);
  return readTextFile(linked.body, linked.name);
}

/** Reads, checks and holds a text file; its summary for the page. The error says what is wrong, as the CLI does. */
export async function readTextFile(source: Blob, name: string, slot: TextSlot = 'user'): Promise<TextSummary> {
  const what = `data file ${name}`;
  const tooBig = sizeProblem(source.size);
  if (tooBig) throw new Error(`${what} ${tooBig}`);
  const decoded = decodeText(new Uint8Array(await source.arrayBuffer()));
  if ('problem' in decoded) throw new Error(`${what} ${decoded.problem}`);
  const { text } = decoded;
  const docs = parseDocs(text);
  if (docs.length === 0) throw new Error(`${what} has no non-empty line`);
  const id = ++lastId;
  held.set(slot, { id, text });
  return {
    id,
    name,
    bytes: source.size,
    docs: docs.length,
    chars: streamLength(text),
    lineLengths: lengthCounts(docs),
    vocab: [...Tokenizer.fromDocs(docs).chars],
    head: docs.slice(0, HEAD_DOCS),
    small: source.size <= SMALL_TEXT ? text : undefined,
  };
}

/** The text a request names: its own, or the one held here. */
export function textOf(ref: TextRef): string;
export function textOf(ref: TextRef | undefined): string | undefined;
export function textOf(ref: TextRef | undefined): string | undefined {
  if (ref === undefined || typeof ref === 'string') return ref;
  const found = [...held.values()].find((h) => h.id === ref.loaded);
  if (!found) throw new Error('the text file is no longer loaded: load it again');
  return found.text;
}
