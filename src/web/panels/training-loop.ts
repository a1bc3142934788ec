/**
 * The Training loop panel: microgpt.py's loop in six steps, each code line
 * annotated with the numbers of the step just taken (a StepTrace), and the
 * pipeline Input → Forward → Loss → Backward → Adam → New weights.
 */
import type { ParamRef, StepTrace } from '../../core/trace.ts';
import { stateDictShapes, type ModelConfig } from '../../engines/shape.ts';
import type { FromWorker } from '../protocol.ts';
import { BOS_MARK, el, num, scroller, sci, showToken, table } from './dom.ts';
import type { PanelEntry } from './panel.ts';
import { backwardAnswers } from './backward-answer.ts';
import { BackwardPanel } from './backward.ts';

export const STAGES = ['Input', 'Forward', 'Loss', 'Backward', 'Adam', 'New weights'] as const;

const CODE = [
  [
    '1. Get a training example',
    `doc = docs[step % len(docs)]\ntokens = [BOS] + [stoi[ch] for ch in doc] + [BOS]\nn = min(block_size, len(tokens) - 1)`,
  ],
  [
    '2. Forward pass for each position',
    `for pos_id in range(n):\n    token_id, target_id = tokens[pos_id], tokens[pos_id + 1]\n    logits = gpt(token_id, pos_id, keys, values)\n    probs = softmax(logits)\n    loss_t = -probs[target_id].log()`,
  ],
  ['3. Compute average loss', 'loss = (1 / n) * sum(losses)'],
  ['4. Backward pass', 'loss.backward()'],
  [
    '5. Update weights with Adam',
    `lr_t = learning_rate * (1 - step / num_steps)\nm[i] = beta1 * m[i] + (1 - beta1) * p.grad\nv[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2\nm_hat = m[i] / (1 - beta1 ** (step + 1))\nv_hat = v[i] / (1 - beta2 ** (step + 1))\np.data -= lr_t * m_hat / (v_hat ** 0.5 + eps_adam)`,
  ],
  ['6. Print progress', 'print(f"step {step+1:4d} / {num_steps:4d} | loss {loss.data:.4f}")'],
] as const;

const EMPTY = 'Press Step to take one training step and see its numbers here.';
const ENDED = 'This run has ended, so Step is off: press Reset, then Step to trace a step of a new run.';

/** Code as one block per line: a line too long for a phone wraps indented under itself, so the Python's indentation still reads. */
function codeLines(code: string): HTMLElement[] {
  return code.split('\n').map((line) => {
    const indent = line.length - line.trimStart().length;
    return el('span', { class: 'line', style: `--indent: ${indent}ch` }, line.trimStart(), '\n');
  });
}

export class TrainingLoopPanel {
  readonly element: HTMLElement;
  private readonly pipeline: HTMLLIElement[];
  private readonly steps: HTMLElement[];
  private readonly values: HTMLElement[];
  private readonly status: HTMLElement;
  private readonly matrix: HTMLSelectElement;
  private readonly row: HTMLInputElement;
  private readonly col: HTMLInputElement;

  readonly button: HTMLButtonElement;

  constructor(onStep: () => void) {
    this.matrix = el('select', { id: 'tl-matrix' });
    this.row = el('input', { id: 'tl-row', type: 'number', min: 0, value: 0, inputmode: 'numeric' });
    this.col = el('input', { id: 'tl-col', type: 'number', min: 0, value: 0, inputmode: 'numeric' });
    this.matrix.onchange = () => this.updatePicker();
    const button = el('button', { id: 'tl-step', type: 'button' }, 'Step');
    button.onclick = onStep;
    this.button = button;
    this.pipeline = STAGES.map((s, i) => el('li', { 'data-stage': i }, el('span', {}, s)));
    this.status = el('p', { class: 'hint', 'aria-live': 'polite', id: 'tl-status' }, EMPTY);
    this.values = CODE.map(() => el('div', { class: 'tl-values' }));
    this.steps = CODE.map(([title, code], i) =>
      el(
        'section',
        { class: 'tl-step', 'data-stage': i, 'aria-labelledby': `tl-step-${i}` },
        el('h3', { id: `tl-step-${i}` }, title),
        el('pre', { class: 'code', tabindex: 0, 'aria-label': `code of step ${i + 1}` }, el('code', {}, ...codeLines(code))),
        i === 0
          ? el(
              'p',
              { class: 'hint', id: 'bos-note' },
              `${BOS_MARK} marks both the start and the end of a document: the model reads it first, and drawing it ends what the model writes.`,
            )
          : null,
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
        'Each press of Step (here or beside Train: the two are the same) runs microgpt.py’s training loop once on the next document and fills every line below with the numbers it computed.',
      ),
      el(
        'div',
        { class: 'tl-controls' },
        button,
        el(
          'fieldset',
          { class: 'tl-picker' },
          el('legend', {}, 'Follow one weight through Adam (next Step)'),
          el('label', {}, 'Matrix', this.matrix),
          el('label', {}, 'Row', this.row),
          el('label', {}, 'Column', this.col),
        ),
      ),
      el('ol', { class: 'pipeline', 'aria-label': 'Training pipeline' }, ...this.pipeline),
      this.status,
      el('div', { class: 'tl-steps' }, ...this.steps),
    );
    this.setConfig(undefined);
  }

  /** The matrices of the model the next Step trains. */
  setConfig(config: ModelConfig | undefined): void {
    const chosen = this.matrix.value;
    const shapes = config ? stateDictShapes(config) : [];
    this.matrix.replaceChildren(
      el('option', { value: '' }, 'default: wte, first character, column 0'),
      ...shapes.map(([name, rows, cols]) =>
        el('option', { value: name, 'data-rows': rows, 'data-cols': cols }, `${name} (${rows} × ${cols})`),
      ),
    );
    if (shapes.some(([n]) => n === chosen)) this.matrix.value = chosen;
    this.updatePicker();
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

  /** The weight to follow, or undefined for the default. */
  param(): ParamRef | undefined {
    if (!this.matrix.value) return undefined;
    const clamp = (input: HTMLInputElement) => Math.min(Number(input.max), Math.max(0, Math.floor(Number(input.value) || 0)));
    return { name: this.matrix.value, row: clamp(this.row), col: clamp(this.col) };
  }

  /** Lights stage i of the pipeline and its code step (-1: none). */
  highlight(i: number): void {
    this.pipeline.forEach((li, j) => {
      li.classList.toggle('active', j === i);
      li.classList.toggle('done', j < i);
      if (j === i) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    this.steps.forEach((s, j) => s.classList.toggle('active', j === i));
    this.element.dataset.stage = i < 0 ? '' : STAGES[i];
  }

  /** The run finished or diverged: no more Steps; an empty panel says why. */
  setEnded(ended: boolean): void {
    this.button.disabled = ended;
    if (ended && this.status.textContent === EMPTY) this.status.textContent = ENDED;
    if (!ended && this.status.textContent === ENDED) this.status.textContent = EMPTY;
  }

  /** Back to the empty panel (after Reset: no step of any run on screen). */
  clear(): void {
    this.values.forEach((v) => v.replaceChildren());
    this.status.textContent = EMPTY;
    this.highlight(-1);
    this.element.classList.remove('walk');
  }

  /** Fills every step with the trace's numbers and walks the pipeline to New weights. */
  show(trace: StepTrace): void {
    this.values.forEach((v, i) => v.replaceChildren(...this.annotate(i, trace)));
    this.status.textContent = `Step ${trace.step} of ${trace.numSteps} done: loss ${num(trace.loss)}.`;
    // the step is over: New weights is where it is; the walk through the stages is a CSS animation (none with reduced motion)
    this.highlight(STAGES.length - 1);
    this.element.classList.remove('walk');
    void this.element.offsetWidth; // restarts the animation
    this.element.classList.add('walk');
  }

  private annotate(i: number, t: StepTrace): Node[] {
    const chars = (text: string) => ['BOS', ...[...text], 'BOS'];
    switch (i) {
      case 0:
        return t.docs.flatMap((d, b) => [
          el(
            'p',
            {},
            t.docs.length > 1 ? `document ${b + 1}: ` : '',
            el('code', {}, `doc = "${d.text}"`),
            ` · n = ${t.positions.filter((p) => p.doc === b).length}`,
          ),
          scroller(
            'tokens',
            table(
              `tokens of “${d.text}”, ${BOS_MARK} on both ends`,
              ['position', ...d.tokens.map((_, j) => String(j))],
              [
                ['character', ...chars(d.text).map((c) => el('code', {}, showToken(c)))],
                ['token id', ...d.tokens.map(String)],
              ],
              { class: 'tokens' },
            ),
          ),
        ]);
      case 1: {
        const many = t.docs.length > 1;
        const rows = t.positions.map((p) => {
          const c = chars(t.docs[p.doc].text);
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
      case 4: {
        const p = t.param;
        const step0 = t.step - 1;
        return [
          el(
            'p',
            {},
            el('code', {}, `lr_t = ${+(t.lr / (1 - step0 / t.numSteps)).toPrecision(12)} × (1 − ${step0} / ${t.numSteps}) = ${sci(t.lr)}`),
          ),
          scroller(
            'Adam',
            table(
              `Adam for one weight: ${p.name}[${p.row}][${p.col}]`,
              ['quantity', 'value'],
              [
                ['p.data before', sci(p.before)],
                ['p.grad', sci(p.grad)],
                [`m = ${t.beta1}·m + ${num(1 - t.beta1, 2)}·grad`, sci(p.m)],
                [`v = ${t.beta2}·v + ${num(1 - t.beta2, 2)}·grad²`, sci(p.v)],
                [`m_hat = m / (1 − ${t.beta1}^${t.step})`, sci(p.mHat)],
                [`v_hat = v / (1 − ${t.beta2}^${t.step})`, sci(p.vHat)],
                ['update = lr_t · m_hat / (√v_hat + eps)', sci(p.update)],
                ['p.data after', sci(p.after)],
              ],
              { class: 'numbers adam' },
            ),
          ),
        ];
      }
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
        if (m.type === 'trace') panel.show(m.trace);
        if (m.type !== 'state') return;
        if (m.state === 'idle') panel.clear(); // Reset: the last step shown belonged to a run that is gone
        panel.setEnded(m.state === 'done' || m.state === 'diverged');
      },
    };
  },
};
