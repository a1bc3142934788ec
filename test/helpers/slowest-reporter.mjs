// A node:test reporter: the ten slowest tests (not suites) when the run ends, so the suite's cost stays in view
// (scripts/test.mjs writes it to test-results/slowest-tests.txt).
export default async function* slowest(source) {
  const done = [];
  for await (const event of source) {
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const { name, file, details, nesting } = event.data;
      if (details?.type !== 'suite' && nesting === 0) done.push({ name, file, ms: details?.duration_ms ?? 0 });
    }
  }
  done.sort((a, b) => b.ms - a.ms);
  yield `The ten slowest tests:\n`;
  for (const t of done.slice(0, 10)) yield `${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.file?.split('/test/').pop() ?? ''}: ${t.name}\n`;
}
