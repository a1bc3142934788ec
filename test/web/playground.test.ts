// The playground end to end, in Debian's Chromium through playwright-core: training,
// samples, temperature, attention, checkpoint download and upload, bad uploads told
// beside their control, phone and desktop layouts, and no console error anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.ts';
import { browserSkip as skip, FULL_PAGE, launch, serve, SHOTS, watchErrors } from '../helpers/browser.ts';
import { downloadCheckpoint, verticalGap, waitState } from '../helpers/playground.ts';

test('the playground trains, samples, inspects, saves and loads, in Chromium', { skip, timeout: 180_000 }, async () => {
  const { url, server } = await serve();
  mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const consoleErrors: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    watchErrors(page, consoleErrors);
    await page.goto(url);
    await page.screenshot({ path: join(SHOTS, 'playground-start.png') });

    // a size that does not fit is refused beside the field
    await page.fill('#nEmbd', '10');
    await page.click('#start');
    await page.waitForSelector('#note-field-nHead');
    assert.match((await page.textContent('#note-field-nHead')) ?? '', /Heads must divide the embedding width \(10\), got 4/);
    assert.equal(await page.getAttribute('#note-field-nHead', 'role'), 'alert');
    assert.equal(await page.getAttribute('#nHead', 'aria-invalid'), 'true');
    await page.fill('#nEmbd', '16');

    // train the default 1000 steps; the settings go into the address
    await page.click('#start');
    await waitState(page, 'done', 120_000);
    assert.match(page.url(), /nEmbd=16&nHead=4&blockSize=16&numSteps=1000/);
    const loss = Number(await page.textContent('#stat-loss'));
    assert.ok(loss < 2.7, `the loss fell to ${loss}`);
    const worker = (await page.textContent('#stat-worker')) ?? '';
    assert.match(worker, /^([\d.]+) s for 1000 steps$/);
    // how long it took is measured by the bench, not asserted here
    assert.equal(await page.$$eval('#preview li', (lis) => lis.length), 8);
    assert.match((await page.textContent('#preview-note')) ?? '', /^At step 1000: 8 names/);
    assert.match((await page.textContent('#status')) ?? '', /^Done: 1000 steps, loss \d\.\d\d/);
    await page.screenshot({ path: join(SHOTS, 'playground-trained.png'), ...FULL_PAGE });

    // temperature: hot samples differ from cold ones, and the note says how they were drawn
    const sampleAt = async (t: string) => {
      await page.fill('#numSamples', '30');
      await page.fill('#temperature', t);
      await page.$eval('#samples', (ol) => ol.replaceChildren()); // so that the wait sees the new names
      await page.click('#sample');
      await page.waitForFunction((n) => document.querySelectorAll('#samples li').length === n, 30);
      return page.$$eval('#samples li', (lis) => lis.map((li) => li.textContent ?? ''));
    };
    const cold = await sampleAt('0.1');
    assert.equal(await page.textContent('#samples-note'), '30 names drawn at temperature 0.1, from the model at step 1000.');
    const hot = await sampleAt('2');
    assert.ok(new Set(hot).size > new Set(cold).size, 'hotter samples are more varied');

    // one token at a time, with the distribution it was drawn from (the Generation panel)
    await page.click('#gen-next');
    await page.waitForSelector('#gen-bars .bar.picked');
    const vocabSize = await page.$$eval('#gen-bars .bar', (b) => b.length); // the characters of the built-in names, and BOS
    assert.ok(vocabSize >= 27, `${vocabSize} bars`);
    assert.equal(await page.$$eval('#panel-generation table.generation tr', (r) => r.length), vocabSize + 1, 'the same numbers as a table');

    // the Attention panel: a heatmap per layer and head, and next-character bars per position
    await page.fill('#att-word', 'emma');
    await page.click('#att-show');
    await page.waitForSelector('#panel-attention .att-head canvas');
    assert.equal(await page.$$eval('#panel-attention .att-head canvas', (c) => c.length), 4);
    assert.equal(await page.$$eval('#att-probs .position', (p) => p.length), 5);
    assert.match(
      (await page.getAttribute('#panel-attention .att-head canvas', 'aria-label')) ?? '',
      /^Attention of layer 0, head 0: BOS looks most at BOS \(100\.0%\); ‘e’ looks most at/,
    );
    await page.screenshot({ path: join(SHOTS, 'playground-attention.png'), ...FULL_PAGE });

    // download a checkpoint, and load it back
    const { path: saved, ckpt } = await downloadCheckpoint(page, 'from-page.safetensors');
    assert.equal(ckpt.step, 1000);
    assert.deepEqual(ckpt.model, { nLayer: 1, nEmbd: 16, nHead: 4, blockSize: 16, vocabSize });
    await page.click('#reset');
    await waitState(page, 'idle');
    await page.setInputFiles('#load', saved);
    await page.waitForSelector('#note-load-row.info');
    assert.match((await page.textContent('#note-load-row')) ?? '', /Loaded a checkpoint: 4\d{3} parameters, step 1000 of 1000/);

    // bad uploads get a message beside their control, and the page keeps working
    const junk = join(tempDir(), 'junk.safetensors');
    writeFileSync(junk, 'definitely not a checkpoint');
    await page.setInputFiles('#load', junk);
    await page.waitForFunction(() =>
      /junk.safetensors: not a safetensors file/.test(document.getElementById('note-load-row')?.textContent ?? ''),
    );
    assert.ok((await verticalGap(page, '#note-load-row', '#load')) < 80, 'the message is beside the upload');
    assert.equal(await page.getAttribute('#note-load-row', 'role'), 'alert');
    await page.selectOption('#dataset', 'custom');
    const binary = join(tempDir(), 'photo.txt');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    await page.setInputFiles('#upload-text', binary);
    await page.waitForFunction(() =>
      /^data file photo.txt is not text \(it contains NUL bytes\)$/.test(
        document.getElementById('note-field-upload-text')?.textContent ?? '',
      ),
    );
    const empty = join(tempDir(), 'empty.txt');
    writeFileSync(empty, '');
    await page.setInputFiles('#upload-text', empty);
    await page.waitForFunction(() => /empty.txt is empty/.test(document.getElementById('note-field-upload-text')?.textContent ?? ''));
    assert.ok((await verticalGap(page, '#note-field-upload-text', '#upload-text')) < 80, 'the message is beside the upload');
    await page.click('#start');
    await page.waitForFunction(() => /no non-empty line/.test(document.getElementById('note-field-custom-text')?.textContent ?? ''));
    await page.screenshot({ path: join(SHOTS, 'playground-errors.png'), ...FULL_PAGE });
    await page.click('#sample');
    await page.waitForFunction(() => document.querySelectorAll('#samples li').length > 0);

    // a phone: nothing wider than the screen
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    watchErrors(phone, consoleErrors);
    await phone.goto(page.url()); // the address carries the run on screen (names: the edit to custom waits for a Train)
    assert.equal(await phone.inputValue('#temperature'), '2');
    assert.equal(await phone.inputValue('#dataset'), 'names');
    await phone.fill('#numSteps', '200');
    await phone.click('#start');
    await waitState(phone, 'done');
    await phone.click('#sample');
    await phone.click('#gen-next');
    await phone.waitForSelector('#gen-bars .bar.picked');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `the page is ${overflow}px wide on a 390px screen`);
    await phone.screenshot({ path: join(SHOTS, 'playground-phone.png'), ...FULL_PAGE });
  } finally {
    await browser.close();
    server.close();
  }
  assert.deepEqual(consoleErrors, []);
});
