/**
 * The Backward view, inside the Training loop panel's step 4: the autograd
 * graph of the step just taken (microgpt.py's Value nodes, recorded by the
 * worker on the scalar engine), never drawn whole: its size, one position's
 * chain from the loss down to a weight (boxes with data | grad, edges with
 * the local gradient), a walk through it in reversed(topo) order, dL/dlogits,
 * and the position's groups, each opened on demand.
 */
import type { StepTrace } from '../../core/trace.ts';
import type { FromWorker, PanelRequest } from '../protocol.ts';
import type { BackwardView, ChainRow, ShownNode } from '../backward-types.ts';
import { el, num, scroller, sci, showToken, table } from './dom.ts';

const int = (x: number) => x.toLocaleString('en');

export class BackwardPanel {
  readonly element: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private trace: StepTrace | undefined;
  private view: BackwardView | undefined;
  private pos = 0;
  private col = 0;
  private open = -1;
  /** Steps of the walk shown (0: none yet). */
  private walked = 0;
  /** A step Train traced on its way: its graph is asked for once the run stops, not while it trains. */
  private waiting = false;

  constructor(private readonly send: (r: PanelRequest) => void) {
    this.body = el(
      'div',
      { class: 'bw-body', id: 'bw-body' },
      el('p', { class: 'hint' }, 'Press Step: the graph of that step shows here.'),
    );
    this.element = el(
      'details',
      { class: 'bw', id: 'bw' },
      el('summary', { id: 'bw-summary' }, '4. Backward pass, node by node: the step’s real autograd graph'),
      this.body,
    );
    this.element.addEventListener('toggle', () => this.ask());
  }

  /** Asks the worker for the shown step's graph (only while the view is open). */
  private ask(): void {
    const t = this.trace;
    if (!t || !this.element.open) return;
    this.send({ type: 'panel-backward', step: t.step, batch: t.docs.map((d) => d.tokens), pos: this.pos, col: this.col, open: this.open });
  }

  hear(m: FromWorker): void {
    if (m.type === 'trace') {
      this.trace = m.trace;
      this.view = undefined;
      this.open = -1;
      this.pos = Math.min(this.pos, m.trace.n - 1);
      this.waiting = !!m.live;
      const text = m.live
        ? `Training: the graph of step ${m.trace.step} is recorded when the run stops (Pause, or the last step).`
        : `Recording step ${m.trace.step}’s graph…`;
      this.body.replaceChildren(el('p', { class: 'hint' }, text));
      if (!m.live) this.ask();
    } else if (m.type === 'state' && this.waiting && m.state !== 'training' && m.state !== 'idle') {
      this.waiting = false;
      this.body.replaceChildren(el('p', { class: 'hint' }, `Recording step ${this.trace?.step}’s graph…`));
      this.ask();
    } else if (m.type === 'panel-backward' && m.view && m.view.step === this.trace?.step) {
      const again = this.view?.pos === m.view.pos && this.view.col === m.view.col;
      this.view = m.view;
      if (!again) this.walked = 0;
      this.render();
    } else if ((m.type === 'state' && m.state === 'idle') || m.type === 'ready') {
      this.trace = this.view = undefined;
      this.waiting = false;
      this.body.replaceChildren(el('p', { class: 'hint' }, 'Press Step: the graph of that step shows here.'));
    }
  }

  private render(): void {
    const v = this.view!;
    const focused = document.activeElement?.id;
    const pos = el(
      'select',
      { id: 'bw-pos' },
      ...v.positions.map((p, i) =>
        el(
          'option',
          { value: i, selected: i === v.pos },
          `${p.pos}: ${showToken(p.input)} → ${showToken(p.target)}  (loss_t ${num(p.loss)})`,
        ),
      ),
    );
    pos.onchange = () => ((this.pos = Number(pos.value)), this.ask());
    const col = el(
      'select',
      { id: 'bw-col' },
      ...Array.from({ length: v.nEmbd }, (_, j) => el('option', { value: j, selected: j === v.col }, `j = ${j}`)),
    );
    col.onchange = () => ((this.col = Number(col.value)), this.ask());
    const losses = v.positions.map((p) => num(p.loss)).join(' + ');
    this.body.replaceChildren(
      el(
        'p',
        { id: 'bw-size' },
        `This step’s graph: ${int(v.size + v.params)} Value nodes (${int(v.size)} operations and ${int(v.params)} parameters) and ${int(v.edges)} edges; `,
        `${int(v.reachable)} operations lead to the loss (softmax’s other probabilities are made and never read). `,
        `microgpt.py makes ${int(v.pythonValues)} Values and ${int(v.pythonEdges)} edges: one more for each number it combines with a Value, and a 0 + at the start of each sum(). `,
        el('small', {}, `Recorded on the scalar engine in ${Math.round(v.recordMs)} ms.`),
      ),
      el('p', { class: 'bw-mean' }, el('code', {}, `loss = (1/${v.n}) · (${losses}) = ${num(v.loss)}`)),
      el('div', { class: 'bw-controls' }, el('label', {}, 'Position ', pos), el('label', {}, 'lm_head column ', col)),
      this.walkControls(),
      this.chain(v.chain),
      this.dlogits(v),
      this.groups(v),
    );
    if (focused) document.getElementById(focused)?.focus();
    this.showWalk();
  }

  private box(n: ShownNode, extra = ''): HTMLElement {
    return el(
      'div',
      { class: `bw-node ${extra}`.trim(), 'data-id': n.id, 'data-label': n.label, 'data-grad': String(n.grad) },
      el('span', { class: 'bw-label' }, n.label),
      el('span', { class: 'bw-op' }, n.op),
      el(
        'span',
        { class: 'bw-nums' },
        'data ',
        el('b', { class: 'data' }, sci(n.data)),
        ' | grad ',
        el('b', { class: 'grad' }, sci(n.grad)),
      ),
    );
  }

  private chain(rows: ChainRow[]): HTMLElement {
    return el(
      'ol',
      { class: 'bw-chain', 'aria-label': 'the chain from the loss down to one weight' },
      ...rows.map((r, i) =>
        el(
          'li',
          {},
          i > 0
            ? el(
                'p',
                { class: 'bw-edge' },
                `↓ from ${rows[i - 1].node.label.split(' = ')[0]}: local grad `,
                el('b', {}, sci(r.local)),
                r.hops > 0 ? ` (through ${r.hops} + node${r.hops > 1 ? 's' : ''} not drawn, local grad 1 each)` : '',
              )
            : null,
          el(
            'div',
            { class: 'bw-row' },
            this.box(r.node),
            ...r.side.map((s) =>
              el(
                'div',
                { class: 'bw-side' },
                el('p', { class: 'bw-edge' }, `← from ${s.parent}: local grad `, el('b', {}, sci(s.local))),
                this.box(s.node, 'side'),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private walkControls(): HTMLElement {
    const button = (id: string, text: string, go: () => void) => {
      const b = el('button', { id, type: 'button' }, text);
      b.onclick = () => (go(), this.showWalk());
      return b;
    };
    const total = this.view!.walk.length;
    return el(
      'div',
      { class: 'bw-walk' },
      el('h4', {}, 'Backward, one node at a time'),
      el(
        'p',
        { class: 'hint' },
        'microgpt.py’s loop, ',
        el(
          'code',
          {},
          'for v in reversed(topo): for child, local_grad in zip(v._children, v._local_grads): child.grad += local_grad * v.grad',
        ),
        `: here its ${total} steps on the nodes drawn below, in its order (v blue, child yellow).`,
      ),
      el(
        'div',
        { class: 'buttons' },
        button('bw-next', 'Next step', () => (this.walked = Math.min(total, this.walked + 1))),
        button('bw-prev', 'Previous', () => (this.walked = Math.max(0, this.walked - 1))),
        button('bw-restart', 'From the loss', () => (this.walked = 0)),
      ),
      el('pre', { class: 'bw-eq', id: 'bw-eq', 'aria-live': 'polite', tabindex: 0 }),
    );
  }

  private showWalk(): void {
    const v = this.view;
    const eq = this.element.querySelector<HTMLElement>('#bw-eq');
    if (!v || !eq) return;
    this.element.querySelectorAll('.bw-node').forEach((b) => b.classList.remove('now-v', 'now-child'));
    if (this.walked === 0) {
      eq.textContent = `loss.grad = 1\n(then ${v.walk.length} steps: press Next step)`;
      return;
    }
    const s = v.walk[this.walked - 1];
    eq.textContent =
      `step ${this.walked} of ${v.walk.length} (node ${int(s.k + 1)} of reversed(topo))\n` +
      `v = ${s.v}\nchild = ${s.child}\n` +
      `child.grad += local_grad * v.grad\n${sci(s.before)} + ${sci(s.local)} × ${sci(s.vGrad)} = ${sci(s.after)}`;
    this.element.querySelectorAll<HTMLElement>('.bw-node').forEach((b) => {
      if (b.dataset.id === String(s.vId)) b.classList.add('now-v');
      if (b.dataset.id === String(s.childId)) b.classList.add('now-child');
    });
  }

  private dlogits(v: BackwardView): HTMLElement {
    return el(
      'div',
      { class: 'bw-dlogits' },
      el('h4', {}, 'dL/dlogits = (probs − one-hot) / n'),
      scroller(
        'dL/dlogits',
        table(
          `dL/dlogits at position ${v.positions[v.pos].pos}: the graph’s grad of each logit, and (probs − one-hot) / ${v.n}`,
          ['token', 'probs', 'one-hot', `(probs − one-hot) / ${v.n}`, 'logit.grad (graph)'],
          v.dlogits.map((r) => [
            el('code', {}, showToken(r.token)),
            num(r.prob),
            String(r.onehot),
            sci((r.prob - r.onehot) / v.n),
            sci(r.grad),
          ]),
          { class: 'numbers dlogits' },
        ),
      ),
    );
  }

  private groups(v: BackwardView): HTMLElement {
    return el(
      'div',
      { class: 'bw-groups' },
      el('h4', {}, `Position ${v.positions[v.pos].pos}’s forward pass, as groups (backward order)`),
      el(
        'ul',
        {},
        ...v.groups.map((g) => {
          const open = v.open?.index === g.index;
          const b = el(
            'button',
            { type: 'button', class: 'bw-group', id: `bw-group-${g.index}`, 'aria-expanded': String(open) },
            `${g.name} · ${g.kind} · ${int(g.nodes)} nodes · ‖grad out‖ ${sci(g.outGrad, 3)}`,
          );
          b.onclick = () => ((this.open = open ? -1 : g.index), this.ask());
          return el(
            'li',
            {},
            b,
            open && v.open
              ? el(
                  'div',
                  { class: 'bw-open' },
                  el('p', { class: 'hint' }, v.open.note),
                  scroller(
                    v.open.name,
                    table(
                      v.open.name,
                      ['node', 'data', 'grad'],
                      v.open.rows.map((r) => [r.label, sci(r.data), sci(r.grad)]),
                      { class: 'numbers bw-group-table' },
                    ),
                  ),
                )
              : null,
          );
        }),
      ),
    );
  }
}
