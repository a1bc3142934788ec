/**
 * The Training loop panel: microgpt.py's loop in six steps, each code line
 * annotated with the numbers of the last step traced (a StepTrace: every
 * Step, and now and then while Train runs), and the pipeline Input → Forward
 * → Loss → Backward → Adam → New weights, each stage a button to its code.
 */
import type { DocumentMode } from '../../core/settings.ts';
import type { ParamRef, StepTrace } from '../../core/trace.ts';
import { stateDictShapes, type ModelConfig } from '../../engines/shape.ts';
import type { DocOrigin, FromWorker } from '../protocol.ts';
import { el, num, scroller, showToken, table } from './dom.ts';
import { BOS_NOTE, inputValues, isStream, SHUFFLE_NOTE, tokenChars } from './tl-input.ts';
import type { PanelEntry } from './panel.ts';
import { backwardAnswers } from './backward-answer.ts';
import { BackwardPanel } from './backward.ts';
import { adamValues } from './tl-adam.ts';
import { NumbersNote } from './tl-numbers.ts';
import { CODE, codeLines, STAGE_STEP, STAGES } from './tl-code.ts';

/** Shortest time between two drawings of steps Train traced. */
const LIVE_MS = 2000;
const EMPTY = 'Press Step to take one training step and see its numbers here (Train shows a recent step now and then).';
const ENDED = 'This run has ended, so Step is off: press Reset, then Step to trace a step of a new run.';

export class TrainingLoopPanel {
  readonly element: HTMLElement;
  private readonly pipeline: HTMLLIElement[];
  private readonly stageButtons: HTMLButtonElement[];
  private readonly steps: HTMLElement[];
  private readonly values: HTMLElement[];
  private readonly status: HTMLElement;
  /** Says when the step shown is not the run's latest (after a Pause, or while Train traces rarely). */
  private readonly behind: HTMLElement;
  private readonly matrix: HTMLSelectElement;
  private readonly row: HTMLInputElement;
  private readonly col: HTMLInputElement;
  readonly numbers = new NumbersNote();

  readonly button: HTMLButtonElement;
  /** The step on screen, and the steps the run has taken. */
  private shown: StepTrace | undefined;
  private runStep = 0;
  /** The default weight once a step picked it: followed until the reader chooses another. */
  private pinned: ParamRef | undefined;
  /** A step Train traced, not drawn yet: drawn when the panel is in view (at most every LIVE_MS) or the run stops. */
  private pendingLive: { trace: StepTrace; origins?: (DocOrigin | null)[] } | undefined;
  /** Where the shown step's documents sit in the text, as the worker worked it out. */
  private origins: (DocOrigin | null)[] | undefined;
  private lastLive = -Infinity;
  private inView = false;
  /** The run on screen's settings. */
  private run: { seed: number; valFraction: number; batchSize: number } | undefined;

  constructor(onStep: () => void) {
    this.matrix = el('select', { id: 'tl-matrix' });
    this.row = el('input', { id: 'tl-row', type: 'number', min: 0, value: 0, inputmode: 'numeric' });
    this.col = el('input', { id: 'tl-col', type: 'number', min: 0, value: 0, inputmode: 'numeric' });
    this.matrix.onchange = () => this.updatePicker();
    const button = el('button', { id: 'tl-step', type: 'button' }, 'Step');
    button.onclick = onStep;
    this.button = button;
    this.stageButtons = STAGES.map((s, i) => {
      const b = el('button', { type: 'button', class: 'stage', id: `tl-stage-${i}`, 'aria-controls': `tl-box-${STAGE_STEP[i]}` }, s);
      b.onclick = () => this.goTo(i);
      return b;
    });
    this.pipeline = this.stageButtons.map((b, i) => el('li', { 'data-stage': i }, b));
    this.status = el('p', { class: 'hint', 'aria-live': 'polite', id: 'tl-status' }, EMPTY);
    this.behind = el('p', { class: 'tl-behind', id: 'tl-behind', hidden: true });
    this.values = CODE.map(() => el('div', { class: 'tl-values' }));
    this.steps = CODE.map(([title, code], i) =>
      el(
        'section',
        { class: 'tl-step', 'data-stage': i, id: `tl-box-${i}`, 'aria-labelledby': `tl-step-${i}` },
        el('h3', { id: `tl-step-${i}` }, title),
        el('pre', { class: 'code', tabindex: 0, 'aria-label': `code of step ${i + 1}` }, el('code', {}, ...codeLines(code, i))),
        i === 0 ? el('p', { class: 'hint', id: 'shuffle-note' }, SHUFFLE_NOTE.lines) : null,
        i === 0 ? el('p', { class: 'hint', id: 'bos-note' }, BOS_NOTE.lines) : null,
        this.values[i],
      ),
    );
    this.element = el(
      'section',
      { id: 'panel-training-loop', class: 'panel panel-wide', 'aria-labelledby': 'tl-title' },
      el('h2', { id: 'tl-title' }, 'Training loop'),
      el(
        'p',
        { class: 'hint' },
        'Each press of Step (here or beside Train: the two are the same) runs microgpt.py’s training loop once on the next document and fills every line below with the numbers it computed. Train goes on from the steps taken.',
      ),
      this.numbers.element,
      el(
        'div',
        { class: 'tl-controls' },
        button,
        el(
          'fieldset',
          { class: 'tl-picker' },
          el('legend', {}, 'Follow one weight through Adam (kept from step to step)'),
          el('label', {}, 'Matrix', this.matrix),
          el('label', {}, 'Row', this.row),
          el('label', {}, 'Column', this.col),
        ),
      ),
      el('ol', { class: 'pipeline', 'aria-label': 'Training pipeline: each stage shows its code' }, ...this.pipeline),
      this.status,
      this.behind,
      el('div', { class: 'tl-steps' }, ...this.steps),
    );
    this.setConfig(undefined);
    new IntersectionObserver(([e]) => {
      this.inView = e.isIntersecting;
      if (this.inView) this.drawLive(false);
    }).observe(this.element);
  }

  /** Draws the step Train traced last, if it waits (force: the run stopped, so draw it wherever the panel is). */
  private drawLive(force: boolean): void {
    const t = this.pendingLive;
    if (!t || (!force && (!this.inView || performance.now() - this.lastLive < LIVE_MS))) return;
    this.pendingLive = undefined;
    this.lastLive = performance.now();
    this.origins = t.origins;
    this.show(t.trace, true);
  }

  /** The matrices of the model the next Step trains. */
  setConfig(config: ModelConfig | undefined): void {
    const chosen = this.matrix.value;
    const shapes = config ? stateDictShapes(config) : [];
    this.matrix.replaceChildren(
      el('option', { value: '' }, this.defaultLabel()),
      ...shapes.map(([name, rows, cols]) =>
        el('option', { value: name, 'data-rows': rows, 'data-cols': cols }, `${name} (${rows} × ${cols})`),
      ),
    );
    if (shapes.some(([n]) => n === chosen)) this.matrix.value = chosen;
    this.updatePicker();
    if (!this.run)
      this.numbers.setModel(config && { vocabSize: config.vocabSize, numParams: shapes.reduce((a, [, r, c]) => a + r * c, 0) });
  }

  private defaultLabel(): string {
    const p = this.pinned;
    return p ? `default: ${p.name}[${p.row}][${p.col}], kept from the first step` : 'default: wte, first character, column 0';
  }

  private updatePicker(): void {
    const option = this.matrix.selectedOptions[0];
    const on = !!this.matrix.value;
    this.row.disabled = this.col.disabled = !on;
    if (on) {
      this.row.max = String(Number(option.dataset.rows) - 1);
      this.col.max = String(Number(option.dataset.cols) - 1);
      this.row.value = String(Math.min(Number(this.row.value) || 0, Number(this.row.max)));
      this.col.value = String(Math.min(Number(this.col.value) || 0, Number(this.col.max)));
    }
  }

  /** The weight to follow: the reader's choice, else the default the first step picked (undefined before it). */
  param(): ParamRef | undefined {
    if (!this.matrix.value) return this.pinned;
    const clamp = (input: HTMLInputElement) => Math.min(Number(input.max), Math.max(0, Math.floor(Number(input.value) || 0)));
    return { name: this.matrix.value, row: clamp(this.row), col: clamp(this.col) };
  }

  /** Lights stage i of the pipeline and its code step, the two alike (-1: none). */
  highlight(i: number): void {
    this.pipeline.forEach((li, j) => {
      li.classList.toggle('active', j === i);
      li.classList.toggle('done', j < i);
      if (j === i) this.stageButtons[j].setAttribute('aria-current', 'step');
      else this.stageButtons[j].removeAttribute('aria-current');
    });
    this.steps.forEach((s, j) => s.classList.toggle('active', i >= 0 && j === STAGE_STEP[i]));
    for (const line of this.element.querySelectorAll<HTMLElement>('.tl-step[data-stage="4"] .line'))
      line.classList.toggle('lit', i >= 4 && line.dataset.stage === String(i));
    this.element.dataset.stage = i < 0 ? '' : STAGES[i];
  }

  /** A stage pressed: it and its code light up, and the code scrolls into view. */
  private goTo(i: number): void {
    this.element.classList.remove('walk');
    this.highlight(i);
    const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.steps[STAGE_STEP[i]].scrollIntoView({ block: 'nearest', behavior: reduced ? 'auto' : 'smooth' });
  }

  /** The run finished or diverged: no more Steps; an empty panel says why. */
  setEnded(ended: boolean): void {
    this.button.disabled = ended;
    if (ended && this.status.textContent === EMPTY) this.status.textContent = ENDED;
    if (!ended && this.status.textContent === ENDED) this.status.textContent = EMPTY;
  }

  /** Back to the empty panel: a new model (Reset, a loaded checkpoint, a new run) has no step on screen yet. */
  clear(): void {
    this.values.forEach((v) => v.replaceChildren());
    this.status.textContent = EMPTY;
    this.behind.hidden = true;
    this.shown = this.pendingLive = undefined;
    this.runStep = 0;
    this.pinned = undefined;
    this.matrix.options[0].textContent = this.defaultLabel();
    this.highlight(-1);
    this.element.classList.remove('walk');
    this.numbers.clearRun();
  }

  /** Every worker answer of the run on screen. */
  hear(m: FromWorker): void {
    switch (m.type) {
      case 'ready': {
        this.clear();
        const { seed, valFraction, batchSize } = m.settings;
        this.run = { seed, valFraction, batchSize };
        this.setMode(m.settings.documents);
        this.runStep = m.info.step;
        this.numbers.setModel({ vocabSize: m.info.vocab.length + 1, numParams: m.info.numParams, chars: m.info.vocab });
        return;
      }
      case 'progress':
        if (m.batch.steps.length) this.runStep = m.batch.steps[m.batch.steps.length - 1];
        this.numbers.addLosses(m.batch.steps, m.batch.losses);
        return;
      case 'trace':
        if (!m.live) {
          this.origins = m.origins;
          return this.show(m.trace);
        }
        this.pendingLive = { trace: m.trace, origins: m.origins }; // a big batch's tables take a while to draw: not at every trace, nor out of view
        return this.drawLive(false);
      case 'state':
        if (m.state === 'idle') {
          this.run = undefined;
          this.clear(); // Reset: the last step shown belonged to a run that is gone
        } else this.runStep = m.step;
        if (m.state !== 'training') this.drawLive(true);
        this.setEnded(m.state === 'done' || m.state === 'diverged');
        this.sayBehind(m.state === 'training');
        return;
    }
  }

  /** Says so when the run is past the step shown (not while Train runs: it shows a recent step in a moment). */
  private sayBehind(training: boolean): void {
    const t = this.shown;
    this.behind.hidden = training || !t || this.runStep <= t.step;
    if (!this.behind.hidden && t)
      this.behind.textContent = `Showing step ${t.step}, an earlier step: the run is at step ${this.runStep}. Press Step to see the next step with its numbers.`;
  }

  /** The notes under step 1's code say how this mode picks a step's input. */
  private setMode(mode: DocumentMode): void {
    this.element.querySelector('#shuffle-note')!.textContent = SHUFFLE_NOTE[mode];
    this.element.querySelector('#bos-note')!.textContent = BOS_NOTE[mode];
  }

  /** Fills every step with the trace's numbers and walks the pipeline to New weights (live: a step Train traced on its way). */
  show(trace: StepTrace, live = false): void {
    this.shown = trace;
    this.runStep = Math.max(this.runStep, trace.step);
    if (!this.matrix.value && !this.pinned) {
      this.pinned = { name: trace.param.name, row: trace.param.row, col: trace.param.col };
      this.matrix.options[0].textContent = this.defaultLabel();
    }
    this.setMode(isStream(trace) ? 'stream' : 'lines');
    this.values.forEach((v, i) => v.replaceChildren(...this.annotate(i, trace)));
    this.status.textContent = live
      ? `Step ${trace.step} of ${trace.numSteps}: loss ${num(trace.loss)}. While Train runs this panel shows a step now and then, the latest here; Pause, then Step, to see every step.`
      : `Step ${trace.step} of ${trace.numSteps} done: loss ${num(trace.loss)}.`;
    this.sayBehind(live);
    // the step is over: New weights is where it is; the walk through the stages is a CSS animation (none with reduced motion)
    this.highlight(STAGES.length - 1);
    this.element.classList.remove('walk');
    if (live) return;
    void this.element.offsetWidth; // restarts the animation
    this.element.classList.add('walk');
  }

  /** Where document b of the step sits in the text (undefined when it cannot be told). */
  private origin(b: number): string | undefined {
    const o = this.origins?.[b];
    return o ? `line ${o.line.toLocaleString('en')} of the text, docs[${o.index.toLocaleString('en')}] after the shuffle` : undefined;
  }

  private annotate(i: number, t: StepTrace): Node[] {
    switch (i) {
      case 0:
        return inputValues(t, (b) => this.origin(b));
      case 1: {
        const many = t.docs.length > 1;
        const rows = t.positions.map((p) => {
          const c = tokenChars(t.docs[p.doc]);
          return [
            String(p.pos),
            ...(many ? [String(p.doc + 1)] : []),
            el(
              'span',
              {},
              el('code', {}, `${showToken(c[p.pos])} → ${showToken(c[p.pos + 1])}`),
              el('br'),
              el('small', {}, `${p.input} → ${p.target}`),
            ),
            num(p.pTarget),
            num(p.loss),
          ];
        });
        return [
          scroller(
            'positions',
            table(
              'each position: input → target, probs[target] and loss_t = −log probs[target]',
              ['pos_id', ...(many ? ['doc'] : []), 'input → target (ids)', 'probs[target]', 'loss_t'],
              rows,
              { class: 'numbers positions' },
            ),
          ),
        ];
      }
      case 2:
        return [
          el(
            'p',
            { class: 'big' },
            el('code', {}, `loss = (1 / ${t.n}) × ${num(t.positions.reduce((a, p) => a + p.loss, 0))} = `),
            el('strong', { class: 'tl-loss' }, num(t.loss)),
          ),
        ];
      case 3:
        return [
          el('p', {}, 'The gradient of the loss for every weight; the size (L2 norm) of each matrix’s gradient:'),
          scroller(
            'gradient norms',
            table(
              'gradient norm per parameter matrix',
              ['matrix', 'shape', '‖grad‖'],
              t.gradNorms.map((g) => [el('code', {}, g.name), `${g.rows} × ${g.cols}`, num(g.norm, 6)]),
              { class: 'numbers grads' },
            ),
          ),
        ];
      case 4:
        return adamValues(t);
      default:
        return [el('pre', { class: 'printed', 'aria-label': 'printed line' }, t.line)];
    }
  }
}

export const trainingLoopPanel: PanelEntry = {
  answers: backwardAnswers, // and the page's Step ('step', answered with a 'trace')
  view({ step, send }) {
    const panel = new TrainingLoopPanel(step);
    const backward = new BackwardPanel(send);
    panel.element.append(backward.element); // step 4 up close, the panel's full width
    return {
      element: panel.element,
      configure: (config) => panel.setConfig(config),
      param: () => panel.param(),
      hear(m: FromWorker) {
        backward.hear(m);
        panel.hear(m);
      },
    };
  },
};
