/**
 * Two pictures the generation and attention panels share: a strip of
 * probability bars (every token visible, the same numbers as a table on
 * request) and small heatmaps of every attention head at once.
 */
import { BOS_MARK, el, showToken, table } from './dom.ts';

const percent = (p: number) => `${(100 * p).toFixed(p < 0.001 ? 2 : 1)}%`;

/** A token as a screen reader should say it. */
const spoken = (token: string) => (token === ' ' ? 'space' : showToken(token));

/**
 * One bar per token, every one visible (they wrap onto more rows rather than
 * scroll); with asTable, a closed "As a table" with the same numbers.
 */
export function probabilityBars(
  probs: readonly number[],
  vocab: readonly string[],
  what: string,
  picked?: number,
  asTable = true,
): HTMLElement {
  const order = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const bars = el('div', {
    class: 'bars',
    role: 'img',
    'aria-label': `Probabilities of the ${what}, most likely first: ${order
      .slice(0, 5)
      .map(([p, i]) => `${spoken(vocab[i])} ${percent(p)}`)
      .join(', ')}${asTable ? `; the table below lists all ${probs.length}` : ''}.`,
  });
  bars.append(
    ...probs.map((p, i) => {
      const bos = vocab[i] === 'BOS';
      const fill = el('span', { style: `height: calc(${p.toFixed(4)} * (100% - 14px) + 1px)` }); // the label's 14px below: a bar of 1 stays in its box
      return el(
        'div',
        { class: 'bar' + (bos ? ' bos' : '') + (i === picked ? ' picked' : ''), title: `${showToken(vocab[i])}: ${percent(p)}` },
        fill,
        el('b', {}, showToken(vocab[i])),
      );
    }),
  );
  if (!asTable) return bars;
  const rows = order.map(([p, i]) => [showToken(vocab[i]) + (vocab[i] === ' ' ? ' (space)' : ''), percent(p)]);
  const t = table(`Probability of each ${what}, most likely first`, ['token', 'probability'], rows);
  if (picked !== undefined) t.querySelectorAll('tbody tr')[order.findIndex(([, i]) => i === picked)]?.classList.add('picked');
  return el('div', {}, bars, el('details', { class: 'as-table' }, el('summary', {}, 'As a table'), t));
}

/**
 * One small heatmap per layer and head (row t: where query position t looks,
 * columns 0..t); choose(l, h) when one is pressed. The current one is marked.
 */
export function headMaps(
  all: number[][][][],
  inputs: readonly string[],
  current: [number, number],
  choose: (l: number, h: number) => void,
): HTMLElement {
  const n = inputs.length;
  const names = inputs.map((s) => (s === 'BOS' ? BOS_MARK : `‘${showToken(s)}’`));
  const strip = (cls: string) =>
    el(
      'div',
      { class: cls, 'aria-hidden': 'true' },
      ...inputs.map((s) => el('span', { class: s === 'BOS' ? 'bos' : undefined }, showToken(s))),
    );
  return el(
    'div',
    { class: 'att-heads' },
    ...all.flatMap((layer, l) =>
      layer.map((head, h) => {
        const canvas = el('canvas', { width: n, height: n, 'data-layer': l, 'data-head': h, role: 'img' });
        const g = canvas.getContext('2d')!;
        const image = g.createImageData(n, n);
        for (let t = 0; t < n; t++)
          for (let t2 = 0; t2 < n; t2++) {
            const shade = Math.round(255 * (1 - (head[t][t2] ?? 0)));
            image.data.set(t2 > t ? [240, 240, 240, 255] : [shade, shade, 255, 255], 4 * (t * n + t2));
          }
        g.putImageData(image, 0, 0);
        const looks = head.map((row, t) => {
          const best = row.reduce((b, w, i) => (w > row[b] ? i : b), 0);
          return `${names[t]} looks most at ${names[best]} (${percent(row[best])})`;
        });
        canvas.setAttribute('aria-label', `Attention of layer ${l}, head ${h}: ${looks.join('; ')}.`);
        const on = current[0] === l && current[1] === h;
        const pick = el('button', { type: 'button', class: 'att-head-pick', 'aria-pressed': String(on) }, `layer ${l} · head ${h}`);
        pick.onclick = () => choose(l, h);
        return el(
          'figure',
          { class: 'att-head' + (on ? ' current' : '') },
          el('div', { class: 'head-map' }, el('span'), strip('cols'), strip('rows'), canvas),
          el('figcaption', {}, pick),
        );
      }),
    ),
  );
}
