/**
 * docs = [l.strip() for l in text.strip().split('\n') if l.strip()]: the
 * non-empty stripped lines of a text.
 */
export function parseDocs(text: string): string[] {
  // fast path: nothing to strip but the newlines themselves
  if (linesAsTheyAre(text)) {
    const lines = text.split('\n');
    if (!text.includes('\n\n') && lines[0] !== '') {
      if (lines[lines.length - 1] === '') lines.pop(); // the final newline
      return lines;
    }
    return lines.filter((line) => line.length > 0);
  }
  const docs: string[] = [];
  for (const line of text.split('\n')) {
    // most lines need no stripping: skip the regex for them
    const doc = line.length > 0 && !isSpace(line.charCodeAt(0)) && !isSpace(line.charCodeAt(line.length - 1)) ? line : pythonStrip(line);
    if (doc) docs.push(doc);
  }
  return docs;
}

/**
 * The non-empty lines of a text, as [start, end) spans of it (line k is
 * text.slice(spans[2k], spans[2k + 1])), with their count and the longest's
 * length: parseDocs(text) without making a string of each, for a text that
 * linesAsTheyAre().
 */
export function lineSpans(text: string): { spans: Int32Array; count: number; longest: number } {
  let spans = new Int32Array(2048);
  let count = 0;
  let longest = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      if (2 * count === spans.length) {
        const more = new Int32Array(2 * spans.length);
        more.set(spans);
        spans = more;
      }
      spans[2 * count] = start;
      spans[2 * count + 1] = end;
      count++;
      if (end - start > longest) longest = end - start;
    }
    start = end + 1;
  }
  return { spans, count, longest };
}

/** Whether parseDocs(text) is the text's non-empty lines as they are: it has no whitespace but newlines. */
export function linesAsTheyAre(text: string): boolean {
  return !HAS_PY_WS_BUT_NEWLINE.test(text);
}

// Python's str.strip() whitespace: JS's \s plus \x1c-\x1f and \x85, minus \ufeff
const PY_WS = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
function isSpace(c: number): boolean {
  return c <= 0x20 || (c >= 0x85 && PY_STRIP_ONE.test(String.fromCharCode(c)));
}
const PY_STRIP_ONE = new RegExp(`^[${PY_WS}]$`);
const HAS_PY_WS_BUT_NEWLINE = new RegExp(`[${PY_WS.replace('\\n', '')}]`);

function pythonStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}
