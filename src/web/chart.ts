/** The live loss chart on a canvas: smoothed training loss, validation loss, and ln(vocab). */
export class LossChart {
  private steps: number[] = [];
  private losses: number[] = [];
  private val: [number, number][] = [];
  private numSteps = 1;
  private guess = Math.log(27);
  private pending = false;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  reset(numSteps: number, vocabSize: number): void {
    this.steps = [];
    this.losses = [];
    this.val = [];
    this.numSteps = Math.max(1, numSteps);
    this.guess = Math.log(vocabSize);
    this.draw();
  }

  add(steps: number[], losses: number[], valLosses: number[]): void {
    steps.forEach((s, i) => {
      this.steps.push(s);
      this.losses.push(losses[i]);
      if (!Number.isNaN(valLosses[i])) this.val.push([s, valLosses[i]]);
    });
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.draw();
      });
    }
  }

  /** Mean of the last window losses: what the chart's line shows at the end. */
  smoothedLoss(window = 50): number {
    const tail = this.losses.slice(-window);
    return tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
  }

  private draw(): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const width = c.clientWidth || 640;
    const height = Math.round(width * 0.47);
    if (c.width !== Math.round(width * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
    }
    const g = c.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    const m = { l: 40, r: 10, t: 10, b: 24 };
    const yMax = Math.max(this.guess, ...this.losses.slice(0, 20)) * 1.05;
    const yMin = 1;
    const x = (s: number) => m.l + (s / this.numSteps) * (width - m.l - m.r);
    const y = (v: number) => m.t + (1 - (Math.min(v, yMax) - yMin) / (yMax - yMin)) * (height - m.t - m.b);
    g.font = '11px system-ui';
    g.fillStyle = '#64748b';
    g.strokeStyle = '#e2e8f0';
    for (let v = Math.ceil(yMin * 2) / 2; v <= yMax; v += 0.5) {
      g.beginPath();
      g.moveTo(m.l, y(v));
      g.lineTo(width - m.r, y(v));
      g.stroke();
      g.fillText(v.toFixed(1), 8, y(v) + 4);
    }
    g.fillText('0', m.l, height - 6);
    g.fillText(String(this.numSteps), width - m.r - 30, height - 6);
    g.setLineDash([6, 4]);
    g.strokeStyle = '#dc2626';
    g.beginPath();
    g.moveTo(m.l, y(this.guess));
    g.lineTo(width - m.r, y(this.guess));
    g.stroke();
    g.setLineDash([]);
    // training loss, as a moving average over ~1% of the run
    const span = Math.max(1, Math.round(this.numSteps / 100));
    g.strokeStyle = '#1d4ed8';
    g.lineWidth = 1.5;
    g.beginPath();
    let acc = 0;
    this.losses.forEach((l, i) => {
      acc += l - (i >= span ? this.losses[i - span] : 0);
      const v = acc / Math.min(i + 1, span);
      if (i === 0) g.moveTo(x(this.steps[i]), y(v));
      else g.lineTo(x(this.steps[i]), y(v));
    });
    g.stroke();
    g.strokeStyle = '#ea580c';
    g.fillStyle = '#ea580c';
    g.beginPath();
    this.val.forEach(([s, v], i) => (i === 0 ? g.moveTo(x(s), y(v)) : g.lineTo(x(s), y(v))));
    g.stroke();
    for (const [s, v] of this.val) g.fillRect(x(s) - 2, y(v) - 2, 4, 4);
    g.lineWidth = 1;
  }
}
