/**
 * The attention panel: for a word, where one head of one layer looks
 * (characters on both axes, values on hover and in the cells, a legend),
 * and for one query position the pipeline q·k/√d → causal mask → softmax →
 * weighted sum of v, with the numbers.
 */
import { el, num, scroller, sequential, showChar, table } from './dom.ts';
import type { AttentionView } from './messages.ts';
import { attentionSteps } from './model-data.ts';

export interface AttentionQuery {
  text: string;
  layer: number;
  head: number;
  pos: number;
}

const vec = (xs: readonly number[]) => `[${xs.map((x) => num(x, 3)).join(', ')}]`;

export class AttentionPanel {
  readonly element: HTMLElement;
  private readonly word: HTMLInputElement;
  private readonly layer: HTMLSelectElement;
  private readonly head: HTMLSelectElement;
  private readonly pos: HTMLSelectElement;
  private readonly map: HTMLElement;
  private readonly pipeline: HTMLElement;

  constructor(private readonly request: (q: AttentionQuery) => void) {
    this.word = el('input', { id: 'att-word', type: 'text', value: 'emma', autocomplete: 'off', spellcheck: 'false' });
    this.layer = el('select', { id: 'att-layer' });
    this.head = el('select', { id: 'att-head' });
    this.pos = el('select', { id: 'att-pos' });
    const show = el('button', { type: 'button', id: 'att-show' }, 'Show attention');
    show.onclick = () => this.ask();
    for (const s of [this.layer, this.head, this.pos]) s.onchange = () => this.ask();
    this.word.onchange = () => this.updatePositions();
    this.word.onkeydown = (e) => e.key === 'Enter' && this.ask();
    this.map = el('div', { class: 'att-map' });
    this.pipeline = el('div', { class: 'att-pipeline' });
    this.element = el(
      'section',
      { id: 'panel-attention', class: 'panel', 'aria-labelledby': 'att-title' },
      el('h2', { id: 'att-title' }, 'Attention, explained'),
      el(
        'p',
        { class: 'hint' },
        'Each position asks a question (q) and compares it with the keys (k) of the positions up to itself; softmax turns the scores into weights that mix their values (v).',
      ),
      el(
        'div',
        { class: 'grid' },
        el('label', {}, 'Word', this.word),
        el('label', {}, 'Layer', this.layer),
        el('label', {}, 'Head', this.head),
        el('label', {}, 'Position', this.pos),
      ),
      el('div', { class: 'buttons' }, show),
      this.map,
      this.pipeline,
    );
    this.setShape(1, 4);
    this.updatePositions();
  }

  setShape(nLayer: number, nHead: number): void {
    const fill = (s: HTMLSelectElement, n: number, name: string) => {
      const v = Math.min(Number(s.value) || 0, n - 1);
      s.replaceChildren(...Array.from({ length: n }, (_, i) => el('option', { value: i }, `${name} ${i}`)));
      s.value = String(v);
    };
    fill(this.layer, nLayer, 'layer');
    fill(this.head, nHead, 'head');
  }

  /** One option per input position; keeps the chosen one where the word still has it. */
  private updatePositions(): void {
    const inputs = ['BOS', ...[...this.word.value]];
    const chosen = this.pos.value === '' ? Math.floor(inputs.length / 2) : Number(this.pos.value); // the middle at first: some keys visible, some masked
    this.pos.replaceChildren(...inputs.map((c, t) => el('option', { value: t }, `${t}: ${showChar(c)}`)));
    this.pos.value = String(Math.min(chosen, inputs.length - 1));
  }

  /** Shows a word (the one the page inspects). */
  inspect(word: string): void {
    this.word.value = word;
    this.updatePositions();
    this.ask();
  }

  private ask(): void {
    if (this.pos.options.length !== [...this.word.value].length + 1) this.updatePositions();
    this.request({ text: this.word.value, layer: Number(this.layer.value), head: Number(this.head.value), pos: Number(this.pos.value) });
  }

  show(view: AttentionView | null): void {
    if (!view) {
      this.map.replaceChildren(el('p', { class: 'hint' }, 'Press Step or Train first: there is no model yet.'));
      this.pipeline.replaceChildren();
      return;
    }
    this.setShape(view.nLayer, view.nHead);
    const n = view.inputs.length;
    const ch = (t: number) => showChar(view.inputs[t]);
    // the heatmap: a table, so that it reads as one
    const head = [el('span', { class: 'visually-hidden' }, 'query \\ key'), ...view.inputs.map((_, t) => el('code', {}, ch(t)))];
    const rows = view.weights.map((row, t) => [
      el('code', {}, ch(t)),
      ...Array.from({ length: n }, (_, t2) => {
        if (t2 > t)
          return el('span', { class: 'cell masked', title: `${ch(t)} (position ${t}) cannot see ${ch(t2)} (position ${t2}): masked` }, '·');
        const w = row[t2];
        const { background, color } = sequential(w);
        return el(
          'span',
          {
            class: 'cell' + (t === view.pos ? ' current' : ''),
            style: `background: ${background}; color: ${color}`,
            title: `${ch(t)} (position ${t}) → ${ch(t2)} (position ${t2}): weight ${num(w)}`,
          },
          num(w, 2),
        );
      }),
    ]);
    this.map.replaceChildren(
      scroller(
        'attention map',
        table(`layer ${view.layer}, head ${view.head}: row = the position that looks, column = the position it looks at`, head, rows, {
          class: 'heat',
        }),
      ),
      el(
        'p',
        { class: 'legend' },
        'weight ',
        el('span', { class: 'ramp', 'aria-hidden': 'true' }),
        ' 0 → 1; each row adds up to 1; · masked (a later position)',
      ),
    );
    const { steps, out } = attentionSteps(view.q, view.k, view.v, n);
    const d = view.q.length;
    this.pipeline.replaceChildren(
      el('h3', {}, `Position ${view.pos} (“${ch(view.pos)}”), head ${view.head}: how its output is made`),
      el('p', {}, el('code', {}, `q = ${vec(view.q)}`), ` (head size d = ${d})`),
      scroller(
        'attention pipeline',
        table(
          `q·k/√${d} → causal mask → softmax → weighted sum of v`,
          ['key', 'k', 'q·k', `÷ √${d}`, 'mask', 'softmax', 'v', 'weight × v'],
          steps.map((s) => [
            el('code', {}, `${s.pos}: ${ch(s.pos)}`),
            s.masked ? '–' : el('code', {}, vec(view.k[s.pos])),
            s.masked ? '–' : num(s.dot, 3),
            s.masked ? '–' : num(s.scaled, 3),
            s.masked ? '−∞ (later)' : 'visible',
            num(s.weight),
            s.masked ? '–' : el('code', {}, vec(view.v[s.pos])),
            s.masked ? '–' : el('code', {}, vec(view.v[s.pos].map((x) => x * s.weight))),
          ]),
          { class: 'numbers att-steps' },
        ),
      ),
      el('p', {}, el('code', { id: 'att-out' }, `output = Σ weight × v = ${vec(out)}`)),
    );
  }
}
