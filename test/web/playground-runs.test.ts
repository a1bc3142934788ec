// Runs in the playground, in Chromium: a diverging run stops itself and says so; Reset
// and a checkpoint loaded mid-run leave nothing of the old run; a loaded checkpoint
// fills the settings and trains on exactly as the CLI's --resume (needs npm run build: npm test does); edits mid-run wait
// for the next Train except the learning rate; samples after a run repeat on reload;
// speed is shown with validation apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserSkip as skip, FULL_PAGE, launch, serve, SHOTS, watchErrors, withPlayground } from '../helpers/browser.ts';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { builtinNames, clickAndWait, downloadCheckpoint, shownStep, verticalGap, waitState, waitStepAbove } from '../helpers/playground.ts';

test(
  'a learning rate too high: the run stops at a non-finite loss, says so beside the rate, and the page stays responsive',
  { skip, timeout: 120_000 },
  () =>
    withPlayground(async (page, url) => {
      mkdirSync(SHOTS, { recursive: true });
      await page.goto(url);
      await page.fill('#learningRate', '0.5');
      await page.click('#start');
      await waitState(page, 'diverged', 30_000);
      const note = (await page.textContent('#note-field-learningRate')) ?? '';
      assert.match(
        note,
        /^The run diverged at step (\d+): the loss became Infinity\. The learning rate 0\.5 is too high for this model; lower it \(try 0\.2\) and press Train\.$/,
      );
      assert.ok((await verticalGap(page, '#note-field-learningRate', '#learningRate')) < 120, 'the message is beside the learning rate');
      assert.match((await page.textContent('#status')) ?? '', /^Diverged at step \d+: lower the learning rate\.$/);
      assert.equal(await page.textContent('#time-left'), 'diverged');
      // frames keep coming, and the chart's axis stayed finite
      // (a string, so that tsx adds no helper the page lacks)
      const frames = (await page.evaluate(`new Promise((resolve) => {
      let n = 0;
      const t0 = performance.now();
      function tick() { if (performance.now() - t0 < 500) { n++; requestAnimationFrame(tick); } else resolve(n); }
      requestAnimationFrame(tick);
    })`)) as number;
      assert.ok(frames > 10, `${frames} frames in 0.5 s`);
      const yMax = Number(await page.getAttribute('#chart', 'data-y-max'));
      assert.ok(Number.isFinite(yMax) && yMax > Math.log(27), `the chart's top is ${yMax}: above the losses that ran away, and finite`);
      assert.equal(await page.isDisabled('#resume'), true);
      assert.equal(await page.isDisabled('#start'), false);
      await page.screenshot({ path: join(SHOTS, 'playground-diverged.png'), ...FULL_PAGE });
      // a lower rate trains
      await page.fill('#learningRate', '0.01');
      await page.fill('#numSteps', '100');
      await page.click('#start');
      await waitState(page, 'done');
      assert.equal((await page.$$('#note-field-learningRate')).length, 0, 'the old message is gone');
    }),
);

test(
  'Reset mid-run leaves nothing to resume; a checkpoint loaded mid-run replaces the run, fills the settings and trains on exactly',
  { skip, timeout: 180_000 },
  async () => {
    const { url, server } = await serve();
    const browser = await launch();
    const errors: string[] = [];
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      const page = await context.newPage();
      watchErrors(page, errors);
      await page.goto(url);

      // Reset during a run
      await page.fill('#numSteps', '1000000');
      await page.click('#start');
      await waitStepAbove(page, 20);
      await page.click('#reset');
      await waitState(page, 'idle');
      await page.waitForTimeout(500);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle');
      assert.equal(await page.textContent('#stat-step'), '–');
      assert.equal(await page.isDisabled('#resume'), true);
      assert.match((await page.getAttribute('#chart', 'aria-label')) ?? '', /No steps yet/);

      // a small model, five steps with Step, saved
      const small = {
        nLayer: '2',
        nEmbd: '8',
        nHead: '2',
        blockSize: '12',
        numSteps: '60',
        batchSize: '3',
        learningRate: '0.02',
        seed: '7',
      };
      for (const [k, v] of Object.entries(small)) await page.fill(`#${k}`, v);
      for (let i = 1; i <= 5; i++) {
        await page.click('#step');
        await page.waitForFunction((n) => document.getElementById('stat-step')?.textContent === `${n} / 60`, i);
      }
      const { path: fiveSteps } = await downloadCheckpoint(page, 'five.safetensors');

      // a long run with other settings; the checkpoint loaded in the middle of it
      await page.fill('#nLayer', '1');
      await page.fill('#nEmbd', '16');
      await page.fill('#numSteps', '1000000');
      await page.click('#start');
      await waitStepAbove(page, 20);
      // an edit mid-run waits for the next Train, and the address keeps the run's settings
      await page.fill('#nLayer', '3');
      await page.dispatchEvent('#nLayer', 'change');
      assert.equal(await page.isVisible('#pending-nLayer'), true);
      assert.match(page.url(), /nLayer=1&/);
      // the learning rate applies live
      await page.fill('#learningRate', '0.005');
      await page.dispatchEvent('#learningRate', 'change');
      await page.waitForSelector('#note-field-learningRate.info');
      assert.match((await page.textContent('#note-field-learningRate')) ?? '', /^Now 0\.005 from step \d+ on/);
      assert.match(page.url(), /learningRate=0\.005&/);
      assert.equal(await page.isVisible('#pending-learningRate'), false);

      page.once('dialog', (d) => void d.accept()); // the load over the run in progress asks first
      await page.setInputFiles('#load', fiveSteps);
      await page.waitForSelector('#note-load-row.info');
      await page.waitForTimeout(500);
      assert.equal(await page.textContent('#stat-step'), '5 / 60');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'paused');
      for (const [k, v] of Object.entries(small)) assert.equal(await page.inputValue(`#${k}`), v, `${k} from the checkpoint`);
      assert.equal(await page.isVisible('#pending-nLayer'), false);
      assert.match(page.url(), /nLayer=2&nEmbd=8&nHead=2&blockSize=12&numSteps=60&learningRate=0\.02&batchSize=3&seed=7/);
      await page.click('#resume');
      await waitState(page, 'done');
      assert.equal(await page.textContent('#stat-step'), '60 / 60');
      const resumed = (await downloadCheckpoint(page, 'resumed.safetensors')).ckpt;
      // the CLI's --resume on the same text gives the same weights and Adam moments, up to the last bits: Node 20's
      // V8 and Chromium's round Math.exp, Math.log and ** differently in about one call in ten
      const data = join(tempDir(), 'names.txt');
      writeFileSync(data, builtinNames());
      const out = join(tempDir(), 'cli.safetensors');
      const cli = runCli(['train', '--resume', fiveSteps, '--data', data, '--out', out]);
      assert.equal(cli.status, 0, cli.stderr);
      const fromCli = loadCheckpoint(readFileSync(out));
      assert.equal(fromCli.step, 60);
      const apart = (a: ArrayLike<number>, b: ArrayLike<number>) =>
        Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]) / Math.max(1e-3, Math.abs(x))));
      for (const [what, a, b] of [
        ['weights', fromCli.weights, resumed.weights],
        ['m', fromCli.adam!.m, resumed.adam!.m],
        ['v', fromCli.adam!.v, resumed.adam!.v],
      ] as const) {
        const d = apart(a, b);
        console.log(`page vs CLI after 55 resumed steps: ${what} at most ${d.toExponential(2)} apart (relative)`);
        assert.ok(d < 1e-9, `${what}: ${d}`);
      }

      // the same settings trained in one go give the very same weights and Adam moments
      await clickAndWait(page, '#start', 'done');
      assert.equal(await page.textContent('#stat-step'), '60 / 60');
      const straight = (await downloadCheckpoint(page, 'straight.safetensors')).ckpt;
      assert.equal(resumed.step, 60);
      assert.deepEqual(resumed.weights, straight.weights);
      assert.deepEqual(resumed.adam, straight.adam);

      // a loaded checkpoint trains further: Steps raised, Resume continues the schedule to it
      await page.click('#reset');
      await waitState(page, 'idle');
      await page.setInputFiles('#load', fiveSteps);
      await waitState(page, 'paused');
      await page.fill('#numSteps', '80');
      await page.dispatchEvent('#numSteps', 'input');
      assert.equal(await page.textContent('#pending-numSteps'), 'applies at Resume');
      await page.click('#resume');
      await waitState(page, 'done');
      assert.equal(await page.textContent('#stat-step'), '80 / 80');
      assert.match(page.url(), /numSteps=80&/);

      // other data than the checkpoint's: Resume says so beside the buttons, and the checkpoint stays loaded
      await page.setInputFiles('#load', fiveSteps);
      await waitState(page, 'paused');
      await page.selectOption('#dataset', 'custom');
      await page.fill('#custom-text', Array.from({ length: 30 }, (_, i) => `name${'abcdefghij'[i % 10]}${'klmno'[i % 5]}`).join('\n'));
      await page.click('#resume');
      await page.waitForSelector('#note-run-buttons');
      assert.equal(await page.textContent('#note-run-buttons'), 'the data differs from the data the checkpoint was trained on');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'paused');
      assert.equal(await page.textContent('#stat-step'), '5 / 60');
      // a prompt the vocabulary lacks: told beside the sample buttons
      await page.fill('#prompt', 'A');
      await page.click('#sample');
      await page.waitForSelector('#note-sample-buttons');
      assert.match((await page.textContent('#note-sample-buttons')) ?? '', /character "A" is not in the vocabulary/);
    } finally {
      await browser.close();
      server.close();
    }
    assert.deepEqual(errors, []);
  },
);

test(
  'samples: the note tells how they were drawn, previews never replace them, and a link samples the same names on every reload',
  { skip, timeout: 120_000 },
  () =>
    withPlayground(async (page, url) => {
      await page.goto(url);
      await page.fill('#numSteps', '300');
      const trainAndSample = async () => {
        await page.click('#start');
        await waitState(page, 'done');
        await page.click('#sample');
        await page.waitForFunction(() => document.querySelectorAll('#samples li').length === 20);
        return page.$$eval('#samples li', (lis) => lis.map((li) => li.textContent));
      };
      const first = await trainAndSample();
      await page.reload();
      assert.equal(await page.inputValue('#numSteps'), '300');
      assert.deepEqual(await trainAndSample(), first, 'the same link, the same names');

      await page.fill('#temperature', '1.2');
      await page.fill('#topK', '5');
      await page.fill('#numSamples', '6');
      await page.fill('#prompt', 'ma');
      await page.press('#prompt', 'Enter');
      await page.waitForFunction(() => document.querySelectorAll('#samples li').length === 6);
      assert.equal(
        await page.textContent('#samples-note'),
        '6 names drawn at temperature 1.2, top-k 5, starting with “ma”, from the model at step 300.',
      );
      assert.ok((await page.$$eval('#samples li', (lis) => lis.map((li) => li.textContent ?? ''))).every((n) => n.startsWith('ma')));

      // samples asked for during a run stay while the preview refreshes
      await page.fill('#numSteps', '1000000');
      await page.fill('#prompt', '');
      await page.click('#start');
      await waitStepAbove(page, 20);
      await page.click('#sample');
      await page.waitForFunction(() => /from the model at step \d+\./.test(document.getElementById('samples-note')?.textContent ?? ''));
      const asked = await page.$$eval('#samples li', (lis) => lis.map((li) => li.textContent));
      const preview = await page.$$eval('#preview li', (lis) => lis.map((li) => li.textContent));
      await page.waitForFunction(
        (p) => JSON.stringify([...document.querySelectorAll('#preview li')].map((li) => li.textContent)) !== p,
        JSON.stringify(preview),
        { timeout: 10_000 },
      );
      assert.deepEqual(await page.$$eval('#samples li', (lis) => lis.map((li) => li.textContent)), asked);
      // speed: a progress bar with time left; ms/step counts training only
      assert.match((await page.textContent('#time-left')) ?? '', /^about \d+ s left$/);
      assert.ok(Number(await page.getAttribute('#progress-bar', 'value')) > 0);

      // after Reset: no names, and no note about a model that is gone
      await page.click('#reset');
      await waitState(page, 'idle');
      assert.equal(await page.$$eval('#samples li, #preview li', (l) => l.length), 0);
      assert.equal(await page.textContent('#samples-note'), 'Train a model, then press Sample.');
    }),
);

test('speed: ms/step averages the training steps; validation time is counted apart', { skip, timeout: 120_000 }, () =>
  withPlayground(async (page, url) => {
    await page.goto(url);
    await page.click('#start');
    await waitState(page, 'done');
    const msPerStep = Number(await page.textContent('#stat-ms'));
    const evalS = Number((await page.textContent('#stat-eval'))?.replace(' s', ''));
    const m = /^([\d.]+) s for 1000 steps$/.exec((await page.textContent('#stat-worker')) ?? '');
    assert.ok(m && msPerStep > 0 && evalS > 0, `${msPerStep} ms/step, ${evalS} s validating`);
    // the parts add up to at most the whole (rounding to 0.01 s aside)
    assert.ok(msPerStep + evalS <= Number(m[1]) + 0.02, `${msPerStep} ms x 1000 steps + ${evalS} s within ${m[1]} s`);
    assert.equal(await page.getAttribute('#progress-bar', 'value'), '1000');
    assert.equal(await page.textContent('#time-left'), 'done');
    assert.equal(await shownStep(page), 1000);
  }),
);
