/** Probability bars and attention heatmaps. */

export function probabilityBars(container: HTMLElement, probs: number[], vocab: string[], picked?: number): void {
  container.replaceChildren(
    ...probs.map((p, i) => {
      const bar = document.createElement('div');
      bar.className = 'bar' + (i === picked ? ' picked' : '');
      bar.title = `${vocab[i]}: ${(100 * p).toFixed(1)}%`;
      const fill = document.createElement('span');
      fill.style.height = `${Math.max(0.5, 100 * p)}%`;
      const label = document.createElement('b');
      label.textContent = vocab[i] === 'BOS' ? '⏎' : vocab[i];
      bar.append(fill, label);
      return bar;
    }),
  );
}

/** One heatmap per layer and head: row t is where query position t looks (columns 0..t). */
export function attentionHeatmaps(container: HTMLElement, attention: number[][][][], inputs: string[]): void {
  const n = inputs.length;
  container.replaceChildren(
    ...attention.flatMap((layer, l) =>
      layer.map((head, h) => {
        const box = document.createElement('div');
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
        canvas.title = `layer ${l}, head ${h}: rows ${inputs.join(' ')}`;
        const caption = document.createElement('span');
        caption.textContent = `layer ${l} · head ${h}`;
        box.append(canvas, caption);
        return box;
      }),
    ),
  );
}
