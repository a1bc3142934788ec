/**
 * The architecture panel: the model built from the current settings, a block
 * per state-dict matrix (name, rows × columns, parameter count) and per
 * weightless operation; a matrix's weights and gradient as heatmaps.
 */
import { paramIndex } from '../../core/trace.ts';
import { stateDictShapes, type ModelConfig } from '../../engines/shape.ts';
import { MATRIX_SIDE, type FromWorker, type MatrixView, type PanelAnswer, type PanelRequest } from '../protocol.ts';
import { el } from './dom.ts';
import { heatmap, numbersTable } from './heatmap.ts';
import { architecture, blockLabel } from './model-data.ts';
import { vocabOf, type ModelState, type PanelEntry } from './panel.ts';

const fmtInt = (n: number) => n.toLocaleString('en');

export class ArchitecturePanel {
  readonly element: HTMLElement;
  private readonly diagram: HTMLElement;
  private readonly total: HTMLElement;
  private readonly detail: HTMLElement;
  /** The matrix whose heatmap is shown. */
  selected: string | undefined;

  constructor(private readonly onSelect: (name: string) => void) {
    this.diagram = el('div', { class: 'arch' });
    this.total = el('p', { class: 'arch-total', id: 'arch-total' });
    this.detail = el(
      'div',
      { class: 'arch-detail', 'aria-live': 'polite' },
      el('p', { class: 'hint' }, 'Choose a matrix to see its weights.'),
    );
    this.element = el(
      'section',
      { id: 'panel-architecture', class: 'panel panel-wide', 'aria-labelledby': 'arch-title' },
      el('h2', { id: 'arch-title' }, 'The model'),
      el(
        'p',
        { class: 'hint' },
        'A token goes from top to bottom through these blocks; each box with weights shows its name in the state dict, its shape as rows × columns and its number of parameters.',
      ),
      this.total,
      this.diagram,
      this.detail,
    );
  }

  /** Redraws the blocks for a configuration (undefined: the settings do not make a model). */
  setConfig(config: ModelConfig | undefined, note = ''): void {
    if (!config) {
      this.diagram.replaceChildren();
      this.total.textContent = note || 'These settings do not make a model.';
      return;
    }
    const { groups, total } = architecture(config);
    this.total.replaceChildren(
      `num params: `,
      el('strong', { id: 'arch-num-params' }, String(total)),
      ` (vocabulary of ${config.vocabSize} tokens${note ? `, ${note}` : ''})`,
    );
    this.diagram.replaceChildren(
      ...groups.map((g) =>
        el(
          'div',
          { class: 'arch-group', role: 'group', 'aria-label': g.title },
          el('h3', {}, g.title),
          el(
            'ol',
            {},
            ...g.blocks.map((b) => {
              if (b.kind === 'op')
                return el(
                  'li',
                  { class: 'arch-op' },
                  el('span', { class: 'arch-name' }, b.name),
                  el('span', { class: 'arch-note' }, b.note),
                );
              const button = el(
                'button',
                { type: 'button', class: 'arch-block', 'data-name': b.name, 'aria-pressed': String(b.name === this.selected) },
                el('span', { class: 'arch-name' }, blockLabel(b)),
                el('span', { class: 'arch-params' }, `${fmtInt(b.params)} params`),
                el('span', { class: 'arch-note' }, b.note),
              );
              button.onclick = () => this.select(b.name);
              return el('li', {}, button);
            }),
          ),
        ),
      ),
    );
  }

  select(name: string): void {
    this.selected = name;
    for (const b of this.diagram.querySelectorAll<HTMLButtonElement>('.arch-block'))
      b.setAttribute('aria-pressed', String(b.dataset.name === name));
    this.onSelect(name);
  }

  /** The worker's answer: heatmaps of the weights and the gradient (view null: no model yet). */
  showMatrix(name: string, view: MatrixView | null): void {
    if (name !== this.selected) return;
    if (!view) {
      this.detail.replaceChildren(el('p', { class: 'hint' }, `Press Step or Train to build the model; then ${name}’s weights show here.`));
      return;
    }
    const part = view.rows < view.fullRows || view.cols < view.fullCols;
    const hasGrad = view.step > 0 && view.grads.some((g) => g !== 0);
    const weights = `${view.name} weights`;
    const gradient = `${view.name} gradient of step ${view.step}`;
    this.detail.replaceChildren(
      el('h3', {}, `${view.name}: ${view.fullRows} × ${view.fullCols} after step ${view.step}`),
      part
        ? el(
            'p',
            { class: 'hint matrix-part' },
            `Too large to show whole: this is a part of it, rows 0–${view.rows - 1} and columns 0–${view.cols - 1}.`,
          )
        : '',
      el(
        'div',
        { class: 'heatmaps' },
        heatmap(weights, view, view.weights, 'weights'),
        hasGrad ? heatmap(gradient, view, view.grads, 'gradient') : el('p', { class: 'hint' }, 'Its gradient shows after a Step.'),
      ),
      el(
        'details',
        {},
        el('summary', {}, 'The numbers as a table'),
        numbersTable(weights, view, view.weights, 'weights'),
        hasGrad ? numbersTable(gradient, view, view.grads, 'gradient') : '',
      ),
    );
  }
}

function answer(request: Extract<PanelRequest, { type: 'panel-matrix' }>, { gpt, step }: ModelState): PanelAnswer {
  if (!gpt) return { type: 'panel-matrix', name: request.name, view: null };
  const shape = stateDictShapes(gpt.config).find(([n]) => n === request.name);
  if (!shape) throw new RangeError(`no matrix named ${JSON.stringify(request.name)}`);
  const [name, fullRows, fullCols] = shape;
  const at = paramIndex(gpt.config, { name, row: 0, col: 0 });
  // a large matrix: its top-left part only
  const rows = Math.min(fullRows, MATRIX_SIDE);
  const cols = Math.min(fullCols, MATRIX_SIDE);
  const part = (all: Float64Array) => Array.from({ length: rows * cols }, (_, i) => all[at + Math.floor(i / cols) * fullCols + (i % cols)]);
  return {
    type: 'panel-matrix',
    name,
    view: {
      name,
      rows,
      cols,
      fullRows,
      fullCols,
      weights: part(gpt.engine.weights()),
      grads: part(gpt.engine.gradients()),
      step,
      vocab: vocabOf(gpt),
    },
  };
}

/** How often the shown matrix is refreshed while training runs. */
const LIVE_MS = 300;

export const architecturePanel: PanelEntry = {
  answers: { 'panel-matrix': answer },
  view({ send }) {
    const panel = new ArchitecturePanel((name) => send({ type: 'panel-matrix', name }));
    let last = 0;
    /** Asks again for the matrix shown: it follows training. */
    const refresh = () => {
      if (!panel.selected) return;
      last = performance.now();
      send({ type: 'panel-matrix', name: panel.selected });
    };
    return {
      element: panel.element,
      configure: (config, why) => panel.setConfig(config, config ? '' : why),
      hear(m: FromWorker) {
        switch (m.type) {
          case 'panel-matrix':
            return panel.showMatrix(m.name, m.view);
          case 'progress':
            if (performance.now() - last > LIVE_MS) refresh();
            return;
          case 'trace':
          case 'ready':
          case 'state':
            return refresh();
        }
      },
    };
  },
};
