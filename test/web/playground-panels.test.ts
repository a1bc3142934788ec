// The panels in Chromium: ?data=names.txt, Step showing microgpt.py's first two
// documents and losses, the model drawn with the CLI's parameter counts, weights
// and gradients, generation and attention with their numbers; axe-core finds no
// serious or critical violation at desktop and phone widths; screenshots of
// every panel in test-results/panel-*.png; no console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { NAMES, ROOT, runCli } from '../helpers/cli.ts';
import { browserSkip, launch, serve, SHOTS, watchErrors } from '../helpers/browser.ts';
import { startRun } from '../../src/core/run.ts';

const skip =
  browserSkip ||
  (!process.env.CI &&
  !(() => {
    try {
      return readFileSync(NAMES).length > 0;
    } catch {
      return false;
    }
  })()
    ? `needs ${NAMES}`
    : false);
const PANELS = ['#panel-training-loop', '#panel-architecture', '#panel-generation', '#panel-attention'];
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** axe-core's serious and critical violations inside the panels. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (include) => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const r = await axe.run({ include: include.map((s) => [s]) }, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 5)
            .join(', ')}`,
      );
  }, PANELS);
}

/** The CLI's `num params` for a configuration. */
function cliParams(args: string[]): number {
  const r = runCli(['--data', NAMES, '--num-steps', '1', ...args]);
  const m = /num params: (\d+)/.exec(r.stdout);
  assert.ok(m, r.stdout + r.stderr);
  return Number(m[1]);
}

async function shoot(page: Page, width: number): Promise<void> {
  for (const id of PANELS) await page.locator(id).screenshot({ path: join(SHOTS, `panel-${id.slice(7)}-${width}.png`) });
}

async function step(page: Page, n: number): Promise<void> {
  await page.click('#tl-step');
  await page.waitForFunction(
    (n) =>
      document.getElementById('tl-status')?.textContent?.startsWith(`Step ${n} of`) &&
      document.getElementById('panel-training-loop')?.dataset.stage === 'New weights',
    n,
  );
}

test('the panels: Step on names.txt from a link, the model, generation, attention', { skip, timeout: 240_000 }, async () => {
  const names = readFileSync(NAMES);
  const expected = startRun({ text: names.toString('utf8'), train: { seed: 42 } });
  const first = [expected.traceStep(), expected.traceStep()];
  const golden = readFileSync(join(ROOT, '..', 'shared', 'golden', 'microgpt-py-seed42-20steps.txt'), 'utf8');
  assert.match(golden, /step {4}1 \/ {3}20 \| loss 3\.3660\nstep {4}2 \/ {3}20 \| loss 3\.4243/);
  assert.deepEqual(
    first.map((t) => t.line),
    ['step    1 / 1000 | loss 3.3660', 'step    2 / 1000 | loss 3.4243'],
  );

  const { url, server } = await serve({ files: { 'names.txt': names, 'photo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]) } });
  mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const errors: string[] = [];
  try {
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ]) {
      const page = await browser.newPage({ viewport: { width, height } });
      watchErrors(page, errors);
      await page.goto(`${url}?data=names.txt`);
      await page.waitForFunction(() => document.body.dataset.linkedData === 'names.txt');
      assert.equal(await page.textContent('#note-field-dataset'), 'Loaded names.txt from the link: 32033 documents.');
      assert.equal(await page.inputValue('#dataset'), 'custom');

      // the model before any step: shapes, counts, the CLI's total
      assert.equal(await page.textContent('#arch-num-params'), '4192');
      const labels = await page.$$eval('.arch-block', (bs) =>
        bs.map((b) => [b.querySelector('.arch-name')?.textContent, b.querySelector('.arch-params')?.textContent]),
      );
      assert.deepEqual(
        labels.find(([n]) => n?.startsWith('layer0.mlp_fc1')),
        ['layer0.mlp_fc1 64 × 16', '1,024 params'],
      );
      assert.equal(labels.length, 9);

      // Step, twice: microgpt.py's first two documents and losses
      for (const [i, t] of first.entries()) {
        await step(page, i + 1);
        const loop = page.locator('#panel-training-loop');
        assert.equal(await loop.locator('pre.printed').textContent(), t.line);
        assert.match(
          (await loop.locator('.tl-step[data-stage="0"] .tl-values').textContent()) ?? '',
          new RegExp(`doc = "${t.docs[0].text}" · n = ${t.n}`),
        );
        const ids = await loop.locator('table.tokens tbody tr:nth-child(2) td').allTextContents();
        assert.deepEqual(ids.map(Number), t.docs[0].tokens);
        assert.equal(await loop.locator('.tl-loss').textContent(), t.loss.toFixed(4));
        assert.equal(await loop.locator('table.positions tbody tr').count(), t.n);
        assert.equal(await loop.locator('table.grads tbody tr').count(), 9);
      }
      if (width === 1280) {
        // the weight to follow, chosen with the keyboard
        await page.focus('#tl-matrix');
        await page.keyboard.press('End'); // the last matrix: layer0.mlp_fc2
        await page.focus('#tl-row');
        await page.keyboard.press('ArrowUp');
        await page.focus('#tl-col');
        for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowUp');
        await page.keyboard.press('Tab');
      }
      await page.click('#step'); // the page's own Step button follows the same weight
      await page.waitForFunction(() => document.getElementById('tl-status')?.textContent?.startsWith('Step 3 of'));
      const adam = (await page.textContent('table.adam caption')) ?? '';
      assert.equal(
        adam,
        width === 1280 ? 'Adam for one weight: layer0.mlp_fc2[1][5]' : 'Adam for one weight: wte[' + adam.split('[')[1] + '[0]',
      );

      // a matrix's weights and its gradient
      await page.click('.arch-block[data-name="layer0.mlp_fc1"]');
      await page.waitForSelector('.arch-detail canvas[data-kind="gradient"]');
      assert.equal(await page.getAttribute('.arch-detail canvas[data-kind="weights"]', 'height'), '64');
      assert.equal(await page.$$eval('.arch-detail table.matrix tbody tr', (r) => r.length), 64);

      // generation: three characters, and the temperature reshapes the distribution
      for (let i = 0; i < 3; i++) {
        await page.click('#gen-next');
        await page.waitForFunction(
          (i) =>
            document.querySelector('#gen-text .drawn')?.textContent?.length === i + 1 ||
            document.querySelector('#gen-text code.bos.end')?.textContent === 'BOS',
          i,
        );
      }
      assert.equal(await page.locator('table.generation tbody tr').count(), 27);
      assert.equal(await page.locator('table.generation tr.picked').count(), 1);
      const topP = async () => Number((await page.locator('table.generation tbody tr:first-child td').nth(2).textContent()) ?? NaN);
      await page.locator('#gen-temperature').fill('0.3');
      const cold = await topP();
      await page.locator('#gen-temperature').fill('2');
      const hot = await topP();
      assert.ok(cold > hot, `top probability ${cold} at 0.3, ${hot} at 2`);
      await page.locator('#gen-temperature').fill('1');
      await page.fill('#gen-topk', '3');
      assert.equal(await page.locator('table.generation td', { hasText: /^cut$/ }).count(), 24);
      const kept = (await page.locator('table.generation tbody td:nth-child(5)').allTextContents()).filter((x) => x !== 'cut').map(Number);
      assert.ok(Math.abs(kept.reduce((a, b) => a + b, 0) - 1) < 2e-4, `top-3 adds up to ${kept}`);
      await page.fill('#gen-topk', '0');

      // attention for "emma": 5 × 5 map, the pipeline of the last position
      await page.click('#att-show');
      await page.waitForSelector('table.heat');
      assert.equal(await page.locator('table.heat tbody tr').count(), 5);
      assert.equal(await page.locator('table.heat .cell.masked').count(), 10);
      assert.match(
        (await page.getAttribute('table.heat tbody tr:nth-child(3) td:nth-child(2) .cell', 'title')) ?? '',
        /^m \(position 2\) → BOS \(position 0\): weight 0\.\d{4}$/,
      );
      assert.equal(await page.locator('table.att-steps tbody tr').count(), 5);
      // every head at once, and the next character at each position; pressing a head shows its numbers
      assert.equal(await page.locator('#panel-attention .att-head canvas').count(), 4);
      assert.equal(await page.locator('#att-probs .position').count(), 5);
      await page.click('#panel-attention .att-head:nth-child(3) .att-head-pick');
      await page.waitForFunction(() => document.querySelector('table.heat caption')?.textContent?.startsWith('layer 0, head 2:'));
      assert.equal(await page.inputValue('#att-head'), '2');
      assert.equal(await page.getAttribute('#panel-attention .att-head:nth-child(3) .att-head-pick', 'aria-pressed'), 'true');
      // one mark for BOS, explained once where the tokens are first shown
      assert.match((await page.textContent('#bos-note')) ?? '', /^BOS marks both the start and the end of a document/);
      const shown = (await page.textContent('main')) ?? '';
      assert.doesNotMatch(shown, /⏎|\(end\)|marks the start/);
      assert.equal((shown.match(/marks both the start and the end/g) ?? []).length, 1);
      assert.match((await page.textContent('#att-out')) ?? '', /^output = Σ weight × v = \[(−?\d\.\d{3}, ){3}−?\d\.\d{3}\]$/);
      // a character the model does not know is said in the panel, and the next good word clears it
      await page.fill('#att-word', 'emma9');
      await page.click('#att-show');
      await page.waitForFunction(
        () => document.querySelector('#panel-attention .panel-note')?.textContent === 'character "9" is not in the vocabulary',
      );
      await page.fill('#att-word', 'emma');
      await page.click('#att-show');
      await page.waitForFunction(() => (document.querySelector('#panel-attention .panel-note') as HTMLElement | null)?.hidden === true);

      await page.evaluate(() => window.scrollTo(0, 0));
      await shoot(page, width);
      if (width === 1280) {
        // the shown matrix follows training
        await page.click('#start');
        await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 60_000 });
        assert.match(page.url(), /[?&]data=names\.txt(&|$)/, 'a link to this run still loads names.txt');
        await page.waitForFunction(() => /after step 1000$/.test(document.querySelector('.arch-detail h3')?.textContent ?? ''));
        await page.locator('#panel-architecture').screenshot({ path: join(SHOTS, 'panel-architecture-trained-1280.png') });
        // Reset: the Training loop panel no longer shows a step of the run that is gone
        await page.click('#reset');
        await page.waitForFunction(() => document.getElementById('tl-status')?.textContent?.startsWith('Press Step'));
        assert.equal(await page.locator('#panel-training-loop .tl-values:not(:empty)').count(), 0);
      }
      assert.deepEqual(await axeViolations(page), [], `axe at ${width}px`);
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= width, `the page is ${scroll}px wide at ${width}px`);
      if (width === 390) {
        const small = await page.$$eval('#panels button, #panels select, #panels input', (es) =>
          es
            .filter((e) => (e as HTMLElement).offsetParent !== null)
            .map((e) => [e.id || e.textContent, e.getBoundingClientRect().height] as const)
            .filter(([, h]) => h < 44),
        );
        assert.deepEqual(small, [], 'tap targets of at least 44px');
      }
      await page.close();
    }

    // the architecture's total is the CLI's num params for three configurations
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watchErrors(page, errors);
    await page.goto(`${url}?data=names.txt`);
    await page.waitForFunction(() => document.body.dataset.linkedData === 'names.txt');
    for (const [nLayer, nEmbd, nHead, blockSize] of [
      [1, 16, 4, 16],
      [2, 32, 4, 8],
      [3, 8, 2, 24],
    ]) {
      for (const [id, v] of Object.entries({ nLayer, nEmbd, nHead, blockSize })) {
        await page.fill(`#${id}`, String(v));
        await page.dispatchEvent(`#${id}`, 'change');
      }
      const cli = cliParams([
        '--n-layer',
        String(nLayer),
        '--n-embd',
        String(nEmbd),
        '--n-head',
        String(nHead),
        '--block-size',
        String(blockSize),
      ]);
      assert.equal(Number(await page.textContent('#arch-num-params')), cli);
      const sum = await page.$$eval('.arch-block .arch-params', (ps) =>
        ps.reduce((a, p) => a + Number(p.textContent?.replace(/\D/g, '')), 0),
      );
      assert.equal(sum, cli);
      assert.equal(
        await page.locator(`.arch-block[data-name="layer${nLayer - 1}.mlp_fc1"] .arch-name`).textContent(),
        `layer${nLayer - 1}.mlp_fc1 ${4 * nEmbd} × ${nEmbd}`,
      );
    }

    // a missing file and a binary one get a message
    const expectedErrors: string[] = [];
    const bad = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watchErrors(bad, expectedErrors);
    for (const [file, message] of [
      ['missing.txt', 'could not load missing.txt: the server answered 404 (not found)'],
      ['photo.png', 'data file photo.png is not text (it contains NUL bytes)'],
    ]) {
      await bad.goto(`${url}?data=${file}`);
      await bad.waitForFunction((m) => document.getElementById('note-field-dataset')?.textContent === m, message);
      assert.equal(await bad.inputValue('#dataset'), 'names');
    }
    assert.deepEqual(expectedErrors, [], 'the training worker fetches the file: its 404 is told beside the field, not logged on the page');
  } finally {
    await browser.close();
    server.close();
  }
  assert.deepEqual(errors, []);
});
