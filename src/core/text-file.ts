/**
 * What makes bytes a training text, in the words both faces use: at most
 * TEXT_LIMIT bytes, not empty, no NUL byte, valid UTF-8. The CLI's reader
 * (io/files.ts) and the page's worker both check with these, so a file is
 * refused the same way, in the same words, wherever it is read. Browser-safe.
 */

const MiB = 2 ** 20;
/** The largest text (data, logs) read: 256 MiB, over a thousand times names.txt. */
export const TEXT_LIMIT = 256 * MiB;

/** A size in whole MiB, rounded up: '3 MiB'. */
export const mib = (bytes: number) => `${Math.ceil(bytes / MiB)} MiB`;

/** Why size bytes are too many for limit ('is 300 MiB; the limit for text is 256 MiB'), to follow a file's name; undefined when they fit. */
export function sizeProblem(size: number, limit = TEXT_LIMIT, kind = 'text'): string | undefined {
  return size > limit ? `is ${mib(size)}; the limit for ${kind} is ${mib(limit)}` : undefined;
}

/**
 * The bytes as text, or why they are not text ('is empty', 'is not text (it
 * contains NUL bytes)', 'is not valid UTF-8 text'), to follow a file's name.
 * A byte-order mark stays a character (U+FEFF), as Python's open() reads it.
 */
export function decodeText(bytes: Uint8Array): { text: string } | { problem: string } {
  if (bytes.length === 0) return { problem: 'is empty' };
  if (bytes.includes(0)) return { problem: 'is not text (it contains NUL bytes)' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { problem: 'is not valid UTF-8 text' };
  }
}
