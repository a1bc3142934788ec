/**
 * A matrix of the model as a heatmap: one square cell per number, so the map
 * keeps the matrix's shape (rows × columns); its rows and columns labelled
 * (a token's character, a position, or an index); a colour legend with its
 * numbers (min, 0, max); and the numbers as a table, labelled the same way.
 * A map wider than the screen scrolls sideways rather than squashing.
 */
import type { MatrixView } from '../protocol.ts';
import { diverging, el, num, sci, scroller, showToken, table } from './dom.ts';

/** CSS pixels per cell, across and down. */
export const CELL = 14;

/** What a matrix's rows are: the tokens for wte and lm_head, the positions for wpe, else indices. */
export function rowLabels(view: MatrixView): { what: string; labels: string[] } {
  const index = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  if ((view.name === 'wte' || view.name === 'lm_head') && view.vocab.length === view.rows)
    return { what: 'token', labels: view.vocab.map(showToken) };
  if (view.name === 'wpe') return { what: 'position', labels: index(view.rows) };
  return { what: 'row', labels: index(view.rows) };
}

/** How a map's numbers read, in its table and its legend alike: weights with 4 decimals, gradients (often tiny) in scientific notation. */
const format = (kind: 'weights' | 'gradient') => (kind === 'weights' ? (x: number) => num(x) : (x: number) => sci(x, 2));

/** The heatmap of one matrix's weights or gradient, with its labels and its legend. */
export function heatmap(title: string, view: MatrixView, values: readonly number[], kind: 'weights' | 'gradient'): HTMLElement {
  const { rows, cols } = view;
  const fmt = format(kind);
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) [min, max] = [Math.min(min, x), Math.max(max, x)];
  const scale = Math.max(Math.abs(min), Math.abs(max));
  const { what, labels } = rowLabels(view);
  const canvas = el('canvas', {
    width: cols,
    height: rows,
    role: 'img',
    'aria-label': `${title}: a ${rows} by ${cols} heatmap (a row per ${what}), from ${fmt(min)} to ${fmt(max)}; the numbers are in the table below`,
    'data-kind': kind,
    style: `width: ${cols * CELL}px; height: ${rows * CELL}px`,
  });
  const g = canvas.getContext('2d')!;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      g.fillStyle = diverging(values[r * cols + c], scale);
      g.fillRect(c, r, 1, 1);
    }
  const tip = el('span', { class: 'tip', 'aria-hidden': 'true' }, 'hover a cell');
  canvas.onmousemove = (e) => {
    const box = canvas.getBoundingClientRect();
    const c = Math.max(0, Math.min(cols - 1, Math.floor(((e.clientX - box.left) / box.width) * cols)));
    const r = Math.max(0, Math.min(rows - 1, Math.floor(((e.clientY - box.top) / box.height) * rows)));
    tip.textContent = `${what} ${labels[r]}, column ${c}: ${sci(values[r * cols + c], 4)}`;
  };
  // the labels are for the eye (the canvas is one image); the table below says the same to a screen reader
  const colLabels = el(
    'div',
    { class: 'hm-cols', 'aria-hidden': 'true' },
    ...Array.from({ length: cols }, (_, c) => el('span', {}, String(c))),
  );
  const rowLabelsBox = el('div', { class: 'hm-rows', 'aria-hidden': 'true' }, ...labels.map((l) => el('span', {}, l)));
  const grid = el(
    'div',
    { class: 'hm-grid', style: `--cell: ${CELL}px` },
    el('span', { class: 'hm-corner' }),
    colLabels,
    rowLabelsBox,
    canvas,
  );
  // the legend: the colour of min, white at 0, the colour of max, with the numbers
  const zeroAt = max > min ? (100 * (0 - min)) / (max - min) : 50;
  const ramp =
    min < 0 && max > 0
      ? `linear-gradient(to right, ${diverging(min, scale)}, #fff ${zeroAt.toFixed(1)}%, ${diverging(max, scale)})`
      : `linear-gradient(to right, ${diverging(min, scale)}, ${diverging(max, scale)})`;
  const legend = el(
    'p',
    { class: 'hm-legend' },
    el('span', { class: 'hm-min' }, fmt(min)),
    ' ',
    el('span', { class: 'hm-ramp', style: `background: ${ramp}`, 'aria-hidden': 'true' }),
    ' ',
    el('span', { class: 'hm-max' }, fmt(max)),
    el('br'),
    'min to max; white is ',
    el('span', { class: 'hm-zero' }, '0'),
    ', red below, blue above',
  );
  return el(
    'figure',
    { class: 'heatmap', 'data-kind': kind },
    el('figcaption', {}, el('strong', {}, title), el('br'), `a row per ${what} ↓ · columns 0–${cols - 1} → · `, tip),
    scroller(`${title} heatmap`, grid, 'hm-scroll'),
    legend,
  );
}

/** The numbers of a map as a table: a row per matrix row, labelled as the map's rows are. */
export function numbersTable(title: string, view: MatrixView, values: readonly number[], kind: 'weights' | 'gradient'): HTMLElement {
  const fmt = format(kind);
  const { what, labels } = rowLabels(view);
  return scroller(
    `${title} table`,
    table(
      `${title}: a row per ${what}, a column per column of the matrix`,
      [what, ...Array.from({ length: view.cols }, (_, c) => String(c))],
      labels.map((label, r) => [label, ...Array.from({ length: view.cols }, (_, c) => fmt(values[r * view.cols + c]))]),
      { class: kind === 'weights' ? 'numbers matrix' : 'numbers matrix-grad', 'data-kind': kind },
    ),
  );
}
