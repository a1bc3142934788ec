/**
 * Where a run's wall time goes, for `npm run bench` and for anyone curious:
 * with MICROGPT_TIMING=1 the CLI writes on stderr, at exit, the milliseconds
 * since the process started at each mark (performance.now() counts from
 * Node's start). Without it, mark() does nothing and nothing is written.
 */
const on = process.env.MICROGPT_TIMING === '1';
const marks: [string, number][] = [];

/** Records that the run has reached `what`. */
export function mark(what: string): void {
  if (on) marks.push([what, performance.now()]);
}

if (on)
  process.on('exit', () => {
    mark('exit');
    let last = 0;
    for (const [what, at] of marks) {
      process.stderr.write(`microgpt timing: ${what} at ${at.toFixed(1)} ms (+${(at - last).toFixed(1)})\n`);
      last = at;
    }
  });
