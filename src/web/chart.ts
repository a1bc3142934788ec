/**
 * The live loss chart on a canvas: each step's training loss (faint), its
 * moving average (the window named in the legend), validation loss and the
 * random-guess line ln(vocab). The y axis fits the data (from 0, or a log
 * scale); the x axis shows the whole run, or, while only a few steps are
 * taken, those steps close up; points that are not finite (a diverged step)
 * are left out.
 */
export interface ChartRange {
  yMin: number;
  yMax: number;
  log: boolean;
}

const COLORS = { train: '#1d4ed8', raw: '#a9bdf0', val: '#c2410c', guess: '#475569', grid: '#e2e8f0', text: '#475569' };

export class LossChart {
  private steps: number[] = [];
  private losses: number[] = [];
  /** The training loss as drawn: a moving average over 2.5% of the run. */
  private smooth: number[] = [];
  private sum = 0;
  private val: [number, number][] = [];
  private numSteps = 1;
  private guess = Math.log(27);
  private pending = false;
  log = false;
  range: ChartRange = { yMin: 0, yMax: 1, log: false };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** Where the legend names the smoothing window (its number of steps). */
    private readonly windowLabel?: HTMLElement,
  ) {
    this.redraw();
  }

  reset(numSteps: number, vocabSize: number): void {
    this.steps = [];
    this.losses = [];
    this.smooth = [];
    this.sum = 0;
    this.val = [];
    this.numSteps = Math.max(1, numSteps);
    this.guess = Math.log(vocabSize);
    this.redraw();
  }

  /** The run's length changed (a loaded checkpoint trained further). */
  setNumSteps(numSteps: number): void {
    this.numSteps = Math.max(1, numSteps);
    this.redraw();
  }

  /** The last step the x axis shows: the whole run, or while few steps are taken, a little past the last of them (at least 20). */
  xMax(): number {
    const last = this.steps.length ? this.steps[this.steps.length - 1] : 0;
    if (last === 0) return this.numSteps;
    return Math.min(this.numSteps, Math.max(20, Math.ceil(last * 1.25)));
  }

  add(steps: number[], losses: number[], valLosses: number[]): void {
    const span = this.span();
    steps.forEach((s, i) => {
      const l = losses[i];
      if (Number.isFinite(l)) {
        this.steps.push(s);
        this.losses.push(l);
        const n = this.losses.length;
        this.sum += l - (n > span ? this.losses[n - 1 - span] : 0);
        this.smooth.push(this.sum / Math.min(n, span));
      }
      if (Number.isFinite(valLosses[i])) this.val.push([s, valLosses[i]]);
    });
    this.redraw();
  }

  /** The smoothed training loss at the last step (what the line shows there). */
  smoothedLoss(): number {
    return this.smooth.length ? this.smooth[this.smooth.length - 1] : NaN;
  }

  /** Draws at the next frame (once, however many batches arrive before it). */
  redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  /** The smoothing window: steps averaged into each point of the line. */
  span(): number {
    return Math.max(1, Math.round(this.numSteps / 40));
  }

  private draw(): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const width = c.clientWidth || 640;
    const height = Math.max(180, Math.round(width * 0.45));
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
    }
    const g = c.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    const smoothing = this.span() === 1 ? 'each step' : `the last ${this.span()} steps`;
    if (this.windowLabel && this.windowLabel.textContent !== smoothing) this.windowLabel.textContent = smoothing; // unchanged: no layout
    if (this.numSteps <= 1 && this.steps.length === 0 && this.val.length === 0) {
      c.setAttribute('aria-label', 'Loss chart. No steps yet: press Train (or Step) and the loss of every step is drawn here.');
      return emptyChart(g, width, height);
    }
    const m = { l: 44, r: 12, t: 10, b: 22 };
    const r = (this.range = this.fit());
    const f = r.log ? Math.log : (v: number) => v;
    const [lo, hi] = [f(r.yMin), f(r.yMax)];
    const xMax = this.xMax();
    const x = (s: number) => m.l + (s / xMax) * (width - m.l - m.r);
    const y = (v: number) => m.t + (1 - (f(Math.min(Math.max(v, r.yMin), r.yMax)) - lo) / (hi - lo)) * (height - m.t - m.b);
    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    // gridlines and tick labels
    g.fillStyle = COLORS.text;
    g.strokeStyle = COLORS.grid;
    g.textAlign = 'right';
    for (const v of r.log ? logTicks(r.yMin, r.yMax) : linearTicks(r.yMin, r.yMax, 5)) {
      g.beginPath();
      g.moveTo(m.l, y(v));
      g.lineTo(width - m.r, y(v));
      g.stroke();
      g.fillText(tickLabel(v), m.l - 4, y(v) + 4);
    }
    g.textAlign = 'center';
    for (const s of linearTicks(0, xMax, Math.max(2, Math.floor(width / 90)))) {
      if (s !== Math.round(s)) continue;
      g.fillText(s.toLocaleString('en'), Math.min(x(s), width - m.r - 16), height - 6);
    }
    g.textAlign = 'left';
    // random guessing: a thin dotted line, labelled
    g.strokeStyle = COLORS.guess;
    g.setLineDash([2, 3]);
    line(g, [
      [m.l, y(this.guess)],
      [width - m.r, y(this.guess)],
    ]);
    g.setLineDash([]);
    g.fillStyle = COLORS.guess;
    g.fillText('random guess', width - m.r - 80, y(this.guess) - 4);
    // training loss: each step's, faint (a line through dots while they are few, dots alone after), and its moving average, a thick solid line; at most two points per pixel
    const n = this.smooth.length;
    const stride = Math.max(1, Math.floor(n / (2 * (width - m.l - m.r))));
    const points = (ys: number[]) => {
      const pts: [number, number][] = [];
      for (let i = 0; i < n; i += stride) pts.push([x(this.steps[i]), y(ys[i])]);
      if (n > 0 && (n - 1) % stride !== 0) pts.push([x(this.steps[n - 1]), y(ys[n - 1])]);
      return pts;
    };
    g.strokeStyle = g.fillStyle = COLORS.raw;
    const raw = points(this.losses);
    if (raw.length <= 100) {
      line(g, raw);
      for (const [px, py] of raw) g.fillRect(px - 2.5, py - 2.5, 5, 5);
    } else for (const [px, py] of raw) g.fillRect(px - 1, py - 1, 2, 2); // many: a dot each, cheaper to draw than a zigzag across the chart
    g.strokeStyle = COLORS.train;
    g.lineWidth = 2;
    line(g, points(this.smooth));
    // validation loss: a dashed line with square markers
    g.strokeStyle = COLORS.val;
    g.fillStyle = COLORS.val;
    g.lineWidth = 1.5;
    g.setLineDash([6, 3]);
    line(
      g,
      this.val.map(([s, v]) => [x(s), y(v)]),
    );
    g.setLineDash([]);
    for (const [s, v] of this.val) g.fillRect(x(s) - 3, y(v) - 3, 6, 6);
    g.lineWidth = 1;
    c.dataset.yMin = String(r.yMin);
    c.dataset.yMax = String(r.yMax);
    c.dataset.xMax = String(xMax);
    c.setAttribute('aria-label', this.describe());
  }

  /** The y range: from 0 (or, on a log scale, below the lowest point) to above the highest of the data and the guess line. */
  private fit(): ChartRange {
    let max = this.guess;
    let min = this.guess;
    for (const v of this.losses) [max, min] = [Math.max(max, v), Math.min(min, v)];
    for (const [, v] of this.val) [max, min] = [Math.max(max, v), Math.min(min, v)];
    if (this.log) {
      const yMin = Math.max(1e-6, min * 0.8);
      return { yMin, yMax: max * 1.15, log: true };
    }
    return { yMin: 0, yMax: niceCeil(max * 1.05), log: false };
  }

  /** The chart in words, for a screen reader. */
  describe(): string {
    const n = this.smooth.length;
    const parts = [
      `Loss chart, ${this.log ? 'log' : 'linear'} scale from ${tickLabel(this.range.yMin)} to ${tickLabel(this.range.yMax)}, steps 0 to ${this.xMax()}${this.xMax() < this.numSteps ? ` of ${this.numSteps}` : ''}.`,
    ];
    if (n === 0) parts.push('No steps yet.');
    else
      parts.push(
        `Training loss (smoothed) ${this.smooth[0].toFixed(2)} at step ${this.steps[0]}, ${this.smooth[n - 1].toFixed(2)} at step ${this.steps[n - 1]}.`,
        `That step's own loss: ${this.losses[n - 1].toFixed(2)}.`,
      );
    if (this.val.length) {
      const [s, v] = this.val[this.val.length - 1];
      parts.push(`Validation loss ${v.toFixed(2)} at step ${s}.`);
    }
    parts.push(`Random guessing: ${this.guess.toFixed(2)}.`);
    return parts.join(' ');
  }
}

function line(g: CanvasRenderingContext2D, pts: [number, number][]): void {
  if (pts.length === 0) return;
  g.beginPath();
  g.moveTo(pts[0][0], pts[0][1]);
  for (let i = 1; i < pts.length; i++) g.lineTo(pts[i][0], pts[i][1]);
  g.stroke();
}

/** A round number at or above v: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((k) => k * p).find((k) => k >= v - 1e-12) ?? 10 * p;
}

/** About count round values from lo to hi (never more than 4 * count + 2, whatever the input). */
/** Before any run: a frame and a line saying what will be drawn there. */
function emptyChart(g: CanvasRenderingContext2D, width: number, height: number): void {
  g.strokeStyle = COLORS.grid;
  g.setLineDash([4, 4]);
  g.strokeRect(0.5, 0.5, width - 1, height - 1);
  g.setLineDash([]);
  g.fillStyle = COLORS.text;
  g.textAlign = 'center';
  g.font = '14px system-ui, sans-serif';
  const text = 'Press Train (or Step): the loss of every step is drawn here.';
  if (g.measureText(text).width <= width - 16) return g.fillText(text, width / 2, height / 2);
  const [a, b] = text.split(': ');
  g.fillText(`${a}:`, width / 2, height / 2 - 10);
  g.fillText(b, width / 2, height / 2 + 10);
}

export function linearTicks(lo: number, hi: number, count: number): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) return [];
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * p).find((k) => k >= raw) ?? 10 * p;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9 && ticks.length <= 4 * count + 2; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** 1, 2 and 5 times powers of ten from lo to hi. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0 && Number.isFinite(hi)) || hi <= lo) return [];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)) && ticks.length < 40; e++) {
    for (const k of [1, 2, 5]) {
      const v = Number((k * 10 ** e).toPrecision(6));
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function tickLabel(v: number): string {
  if (v === 0) return '0';
  return v >= 1 ? String(Number(v.toFixed(2))) : String(Number(v.toPrecision(2)));
}
