// Samples stream in from the worker in chunks: counted as they come, at most a bounded list on screen, all of them
// downloadable, Stop ends them, and the page stays responsive while a million are asked for. A 1024-wide model's
// matrices show too (a part of the largest, said so), where a spread over four million numbers overflowed the stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.ts';
import { browserSkip as skip, SHOTS, withPlayground } from '../helpers/browser.ts';
import { FRAME_BUDGET_MS, longestTaskSince, pageNow, recordLongTasks } from '../helpers/frames.ts';

const SHOWN = 200;
const listed = (page: import('playwright-core').Page) => page.$$eval('#samples li', (lis) => lis.length);
const note = async (page: import('playwright-core').Page) => (await page.textContent('#samples-note')) ?? '';

test('a million names stream in with a count and a Stop, the page responsive throughout', { skip, timeout: 240_000 }, () =>
  withPlayground(async (page, url) => {
    mkdirSync(SHOTS, { recursive: true });
    await recordLongTasks(page);
    await page.goto(url);
    await page.fill('#numSteps', '20');
    await page.click('#start');
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 60_000 });

    await page.fill('#numSamples', '1000000');
    const since = await pageNow(page);
    await page.click('#sample');
    await page.waitForFunction(() => /so far/.test(document.getElementById('samples-note')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.equal(await page.isVisible('#sample-stop'), true);
    // let it stream a while, then look
    await page.waitForFunction(
      () =>
        Number(/([\d,]+) of 1,000,000 so far/.exec(document.getElementById('samples-note')?.textContent ?? '')?.[1].replace(/,/g, '')) >
        2000,
      null,
      { timeout: 120_000 },
    );
    assert.match(
      await note(page),
      /^Drawing names at temperature 0\.5, from the model at step 20: [\d,]+ of 1,000,000 so far\. The first 200 are listed/,
    );
    assert.equal(await listed(page), SHOWN, 'a bounded list');
    await page.screenshot({ path: join(SHOTS, 'samples-streaming-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#samples-note').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'samples-streaming-390.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    const longest = await longestTaskSince(page, since);
    assert.ok(longest.ms <= FRAME_BUDGET_MS, `the main thread was busy ${longest.ms} ms at a stretch`);

    await page.click('#sample-stop');
    await page.waitForFunction(() => /stopped/.test(document.getElementById('samples-note')?.textContent ?? ''), null, { timeout: 30_000 });
    const stopped = await note(page);
    assert.match(stopped, /^[\d,]+ names drawn at temperature 0\.5, from the model at step 20 \(stopped: 1,000,000 were asked for\)\./);
    assert.equal(await page.isVisible('#sample-stop'), false);
    await page.waitForTimeout(500);
    assert.equal(await note(page), stopped, 'nothing more comes after Stop');

    // a request that finishes: 5,000 names, 200 listed, all 5,000 in the download
    await page.fill('#numSamples', '5000');
    await page.click('#sample');
    await page.waitForFunction(() => /^5,000 names drawn/.test(document.getElementById('samples-note')?.textContent ?? ''), null, {
      timeout: 120_000,
    });
    assert.equal(await listed(page), SHOWN);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sample-download')]);
    const file = join(tempDir(), 'names.txt');
    await download.saveAs(file);
    const names = readFileSync(file, 'utf8').split('\n');
    assert.equal(names.pop(), '', 'one name a line');
    assert.equal(names.length, 5000);
    const shown = await page.$$eval('#samples li', (lis) => lis.map((li) => li.textContent));
    assert.deepEqual(
      shown,
      names.slice(0, SHOWN).map((n) => n || '(empty)'),
      'the list is the first of them',
    );
    // a small request reads as before
    await page.fill('#numSamples', '30');
    await page.click('#sample');
    await page.waitForFunction(() => /^30 names drawn/.test(document.getElementById('samples-note')?.textContent ?? ''));
    assert.equal(await note(page), '30 names drawn at temperature 0.5, from the model at step 20.');
    assert.equal(await listed(page), 30);
    assert.equal(await page.isVisible('#sample-download'), false);
  }),
);

test('a 1024-wide model shows its matrices: a part of a 4096 × 1024 one, said so', { skip, timeout: 240_000 }, () =>
  withPlayground(async (page, url) => {
    await page.goto(url);
    await page.fill('#nEmbd', '1024');
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('stat-step')?.textContent === '1 / 1000', null, { timeout: 120_000 });
    await page.click('.arch-block[data-name="layer0.mlp_fc1"]');
    await page.waitForSelector('#panel-architecture .heatmap canvas', { timeout: 60_000 });
    const detail = (await page.textContent('#panel-architecture .arch-detail')) ?? '';
    assert.match(detail, /layer0\.mlp_fc1: 4096 × 1024 after step 1/);
    assert.match(detail, /Too large to show whole: this is a part of it, rows 0–63 and columns 0–63\./);
    assert.equal(await page.$$eval('#panel-architecture .heatmap canvas', (cs) => cs.length), 2, 'weights and gradient');
    // wte, one row per token: all its rows, a part of its columns
    await page.click('.arch-block[data-name="wte"]');
    await page.waitForFunction(() => /wte: 28 × 1024/.test(document.querySelector('#panel-architecture .arch-detail')?.textContent ?? ''));
    assert.match((await page.textContent('#panel-architecture .arch-detail')) ?? '', /rows 0–27 and columns 0–63\./);
  }),
);
