// The page's default text is makemore's names.txt, fetched from the CLI's pinned address and checked by its sha256, as
// microgpt.py trains on: seed 42 gives microgpt.py's first steps. Offline, or when the bytes are wrong, it falls back
// to the built-in first names and says so in one line. The tests never reach the internet: page.route plays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { NAMES_URL } from '../../src/core/names-source.ts';
import { NAMES, noNames } from '../helpers/cli.ts';
import { browserSkip, withPlayground } from '../helpers/browser.ts';

const skip = browserSkip || noNames;
const CORS = { 'access-control-allow-origin': '*', 'content-type': 'text/plain; charset=utf-8' };

/** Serves body at the pinned address, as GitHub does (with CORS); counts the requests. */
async function routeNames(page: Page, body: Buffer | string): Promise<{ requests: number }> {
  const seen = { requests: 0 };
  await page.route(NAMES_URL, (route) => {
    seen.requests++;
    return route.fulfill({ status: 200, headers: CORS, body });
  });
  return seen;
}

/** Presses Step and waits for the Training loop panel to show the step's document and loss. */
async function stepShows(page: Page, step: number, doc: string, loss: string): Promise<void> {
  await page.click('#step');
  await page.waitForFunction((n) => document.getElementById('stat-step')?.textContent === `${n} / 1000`, step, { timeout: 60_000 });
  await page.waitForFunction(
    ([d, l]) => (document.body.textContent ?? '').includes(`doc = "${d}"`) && (document.body.textContent ?? '').includes(`loss ${l}`),
    [doc, loss],
    { timeout: 30_000 },
  );
}

test('the default text is names.txt from the pinned address: seed 42 steps as microgpt.py does', { skip, timeout: 180_000 }, () =>
  withPlayground(async (page, url) => {
    const seen = await routeNames(page, readFileSync(NAMES));
    await page.goto(url);
    await page.waitForFunction(() => /names\.txt/.test(document.getElementById('dataset-source')?.textContent ?? ''));
    assert.match((await page.textContent('#dataset-source')) ?? '', /32,033 names.*sha256/);
    assert.equal(await page.inputValue('#seed'), '42');
    await stepShows(page, 1, 'yuheng', '3.3660');
    await stepShows(page, 2, 'diondre', '3.4243');
    // a second visit reads the browser's cache, not the network
    await page.reload();
    await page.waitForFunction(() => /names\.txt/.test(document.getElementById('dataset-source')?.textContent ?? ''));
    assert.equal(seen.requests, 1, 'downloaded once, then cached');
    await stepShows(page, 1, 'yuheng', '3.3660');
  }),
);

const FALLBACK =
  /^Offline: .*; training on the built-in list of 8,849 first names instead \(vocabulary 28, with “-”\), so the numbers differ from microgpt\.py’s\.$/;

test('offline, the page trains on the built-in names and says how they differ', { skip, timeout: 120_000 }, () =>
  withPlayground(async (page, url) => {
    await page.route(NAMES_URL, (route) => route.abort('internetdisconnected'));
    await page.goto(url);
    await page.waitForFunction(() => /Offline/.test(document.getElementById('dataset-source')?.textContent ?? ''));
    const note = (await page.textContent('#dataset-source')) ?? '';
    assert.match(note, FALLBACK);
    assert.match(note, /cannot download names\.txt/);
    await stepShows(page, 1, 'selby', '3.5318');
  }),
);

test('a names.txt whose sha256 is wrong is refused, and the built-in names are used', { skip, timeout: 120_000 }, () =>
  withPlayground(async (page, url) => {
    const body = readFileSync(NAMES);
    body[100] ^= 1; // one bit flipped
    await routeNames(page, body);
    await page.goto(url);
    await page.waitForFunction(() => /Offline/.test(document.getElementById('dataset-source')?.textContent ?? ''));
    const note = (await page.textContent('#dataset-source')) ?? '';
    assert.match(note, /the download does not match the expected sha256/);
    assert.match(note, FALLBACK);
    await stepShows(page, 1, 'selby', '3.5318');
    // the bad bytes were not cached: with the right ones the next visit trains on names.txt
    await page.unrouteAll();
    await routeNames(page, readFileSync(NAMES));
    await page.reload();
    await page.waitForFunction(() => /sha256/.test(document.getElementById('dataset-source')?.textContent ?? ''));
    await stepShows(page, 1, 'yuheng', '3.3660');
  }),
);
