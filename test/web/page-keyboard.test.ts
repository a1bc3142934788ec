// The page with the keyboard alone, in Chromium: Attention's Word field takes typing,
// Backspace, Tab and Shift+Tab as any text field does; Tab reaches every control and
// none traps the focus; the sticky Train/Step bar never covers the focused control at
// 1280x800, 390x844, and 320x200 (a 1280x800 screen at 400% zoom).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSkip as skip, launch, serve, SHOTS, watchErrors, withPlayground } from '../helpers/browser.ts';
import { clickAndWait } from '../helpers/playground.ts';

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

test('Attention’s Word field: typing, Backspace, Enter shows, Tab and Shift+Tab move on', { skip, timeout: 120_000 }, () =>
  withPlayground(async (page, url) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(url);
    await clickAndWait(page, '#step', 'paused');
    await page.click('#att-word');
    await page.keyboard.press('End');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Backspace');
    assert.equal(await page.inputValue('#att-word'), '', 'Backspace deletes');
    await page.keyboard.type('ann');
    assert.equal(await page.inputValue('#att-word'), 'ann', 'typing types');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#att-probs .position').length === 4, undefined, { timeout: 30_000 });
    assert.match((await page.textContent('#att-probs .position:nth-child(4) h4')) ?? '', /after “ann”/);
    await page.screenshot({ path: join(SHOTS, 'page-keyboard-word.png') });
    await page.focus('#att-word');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'att-layer', 'Tab moves on to Layer');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focusedId(page), 'att-word', 'Shift+Tab comes back');
    await page.keyboard.press('Shift+Tab');
    assert.notEqual(await focusedId(page), 'att-word', 'Shift+Tab moves back out of the field');
  }),
);

/** Gives the page pathOf(element): its id, or its place under the nearest ancestor with one (a string: tsx would wrap a named function in a helper the page lacks). */
const PATH_OF = `window.pathOf = function pathOf(e) {
  if (e.id) return '#' + e.id;
  const parent = e.parentElement;
  return pathOf(parent) + ' > ' + e.tagName.toLowerCase() + ':nth-child(' + ([...parent.children].indexOf(e) + 1) + ')';
}`;

/** Every control a person can reach with Tab, named as pathOf names it. */
async function controls(page: Page): Promise<string[]> {
  await page.evaluate(PATH_OF);
  return page.evaluate(() => {
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    return [...document.querySelectorAll<HTMLElement>(sel)]
      .filter((e) => !(e as HTMLButtonElement).disabled && e.checkVisibility({ visibilityProperty: true }))
      .map((e) => (window as unknown as { pathOf(e: Element): string }).pathOf(e));
  });
}

/**
 * Presses Tab from the top of the page until the focus comes round to the first control again;
 * returns the controls in the order visited and each one the sticky bar covered (with how many pixels).
 */
async function tabAround(page: Page, limit: number): Promise<{ visited: string[]; covered: string[] }> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.mouse.click(2, 2); // on the header: Tab starts from the top of the page
  const visited: string[] = [];
  const covered: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return undefined;
      const bar = document.getElementById('run-buttons')!;
      const a = e.getBoundingClientRect();
      const b = bar.getBoundingClientRect();
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const over = !bar.contains(e) && h > 0 && w > 0 ? `${Math.round(h)} of ${Math.round(a.height)} px` : '';
      return { name: (window as unknown as { pathOf(e: Element): string }).pathOf(e), over };
    });
    if (!at) continue; // the focus left the page for the browser's own controls: the next Tab comes back
    if (visited.includes(at.name)) {
      if (at.name === visited[0]) break;
      assert.fail(`the focus came back to ${at.name} before reaching the rest: ${visited.join(' ')}`);
    }
    visited.push(at.name);
    if (at.over) covered.push(`${at.name}: ${at.over}`);
  }
  return { visited, covered };
}

test(
  'Tab reaches every control, none traps it, and the Train/Step bar never covers the focused one',
  { skip, timeout: 480_000 },
  async () => {
    const { url, server } = await serve();
    const browser = await launch();
    const errors: string[] = [];
    mkdirSync(SHOTS, { recursive: true });
    try {
      for (const [name, viewport] of [
        ['desktop', { width: 1280, height: 800 }],
        ['phone', { width: 390, height: 844 }],
        ['zoom400', { width: 320, height: 200 }],
      ] as const) {
        const page = await browser.newPage({ viewport });
        watchErrors(page, errors);
        await page.goto(url);
        // a model, so that every panel has its controls; the custom text shows its fields too
        await page.selectOption('#dataset', 'custom');
        await page.fill('#custom-text', Array.from({ length: 20 }, (_, i) => `name${'abcdefghij'[i % 10]}`).join('\n'));
        await clickAndWait(page, '#step', 'paused');
        await page.click('.arch-block[data-name="wte"]');
        await page.waitForSelector('.arch-detail canvas', { timeout: 30_000 });
        await page.click('#gen-next');
        await page.waitForSelector('#gen-bars .bar', { timeout: 30_000 });
        await page.click('#att-show');
        await page.waitForSelector('#att-probs .position', { timeout: 30_000 });
        const all = await controls(page);
        const { visited, covered } = await tabAround(page, all.length + 20);
        assert.deepEqual(
          all.filter((c) => !visited.includes(c)),
          [],
          `${name}: every control is reached by Tab`,
        );
        // the focused field at the bottom of the settings, where the bar sticks
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.focus('#upload-text');
        await page.screenshot({ path: join(SHOTS, `page-keyboard-bar-${name}.png`) });
        assert.deepEqual(covered, [], `${name}: the Train/Step bar covers no focused control`);
        await page.close();
      }
    } finally {
      await browser.close();
      server.close();
    }
    assert.deepEqual(errors, []);
  },
);
