// The package as others get it: a git install builds its code, the license and links are there, and each
// environment's types are its own (a browser bundle cannot import readText, which only Node has).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, tempDir } from '../helpers/cli.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The repository's files as a clone has them (tracked and new, not ignored): no dist/, no node_modules/. */
function cloneLike(): string {
  const dir = join(tempDir(), 'microgpt');
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(files.status, 0, files.stderr);
  for (const file of files.stdout.split('\n').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir'); // what npm installs for a git dependency's build
  return dir;
}

test('a package packed from a clone (as npm does for a git install) holds the built code, not only README and package.json', () => {
  const dir = cloneLike();
  assert.ok(!existsSync(join(dir, 'dist')));
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  assert.equal(r.status, 0, r.stderr);
  const [packed] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { files: { path: string }[] }[];
  const files = packed.files.map((f) => f.path);
  for (const f of [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/node.js',
    'dist/node.d.ts',
    'dist/cli/main.js',
    'dist/core/checkpoint.js',
  ])
    assert.ok(files.includes(f), `${f} is packed (packed: ${files.join(', ')})`);
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'sources and tests stay out');
  assert.equal(pkg.scripts.prepare, 'npm run build --silent');
});

test('the license is MIT, as package.json says, and the package says where it lives', () => {
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  assert.equal(pkg.license, 'MIT');
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 the microgpt authors\n/);
  assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  assert.deepEqual(pkg.repository, { type: 'git', url: 'git+https://github.com/microgpt-ts/microgpt.git' });
  assert.equal(pkg.homepage, 'https://github.com/microgpt-ts/microgpt#readme');
  assert.deepEqual(pkg.bugs, { url: 'https://github.com/microgpt-ts/microgpt/issues' });
});

test("the README's links work on the registry's page: absolute, or an anchor of the README itself", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/```[\s\S]*?```/g, '');
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  assert.ok(links.length > 0);
  for (const link of links) assert.match(link, /^(https:\/\/|#)/, `link ${link}`);
  // the repository's own files (docs/, LICENSE) by their address on GitHub, built from package.json's homepage
  const repo = pkg.homepage.replace(/#.*$/, '');
  const own = links.filter((link) => link.startsWith(`${repo}/`));
  assert.ok(
    own.some((link) => link.includes('/docs/')),
    'the README links to docs/',
  );
  for (const link of own) {
    const file = new RegExp(`^${repo}/blob/main/([^#]+)$`).exec(link)?.[1];
    assert.ok(file && existsSync(join(ROOT, file)), `link ${link} names a file of this checkout as ${repo}/blob/main/PATH`);
  }
});

/** tsc on a one-file project that imports 'microgpt' (this built package) under the given compiler options. */
function typecheck(source: string, compilerOptions: object): { status: number | null; output: string } {
  const dir = tempDir();
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'microgpt'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir'); // a Node project has @types/node
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(dir, 'main.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', types: [], ...compilerOptions },
      files: ['main.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

const BROWSER = { module: 'esnext', moduleResolution: 'bundler', customConditions: ['browser'], lib: ['ES2022', 'DOM'] };
const NODE = { module: 'nodenext', moduleResolution: 'nodenext', lib: ['ES2022'], types: ['node'] };

test('each environment gets its own types: a browser bundle cannot import readText, Node can', () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'node.d.ts')), 'dist/ is built (npm run build)');
  const withReadText = "import { readText, train } from 'microgpt';\nexport const use = [readText, train];\n";
  const browser = typecheck(withReadText, BROWSER);
  assert.notEqual(browser.status, 0, 'readText type-checks in a browser bundle');
  assert.match(browser.output, /has no exported member named 'readText'|has no exported member 'readText'/);
  assert.equal(browser.output.trim().split('\n').length, 1, `readText is the one error:\n${browser.output}`);
  const browserOk = typecheck("import { train, loadCheckpoint } from 'microgpt';\nexport const use = [train, loadCheckpoint];\n", BROWSER);
  assert.equal(browserOk.status, 0, browserOk.output);
  const node = typecheck(withReadText + "import { readCheckpointFile } from 'microgpt';\nexport const more = readCheckpointFile;\n", NODE);
  assert.equal(node.status, 0, node.output);
});
