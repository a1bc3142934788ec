// Runs and panels, in Chromium: a checkpoint already at its last step says so at Resume;
// loading a checkpoint over a run in progress asks first, naming what is lost; Generation
// draws a new text at each restart, and Seed draws one again; a panel's error ends with
// the run it belonged to; Generation's top-k is checked by the settings table's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSkip as skip, SHOTS, withPlayground } from '../helpers/browser.ts';
import { clickAndWait, downloadCheckpoint, waitState, waitStepAbove } from '../helpers/playground.ts';

test(
  'a checkpoint at its last step: Resume says to raise Steps; a load over a run in progress asks first',
  { skip, timeout: 240_000 },
  () =>
    withPlayground(async (page, url) => {
      mkdirSync(SHOTS, { recursive: true });
      await page.goto(url);
      await page.fill('#numSteps', '20');
      await clickAndWait(page, '#start', 'done');
      const { path } = await downloadCheckpoint(page, 'twenty.safetensors');
      await clickAndWait(page, '#reset', 'idle');
      await page.setInputFiles('#load', path);
      await waitState(page, 'paused');
      await page.click('#resume');
      await page.waitForSelector('#note-run-buttons', { timeout: 30_000 });
      assert.equal(
        await page.textContent('#note-run-buttons'),
        'The checkpoint is at step 20 and Steps is 20: the run is already at its last step. Raise Steps above 20 to train on, then press Resume.',
      );
      assert.doesNotMatch((await page.textContent('#status')) ?? '', /NaN/);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'paused');
      await page.screenshot({ path: join(SHOTS, 'page-runs-last-step.png') });
      await page.fill('#numSteps', '30');
      await page.click('#resume');
      await waitState(page, 'done');
      assert.equal(await page.textContent('#stat-step'), '30 / 30');

      // a run in progress: the load asks, and Cancel keeps the run
      await page.fill('#numSteps', '1000000');
      await page.click('#start');
      await waitStepAbove(page, 20);
      const asked: string[] = [];
      page.once('dialog', (d) => {
        asked.push(d.message());
        void d.dismiss();
      });
      await page.setInputFiles('#load', path);
      await page.waitForSelector('#note-load-row.info', { timeout: 30_000 });
      assert.equal(asked.length, 1, 'the load asks first');
      assert.match(
        asked[0],
        /^Load twenty\.safetensors\? It replaces the run on screen, which is then lost: its model trained to step \d+ of 1000000/,
      );
      assert.equal(await page.textContent('#note-load-row'), 'twenty.safetensors is not loaded: the run on screen goes on.');
      const at = Number((await page.textContent('#stat-step'))?.split(' ')[0]);
      await waitStepAbove(page, at);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'training');
      // OK loads it
      page.once('dialog', (d) => void d.accept());
      await page.setInputFiles('#load', path);
      await page.waitForFunction(() => document.getElementById('stat-step')?.textContent === '20 / 20', undefined, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'paused');
    }),
);

/** Presses Next character until the text ends; returns what was drawn. */
async function drawText(page: Page): Promise<string> {
  for (let i = 0; i < 20; i++) {
    if (await page.isVisible('#gen-text code.bos.end')) break;
    const before = (await page.textContent('#gen-text .drawn')) ?? '';
    await page.click('#gen-next');
    await page.waitForFunction(
      (b) => document.querySelector('#gen-text code.bos.end') || document.querySelector('#gen-text .drawn')?.textContent !== b,
      before,
      { timeout: 30_000 },
    );
  }
  return (await page.textContent('#gen-text .drawn')) ?? '';
}

test(
  'Generation: four restarts draw four texts, Seed draws one again; top-k is checked; a panel error ends with its run',
  { skip, timeout: 240_000 },
  () =>
    withPlayground(async (page, url) => {
      await page.goto(url);
      await page.fill('#numSteps', '300');
      await clickAndWait(page, '#start', 'done');
      const texts: string[] = [];
      const seeds: string[] = [];
      for (let i = 0; i < 4; i++) {
        await page.click('#gen-reset');
        texts.push(await drawText(page));
        seeds.push((await page.textContent('#gen-seed-used')) ?? '');
      }
      assert.deepEqual(seeds, ['42', '43', '44', '45']);
      assert.equal(new Set(texts).size, 4, `four different texts: ${texts.join(', ')}`);
      await page.fill('#gen-seed', '43');
      await page.click('#gen-reset');
      assert.equal(await drawText(page), texts[1], 'seed 43 draws its text again');

      // top-k: typed with the keyboard, checked by the settings table's rules
      for (const [typed, got] of [
        ['-3', '-3'],
        ['1e308', '1e+308'],
      ]) {
        await page.click('#gen-topk', { clickCount: 3 });
        await page.keyboard.press('Backspace');
        await page.keyboard.type(typed);
        await page.waitForSelector('#note-field-gen-topk', { timeout: 10_000 });
        assert.equal(await page.textContent('#note-field-gen-topk'), `Top-k must be an integer from 0 to 1000000, got ${got}`);
        assert.equal(await page.getAttribute('#gen-topk', 'aria-invalid'), 'true');
        assert.doesNotMatch((await page.textContent('#panel-generation')) ?? '', /top-\d|top-1e/, 'no table for a top-k that is not one');
      }
      await page.screenshot({ path: join(SHOTS, 'page-runs-topk.png') });
      await page.click('#gen-topk', { clickCount: 3 });
      await page.keyboard.press('Backspace');
      await page.keyboard.type('3');
      await page.waitForSelector('#note-field-gen-topk', { state: 'detached', timeout: 10_000 });
      await page.click('#gen-next');
      await page.waitForFunction(() => /top-3\)/.test(document.getElementById('gen-drawn')?.textContent ?? ''), undefined, {
        timeout: 30_000,
      });

      // a panel's error: a word longer than the block; a new Train ends it
      await page.fill('#att-word', 'abcdefghijklmnopqrstuvwxyz');
      await page.click('#att-show');
      await page.waitForSelector('#panel-attention .panel-note:not([hidden])', { timeout: 30_000 });
      assert.match((await page.textContent('#panel-attention .panel-note')) ?? '', /the word has 26 characters/);
      await clickAndWait(page, '#start', 'done');
      assert.equal(await page.locator('#panel-attention .panel-note:not([hidden])').count(), 0, 'the error went with its run');
    }),
);
