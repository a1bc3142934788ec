/**
 * The loss curve as a standalone SVG: training loss (raw and smoothed),
 * validation loss, and the loss of random guessing, ln(vocab size).
 */
export interface LossPoint {
  step: number;
  loss: number;
  val_loss?: number;
}

const W = 800;
const H = 450;
const M = { left: 60, right: 20, top: 40, bottom: 50 };

export function lossCurveSvg(points: readonly LossPoint[], vocabSize: number, title = 'microgpt training loss'): string {
  if (points.length === 0) throw new RangeError('no steps to plot');
  const guess = Math.log(vocabSize);
  const losses = points.map((p) => p.loss);
  const vals = points.filter((p) => p.val_loss !== undefined) as Required<LossPoint>[];
  const maxStep = Math.max(...points.map((p) => p.step));
  const minStep = Math.min(...points.map((p) => p.step));
  const yMax = Math.max(guess, ...losses, ...vals.map((p) => p.val_loss)) * 1.05;
  const yMin = Math.max(0, Math.min(...losses, ...vals.map((p) => p.val_loss)) * 0.95);
  const x = (step: number) => M.left + ((step - minStep) / Math.max(1, maxStep - minStep)) * (W - M.left - M.right);
  const y = (loss: number) => M.top + (1 - (loss - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const path = (pts: [number, number][]) => pts.map(([s, l]) => `${x(s).toFixed(1)},${y(l).toFixed(1)}`).join(' ');

  // raw points thinned to ~2000, and a moving average over ~1% of the run
  const stride = Math.max(1, Math.ceil(points.length / 2000));
  const raw = points.filter((_, i) => i % stride === 0).map((p) => [p.step, p.loss] as [number, number]);
  const window = Math.max(1, Math.round(points.length / 100));
  let acc = 0;
  const smooth: [number, number][] = [];
  points.forEach((p, i) => {
    acc += p.loss - (i >= window ? points[i - window].loss : 0);
    if (i % stride === 0 || i === points.length - 1) smooth.push([p.step, acc / Math.min(i + 1, window)]);
  });

  const yTicks = niceTicks(yMin, yMax, 6);
  const xTicks = niceTicks(minStep, maxStep, 8);
  const esc = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    ...yTicks.map(
      (t) =>
        `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/><text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(2)}</text>`,
    ),
    ...xTicks.map((t) => `<text x="${x(t).toFixed(1)}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`),
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#888"/><line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#888"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">step</text>`,
    `<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">loss (nats per token)</text>`,
    `<line class="random-guess" x1="${M.left}" x2="${W - M.right}" y1="${y(guess).toFixed(1)}" y2="${y(guess).toFixed(1)}" stroke="#c33" stroke-dasharray="6 4"/>`,
    `<text x="${W - M.right - 4}" y="${(y(guess) - 6).toFixed(1)}" text-anchor="end" fill="#c33">random guessing: ln(${vocabSize}) = ${guess.toFixed(3)}</text>`,
    `<polyline class="train-raw" fill="none" stroke="#9ab" stroke-width="0.7" points="${path(raw)}"/>`,
    `<polyline class="train" fill="none" stroke="#1565c0" stroke-width="2" points="${path(smooth)}"/>`,
    vals.length > 0
      ? `<polyline class="val" fill="none" stroke="#ef6c00" stroke-width="2" points="${path(vals.map((p) => [p.step, p.val_loss]))}"/>`
      : '',
    ...vals.map((p) => `<circle cx="${x(p.step).toFixed(1)}" cy="${y(p.val_loss).toFixed(1)}" r="3" fill="#ef6c00"/>`),
    `<g transform="translate(${M.left + 12} ${M.top + 8})"><line x2="20" stroke="#1565c0" stroke-width="2"/><text x="26" y="4">train (moving average)</text>`,
    vals.length > 0 ? `<line y1="18" y2="18" x2="20" stroke="#ef6c00" stroke-width="2"/><text x="26" y="22">validation</text>` : '',
    `</g>`,
    `</svg>`,
    '',
  ].join('\n');
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = Math.max(hi - lo, 1e-9);
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
