/**
 * bench/results.md holds both benchmarks: `npm run bench` writes the file and
 * keeps the real-text section, from its heading to the end, that
 * `npm run bench:text` wrote; bench:text replaces only that section.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/io/files.ts';

const RESULTS = fileURLToPath(new URL('./results.md', import.meta.url));
/** The heading that starts bench:text's section. */
export const TEXT_HEADING = '## Real text';

/** results.md as it is ('' if there is none). */
export function readResults(): string {
  return existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
}

/** results.md replaced by text. */
export function writeResults(text: string): void {
  writeFileAtomic(RESULTS, text);
}

/** results.md split at the real-text section: [what npm run bench wrote, the section ('' if none)]. */
function parts(): [string, string] {
  const s = readResults();
  const i = s.indexOf(`\n${TEXT_HEADING}`);
  return i < 0 ? [s, ''] : [s.slice(0, i + 1), s.slice(i + 1)];
}

/** npm run bench: the file anew, the real-text section kept. */
export function writeBenchResults(text: string): void {
  const section = parts()[1];
  writeResults(section ? `${text.trimEnd()}\n\n${section}` : text);
}

/** npm run bench:text: its section (starting with TEXT_HEADING) in place of the old one, the rest kept. */
export function writeTextSection(section: string): void {
  const head = parts()[0] || '# Benchmark results\n';
  writeResults(`${head.trimEnd()}\n\n${section.trim()}\n`);
}
