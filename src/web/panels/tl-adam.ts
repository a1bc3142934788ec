/**
 * Step 5 of the Training loop panel: Adam's update of the one weight the
 * reader follows, with its moments before and after the step, and, when the
 * weight moved the way its own gradient says is uphill, why (momentum).
 */
import type { StepTrace } from '../../core/trace.ts';
import { el, num, scroller, sci, table } from './dom.ts';

/** m or v before this step, from the value after it: x = beta·before + (1 − beta)·g, so before = (x − (1 − beta)·g) / beta. */
function before(after: number, beta: number, g: number): number {
  const b = (after - (1 - beta) * g) / beta;
  return Math.abs(b) <= 1e-12 * Math.abs(after) ? 0 : b; // what rounding leaves of an exact 0
}

/** True when the weight moved along its gradient (uphill for the loss): the update's sign is not the gradient's. */
export const againstGradient = (t: StepTrace) =>
  t.param.grad !== 0 && t.param.update !== 0 && Math.sign(t.param.update) !== Math.sign(t.param.grad);

export function adamValues(t: StepTrace): Node[] {
  const p = t.param;
  const step0 = t.step - 1;
  const mBefore = before(p.m, t.beta1, p.grad);
  const vBefore = before(p.v, t.beta2, p.grad * p.grad);
  const moved = p.after > p.before ? 'up' : p.after < p.before ? 'down' : 'nowhere';
  const sign = (x: number) => (x > 0 ? 'positive' : 'negative');
  const slope = `p.grad is ${sign(p.grad)} (${p.grad > 0 ? 'raising' : 'lowering'} this weight raises the loss)`;
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
          ['m before (running mean of the gradients)', sci(mBefore)],
          ['v before (running mean of their squares)', sci(vBefore)],
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
    el(
      'p',
      { class: 'hint tl-momentum' },
      p.grad === 0
        ? `p.grad is 0: this step's loss does not depend on this weight. ${moved === 'nowhere' ? 'It stayed where it was.' : `It still went ${moved}, carried by m, the running mean of earlier gradients (momentum).`}`
        : againstGradient(t)
          ? `${slope}, yet the weight went ${moved}: Adam steps along m, the running mean of this and earlier gradients, and m is still ${sign(p.m)} from the steps before (momentum).`
          : `${slope}, so the weight went ${moved}: downhill for the loss.`,
    ),
  ];
}
