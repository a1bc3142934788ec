/** Runs the built CLI (dist/, built by `npm test`) as a user would, in a directory of the test's choosing. */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** makemore's names.txt beside the checkout, when this machine has it. */
export const NAMES = join(ROOT, '..', 'shared', 'data', 'names.txt');
export const GOLDEN = join(ROOT, '..', 'shared', 'golden', 'microgpt-py-seed42-20steps.txt');
export const hasNames = existsSync(NAMES);
/** Skip reason for tests that compare with microgpt.py on names.txt; under CI they never skip (a missing file fails them). */
export const noNames = hasNames || process.env.CI ? false : `needs ${NAMES}`;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'microgpt-test-'));
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
}

/** The CLI's environment: a private cache, and a download address on loopback that refuses at once (port 9). */
function cliEnv(options: RunOptions): NodeJS.ProcessEnv {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
  return {
    ...process.env,
    MICROGPT_CACHE_DIR: join(tempDir(), 'cache'),
    MICROGPT_NAMES_URL: 'http://127.0.0.1:9/names.txt',
    ...options.env,
  };
}

export function runCli(args: string[], options: RunOptions = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? tempDir(),
    env: cliEnv(options),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts the shape of every user error: exit 2, one line on stderr, no stack trace. */
export function expectUsageError(r: Run, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  if (r.status !== 2) throw new Error(`expected exit 2, got ${r.status}; stderr: ${r.stderr}`);
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got:\n${r.stderr}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error(`stack trace on stderr:\n${r.stderr}`);
  if (!pattern.test(lines[0])) throw new Error(`stderr ${JSON.stringify(lines[0])} does not match ${pattern}`);
}

/** Like runCli, but leaves this process free to serve (a test's HTTP server) or signal while it runs. */
export function runCliAsync(
  args: string[],
  options: RunOptions & { onSpawn?: (child: import('node:child_process').ChildProcess) => void } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? tempDir(),
      env: cliEnv(options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** Serves body on 127.0.0.1 (a free port) while fn runs. */
export async function serveOnLoopback(body: Buffer, fn: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((_, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    await fn(`http://127.0.0.1:${port}/names.txt`);
  } finally {
    server.close();
  }
}
