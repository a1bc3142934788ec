/**
 * The generation panel: token by token from the prompt, the model's logits
 * → ÷ temperature → softmax → top-k → the character drawn, with the numbers,
 * and every token's probability as a bar.
 */
import { Random } from '../../core/random.ts';
import { checkSetting, ConfigError, SETTINGS } from '../../core/settings.ts';
import { clearNote, notify } from '../notices.ts';
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
  private readonly seed: HTMLInputElement;
  private readonly text: HTMLElement;
  private readonly result: HTMLElement;
  private readonly bars: HTMLElement;
  private readonly out: HTMLElement;
  /** The draws of the text on screen: seeded from the Seed field at its first draw (undefined before). */
  private rng: Random | undefined;
  private seedUsed: number | undefined;
  /** The characters drawn after the prompt so far. */
  private drawnText = '';
  private ended = false;
  private view: LogitsView | undefined;
  private drawn: { id: number; temperature: number; topK: number } | undefined;

  constructor(private readonly request: (prefix: string) => void) {
    this.prompt = el('input', { id: 'gen-prompt', type: 'text', value: '', autocomplete: 'off', spellcheck: 'false' });
    this.temperature = el('input', { id: 'gen-temperature', type: 'range', min: 0.1, max: 2, step: 0.05, value: 1 });
    this.temperatureValue = el('output', { for: 'gen-temperature', id: 'gen-temperature-value' }, '1.00');
    this.topK = el('input', { id: 'gen-topk', type: 'number', min: 0, max: SETTINGS.topK.max, step: 1, value: 0, inputmode: 'numeric' });
    this.seed = el('input', {
      id: 'gen-seed',
      type: 'number',
      step: 1,
      value: SETTINGS.seed.default,
      inputmode: 'numeric',
      'aria-describedby': 'gen-seed-help',
    });
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
        el('label', { id: 'field-gen-topk' }, 'Top-k (0: all)', this.topK),
        el('label', { id: 'field-gen-seed' }, 'Seed', this.seed),
      ),
      el(
        'p',
        { class: 'hint', id: 'gen-seed-help' },
        'Each new text takes its draws from Seed, then adds 1 to it, so the next text differs; to draw a text again, set Seed back to the seed it shows and press Start over.',
      ),
      el('div', { class: 'buttons' }, next, reset),
      this.text,
      this.result,
      this.bars,
      this.out,
    );
    this.showText();
  }

  /** The temperature and top-k; undefined after saying beside the field what is wrong with top-k. */
  private settings(): { temperature: number; topK: number } | undefined {
    const temperature = Number(this.temperature.value);
    this.temperatureValue.textContent = temperature.toFixed(2);
    const topK = checked('topK', this.topK);
    return topK === undefined ? undefined : { temperature, topK };
  }

  /** Starts over from the prompt (also when the model changes: what was drawn came from another). */
  reset(): void {
    this.rng = this.seedUsed = undefined;
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
    if (!this.settings()) return;
    if (!this.rng) {
      const seed = checked('seed', this.seed);
      if (seed === undefined) return;
      this.rng = new Random(seed);
      this.seedUsed = seed;
      this.seed.value = String(seed + 1);
    }
    this.request(this.prompt.value + this.drawnText);
  }

  /** The worker's logits for the text so far: draw the next character from them. */
  show(prefix: string, view: LogitsView | null): void {
    if (prefix !== this.prompt.value + this.drawnText) return;
    if (!view) {
      this.result.textContent = 'Press Step or Train first: there is no model yet.';
      return;
    }
    const settings = this.settings();
    if (!settings || !this.rng) return;
    this.view = view;
    const { temperature, topK } = settings;
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
      this.seedUsed === undefined
        ? ''
        : el('span', { class: 'hint' }, ' drawn with seed ', el('span', { id: 'gen-seed-used' }, this.seedUsed)),
    );
  }

  private render(): void {
    const settings = this.settings();
    const view = this.view;
    if (!settings) {
      // no numbers for a setting that is not one: the table and the bars come back with a valid top-k
      this.bars.replaceChildren();
      this.out.replaceChildren();
      this.result.querySelector('.hint')?.remove();
      return;
    }
    if (!view) return;
    const { temperature, topK } = settings;
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

/** A field's value checked by the settings table's rules: the page's message beside it when wrong (undefined then). */
function checked(key: 'topK' | 'seed', input: HTMLInputElement): number | undefined {
  const anchor = input.parentElement!;
  try {
    const value = checkSetting(key, input.value.trim() === '' ? NaN : Number(input.value));
    clearNote(anchor);
    return value;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    notify(
      anchor,
      e.describe((s) => s.label),
    );
    return undefined;
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
