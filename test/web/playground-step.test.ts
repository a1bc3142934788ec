// The Step button in Chromium: one traced step at a time, from nothing or from a running run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip as skip, withPlayground } from '../helpers/browser.ts';

test('Step takes exactly one step, from nothing and from a running run', { skip, timeout: 120_000 }, () =>
  withPlayground(async (page, url) => {
    await page.goto(url);
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('stat-step')?.textContent === '1 / 1000');
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'paused');
    await page.waitForFunction(() => /step\s+1 \/ 1000 \| loss 3\.\d{4}/.test(document.body.textContent ?? ''));
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('stat-step')?.textContent === '2 / 1000');

    // a running run pauses and takes one more step
    await page.fill('#numSteps', '1000000');
    await page.click('#start');
    await page.waitForFunction(() => Number(document.getElementById('stat-step')?.textContent?.split(' ')[0]) > 20);
    await page.click('#step');
    await page.waitForFunction(() => document.body.dataset.state === 'paused');
    const at = await page.textContent('#stat-step');
    await page.waitForTimeout(300);
    assert.equal(await page.textContent('#stat-step'), at, 'nothing trains after the step');
    assert.match(at ?? '', /^\d+ \/ 1000000$/);
  }),
);
