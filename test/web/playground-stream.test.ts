// Real text on the page (issue 19): Moby-Dick is a Dataset option, served beside the page from its npm package and read
// in the worker; Documents (lines | stream) and Sample length are fields from the settings table, in the address and in
// checkpoints; in lines mode a hint says how much of a prose text the block size cuts off; in stream mode the Training
// loop panel shows a window at its offset (and Step's loss is the CLI's), and Samples shows passages with their
// newlines. axe-core at both widths; screenshots in test-results/stream-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT, runCli } from '../helpers/cli.ts';
import { browserSkip, FULL_PAGE, SHOTS, withPlayground } from '../helpers/browser.ts';
import { axeViolations, downloadCheckpoint, waitState, waitStepAbove } from '../helpers/playground.ts';
import { startRun } from '../../src/core/run.ts';
import { cutCharacters } from '../../src/core/dataset.ts';
import { parseDocs } from '../../src/core/parse-docs.ts';

const MOBY = join(ROOT, 'node_modules', '@stdlib', 'datasets-moby-dick', 'data', 'data.txt');
const LONG = { timeout: 180_000 };
const fmt = (n: number) => n.toLocaleString('en');

/** Chooses Moby-Dick and waits for the worker's summary of it. */
async function chooseMoby(page: Page): Promise<void> {
  await page.selectOption('#dataset', 'moby-dick');
  await page.waitForFunction(() => (document.getElementById('text-summary-line')?.textContent ?? '').startsWith('Moby-Dick:'), null, LONG);
}

test(
  'Moby-Dick in stream mode: Step shows a window at its offset with the CLI’s loss; samples are passages',
  { skip: browserSkip, timeout: 600_000 },
  () =>
    withPlayground(async (page, url) => {
      mkdirSync(SHOTS, { recursive: true });
      const moby = readFileSync(MOBY, 'utf8');
      // the CLI's first step on the same settings (the page holds out a tenth of a text long enough, as --val-fraction 0.1)
      const cli = runCli([
        '--data',
        'moby-dick',
        '--documents',
        'stream',
        '--num-steps',
        '1',
        '--val-fraction',
        '0.1',
        '--num-samples',
        '0',
      ]);
      assert.equal(cli.status, 0, cli.stderr);
      const cliLoss = /step\s+1 \/\s+1 \| loss (\d+\.\d{4})/.exec(cli.stdout)?.[1];
      assert.ok(cliLoss, cli.stdout);
      // the library's: which window step 1 draws
      const window = startRun({ text: moby, documents: 'stream', valFraction: 0.1 }).traceStep().docs[0];
      assert.ok(window.offset !== undefined);
      const offset = window.offset;

      await page.goto(url);
      assert.equal(
        await page.textContent('#dataset option[value="moby-dick"]'),
        'Moby-Dick (Herman Melville, 1.2 MB, public domain)',
        'the option is there: the package is installed here',
      );
      // a choice setting is a select with its choices and a sentence of help
      assert.deepEqual(await page.locator('#documents option').allTextContents(), ['lines', 'stream']);
      assert.equal(await page.inputValue('#documents'), 'lines');
      assert.match((await page.textContent('#help-documents')) ?? '', /^Lines: one document per non-empty line.*\.$/);
      assert.equal(await page.getAttribute('#documents', 'aria-describedby'), 'help-documents');
      assert.match((await page.textContent('#help-sampleLength')) ?? '', /^With Documents stream: characters to write/);

      await chooseMoby(page);
      const summary = (await page.textContent('#text-summary-line')) ?? '';
      assert.match(
        summary,
        new RegExp(`${fmt([...moby.replace(/\r\n/g, '\n')].length)} characters in ${fmt(parseDocs(moby).length)} lines`),
      );
      assert.equal(await page.isVisible('#custom-text'), false, 'no box to type in');
      assert.equal(await page.isVisible('#text-edit'), false);
      assert.equal(await page.isVisible('#documents-hint'), true, 'lines mode would cut its lines');
      await page.locator('#setup').screenshot({ path: join(SHOTS, 'stream-setup-hint.png'), style: FULL_PAGE.style });
      await page.selectOption('#documents', 'stream');
      assert.equal(await page.isVisible('#documents-hint'), false);

      await page.click('#step');
      await page.waitForFunction(() => document.getElementById('tl-status')?.textContent?.startsWith('Step 1 of 1000 done'), null, LONG);
      assert.equal(await page.textContent('#tl-status'), `Step 1 of 1000 done: loss ${cliLoss}.`, 'the CLI’s first loss');
      assert.equal(await page.textContent('.tl-loss'), cliLoss);
      const origin = (await page.textContent('#tl-box-0 .tl-origin')) ?? '';
      assert.ok(
        origin.startsWith(
          `Window at offset ${fmt(offset)} of the text (characters ${fmt(offset)} to ${fmt(offset)} + 16 = ${fmt(offset + 16)}): `,
        ),
        origin,
      );
      assert.equal(
        await page.textContent('#tl-box-0 q.tl-window'),
        [...moby]
          .slice(offset, offset + 17)
          .join('')
          .replace(/\n/g, '↵'),
      );
      assert.equal(await page.textContent('#tl-box-0 p code'), `tokens = text[${offset}:${offset + 17}]`);
      const cells = await page.locator('#tl-box-0 table.tokens tbody tr:first-child td').allTextContents();
      assert.equal(cells.length, 17, 'block size + 1 characters');
      assert.ok(!cells.includes('BOS'), 'no BOS at either end');
      assert.match((await page.textContent('#shuffle-note')) ?? '', /^Stream mode shuffles no lines: instead of random\.shuffle\(docs\)/);
      assert.equal(await page.locator('table.positions tbody tr').count(), 16, 'each of the last 16 characters is a target');
      await page.locator('#panel-training-loop').scrollIntoViewIfNeeded();
      await page.locator('#panel-training-loop').screenshot({ path: join(SHOTS, 'stream-training-loop.png') });

      // Train goes on from the step; Sample writes passages, newlines kept
      await page.click('#start');
      await waitStepAbove(page, 150, LONG.timeout);
      // 1000 steps of this size take about a second: the run may be done before Pause is pressed
      await page.click('#pause', { force: true }); // force: a disabled Pause (the run done) is no failure
      await page.waitForFunction(() => ['paused', 'done'].includes(document.body.dataset.state ?? ''), null, LONG);
      assert.match((await page.textContent('#preview-note')) ?? '', /passages of 200 characters/);
      await page.fill('#numSamples', '3');
      await page.fill('#sampleLength', '400');
      await page.fill('#temperature', '1');
      await page.fill('#prompt', 'The whale');
      await page.click('#sample');
      await page.waitForFunction(() => (document.getElementById('samples-note')?.textContent ?? '').startsWith('3 passages'), null, LONG);
      assert.match(
        (await page.textContent('#samples-note')) ?? '',
        /^3 passages of 400 characters after “The␣whale”, at temperature 1, from the model at step \d+; each goes on across newlines/,
      );
      assert.equal(await page.textContent('label[for="numSamples"]'), 'Passages', 'a stream model writes passages, not names');
      const items = page.locator('#samples li');
      assert.equal(await items.count(), 3);
      const passages = await items.evaluateAll((lis) =>
        lis.map((li) => ({ text: li.textContent ?? '', shown: (li as HTMLElement).innerText, white: getComputedStyle(li).whiteSpace })),
      );
      for (const p of passages) {
        assert.ok(p.text.startsWith('The whale'), p.text);
        assert.equal([...p.text].length, 9 + 400);
        assert.equal(p.white, 'pre-wrap');
        assert.equal(p.shown, p.text, 'shown as written: spaces and newlines kept');
      }
      assert.ok(
        passages.some((p) => p.text.includes('\n')),
        'a passage goes on across a newline',
      );
      assert.equal(await page.$eval('#samples', (e) => getComputedStyle(e).listStyleType), 'none', 'not numbered');
      assert.equal(await page.getAttribute('#samples', 'aria-label'), 'Sampled passages (scrolls when long)');
      await page.locator('#samples-panel').scrollIntoViewIfNeeded();
      await page.locator('#samples-panel').screenshot({ path: join(SHOTS, 'stream-samples.png') });

      // the Generation panel still draws from a stream model
      await page.click('#gen-next');
      await page.waitForFunction(() => (document.querySelector('#gen-text .drawn')?.textContent ?? '').length === 1, null, LONG);

      for (const [w, h] of [
        [1280, 800],
        [390, 844],
      ]) {
        await page.setViewportSize({ width: w, height: h });
        assert.deepEqual(await axeViolations(page, 'all'), [], `axe at ${w}×${h}`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });

      // the address holds documents=stream; a checkpoint carries it out and back in
      assert.equal(new URL(page.url()).searchParams.get('documents'), 'stream');
      assert.equal(new URL(page.url()).searchParams.get('dataset'), 'moby-dick');
      const { path, ckpt } = await downloadCheckpoint(page, 'stream.safetensors');
      assert.equal(ckpt.train.documents, 'stream');
      await page.click('#reset');
      await waitState(page, 'idle', LONG.timeout);
      await page.selectOption('#documents', 'lines');
      await page.setInputFiles('#load', path);
      await page.waitForFunction(
        () => document.getElementById('note-load-row')?.textContent?.startsWith('Loaded a checkpoint'),
        null,
        LONG,
      );
      assert.equal(await page.inputValue('#documents'), 'stream', 'the checkpoint’s mode is in the field');
      assert.equal(new URL(page.url()).searchParams.get('documents'), 'stream');
    }),
);

test(
  'the address round-trips Documents and Sample length; a lines-mode prose text shows the cut hint',
  { skip: browserSkip, timeout: 300_000 },
  () =>
    withPlayground(async (page, url) => {
      await page.goto(`${url}?documents=stream&sampleLength=321&blockSize=32&dataset=custom`);
      assert.equal(await page.inputValue('#documents'), 'stream');
      assert.equal(await page.inputValue('#sampleLength'), '321');
      await page.fill('#nEmbd', '24');
      await page.dispatchEvent('#nEmbd', 'change');
      const params = new URL(page.url()).searchParams;
      assert.deepEqual([params.get('documents'), params.get('sampleLength'), params.get('nEmbd')], ['stream', '321', '24']);
      await page.goto(page.url());
      assert.equal(await page.inputValue('#documents'), 'stream', 'a link reproduces the run');
      assert.equal(await page.inputValue('#sampleLength'), '321');
      await page.goto(`${url}?documents=paragraphs`);
      assert.equal(await page.inputValue('#documents'), 'lines', 'a word the table does not know keeps the default');

      // a prose text in lines mode: the hint counts what the block size cuts off, as the CLI's note does
      const prose =
        'It is a way I have of driving off the spleen and regulating the circulation.\nWhenever I find myself growing grim about the mouth,\nthen, I account it high time to get to sea as soon as I can.\n';
      await page.goto(url);
      await page.selectOption('#dataset', 'custom');
      await page.fill('#custom-text', prose);
      const { cut, total } = cutCharacters(parseDocs(prose), 16);
      const hint = page.locator('#documents-hint');
      await hint.waitFor({ state: 'visible' });
      assert.equal(
        await hint.locator('span').textContent(),
        `This text has lines longer than the block size: lines mode trains on only the first 16 characters of each line, so ${cut} of its ${total} characters (${Math.round((100 * cut) / total)}%) are never trained on. Raise Block size, or choose stream to train on all of it.`,
      );
      await page.fill('#blockSize', '80');
      await hint.waitFor({ state: 'hidden' });
      await page.fill('#blockSize', '16');
      await hint.waitFor({ state: 'visible' });
      await page.click('#documents-use-stream');
      assert.equal(await page.inputValue('#documents'), 'stream');
      await hint.waitFor({ state: 'hidden' });
      // names fit their lines: no hint
      await page.selectOption('#dataset', 'names');
      await page.selectOption('#documents', 'lines');
      await page.waitForFunction(() => !(document.getElementById('dataset-source')?.textContent ?? '').startsWith('Fetching'), null, LONG);
      assert.equal(await hint.isVisible(), false);
    }),
);
