/** Tiny element helpers for the panels. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null>;

/** An element with attributes (false/undefined/null ones left out) and children (text for strings and numbers). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined || v === null) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(typeof c === 'number' ? String(c) : c);
  return e;
}

/** A table: a caption (for screen readers and sighted readers), head cells and rows; cells are text or nodes. */
export function table(caption: string, head: Child[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return el(
    'table',
    attrs,
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', {}, c)))))),
  );
}

/**
 * The one mark for BOS on the page (microgpt.py's name for it): the token
 * that starts every document and ends it too. Every panel, table and message
 * shows it through showToken.
 */
export const BOS_MARK = 'BOS';

/** A token for display: BOS as BOS_MARK, a space as ␣, a tab as ⇥, a newline (a stream's) as ↵, any other character as itself. */
export const showToken = (c: string) => (c === 'BOS' ? BOS_MARK : c === ' ' ? '␣' : c === '\t' ? '⇥' : c === '\n' ? '↵' : c);

/** A number with a fixed count of decimals and a real minus sign, so columns line up. */
export function num(x: number, digits = 4): string {
  if (Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const s = x.toFixed(digits);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** A small number in scientific notation when fixed digits would show only zeros. */
export function sci(x: number, digits = 4): string {
  if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4)) return num(x, digits + 2);
  return x.toExponential(digits).replace('-', '−');
}

export const $ = <T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string) => root.querySelector(selector) as T;

/** Blue for positive, red for negative, white at zero; |x| / scale saturates at 1. */
export function diverging(x: number, scale: number): string {
  const t = Math.min(1, Math.abs(x) / (scale || 1));
  const [r, g, b] = x >= 0 ? [37, 99, 235] : [220, 38, 38];
  const mix = (c: number) => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** White at 0 to deep blue at 1: the background, and the text colour (black or white) that reads best on it. */
export function sequential(x: number): { background: string; color: string } {
  const t = Math.min(1, Math.max(0, x));
  const rgb = [30, 64, 175].map((c) => Math.round(255 + (c - 255) * t));
  const lin = rgb.map((c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  // contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05)
  const color = (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000' : '#fff';
  return { background: `rgb(${rgb.join(', ')})`, color };
}

/** A container that scrolls sideways when its content is wider than the screen, reachable with the keyboard. */
export function scroller(label: string, child: Node, extraClass = ''): HTMLDivElement {
  return el('div', { class: `scroll ${extraClass}`.trim(), tabindex: 0, role: 'region', 'aria-label': label }, child);
}
