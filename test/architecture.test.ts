/**
 * The shape of the source, checked: src/core and src/engines run in the page,
 * so they import no node: module and nothing from cli/ or web/; engines import
 * nothing from core/; no two folders under src/ import each other; no file
 * imports itself through a circle of imports; and the shared data the parity
 * tests read is present under CI.
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

/** Every module a file imports or re-exports (static, side-effect only, and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
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

/**
 * Every file-level import circle in a graph (file -> files it imports), each
 * as its files in import order, starting and ending with the same file: a
 * depth-first search that reports the path back to a file still on its stack.
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Map<string, number>();
  const visit = (file: string) => {
    onPath.set(file, path.length);
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const at = onPath.get(next);
      if (at !== undefined) cycles.push([...path.slice(at), next]);
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) if (!done.has(file)) visit(file);
  return cycles;
}

test('importCycles finds a circle of two, a longer one and a self-import, and none in a tree', () => {
  const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
  assert.deepEqual(importCycles(g({ a: ['b'], b: ['a'] })), [['a', 'b', 'a']]);
  assert.deepEqual(importCycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] })), [['a', 'b', 'c', 'a']]);
  assert.deepEqual(importCycles(g({ a: ['a'] })), [['a', 'a']]);
  assert.deepEqual(importCycles(g({ a: ['b', 'c'], b: ['c'], c: [] })), []);
});

test('no file under src/ imports itself through a circle of imports (static or dynamic, types included)', () => {
  const graph = new Map<string, string[]>(files.map((f) => [relative(ROOT, f), []]));
  for (const { file, target } of edges) {
    const to = relative(ROOT, target);
    if (graph.has(to)) graph.get(relative(ROOT, file))!.push(to);
  }
  assert.deepEqual(
    importCycles(graph).map((c) => c.join(' -> ')),
    [],
  );
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
