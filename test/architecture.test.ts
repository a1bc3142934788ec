/**
 * The shape of the source, checked: src/core and src/engines run in the page,
 * so they import no node: module and nothing from cli/ or web/; engines import
 * nothing from core/; no two folders under src/ import each other; and the
 * shared data the parity tests read is present under CI.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { NAMES, ROOT } from './helpers/cli.ts';

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string, pattern = /\.ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name), pattern) : pattern.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every module a file imports or re-exports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );
}

/** The folder a file belongs to under src/ ('core', 'engines', 'cli', ...; '.' for src/*.ts). */
const folderOf = (file: string) => relative(SRC, file).split('/').slice(0, -1)[0] ?? '.';

const files = sourceFiles(SRC);
const edges = files.flatMap((file) =>
  importsOf(file)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => ({ file, target: resolve(dirname(file), spec) })),
);

test('src/core and src/engines import no node: module, nothing from cli/ or web/, and engines nothing from core/', () => {
  const offences: string[] = [];
  for (const file of files) {
    const folder = folderOf(file);
    if (folder !== 'core' && folder !== 'engines') continue;
    for (const spec of importsOf(file)) {
      if (spec.startsWith('node:')) offences.push(`${relative(ROOT, file)} imports ${spec}`);
    }
  }
  for (const { file, target } of edges) {
    const from = folderOf(file);
    const to = folderOf(target);
    if ((from === 'core' || from === 'engines') && (to === 'cli' || to === 'web' || to === 'io'))
      offences.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
    if (from === 'engines' && to === 'core') offences.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
  }
  assert.deepEqual(offences, []);
});

test('no two folders under src/ import each other', () => {
  const pairs = new Set(edges.map(({ file, target }) => `${folderOf(file)} -> ${folderOf(target)}`));
  const both = [...pairs].filter((p) => {
    const [a, b] = p.split(' -> ');
    return a !== b && pairs.has(`${b} -> ${a}`);
  });
  assert.deepEqual(both, []);
});

test('no source file (TypeScript, CSS, HTML) is longer than 400 lines', () => {
  const long = sourceFiles(SRC, /\.(ts|css|html)$/)
    .map((f) => [relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length] as const)
    .filter(([, n]) => n > 400);
  assert.deepEqual(long, []);
});

test(
  'names.txt, which the parity tests read, is present (required under CI)',
  { skip: !existsSync(NAMES) && !process.env.CI ? `no ${NAMES} on this machine` : false },
  () => {
    assert.ok(existsSync(NAMES), `CI needs ${NAMES}`);
  },
);
