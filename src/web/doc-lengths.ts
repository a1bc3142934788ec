/**
 * How long a text's documents are, counted once (in the worker for a large
 * text, on the page for a small one), and what lines mode leaves out of them
 * at a block size: the page's hint beside Documents, in the CLI's words
 * (core/dataset.ts's cutCharacters counts the same from the documents).
 */

/** [length, count]: how many documents have each length in characters, by length. */
export type LengthCounts = [number, number][];

/** Characters (code points) in s, counted without an array of them (a text may be 60 MB). */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) n--;
  }
  return n;
}

/** The characters a stream trains on: the text's code points, each CRLF counted once (core/stream.ts's streamText). */
export function streamLength(text: string): number {
  let crlf = 0;
  for (let i = text.indexOf('\r\n'); i >= 0; i = text.indexOf('\r\n', i + 2)) crlf++;
  return codePoints(text) - crlf;
}

/** How many documents have each length. */
export function lengthCounts(docs: readonly string[]): LengthCounts {
  const counts = new Map<number, number>();
  for (const d of docs) {
    const n = codePoints(d);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/** Lines mode trains on the first blockSize characters of each document: the characters beyond, and all of them. */
export function cutOf(counts: LengthCounts, blockSize: number): { cut: number; total: number } {
  let cut = 0;
  let total = 0;
  for (const [n, k] of counts) {
    total += n * k;
    if (n > blockSize) cut += (n - blockSize) * k;
  }
  return { cut, total };
}
