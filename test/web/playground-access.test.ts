// The playground for every person, in Chromium: axe-core finds no serious or critical
// violation at 1280x800 and 390x844; the settings come from the one settings table;
// every character of a probability strip shows without a hidden scroll; the chart
// fits its data; keyboard, focus, live status and 44 px tap targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../helpers/cli.ts';
import { browserSkip as skip, FULL_PAGE, launch, serve, SHOTS, watchErrors, withPlayground } from '../helpers/browser.ts';
import { axeViolations, waitState } from '../helpers/playground.ts';
import { SETTINGS, type SettingKey } from '../../src/core/settings.ts';

const FIELDS: SettingKey[] = [
  'nLayer',
  'nEmbd',
  'nHead',
  'blockSize',
  'numSteps',
  'batchSize',
  'learningRate',
  'seed',
  'temperature',
  'topK',
  'numSamples',
];

/** Every bar of a strip has its label inside the strip, and the strip does not scroll. */
async function stripFits(page: Page, selector: string): Promise<string[]> {
  return page.$eval(selector, (strip) => {
    const box = strip.getBoundingClientRect();
    const problems: string[] = [];
    if (strip.scrollWidth > strip.clientWidth) problems.push(`scrolls: ${strip.scrollWidth} > ${strip.clientWidth}`);
    for (const b of strip.querySelectorAll('.bar b')) {
      const r = b.getBoundingClientRect();
      if (!b.textContent || r.width === 0 || r.left < box.left - 0.5 || r.right > box.right + 0.5)
        problems.push(`label ${JSON.stringify(b.textContent)} at ${r.left}-${r.right} outside ${box.left}-${box.right}`);
    }
    return problems;
  });
}

test('the settings, labels, ranges, defaults and help come from the settings table', { skip, timeout: 60_000 }, async () => {
  const html = readFileSync(join(ROOT, 'src', 'web', 'index.html'), 'utf8');
  for (const key of FIELDS) {
    assert.ok(!html.includes(`id="${key}"`), `index.html does not restate ${key}`);
    assert.ok(!html.includes(`>${SETTINGS[key].label}<`), `index.html does not restate the label ${SETTINGS[key].label}`);
  }
  const { url, server } = await serve();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    for (const key of FIELDS) {
      const s = SETTINGS[key];
      const field = await page.$eval(`#${key}`, (input) => {
        const i = input as HTMLInputElement;
        return {
          label: i.labels?.[0]?.textContent,
          min: i.min,
          max: i.max,
          value: i.value,
          help: document.getElementById(i.getAttribute('aria-describedby') ?? '')?.textContent,
        };
      });
      assert.equal(field.label, s.label);
      assert.equal(field.value, String(s.default));
      if (key !== 'seed') assert.deepEqual([field.min, field.max], [String(s.min), String(s.max)]);
      assert.equal(field.help?.toLowerCase(), `${s.help}.`.toLowerCase(), `${key}'s help`);
    }
  } finally {
    await browser.close();
    server.close();
  }
});

test(
  'axe-core, the keyboard, focus, live status, tap targets and probability strips at 1280x800 and 390x844',
  { skip, timeout: 180_000 },
  async () => {
    const { url, server } = await serve();
    mkdirSync(SHOTS, { recursive: true });
    const browser = await launch();
    const errors: string[] = [];
    try {
      for (const [name, viewport] of [
        ['desktop', { width: 1280, height: 800 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        const page = await browser.newPage({ viewport, deviceScaleFactor: name === 'phone' ? 2 : 1 });
        watchErrors(page, errors);
        await page.goto(url);
        assert.deepEqual(await axeViolations(page), [], `${name}, before training`);

        // names with a space: the strip shows ␣ for it and BOS for the end
        await page.selectOption('#dataset', 'custom');
        const people = ['anna lee', 'bo kim', 'cy young', 'di ross', 'ed wu', 'flo hart', 'gus ray', 'hal moss'];
        await page.fill('#custom-text', Array.from({ length: 6 }, () => people.join('\n')).join('\n'));
        await page.fill('#numSteps', '300');
        await page.focus('#start');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.body.dataset.state !== 'idle');
        // the focus moves from the disabled Train to Pause, and on to Resume
        if ((await page.evaluate(() => document.body.dataset.state)) === 'training') {
          await page.waitForFunction(() => document.activeElement?.id === 'pause' || document.body.dataset.state === 'done');
        }
        await waitState(page, 'done');
        assert.match((await page.textContent('#status')) ?? '', /^Done: 300 steps/);
        assert.equal(await page.getAttribute('#status', 'aria-live'), 'polite');
        await page.click('#gen-next');
        await page.waitForSelector('#gen-bars .bar.picked');
        const labels = await page.$$eval('#gen-bars .bar b', (b) => b.map((e) => e.textContent));
        assert.ok(labels.includes('␣') && labels[labels.length - 1] === 'BOS', labels.join(''));
        assert.deepEqual(await stripFits(page, '#gen-bars .bars'), [], `${name}: generation strip`);
        // Enter in the Attention panel's Word shows it
        await page.fill('#att-word', 'bo kim');
        await page.press('#att-word', 'Enter');
        await page.waitForSelector('#att-probs .position:nth-child(7) .bars');
        assert.equal(await page.$$eval('#panel-attention .att-head canvas', (c) => c.length), 4);
        for (let i = 0; i < 7; i++)
          assert.deepEqual(await stripFits(page, `#att-probs .position:nth-child(${i + 1}) .bars`), [], `${name}: position ${i}`);
        assert.match((await page.textContent('#att-probs .position:nth-child(4) h4')) ?? '', /after “bo␣”/);
        await page.click('#att-probs .position:nth-child(1) summary');
        assert.ok(await page.isVisible('#att-probs .position:nth-child(1) table'));
        // an error beside its field, for axe to see too
        await page.fill('#topK', '-1');
        await page.click('#sample');
        await page.waitForSelector('#note-field-topK');
        assert.match((await page.textContent('#note-field-topK')) ?? '', /^Top-k must be an integer from 0 to 1000000, got -1$/);
        assert.deepEqual(await axeViolations(page), [], `${name}, trained, with an error showing`);
        if (name === 'phone') {
          const small = await page.$$eval('button, input:not([type=checkbox]), select, summary', (els) =>
            els
              .filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().height < 44)
              .map((e) => `${e.tagName}#${e.id} ${e.getBoundingClientRect().height}px`),
          );
          assert.deepEqual(small, [], 'tap targets of at least 44 px');
          assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390);
        }
        await page.screenshot({ path: join(SHOTS, `playground-access-${name}.png`), ...FULL_PAGE });
        await page.close();
      }
    } finally {
      await browser.close();
      server.close();
    }
    assert.deepEqual(errors, []);
  },
);

test('the chart: axes titled, the y axis fitted to a loss far below 1, a log scale, focus and pause', { skip, timeout: 120_000 }, () =>
  withPlayground(async (page, url) => {
    await page.goto(url);
    assert.equal(await page.textContent('.axis-y'), 'loss (nats per character)');
    assert.equal(await page.textContent('.axis-x'), 'training step');
    // the lines differ in more than hue: solid, each step's own loss thin with a dot at each step while they are few, dashed with
    // square markers, dotted (the canvas draws them so too)
    const legend = await page.$$eval('.legend svg', (svgs) =>
      svgs.map((s) => [s.querySelector('line')?.getAttribute('stroke-dasharray') ?? 'solid', s.querySelectorAll('rect').length]),
    );
    assert.deepEqual(legend, [
      ['solid', 0],
      ['solid', 1],
      ['6 3', 1],
      ['2 3', 0],
    ]);
    // a text the model nearly learns by heart (after abc: a or b): its loss ends far below 1
    await page.selectOption('#dataset', 'custom');
    await page.fill('#custom-text', Array.from({ length: 15 }, () => 'abcab\nabcba').join('\n'));
    await page.fill('#numSteps', '400');
    await page.fill('#learningRate', '0.05');
    await page.click('#start');
    await waitState(page, 'done');
    const loss = Number(await page.textContent('#stat-loss'));
    assert.ok(loss < 0.3, `the loss fell to ${loss}`);
    assert.equal(await page.getAttribute('#chart', 'data-y-min'), '0');
    await page.check('#log-scale');
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.yMin) > 0);
    const yMin = Number(await page.getAttribute('#chart', 'data-y-min'));
    assert.ok(yMin < loss, `the log axis starts at ${yMin}, below the loss ${loss}`);
    assert.match(
      (await page.getAttribute('#chart', 'aria-label')) ?? '',
      /^Loss chart, log scale from .* Training loss \(smoothed\) \d\.\d\d at step 1, 0\.\d\d at step 400\./,
    );
    await page.screenshot({ path: join(SHOTS, 'playground-low-loss.png') });

    // the focus follows the buttons that still work: names at the default rate, since the text above at 0.05 diverges
    // within a few thousand steps (a few seconds), and a diverged run moves the focus to Train before Pause is pressed
    await page.selectOption('#dataset', 'names');
    await page.fill('#learningRate', '0.01');
    await page.fill('#numSteps', '1000000');
    await page.click('#start');
    await page.waitForFunction(() => document.activeElement?.id === 'pause');
    await page.keyboard.press('Enter');
    await waitState(page, 'paused');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'resume');
    assert.match((await page.textContent('#status')) ?? '', /^Paused at step \d+ of 1000000\.$/);
  }),
);
