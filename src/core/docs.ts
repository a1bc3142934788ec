/**
 * docs = [l.strip() for l in text.strip().split('\n') if l.strip()]: the
 * non-empty stripped lines of a text.
 */
export function parseDocs(text: string): string[] {
  const docs: string[] = [];
  for (const line of text.split('\n')) {
    const doc = pythonStrip(line);
    if (doc) docs.push(doc);
  }
  return docs;
}

// Python's str.strip() whitespace: JS's \s plus \x1c-\x1f and \x85, minus \ufeff
const PY_WS = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
function pythonStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}
