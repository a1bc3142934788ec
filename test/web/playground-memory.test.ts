// A model too large for a browser tab is refused before anything is allocated, with what it needs and the field to
// lower, beside that field; nothing is half-started (no run, no "Paused at step 0"), and the page stays responsive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSkip as skip, FULL_PAGE, SHOTS, withPlayground } from '../helpers/browser.ts';
import { FRAME_BUDGET_MS, longestTaskSince, pageNow, recordLongTasks } from '../helpers/frames.ts';

const fill = async (page: Page, values: Record<string, number>) => {
  for (const [id, v] of Object.entries(values)) await page.fill(`#${id}`, String(v));
};

/** Presses button and waits for the refusal beside field; the page must not have started anything. */
async function refused(page: Page, button: string, field: string): Promise<string> {
  const since = await pageNow(page);
  await page.click(button);
  await page.waitForSelector(`#note-field-${field}`, { timeout: 30_000 });
  await page.waitForTimeout(1000); // time for a run to show, were one started
  const note = (await page.textContent(`#note-field-${field}`)) ?? '';
  assert.equal(await page.getAttribute(`#note-field-${field}`, 'role'), 'alert');
  assert.equal(await page.getAttribute(`#${field}`, 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle', 'no run started');
  assert.equal(await page.textContent('#stat-step'), '–');
  assert.equal(await page.isDisabled('#resume'), true);
  assert.doesNotMatch((await page.textContent('#status')) ?? '', /Paused/);
  assert.doesNotMatch((await page.textContent('body')) ?? '', /Invalid typed array length/);
  const longest = await longestTaskSince(page, since);
  assert.ok(longest.ms <= FRAME_BUDGET_MS, `the main thread was busy ${longest.ms} ms at a stretch`);
  return note;
}

test('a model too big for the page is refused beside the field to lower, and nothing starts', { skip, timeout: 180_000 }, () =>
  withPlayground(async (page, url) => {
    mkdirSync(SHOTS, { recursive: true });
    await recordLongTasks(page);
    await page.goto(url);
    // 8 layers, 256 wide, 8 heads, block 256, batch 64: about 7.4 GiB in float64, the page's default (3.9 GiB in float32)
    await fill(page, { nLayer: 8, nEmbd: 256, nHead: 8, blockSize: 256, batchSize: 64 });
    for (const button of ['#start', '#step']) {
      const note = await refused(page, button, 'blockSize');
      assert.match(
        note,
        /^The model \(Layers 8, Embedding 256, Heads 8, Block size 256, Batch 64\) needs about 7\.4 GiB for its weights, Adam's moments and activations, more than the limit of 2 GiB a page can hold\. Lower Block size \(256\): at 128 the model needs about 3\.5 GiB, still too much: lower it further\.$/,
      );
    }
    await page.locator('#field-blockSize').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'memory-refused-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#note-field-blockSize').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'memory-refused-390.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    // a width of 4096: the embedding is the field to lower
    await fill(page, { nLayer: 1, nEmbd: 4096, nHead: 4, blockSize: 16, batchSize: 1 });
    const wide = await refused(page, '#start', 'nEmbd');
    assert.match(wide, /^The model \(Layers 1, Embedding 4096, .*\) needs about 17 GiB .* Lower Embedding \(4096\): at 2048 /); // float64

    // a model that fits trains as before
    await fill(page, { nEmbd: 16 });
    await page.fill('#numSteps', '20');
    await page.click('#start');
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 60_000 });
    assert.equal(await page.textContent('#stat-step'), '20 / 20');
    await page.screenshot({ path: join(SHOTS, 'memory-after.png'), ...FULL_PAGE });
  }),
);
