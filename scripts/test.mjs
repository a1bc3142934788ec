// npm test's runner: every test file under test/, as many at once as the machine has cores (or
// TEST_CONCURRENCY), reported by node:test's spec reporter; the ten slowest tests are written to
// test-results/slowest-tests.txt (nothing is printed after the runner's closing summary).
// Arguments, when given, are the test files to run instead of all of them.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : testFiles(join(root, 'test'))
        .map((f) => relative(root, f))
        .sort();
const concurrency = Number(process.env.TEST_CONCURRENCY) || availableParallelism();
mkdirSync(join(root, 'test-results'), { recursive: true });
const slowest = fileURLToPath(new URL('../test/helpers/slowest-reporter.mjs', import.meta.url));
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${slowest}`,
    `--test-reporter-destination=${join(root, 'test-results', 'slowest-tests.txt')}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
