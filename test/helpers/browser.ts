// The browser tests' shared ground: web-dist/ served on 127.0.0.1 (cross-origin isolated
// as the Vite servers are, and with extra files beside the page when a test needs them),
// Debian's Chromium through playwright-core, and every console error collected.
import { existsSync, readFileSync, statSync } from 'node:fs';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from './cli.ts';
import { NAMES_URL } from '../../src/core/names-source.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const WEB = join(ROOT, 'web-dist');
export const SHOTS = join(ROOT, 'test-results');
/** Options for a whole-page screenshot: the run buttons, sticky at the bottom of the screen for a person, sit in their
 * place in the column (a whole-page shot would draw them over the fields at the bottom of the first screen). */
export const FULL_PAGE = { fullPage: true, style: '#run-buttons { position: static !important; }' };

/** Why the browser tests cannot run here; under CI nothing is skipped, the test fails instead. */
export const browserSkip: string | false = process.env.CI
  ? false
  : !existsSync(CHROMIUM)
    ? `needs ${CHROMIUM} (.ci/run installs Debian's chromium)`
    : !existsSync(join(WEB, 'index.html'))
      ? 'needs npm run build:web (npm test runs it)'
      : false;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface ServeOptions {
  /** Send COOP/COEP so the page is crossOriginIsolated (default true, as `npm run playground`). */
  isolated?: boolean;
  /** Extra files served beside the page: URL path (no leading slash) → bytes. */
  files?: Record<string, Uint8Array | string>;
}

/** Serves web-dist/ on 127.0.0.1 at a free port. */
export async function serve(options: ServeOptions = {}): Promise<{ url: string; server: Server }> {
  const isolated = options.isolated ?? true;
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const headers: Record<string, string> = isolated
      ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
      : {};
    const extra = options.files?.[path.replace(/^\//, '')];
    if (extra !== undefined) {
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(extra);
      return;
    }
    const file = join(WEB, path === '/' ? 'index.html' : path);
    if (!file.startsWith(WEB) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

/** Debian's Chromium, headless. */
export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // tests never reach the internet: makemore's names.txt fails at once, as offline, unless a test routes it (page.route)
      `--host-resolver-rules=MAP ${new URL(NAMES_URL).host} ~NOTFOUND`,
    ],
  });
}

/**
 * Collects the page's console errors and uncaught exceptions into `errors`. The one error a test machine always
 * logs is left out: the failed download of names.txt (no internet here), which the page answers with its fallback.
 */
export function watchErrors(page: Page, errors: string[]): void {
  const offline = (m: { text(): string; location(): { url: string } }) =>
    m.text().startsWith('Failed to load resource: net::') && m.location().url === NAMES_URL;
  page.on('console', (m) => m.type() === 'error' && !offline(m) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
}

/**
 * Runs body on a fresh page (1280×800, downloads allowed) of the playground served as by serve(options),
 * closes the browser and the server whatever happens, then fails on any console error the page logged.
 */
export async function withPlayground(body: (page: Page, url: string) => Promise<void>, options: ServeOptions = {}): Promise<void> {
  const { url, server } = await serve(options);
  const browser = await launch();
  const errors: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    watchErrors(page, errors);
    await body(page, url);
  } finally {
    await browser.close();
    server.close();
  }
  assert.deepEqual(errors, [], 'no console error');
}
