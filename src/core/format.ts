/**
 * Python's f"{x:.{digits}f}": correctly rounded, ties to even on the exact
 * binary value. JS's toFixed breaks exact ties upward, so ties are redone here.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return `-${(0).toFixed(digits)}`; // Python keeps the sign, toFixed drops it
  const short = x.toFixed(digits);
  // a tie needs x * 10^digits to end in .5 exactly: rule it out cheaply first (the product is within 2^-53 of
  // exact, relative, so 1e-11 leaves a wide margin while the exact check below runs about once in 10^7 calls)
  const scaled = Math.abs(x) * 10 ** digits;
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-11 * Math.max(1, scaled)) return short;
  // toFixed(100) is the exact decimal expansion for |x| >= 2^-47: look for a tie there
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + digits);
  if (!/^50*$/.test(rest)) return short;
  const kept = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
  const lastDigit = Number(kept[kept.length - 1]);
  if (lastDigit % 2 === 1) return short; // round half up lands on even: toFixed is right
  return (x < 0 ? '-' : '') + kept;
}

/** Python's f"{n:{width}d}". */
export function padInt(n: number, width: number): string {
  return String(n).padStart(width, ' ');
}

/** The original's progress line: 'step    1 / 1000 | loss 3.3660'. */
export function stepLine(step: number, numSteps: number, loss: number): string {
  return `${stepHead(step, numSteps)} | loss ${formatFixed(loss, 4)}`;
}

/** 'step    1 / 1000', the head of every progress line. */
export function stepHead(step: number, numSteps: number): string {
  return `step ${padInt(step, 4)} / ${padInt(numSteps, 4)}`;
}
