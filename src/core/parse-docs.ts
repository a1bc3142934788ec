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
