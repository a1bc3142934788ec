// The Training loop panel as a learner holding microgpt.py meets it (issue 16): it never
// shows a stale step (Train shows the latest traced step, a loaded checkpoint empties it),
// Train goes on from the Steps taken (or says why it restarts), the numbers are explained,
// the shuffle is shown with each document's line in the text, each pipeline stage lights
// its own code, the weight followed through Adam stays put (m and v before and after, and
// momentum when it moves uphill), and the chart zooms onto a few Steps with each step's
// own loss. axe-core at both widths; screenshots in test-results/learner-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { NAMES, noNames, tempDir } from '../helpers/cli.ts';
import { browserSkip, launch, serve, SHOTS, watchErrors } from '../helpers/browser.ts';
import { axeViolations, waitState } from '../helpers/playground.ts';
import { startRun } from '../../src/core/run.ts';
import { saveCheckpoint } from '../../src/core/checkpoint.ts';
import { stateDictShapes } from '../../src/engines/shape.ts';
import type { ParamRef } from '../../src/core/trace.ts';

const skip = browserSkip || noNames;
const LONG = { timeout: 120_000 };

/** Step through the Training loop panel's button; waits for its numbers. */
async function step(page: Page, n: number, selector = '#tl-step'): Promise<void> {
  await page.click(selector);
  await page.waitForFunction((n) => document.getElementById('tl-status')?.textContent?.startsWith(`Step ${n} of`), n, LONG);
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();
/** A number as the panel prints it (− for minus). */
const parse = (s: string | null) => Number((s ?? '').replace(/−/g, '-'));
/** The value cell of the Adam table's row whose label starts with `label`. */
const adamRow = (page: Page, label: string) => text(page, `table.adam tbody tr:has(th:text-is("${label}")) td`);

test(
  'the Training loop panel for a learner: never stale, the shuffle, the stages, one weight, the chart',
  { skip, timeout: 900_000 },
  async () => {
    const names = readFileSync(NAMES, 'utf8');
    const lines = names.split('\n');
    const lineOf = (doc: string) => {
      const all = lines.flatMap((l, i) => (l === doc ? [i + 1] : []));
      assert.equal(all.length, 1, `${doc} is on one line of names.txt`);
      return all[0];
    };

    // microgpt.py's run, in Node: steps 1 and 2 (the default weight of step 1 kept), and a weight that moves uphill at step 3
    const run = startRun({ text: names, train: { seed: 42 } });
    const t1 = run.traceStep();
    const kept: ParamRef = { name: t1.param.name, row: t1.param.row, col: t1.param.col };
    const t2 = run.traceStep(kept);
    assert.deepEqual(
      [t1.docs[0].text, t1.line, t2.docs[0].text, t2.line],
      ['yuheng', 'step    1 / 1000 | loss 3.3660', 'diondre', 'step    2 / 1000 | loss 3.4243'],
    );
    const engine = run.gpt.engine;
    const m2 = Float64Array.from(engine.optimizerState().m);
    const w2 = Float64Array.from(engine.weights());
    const losses = [t1.loss, t2.loss, run.takeStep().loss];
    const m3 = engine.optimizerState().m;
    const w3 = engine.weights();
    const config = run.gpt.config;
    let offset = 0;
    let uphill: (ParamRef & { mBefore: number }) | undefined;
    for (const [name, rows, cols] of stateDictShapes(config)) {
      for (let i = offset; i < offset + rows * cols && !uphill; i++) {
        const grad = (m3[i] - 0.85 * m2[i]) / 0.15;
        const update = w2[i] - w3[i];
        if (Math.abs(grad) > 1e-6 && Math.abs(update) > 1e-9 && Math.sign(grad) !== Math.sign(update))
          uphill = { name, row: Math.floor((i - offset) / cols), col: (i - offset) % cols, mBefore: m2[i] };
      }
      offset += rows * cols;
    }
    assert.ok(uphill, 'some weight moves against its gradient at step 3');
    for (let s = 4; s < 1000; s++) losses.push(run.takeStep().loss);
    const t1000 = run.traceStep();
    losses.push(t1000.loss);
    const mean25 = losses.slice(-25).reduce((a, b) => a + b, 0) / 25;
    assert.equal(t1000.line, 'step 1000 / 1000 | loss 2.6497');

    // a 2-layer checkpoint at step 2 of 5, and its step 3
    const two = startRun({ text: names, model: { nLayer: 2 }, train: { seed: 42, numSteps: 5 } });
    two.takeStep();
    two.takeStep();
    const ckptPath = join(tempDir(), 'two-layers.safetensors');
    writeFileSync(ckptPath, saveCheckpoint(two.checkpoint()));
    const two3 = two.traceStep();

    const { url, server } = await serve({ files: { 'names.txt': names } });
    mkdirSync(SHOTS, { recursive: true });
    const browser = await launch();
    const errors: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      watchErrors(page, errors);
      await page.goto(`${url}?data=names.txt`);
      await page.waitForFunction(() => document.body.dataset.linkedData === 'names.txt', undefined, LONG);

      // what the numbers mean, from the model the settings make
      await page.click('#tl-numbers summary');
      const ln27 = Math.log(27).toFixed(2);
      let numbers = (await text(page, '#tl-numbers')) ?? '';
      for (const part of [
        'Vocabulary 27: the 26 different characters of the text, and BOS',
        `The first loss is near ln 27 = ${ln27}`,
        '−ln(1/27) = ln 27',
        "microgpt.py's 1000 steps end near 2.3",
        '4,192 parameters',
        '"vocab size: 26", "num params: 4,125" and a final loss of 1.2 uses illustrative numbers, not what the program prints',
        'prints vocab size 27 and num params 4192',
      ])
        assert.ok(numbers.includes(part), `numbers explained: ${part}\n${numbers}`);

      // Step 1 and 2: microgpt.py's documents and losses, where they are in the text, the weight kept
      await step(page, 1);
      assert.equal(await text(page, '.tl-loss'), '3.3660');
      assert.match((await text(page, '#tl-box-0 pre.code')) ?? '', /^random\.shuffle\(docs\)/);
      assert.equal(
        await text(page, '.tl-origin'),
        `“yuheng” is line ${lineOf('yuheng').toLocaleString('en')} of the text, docs[0] after the shuffle.`,
      );
      const caption = `Adam for one weight: ${kept.name}[${kept.row}][${kept.col}]`;
      assert.equal(await text(page, 'table.adam caption'), caption);
      assert.equal(await adamRow(page, 'm before (running mean of the gradients)'), '0.000000');
      const m1 = await adamRow(page, `m = 0.85·m + 0.15·grad`);
      numbers = (await text(page, '#tl-numbers')) ?? '';
      assert.ok(numbers.includes('(a–z), and BOS') && numbers.includes("This run's first step: 3.3660."), numbers);
      await step(page, 2);
      assert.equal(await text(page, '.tl-loss'), '3.4243');
      assert.equal(
        await text(page, '.tl-origin'),
        `“diondre” is line ${lineOf('diondre').toLocaleString('en')} of the text, docs[1] after the shuffle.`,
      );
      assert.equal(await text(page, 'table.adam caption'), caption, 'the default weight stays from step to step');
      assert.equal(await adamRow(page, 'm before (running mean of the gradients)'), m1, 'm before step 2 is m after step 1');
      assert.equal(await adamRow(page, 'p.grad'), '0.000000', '"y" is not in "diondre"');
      assert.match((await text(page, '.tl-momentum')) ?? '', /^p\.grad is 0: .* It still went (up|down), carried by m, .* \(momentum\)\.$/);

      // a weight of the reader's choice that moves uphill at step 3: momentum said, and m before as microgpt.py had it
      await page.selectOption('#tl-matrix', uphill.name);
      await page.fill('#tl-row', String(uphill.row));
      await page.fill('#tl-col', String(uphill.col));
      await step(page, 3);
      assert.equal(await text(page, 'table.adam caption'), `Adam for one weight: ${uphill.name}[${uphill.row}][${uphill.col}]`);
      const mBefore = parse(await adamRow(page, 'm before (running mean of the gradients)'));
      assert.ok(
        Math.abs(mBefore - uphill.mBefore) <= 1e-3 * Math.abs(uphill.mBefore),
        `m before ${mBefore}, microgpt.py's ${uphill.mBefore}`,
      );
      assert.match(
        (await text(page, '.tl-momentum')) ?? '',
        /^p\.grad is (positive|negative) .*, yet the weight went (up|down): .* \(momentum\)\.$/,
      );

      // each stage lights itself and its own code, and shows it; New weights is step 5's p.data line, not Print progress
      await page.click('#tl-stage-2');
      assert.deepEqual(await page.$$eval('.tl-step.active', (s) => s.map((e) => e.id)), ['tl-box-2']);
      assert.equal(await page.getAttribute('#tl-stage-2', 'aria-current'), 'step');
      await page.focus('#tl-stage-5');
      await page.keyboard.press('Enter');
      assert.deepEqual(await page.$$eval('.tl-step.active', (s) => s.map((e) => e.id)), ['tl-box-4']);
      assert.match((await text(page, '#tl-box-4 .line.lit')) ?? '', /^p\.data -= lr_t \* m_hat/);
      await page.waitForFunction(
        () => {
          const r = document.getElementById('tl-box-4')!.getBoundingClientRect();
          return r.top >= 0 && r.top < innerHeight;
        },
        undefined,
        LONG,
      );

      // the chart after 3 Steps: the steps taken close up, each step's loss, the window named
      assert.equal(await page.getAttribute('#chart', 'data-x-max'), '20');
      assert.equal(await text(page, '#smooth-window'), 'the last 25 steps');
      await page.locator('#progress figure.chart').screenshot({ path: join(SHOTS, 'learner-chart-3-steps-1280.png') });
      await page.locator('#tl-numbers').screenshot({ path: join(SHOTS, 'learner-numbers-1280.png') });

      // Train goes on from step 3, and the panel ends on the run's last step, with the weight chosen
      await page.click('#start');
      await waitState(page, 'done', 240_000);
      assert.match((await page.getAttribute('#chart', 'aria-label')) ?? '', /at step 1, .* at step 1000\./);
      await page.waitForFunction(() => document.getElementById('tl-status')?.textContent?.startsWith('Step 1000 of 1000'), undefined, LONG);
      assert.equal(await text(page, 'pre.printed'), t1000.line);
      assert.match((await text(page, '#tl-box-0 .tl-values')) ?? '', new RegExp(`doc = "${t1000.docs[0].text}"`));
      assert.equal(await text(page, 'table.adam caption'), `Adam for one weight: ${uphill.name}[${uphill.row}][${uphill.col}]`);
      assert.equal(await page.locator('#tl-behind').isHidden(), true);
      assert.equal(await page.getAttribute('#chart', 'data-x-max'), '1000');
      numbers = (await text(page, '#tl-numbers')) ?? '';
      assert.ok(numbers.includes(`This run, at step 1,000: ${mean25.toFixed(2)}, the mean of its last 25 steps.`), numbers);
      assert.ok(numbers.includes("This run's first step: 3.3660."), 'the run went on from the Steps: its first step is still step 1');
      await page.locator('#panel-training-loop').screenshot({ path: join(SHOTS, 'learner-training-loop-1280.png') });

      // a 2-layer checkpoint empties the panel; its Step shows its own step 3
      await page.setInputFiles('#load', ckptPath);
      await page.waitForFunction(
        () => document.getElementById('note-load-row')?.textContent?.startsWith('Loaded a checkpoint'),
        undefined,
        LONG,
      );
      assert.match((await text(page, '#tl-status')) ?? '', /^Press Step/);
      assert.equal(await page.locator('#panel-training-loop .tl-values:not(:empty)').count(), 0);
      await step(page, 3);
      assert.equal(await text(page, 'pre.printed'), two3.line);
      assert.equal(await page.locator('table.grads tbody tr').count(), stateDictShapes(two.gpt.config).length);
      assert.equal(
        await text(page, '.tl-origin'),
        `“${two3.docs[0].text}” is line ${lineOf(two3.docs[0].text).toLocaleString('en')} of the text, docs[2] after the shuffle.`,
      );
      assert.deepEqual(await axeViolations(page), [], 'axe at 1280px');
      await page.close();

      // a phone: three Steps, a Train that must restart says so, axe, screenshots
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      watchErrors(phone, errors);
      await phone.goto(`${url}?data=names.txt`);
      await phone.waitForFunction(() => document.body.dataset.linkedData === 'names.txt', undefined, LONG);
      for (let n = 1; n <= 3; n++) await step(phone, n, '#step');
      await phone.click('#tl-numbers summary');
      assert.equal(await phone.getAttribute('#chart', 'data-x-max'), '20');
      await phone.locator('#progress figure.chart').screenshot({ path: join(SHOTS, 'learner-chart-3-steps-390.png') });
      await phone.locator('#tl-numbers').screenshot({ path: join(SHOTS, 'learner-numbers-390.png') });
      await phone.locator('#panel-training-loop').screenshot({ path: join(SHOTS, 'learner-training-loop-390.png') });
      assert.deepEqual(await axeViolations(phone), [], 'axe at 390px');
      await phone.fill('#nLayer', '2');
      await phone.dispatchEvent('#nLayer', 'change');
      await phone.click('#start');
      await phone.waitForFunction(
        () =>
          document.getElementById('note-run-buttons')?.textContent ===
          'Train started a new run from step 0, because Layers changed since the 3 steps you took: that needs a new model. With nothing changed, Train goes on from the steps taken.',
        undefined,
        LONG,
      );
      await phone.click('#reset');
      await waitState(phone, 'idle');
      await phone.close();
    } finally {
      await browser.close();
      server.close();
    }
    assert.deepEqual(errors, []);
  },
);
