// The Backward view in Chromium: ?data=names.txt, seed 42, Step trains on yuheng (loss 3.3660);
// the view counts the step's graph, shows position 2's chain, opens a group and walks backward,
// all with the keyboard; lm_head[7][0]'s gradient is the same in the view, the Adam table and the
// model view; dL/dlogits is (probs - one-hot) / n; axe finds nothing; screenshots at 1280 and 390.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAMES, noNames } from '../helpers/cli.ts';
import { browserSkip, SHOTS, withPlayground } from '../helpers/browser.ts';
import { sci } from '../../src/web/panels/dom.ts';
import type { Page } from 'playwright-core';

const skip = browserSkip || noNames;

/** axe-core's serious and critical violations inside the Training loop panel. */
async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: join(import.meta.dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js') });
  return page.evaluate(async () => {
    const a = (
      window as unknown as {
        axe: { run(c: unknown, o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const r = await a.run({ include: [['#panel-training-loop']] }, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 4)
            .join(', ')}`,
      );
  });
}

test('the Backward view: the step graph, a chain, a group, the walk, one gradient three times', { skip, timeout: 180_000 }, async () => {
  mkdirSync(SHOTS, { recursive: true });
  await withPlayground(
    async (page, url) => {
      await page.goto(`${url}?data=names.txt`);
      await page.waitForFunction(() => document.body.dataset.linkedData === 'names.txt');
      // follow lm_head[7][0] through Adam: 7 is 'h', the target at position 2 of yuheng
      await page.selectOption('#tl-matrix', 'lm_head');
      await page.fill('#tl-row', '7');
      await page.fill('#tl-col', '0');
      await page.click('#tl-step');
      await page.waitForFunction(() => document.getElementById('tl-status')?.textContent?.startsWith('Step 1 of'));
      assert.equal(await page.textContent('#panel-training-loop pre.printed'), 'step    1 / 1000 | loss 3.3660');
      assert.match((await page.textContent('.tl-step[data-stage="0"] .tl-values')) ?? '', /doc = "yuheng"/);

      // open the view with the keyboard
      await page.focus('#bw-summary');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#bw-size');
      const size = (await page.textContent('#bw-size')) ?? '';
      assert.match(size, /57,056 Value nodes \(52,864 operations and 4,192 parameters\) and 104,187 edges/);
      assert.match(size, /microgpt\.py makes 60,475 Values/);
      const ms = Number(/in (\d+) ms/.exec(size)?.[1]);
      console.log(`recording the step graph: ${ms} ms`);

      // every control reachable with Tab, in order
      await page.focus('#bw-summary');
      const seen: string[] = [];
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() =>
          document.activeElement?.closest('#bw') ? document.activeElement.id || document.activeElement.tagName : '',
        );
        if (!id) break;
        seen.push(id);
      }
      for (const id of ['bw-pos', 'bw-col', 'bw-next', 'bw-prev', 'bw-restart', 'bw-eq']) assert.ok(seen.includes(id), `${id} in ${seen}`);
      assert.ok(seen.some((id) => id.startsWith('bw-group-')));

      // position 2 (u → h), chosen with the keyboard
      await page.focus('#bw-pos');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction(() =>
        [...document.querySelectorAll('.bw-node')].some((b) => b.getAttribute('data-label')?.includes('(position 2)')),
      );
      assert.equal(await page.inputValue('#bw-pos'), '2');

      // dL/dlogits: the graph's grads are (probs - one-hot) / n
      const rows = await page.$$eval('table.dlogits tbody tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      );
      assert.equal(rows.length, 27);
      for (const r of rows) assert.equal(r[3], r[2], `row ${r}`);
      assert.equal(rows.filter((r) => r[1] === '1').length, 1);

      // a group opened with Enter, closed with Space
      const head = page.locator('.bw-group', { hasText: 'layer0 head 1' });
      await head.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('.bw-open table');
      assert.equal(await page.getAttribute('.bw-group[aria-expanded="true"]', 'id'), await head.getAttribute('id'));
      assert.match((await page.textContent('.bw-open')) ?? '', /weight a_2/);

      // the walk: Space and Enter on Next step
      await page.focus('#bw-next');
      for (const key of ['Space', 'Space', 'Enter', 'Space']) await page.keyboard.press(key);
      const eq = (await page.textContent('#bw-eq')) ?? '';
      assert.match(eq, /^step 4 of \d+ /);
      assert.match(eq, /child\.grad \+= local_grad \* v\.grad\n\S+ \+ \S+ × \S+ = \S+$/);
      assert.equal(await page.locator('.bw-node.now-v').count(), 1);

      // lm_head[7][0]: the view, the Adam table, the model view
      const grad = Number(await page.getAttribute('.bw-node[data-label="lm_head[7][0]"]', 'data-grad'));
      assert.ok(grad !== 0 && Number.isFinite(grad));
      assert.equal(await page.textContent('.bw-node[data-label="lm_head[7][0]"] .grad'), sci(grad));
      assert.equal(await page.textContent('table.adam caption'), 'Adam for one weight: lm_head[7][0]');
      assert.equal(await page.textContent('table.adam tbody tr:nth-child(2) td'), sci(grad));
      await page.click('.arch-block[data-name="lm_head"]');
      await page.waitForSelector('.arch-detail table.matrix-grad', { state: 'attached' });
      // the model view's gradient table: row 7 (a row per character; 'h'), column 0
      const cell = await page.textContent('.arch-detail table.matrix-grad tbody tr:nth-child(8) td:nth-child(2)');
      assert.equal(cell, sci(grad, 2));

      assert.deepEqual(await axe(page), [], 'axe at 1280');
      await page.locator('#bw').screenshot({ path: join(SHOTS, 'backward-1280.png') });
      await page.setViewportSize({ width: 390, height: 844 });
      assert.deepEqual(await axe(page), [], 'axe at 390');
      await page.locator('#bw').screenshot({ path: join(SHOTS, 'backward-390.png') });
      // the first phone screens of it, to read as a learner would
      for (const [name, sel] of [
        ['chain', '.bw-chain'],
        ['walk', '.bw-walk'],
      ]) {
        await page.locator(sel).scrollIntoViewIfNeeded();
        const box = (await page.locator(sel).boundingBox())!;
        await page.screenshot({ path: join(SHOTS, `backward-390-${name}.png`), clip: { x: 0, y: box.y, width: 390, height: 844 } });
      }
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 390, `the page is ${wide}px wide at 390px`);
    },
    { files: { 'names.txt': readFileSync(NAMES) } },
  );
});
