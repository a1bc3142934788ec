/** Probability bars (with the same numbers as a table) and attention heatmaps (with the same in words). */

/** How a token reads on the page: ⏎ for the end of a name (BOS), ␣ for a space, ⇥ for a tab. */
export function tokenLabel(token: string): string {
  if (token === 'BOS') return '⏎';
  if (token === ' ') return '␣';
  if (token === '\t') return '⇥';
  return token;
}

const percent = (p: number) => `${(100 * p).toFixed(p < 0.001 ? 2 : 1)}%`;

/** One bar per token, every one visible (they wrap onto more rows rather than scroll), and a table of the same numbers. */
export function probabilityBars(container: HTMLElement, probs: number[], vocab: string[], picked?: number, what = 'next character'): void {
  const bars = document.createElement('div');
  bars.className = 'bars';
  bars.setAttribute('role', 'img');
  const order = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  bars.setAttribute(
    'aria-label',
    `Probabilities of the ${what}, most likely first: ${order
      .slice(0, 5)
      .map(([p, i]) => `${spoken(vocab[i])} ${percent(p)}`)
      .join(', ')}; the table below lists all ${probs.length}.`,
  );
  bars.append(
    ...probs.map((p, i) => {
      const bar = document.createElement('div');
      bar.className = 'bar' + (i === picked ? ' picked' : '');
      bar.title = `${tokenLabel(vocab[i])}: ${percent(p)}`;
      const fill = document.createElement('span');
      fill.style.height = `calc(${p.toFixed(4)} * (100% - 14px) + 1px)`; // the label's 14px below: a bar of 1 stays in its box
      const label = document.createElement('b');
      label.textContent = tokenLabel(vocab[i]);
      bar.append(fill, label);
      return bar;
    }),
  );
  const details = document.createElement('details');
  details.className = 'as-table';
  const summary = document.createElement('summary');
  summary.textContent = 'As a table';
  const table = document.createElement('table');
  const caption = document.createElement('caption');
  caption.textContent = `Probability of each ${what}, most likely first`;
  const head = document.createElement('tr');
  head.append(cell('th', 'character'), cell('th', 'probability'));
  table.append(
    caption,
    head,
    ...order.map(([p, i]) => {
      const row = document.createElement('tr');
      if (i === picked) row.className = 'picked';
      row.append(
        cell('td', `${tokenLabel(vocab[i])}${vocab[i] === 'BOS' ? ' (end)' : vocab[i] === ' ' ? ' (space)' : ''}`),
        cell('td', percent(p)),
      );
      return row;
    }),
  );
  details.append(summary, table);
  container.replaceChildren(bars, details);
}

function cell(tag: 'td' | 'th', text: string): HTMLElement {
  const c = document.createElement(tag);
  c.textContent = text;
  return c;
}

/** A token as a screen reader should say it. */
function spoken(token: string): string {
  if (token === 'BOS') return 'end';
  if (token === ' ') return 'space';
  return token;
}

/** One heatmap per layer and head: row t is where query position t looks (columns 0..t). */
export function attentionHeatmaps(container: HTMLElement, attention: number[][][][], inputs: string[]): void {
  const n = inputs.length;
  const names = inputs.map((s) => (s === 'BOS' ? 'start' : `‘${tokenLabel(s)}’`));
  container.replaceChildren(
    ...attention.flatMap((layer, l) =>
      layer.map((head, h) => {
        const box = document.createElement('figure');
        box.className = 'head';
        const canvas = document.createElement('canvas');
        canvas.width = n;
        canvas.height = n;
        canvas.dataset.layer = String(l);
        canvas.dataset.head = String(h);
        const g = canvas.getContext('2d')!;
        const image = g.createImageData(n, n);
        head.forEach((row, t) =>
          row.forEach((w, t2) => {
            const k = 4 * (t * n + t2);
            const shade = Math.round(255 * (1 - w));
            image.data.set([shade, shade, 255, 255], k);
          }),
        );
        for (let t = 0; t < n; t++) for (let t2 = t + 1; t2 < n; t2++) image.data.set([240, 240, 240, 255], 4 * (t * n + t2));
        g.putImageData(image, 0, 0);
        canvas.setAttribute('role', 'img');
        const looks = head.map((row, t) => {
          const best = row.reduce((b, w, i) => (w > row[b] ? i : b), 0);
          return `${names[t]} looks most at ${names[best]} (${percent(row[best])})`;
        });
        canvas.setAttribute('aria-label', `Attention of layer ${l}, head ${h}: ${looks.join('; ')}.`);
        const caption = document.createElement('figcaption');
        caption.textContent = `layer ${l} · head ${h}`;
        // the positions along both edges: rows look (left), columns are looked at (top)
        const labels = (cls: string) => {
          const strip = document.createElement('div');
          strip.className = cls;
          strip.setAttribute('aria-hidden', 'true');
          strip.append(
            ...inputs.map((s) => Object.assign(document.createElement('span'), { textContent: s === 'BOS' ? '·' : tokenLabel(s) })),
          );
          return strip;
        };
        const grid = document.createElement('div');
        grid.className = 'heatmap';
        grid.append(document.createElement('span'), labels('cols'), labels('rows'), canvas);
        box.append(grid, caption);
        return box;
      }),
    ),
  );
}

/** The inspection of a word: next-character bars at each position, and the attention heatmaps. */
export function inspectionView(
  probsBox: HTMLElement,
  attentionBox: HTMLElement,
  m: { inputs: string[]; probs: number[][]; attention: number[][][][]; vocab: string[] },
): void {
  probsBox.replaceChildren(
    ...m.probs.map((p, t) => {
      const box = document.createElement('div');
      box.className = 'position';
      const title = document.createElement('h3');
      const before = m.inputs
        .slice(1, t + 1)
        .map(tokenLabel)
        .join('');
      title.textContent = t === 0 ? 'at the start of a name' : `after “${before}”`;
      const bars = document.createElement('div');
      probabilityBars(bars, p, m.vocab, undefined, t === 0 ? 'first character' : `character after “${before}”`);
      box.append(title, bars);
      return box;
    }),
  );
  attentionHeatmaps(attentionBox, m.attention, m.inputs);
}

/** Milliseconds as the page shows them: 1.23 s. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The speed figures of the steps trained here ('–' before the first). */
export function showTimes(t: { workerMs: number; trainMs: number; evalMs: number; stepsTrained: number }): void {
  const none = t.stepsTrained === 0;
  byId('stat-ms').textContent = none ? '–' : (t.trainMs / t.stepsTrained).toFixed(3);
  byId('stat-eval').textContent = none ? '–' : seconds(t.evalMs);
  byId('stat-worker').textContent = none ? '–' : seconds(t.workerMs);
}

const byId = (id: string) => document.getElementById(id) as HTMLElement;
