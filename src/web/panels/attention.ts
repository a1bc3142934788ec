/**
 * The attention panel: for a word, where one head of one layer looks
 * (characters on both axes, values on hover and in the cells, a legend),
 * every head at once as small maps, for one query position the pipeline
 * q·k/√d → causal mask → softmax → weighted sum of v with the numbers, and
 * the next-character probabilities at each position of the word.
 */
import type { AttentionView, FromWorker, PanelAnswer, PanelRequest } from '../protocol.ts';
import { headMaps, probabilityBars } from './charts.ts';
import { BOS_MARK, el, num, scroller, sequential, showToken, table } from './dom.ts';
import { attentionSteps, generationRows } from './model-data.ts';
import { fed, vocabOf, type ModelState, type PanelEntry } from './panel.ts';

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
  private readonly heads: HTMLElement;
  private readonly pipeline: HTMLElement;
  private readonly probs: HTMLElement;

  constructor(private readonly request: (q: AttentionQuery) => void) {
    this.word = el('input', { id: 'att-word', type: 'text', value: 'emma', autocomplete: 'off', spellcheck: 'false' });
    this.layer = el('select', { id: 'att-layer' });
    this.head = el('select', { id: 'att-head' });
    this.pos = el('select', { id: 'att-pos' });
    const show = el('button', { type: 'button', id: 'att-show' }, 'Show attention');
    show.onclick = () => this.ask();
    for (const s of [this.layer, this.head, this.pos]) s.onchange = () => this.ask();
    this.word.onchange = () => this.updatePositions();
    // a handler that returns false cancels the key: this one returns nothing, so the field types, deletes and Tabs as any other
    this.word.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.ask();
    });
    this.map = el('div', { class: 'att-map' });
    this.heads = el('div', { class: 'att-overview' });
    this.pipeline = el('div', { class: 'att-pipeline' });
    this.probs = el('div', { class: 'att-probs', id: 'att-probs' });
    this.element = el(
      'section',
      { id: 'panel-attention', class: 'panel panel-wide', 'aria-labelledby': 'att-title' },
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
      this.heads,
      this.pipeline,
      this.probs,
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
    this.pos.replaceChildren(...inputs.map((c, t) => el('option', { value: t }, `${t}: ${showToken(c)}`)));
    this.pos.value = String(Math.min(chosen, inputs.length - 1));
  }

  private ask(): void {
    if (this.pos.options.length !== [...this.word.value].length + 1) this.updatePositions();
    this.request({ text: this.word.value, layer: Number(this.layer.value), head: Number(this.head.value), pos: Number(this.pos.value) });
  }

  /** Empties what the panel shows, with a line instead (a new model, or none). */
  clear(line = ''): void {
    this.map.replaceChildren(...(line ? [el('p', { class: 'hint' }, line)] : []));
    for (const part of [this.heads, this.pipeline, this.probs]) part.replaceChildren();
  }

  show(view: AttentionView | null): void {
    if (!view) return this.clear('Press Step or Train first: there is no model yet.');
    this.setShape(view.nLayer, view.nHead);
    const n = view.inputs.length;
    const ch = (t: number) => showToken(view.inputs[t]);
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
    this.heads.replaceChildren(
      el('h3', {}, 'Every head at once'),
      el(
        'p',
        { class: 'hint' },
        'Darker: more attention; row t is position t looking back at positions 0..t (grey: masked). Press a head to see its numbers above.',
      ),
      headMaps(view.all, view.inputs, [view.layer, view.head], (l, h) => {
        this.layer.value = String(l);
        this.head.value = String(h);
        this.ask();
      }),
    );
    this.probs.replaceChildren(
      el('h3', {}, 'The next character at each position'),
      el('div', { class: 'att-positions' }, ...view.logits.map((logits, t) => this.position(view, logits, t))),
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

  /** The model's probabilities (temperature 1) for what follows inputs 0..t. */
  private position(view: AttentionView, logits: number[], t: number): HTMLElement {
    const before = view.inputs
      .slice(1, t + 1)
      .map(showToken)
      .join('');
    const what = t === 0 ? 'first character' : `character after “${before}”`;
    const probs = generationRows(logits, 1, 0).map((r) => r.p);
    return el(
      'div',
      { class: 'position' },
      el('h4', {}, t === 0 ? `after ${BOS_MARK} alone (the start)` : `after “${before}”`),
      probabilityBars(probs, view.vocab, what),
    );
  }
}

function answer(request: Extract<PanelRequest, { type: 'panel-attention' }>, { gpt }: ModelState): PanelAnswer {
  if (!gpt) return { type: 'panel-attention', view: null };
  const { text, layer, head } = request;
  const { nLayer, nHead } = gpt.config;
  return fed(gpt, text, 'word', (ids, logits) => {
    if (!(layer >= 0 && layer < nLayer && head >= 0 && head < nHead))
      throw new RangeError(`the model has ${nLayer} layers of ${nHead} heads`);
    const engine = gpt.engine;
    const pos = Math.min(Math.max(0, request.pos), ids.length - 1);
    const rows = (l: number, h: number) => ids.map((_, t) => Array.from(engine.attentionRow(l, h, t)));
    const all = Array.from({ length: nLayer }, (_, l) => Array.from({ length: nHead }, (_, h) => rows(l, h)));
    const inputs = engine.attentionInputs(layer, head, pos);
    const view: AttentionView = {
      inputs: ['BOS', ...[...text]],
      layer,
      head,
      pos,
      nLayer,
      nHead,
      weights: all[layer][head],
      all,
      q: Array.from(inputs.q),
      k: inputs.k.map((r) => Array.from(r)),
      v: inputs.v.map((r) => Array.from(r)),
      out: Array.from(inputs.out),
      logits: logits.map((l) => Array.from(l)),
      vocab: vocabOf(gpt),
    };
    return { type: 'panel-attention', view };
  });
}

export const attentionPanel: PanelEntry = {
  answers: { 'panel-attention': answer },
  view({ send }) {
    const panel = new AttentionPanel((q) => send({ type: 'panel-attention', ...q }));
    return {
      element: panel.element,
      configure: (config) => config && panel.setShape(config.nLayer, config.nHead),
      hear(m: FromWorker) {
        if (m.type === 'panel-attention') panel.show(m.view);
        else if (m.type === 'ready' || (m.type === 'state' && m.state === 'idle')) panel.clear(); // a new model, or none
      },
    };
  },
};
