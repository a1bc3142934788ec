/**
 * The generation panel: token by token from the prompt, the model's logits
 * → ÷ temperature → softmax → top-k → the character drawn, with the numbers,
 * and every token's probability as a bar.
 */
import { Random } from '../../core/random.ts';
import type { FromWorker, LogitsView, PanelAnswer, PanelRequest } from '../protocol.ts';
import { probabilityBars } from './charts.ts';
import { BOS_MARK, el, num, scroller, showToken, table } from './dom.ts';
import { generationRows } from './model-data.ts';
import { fed, vocabOf, type ModelState, type PanelEntry } from './panel.ts';

export class GenerationPanel {
  readonly element: HTMLElement;
  private readonly prompt: HTMLInputElement;
  private readonly temperature: HTMLInputElement;
  private readonly temperatureValue: HTMLOutputElement;
  private readonly topK: HTMLInputElement;
  private readonly text: HTMLElement;
  private readonly result: HTMLElement;
  private readonly bars: HTMLElement;
  private readonly out: HTMLElement;
  private rng = new Random(42);
  /** The characters drawn after the prompt so far. */
  private drawnText = '';
  private ended = false;
  private view: LogitsView | undefined;
  private drawn: { id: number; temperature: number; topK: number } | undefined;

  constructor(private readonly request: (prefix: string) => void) {
    this.prompt = el('input', { id: 'gen-prompt', type: 'text', value: '', autocomplete: 'off', spellcheck: 'false' });
    this.temperature = el('input', { id: 'gen-temperature', type: 'range', min: 0.1, max: 2, step: 0.05, value: 1 });
    this.temperatureValue = el('output', { for: 'gen-temperature', id: 'gen-temperature-value' }, '1.00');
    this.topK = el('input', { id: 'gen-topk', type: 'number', min: 0, max: 100, value: 0, inputmode: 'numeric' });
    const next = el('button', { type: 'button', id: 'gen-next' }, 'Next character');
    const reset = el('button', { type: 'button', id: 'gen-reset' }, 'Start over');
    this.text = el('p', { class: 'gen-text', id: 'gen-text', 'aria-live': 'polite' });
    this.result = el('p', { class: 'gen-drawn', id: 'gen-drawn' });
    this.bars = el('div', { class: 'gen-bars', id: 'gen-bars' });
    this.out = scroller('next-character table', document.createDocumentFragment(), 'gen-table');
    next.onclick = () => this.next();
    reset.onclick = () => this.reset();
    this.prompt.onchange = () => this.reset();
    this.temperature.oninput = () => this.render();
    this.topK.oninput = () => this.render();
    this.element = el(
      'section',
      { id: 'panel-generation', class: 'panel', 'aria-labelledby': 'gen-title' },
      el('h2', { id: 'gen-title' }, 'Generation, one character at a time'),
      el(
        'p',
        { class: 'hint' },
        'The model scores every possible next character (logits); dividing by the temperature sharpens or flattens them, softmax turns them into probabilities, top-k keeps the k most likely, and one character is drawn.',
      ),
      el(
        'div',
        { class: 'grid' },
        el('label', {}, 'Prompt', this.prompt),
        el('label', {}, el('span', {}, 'Temperature ', this.temperatureValue), this.temperature),
        el('label', {}, 'Top-k (0: all)', this.topK),
      ),
      el('div', { class: 'buttons' }, next, reset),
      this.text,
      this.result,
      this.bars,
      this.out,
    );
    this.showText();
  }

  private settings(): { temperature: number; topK: number } {
    const temperature = Number(this.temperature.value);
    this.temperatureValue.textContent = temperature.toFixed(2);
    return { temperature, topK: Math.max(0, Math.floor(Number(this.topK.value) || 0)) };
  }

  /** Starts over from the prompt (also when the model changes: what was drawn came from another). */
  reset(): void {
    this.rng = new Random(42);
    this.drawnText = '';
    this.ended = false;
    this.view = this.drawn = undefined;
    this.out.replaceChildren();
    this.bars.replaceChildren();
    this.result.textContent = '';
    this.showText();
  }

  private next(): void {
    if (this.ended) this.reset();
    this.request(this.prompt.value + this.drawnText);
  }

  /** The worker's logits for the text so far: draw the next character from them. */
  show(prefix: string, view: LogitsView | null): void {
    if (prefix !== this.prompt.value + this.drawnText) return;
    if (!view) {
      this.result.textContent = 'Press Step or Train first: there is no model yet.';
      return;
    }
    this.view = view;
    const { temperature, topK } = this.settings();
    const rows = generationRows(view.logits, temperature, topK);
    const id = this.rng.choiceIndex(rows.map((r) => r.p));
    this.drawn = { id, temperature, topK };
    const BOS = view.logits.length - 1;
    if (id === BOS || view.full) this.ended = true;
    else this.drawnText += view.vocab[id];
    this.render();
    this.showText();
  }

  private showText(): void {
    const prompt = this.prompt.value;
    this.text.replaceChildren(
      el('span', { class: 'k' }, 'text so far: '),
      el('code', { class: 'bos' }, BOS_MARK),
      el('code', { class: 'prompt' }, prompt),
      el('code', { class: 'drawn' }, this.drawnText),
      this.ended ? el('code', { class: 'bos end' }, BOS_MARK) : '',
    );
  }

  private render(): void {
    const { temperature, topK } = this.settings();
    const view = this.view;
    if (!view) return;
    const rows = generationRows(view.logits, temperature, topK).sort((a, b) => b.logit - a.logit || a.id - b.id);
    const d = this.drawn;
    const after = view.prefix ? `“${view.prefix}”` : `the start (${BOS_MARK})`;
    const label = (id: number) => showToken(view.vocab[id]);
    if (d) {
      const same = d.temperature === temperature && d.topK === topK;
      this.result.replaceChildren(
        `After ${view.prefix ? `${after} (position ${view.pos})` : `the start (${BOS_MARK}, position ${view.pos})`} the model drew `,
        el('strong', {}, `“${label(d.id)}”`),
        ` with probability ${num(generationRows(view.logits, d.temperature, d.topK)[d.id].p)} (temperature ${d.temperature.toFixed(2)}${d.topK ? `, top-${d.topK}` : ''})`,
        same ? '.' : el('span', { class: 'hint' }, '. The table shows the new setting: the next character is drawn with it.'),
      );
    }
    const drawnFrom = generationRows(view.logits, temperature, topK).map((r) => r.p);
    this.bars.replaceChildren(probabilityBars(drawnFrom, view.vocab, `character after ${after}`, d?.id, false));
    // with top-k 0 the softmax is the probability: one column
    this.out.replaceChildren(
      table(
        `the next character after ${after}: logits → ÷ ${temperature.toFixed(2)} → softmax${topK ? ` → top-${topK}` : ''}`,
        ['token', 'logit', `÷ ${temperature.toFixed(2)}`, 'softmax', ...(topK ? [`top-${topK}`] : []), 'bar (0 to 1)'],
        rows.map((r) => [
          el('code', {}, label(r.id)),
          num(r.logit, 3),
          num(r.scaled, 3),
          num(r.softmax),
          ...(topK ? [r.kept ? num(r.p) : 'cut'] : []),
          el('span', { class: 'pbar', 'aria-hidden': 'true' }, el('span', { style: `width: ${(100 * r.p).toFixed(1)}%` })),
        ]),
        { class: 'numbers generation' },
      ),
    );
    if (d) this.out.querySelectorAll('tbody tr')[rows.findIndex((r) => r.id === d.id)]?.classList.add('picked');
  }
}

function answer(request: Extract<PanelRequest, { type: 'panel-logits' }>, { gpt }: ModelState): PanelAnswer {
  const { prefix } = request;
  if (!gpt) return { type: 'panel-logits', prefix, view: null };
  return fed(gpt, prefix, 'text', (ids, logits) => ({
    type: 'panel-logits',
    prefix,
    view: {
      prefix,
      pos: ids.length - 1,
      logits: Array.from(logits[ids.length - 1]),
      vocab: vocabOf(gpt),
      full: ids.length === gpt.config.blockSize,
    },
  }));
}

export const generationPanel: PanelEntry = {
  answers: { 'panel-logits': answer },
  view({ send }) {
    const panel = new GenerationPanel((prefix) => send({ type: 'panel-logits', prefix }));
    return {
      element: panel.element,
      hear(m: FromWorker) {
        if (m.type === 'panel-logits') panel.show(m.prefix, m.view);
        else if (m.type === 'ready' || (m.type === 'state' && m.state === 'idle')) panel.reset(); // a new model, or none
      },
    };
  },
};
