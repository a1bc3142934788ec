// The README and docs/ as a reader uses them: every fenced command and library example runs as written,
// in a temporary directory holding names.txt, against the built CLI (`microgpt` is dist/cli/main.js).
// A block that cannot run in a test says so just above it, visibly: <!-- not run: why -->. Any other
// block that fails, or whose language this file cannot run, fails the test. The flags of every
// `microgpt` and `pytorch/microgpt.py` command, run or not, are checked against their --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, NAMES, noNames, ROOT, tempDir } from './helpers/cli.ts';

const FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
/** Languages this file runs; `text` is shown output, never run. */
const SHELL = new Set(['sh', 'bash']);
const RUNNABLE = new Set([...SHELL, 'js', 'ts', 'python']);
const SHOWN = new Set(['text']);
const BLOCK_TIMEOUT_MS = 60_000;

interface Block {
  file: string;
  line: number;
  lang: string;
  /** The info string after the language (`example` in ```js example). */
  tag: string;
  code: string;
  /** Why it is not run, from <!-- not run: why --> just above it. */
  notRun?: string;
}

/** The fenced blocks of a markdown file, with the marker that precedes each (blank lines between allowed). */
function blocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    assert.ok(end > i, `${file}:${i + 1}: a fenced block that never closes`);
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const marker = above >= 0 ? /^<!-- not run: (.+?) -->$/.exec(lines[above].trim()) : null;
    found.push({ file, line: i + 1, lang: open[1], tag: open[2], code: lines.slice(i + 1, end).join('\n') + '\n', notRun: marker?.[1] });
    i = end;
  }
  return found;
}

/** A shell block's commands: continuation lines joined, comments and blank lines dropped. */
function commands(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** A python3 that imports torch: Debian's first, then the one on PATH (test/pytorch/pytorch.test.ts's rule). */
function torchPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return python;
  }
  return undefined;
}
const PYTHON = torchPython();
const noTorch = PYTHON || process.env.CI ? false : 'needs python3 with torch';
const needsTorch = (b: Block) => b.lang === 'python' || (SHELL.has(b.lang) && /\b(python3|torchrun)\b/.test(b.code));

const HELP = new Map<string, string>();
/** The help text of `microgpt [command]` or `pytorch/microgpt.py command`. */
function help(program: 'microgpt' | 'pytorch', command: string): string {
  const key = `${program} ${command}`;
  if (!HELP.has(key)) {
    const r =
      program === 'microgpt'
        ? spawnSync(process.execPath, [CLI, ...(command === 'train' ? [] : [command]), '--help'], { encoding: 'utf8' })
        : spawnSync(PYTHON ?? 'python3', [join(ROOT, 'pytorch', 'microgpt.py'), command, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${key} --help: ${r.stderr}`);
    HELP.set(key, r.stdout);
  }
  return HELP.get(key)!;
}

/** Each flag of each microgpt or pytorch/microgpt.py command in a shell block is in that command's --help. */
function checkFlags(block: Block): void {
  for (const line of commands(block.code)) {
    for (const part of line.split(/&&|\|\||[|;<>]/)) {
      const words = part.trim().split(/\s+/);
      let program: 'microgpt' | 'pytorch' | undefined;
      let rest: string[] = [];
      const script = words.findIndex((w) => w.endsWith('pytorch/microgpt.py'));
      if (script >= 0) [program, rest] = ['pytorch', words.slice(script + 1)];
      else if (words[0] === 'microgpt') [program, rest] = ['microgpt', words.slice(1)];
      else if (words[0] === 'node' && words[1] === 'dist/cli/main.js') [program, rest] = ['microgpt', words.slice(2)];
      if (!program || (program === 'pytorch' && !PYTHON)) continue;
      const command = rest[0] && !rest[0].startsWith('-') ? rest[0] : 'train';
      const text = help(program, command);
      for (const flag of rest.filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/=.*$/, '')))
        assert.ok(
          new RegExp(`(^|[\\s\\[])${flag}(?![\\w-])`).test(text),
          `${block.file}:${block.line}: ${flag} is not in ${program === 'microgpt' ? 'microgpt' : 'pytorch/microgpt.py'} ${command} --help`,
        );
    }
  }
}

/** A directory as the docs' commands expect it: names.txt, the checkout's dist/ and pytorch/, `microgpt`, `python3` and `torchrun` on PATH. */
function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir();
  copyFileSync(NAMES, join(dir, 'names.txt'));
  for (const name of ['dist', 'pytorch']) symlinkSync(join(ROOT, name), join(dir, name), 'dir');
  // import 'microgpt' resolves to this package; a package.json of its own, so none above the temporary directory counts
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'microgpt'), 'dir');
  const bin = join(tempDir(), 'bin');
  mkdirSync(bin);
  const shim = (name: string, line: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\nexec ${line} "$@"\n`);
    chmodSync(join(bin, name), 0o755);
  };
  shim('microgpt', `"${process.execPath}" "${CLI}"`);
  if (PYTHON) {
    shim('python3', `"${PYTHON}"`);
    shim('torchrun', `"${PYTHON}" -m torch.distributed.run`);
  }
  // names.txt already in the cache, as after the first run's download; a download would fail at once (port 9)
  const cache = join(dir, '.cache');
  mkdirSync(cache);
  copyFileSync(NAMES, join(cache, 'names.txt'));
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    MICROGPT_CACHE_DIR: cache,
    MICROGPT_NAMES_URL: 'http://127.0.0.1:9/names.txt',
  };
  return { dir, env };
}

const TSX = fileURLToPath(import.meta.resolve('tsx'));

/** Runs one block in dir; returns its output, or throws with it. */
function run(block: Block, dir: string, env: NodeJS.ProcessEnv): string {
  const where = `${block.file}:${block.line}`;
  let argv: string[];
  if (SHELL.has(block.lang)) {
    writeFileSync(join(dir, 'block.sh'), block.code);
    argv = ['bash', '-e', '-o', 'pipefail', 'block.sh'];
  } else if (block.lang === 'js') {
    writeFileSync(join(dir, 'example.mjs'), block.code);
    argv = [process.execPath, 'example.mjs'];
  } else if (block.lang === 'ts') {
    writeFileSync(join(dir, 'example.mts'), block.code);
    argv = [process.execPath, '--import', TSX, 'example.mts'];
  } else if (block.lang === 'python') {
    writeFileSync(join(dir, 'example.py'), block.code);
    argv = [PYTHON ?? 'python3', 'example.py'];
  } else {
    assert.fail(
      `${where}: a \`\`\`${block.lang || '(no language)'} block cannot be run: mark it <!-- not run: why -->, or make it \`\`\`text`,
    );
  }
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, env, encoding: 'utf8', timeout: BLOCK_TIMEOUT_MS, input: '' });
  const output = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.ok(!r.error, `${where}: ${r.error?.message} (a block has ${BLOCK_TIMEOUT_MS / 1000} s)\n${output}`);
  assert.equal(r.status, 0, `${where}: exit ${r.status}; if it cannot run in a test, mark it <!-- not run: why -->\n${output}`);
  return r.stdout;
}

for (const file of FILES) {
  const all = blocks(file, readFileSync(join(ROOT, file), 'utf8'));

  test(`${file}: every fenced block is shown output, run, or marked "not run" with a reason`, () => {
    for (const b of all) {
      const where = `${file}:${b.line}`;
      assert.ok(b.lang !== '', `${where}: a fenced block without a language (\`\`\`text for output)`);
      assert.ok(
        RUNNABLE.has(b.lang) || SHOWN.has(b.lang) || b.notRun,
        `${where}: \`\`\`${b.lang} cannot be run: mark it <!-- not run: why -->`,
      );
      assert.ok(!(SHOWN.has(b.lang) && b.notRun), `${where}: a \`\`\`text block is never run; it needs no marker`);
      if (SHELL.has(b.lang)) checkFlags(b);
    }
  });

  const runnable = all.filter((b) => !b.notRun && RUNNABLE.has(b.lang));
  if (runnable.length === 0) continue;
  test(`${file}: its commands and examples run as written`, { skip: noNames }, async (t) => {
    const { dir, env } = workspace();
    // in order, in one directory: a later block may use what an earlier one wrote (model.safetensors)
    for (const b of all.filter((b) => RUNNABLE.has(b.lang) || !SHOWN.has(b.lang))) {
      const name = `line ${b.line}: ${b.lang}${b.tag ? ` ${b.tag}` : ''}`;
      if (b.notRun) {
        await t.test(name, { skip: `not run: ${b.notRun}` }, () => {});
        continue;
      }
      await t.test(name, { skip: needsTorch(b) ? noTorch : false }, () => {
        const stdout = run(b, dir, env);
        if (b.tag === 'example') {
          // the library example trains 300 steps, reports them, and prints sampled names as an array
          assert.match(stdout, /step 300 \/ 300 \| loss \d\.\d{3}/);
          assert.match(stdout, /^\[ '.*' \]$/m);
        }
      });
    }
  });
}

test("the docs' links work: relative ones name a file of the checkout, and an anchor a heading of it", () => {
  for (const file of FILES.filter((f) => f.startsWith('docs/'))) {
    const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https:\/\//.test(link)) continue;
      const [path, anchor] = link.split('#');
      const target = path ? resolve(dirname(join(ROOT, file)), path) : join(ROOT, file);
      assert.ok(existsSync(target), `${file}: link ${link}: no ${target}`);
      if (anchor) assert.ok(slugs(readFileSync(target, 'utf8')).includes(anchor), `${file}: link ${link}: no heading #${anchor}`);
    }
  }
});

/** GitHub's anchors for a markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
function slugs(markdown: string): string[] {
  return [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#+\s+(.+)$/gm)].map((m) =>
    m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s-]/gu, '')
      .replace(/\s/g, '-'),
  );
}
