// What a learner sees, in Chromium at 1280x800 and 390x844: The model's heatmaps keep
// the matrix's shape (a wide one scrolls sideways on a phone), with labelled rows and
// columns, a legend whose numbers are the matrix's min and max, and a table of the
// numbers; samples keep their runs of spaces; axe-core finds no violation of any
// impact on the whole page after Step and after Train.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSkip as skip, FULL_PAGE, launch, serve, SHOTS, watchErrors } from '../helpers/browser.ts';
import { axeViolations, clickAndWait } from '../helpers/playground.ts';

const VIEWPORTS = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const;

/** Runs body on a fresh page at each width; fails on any console error. */
async function atBothWidths(body: (page: Page, name: string, width: number) => Promise<void>): Promise<void> {
  const { url, server } = await serve();
  const browser = await launch();
  const errors: string[] = [];
  mkdirSync(SHOTS, { recursive: true });
  try {
    for (const [name, viewport] of VIEWPORTS) {
      const page = await browser.newPage({ viewport, deviceScaleFactor: name === 'phone' ? 2 : 1 });
      watchErrors(page, errors);
      await page.goto(url);
      await body(page, name, viewport.width);
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  assert.deepEqual(errors, []);
}

/** A heatmap of the shown matrix: its shape on screen, its labels, its legend and its table's numbers. */
async function readHeatmap(page: Page, kind: 'weights' | 'gradient') {
  return page.$eval(
    `.arch-detail figure.heatmap[data-kind="${kind}"]`,
    (figure, kind) => {
      const canvas = figure.querySelector('canvas')!;
      const box = canvas.getBoundingClientRect();
      const scroll = figure.querySelector('.scroll')!;
      const table = document.querySelector(`.arch-detail table[data-kind="${kind}"]`)!;
      const cells = [...table.querySelectorAll('tbody td')].map((td) => td.textContent ?? '');
      return {
        width: box.width,
        height: box.height,
        scrolls: scroll.scrollWidth > scroll.clientWidth,
        rows: [...figure.querySelectorAll('.hm-rows span')].map((s) => s.textContent),
        cols: [...figure.querySelectorAll('.hm-cols span')].map((s) => s.textContent),
        min: figure.querySelector('.hm-min')?.textContent,
        zero: figure.querySelector('.hm-zero')?.textContent,
        max: figure.querySelector('.hm-max')?.textContent,
        tableRows: [...table.querySelectorAll('tbody th')].map((th) => th.textContent),
        cells,
      };
    },
    kind,
  );
}

const value = (s: string) => Number(s.replace('−', '-'));

test('The model: heatmaps with the matrix’s shape, labels, a legend with min, 0, max, and a table', { skip, timeout: 240_000 }, () =>
  atBothWidths(async (page, name, width) => {
    // a text of the 26 letters: microgpt.py's vocabulary of 27 tokens
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    await page.selectOption('#dataset', 'custom');
    await page.fill(
      '#custom-text',
      Array.from({ length: 40 }, (_, i) => (letters + letters).slice(i % 26, (i % 26) + 3 + (i % 5))).join('\n'),
    );
    await clickAndWait(page, '#step', 'paused');
    const vocab = [...letters, 'BOS'];
    const index = (n: number) => Array.from({ length: n }, (_, i) => String(i));
    for (const [matrix, rows, cols, rowLabels] of [
      ['wte', 27, 16, vocab],
      ['wpe', 16, 16, index(16)],
      ['layer0.mlp_fc2', 16, 64, index(16)],
      ['lm_head', 27, 16, vocab],
    ] as const) {
      await page.click(`.arch-block[data-name="${matrix}"]`);
      await page.waitForFunction(
        (m) => document.querySelector('.arch-detail h3')?.textContent?.startsWith(`${m}:`) && document.querySelector('.arch-detail canvas'),
        matrix,
        { timeout: 30_000 },
      );
      assert.equal(await page.textContent('.arch-detail h3'), `${matrix}: ${rows} × ${cols} after step 1`);
      for (const kind of ['weights', 'gradient'] as const) {
        const h = await readHeatmap(page, kind);
        const what = `${name}: ${matrix} ${kind}`;
        // the shape: width / height = cols / rows, to a pixel's rounding
        assert.ok(Math.abs(h.width - (h.height * cols) / rows) <= 1, `${what}: ${h.width} × ${h.height} px for ${rows} × ${cols}`);
        assert.ok(h.width >= cols * 8, `${what}: cells of at least 8 px (${h.width} px for ${cols} columns)`);
        assert.deepEqual(h.rows, [...rowLabels], `${what}: row labels`);
        assert.deepEqual(h.cols, index(cols), `${what}: column labels`);
        assert.deepEqual(h.tableRows, [...rowLabels], `${what}: the table's rows`);
        assert.equal(h.cells.length, rows * cols);
        const numbers = h.cells.map(value);
        const lo = h.cells[numbers.indexOf(Math.min(...numbers))];
        const hi = h.cells[numbers.indexOf(Math.max(...numbers))];
        assert.deepEqual([h.min, h.zero, h.max], [lo, '0', hi], `${what}: the legend's numbers`);
        if (matrix === 'layer0.mlp_fc2' && width === 390) assert.ok(h.scrolls, `${what}: a wide matrix scrolls sideways`);
      }
      const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(pageWidth <= width, `${name}: the page is ${pageWidth} px wide`);
      if (matrix === 'wte' || matrix === 'layer0.mlp_fc2') {
        await page.click('.arch-detail details summary');
        await page.locator('#panel-architecture').screenshot({ path: join(SHOTS, `page-views-${matrix}-${name}.png`) });
      }
    }
  }),
);

test('samples keep their runs of spaces, and show them', { skip, timeout: 240_000 }, () =>
  atBothWidths(async (page, name) => {
    await page.selectOption('#dataset', 'custom');
    const lines = ['ha  ha', 'ho  hum', 'la  la  land', 'so  so', 'tra  la', 'hey  you', 'oh  no', 'yo  yo'];
    await page.fill('#custom-text', Array.from({ length: 8 }, () => lines.join('\n')).join('\n'));
    await page.fill('#numSteps', '200');
    await clickAndWait(page, '#start', 'done');
    await page.fill('#prompt', 'ha  ');
    await page.fill('#numSamples', '5');
    await page.click('#sample');
    await page.waitForSelector('#samples li', { timeout: 30_000 });
    const shown = await page.$$eval('#samples li', (lis) => lis.map((li) => (li as HTMLElement).innerText));
    for (const s of shown) assert.ok(s.startsWith('ha  '), `${name}: “${s}” as the page renders it keeps its two spaces`);
    // a reader sees where the spaces are: each run of spaces is marked
    const marked = await page.$$eval('#samples li .space', (spans) => spans.map((s) => s.textContent));
    assert.ok(marked.length >= shown.length && marked.every((t) => /^ +$/.test(t ?? '')), `${name}: spaces marked: ${marked}`);
    assert.match((await page.textContent('#samples-note')) ?? '', /starting with “ha␣␣”/, `${name}: the note shows the prompt's spaces`);
    await page.locator('#samples-panel').screenshot({ path: join(SHOTS, `page-views-spaces-${name}.png`) });
  }),
);

test('axe-core: no violation of any impact on the whole page after Step and after Train', { skip, timeout: 300_000 }, () =>
  atBothWidths(async (page, name) => {
    assert.deepEqual(await axeViolations(page, 'all'), [], `${name}, before any run`);
    await clickAndWait(page, '#step', 'paused');
    await page.click('.arch-block[data-name="wte"]');
    await page.waitForSelector('.arch-detail canvas[data-kind="gradient"]', { timeout: 30_000 });
    await page.click('.arch-detail details summary');
    await page.click('#gen-next');
    await page.waitForSelector('#gen-bars .bar', { timeout: 30_000 });
    await page.click('#att-show');
    await page.waitForSelector('#att-probs .position', { timeout: 30_000 });
    assert.deepEqual(await axeViolations(page, 'all'), [], `${name}, after Step`);
    await page.fill('#numSteps', '300');
    await clickAndWait(page, '#start', 'done');
    await page.click('#sample');
    await page.waitForSelector('#samples li', { timeout: 30_000 });
    assert.deepEqual(await axeViolations(page, 'all'), [], `${name}, after Train`);
    await page.screenshot({ path: join(SHOTS, `page-views-trained-${name}.png`), ...FULL_PAGE });
  }),
);
