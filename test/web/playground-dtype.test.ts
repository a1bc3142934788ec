// Issue 17: the page trains in float64 by default, on the wasm engine, so seed 42 on names.txt gives the CLI's run
// (its weights to float64 rounding, its Random state, the names sampled from it); float32 is one choice away in the Engine
// field, whose help says what it changes, and trains on the float32 wasm engine (with float32 helper threads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NAMES_URL } from '../../src/core/names-source.ts';
import { readFileSync } from 'node:fs';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';
import { NAMES, noNames, runCli, tempDir } from '../helpers/cli.ts';
import { browserSkip, withPlayground } from '../helpers/browser.ts';
import { downloadCheckpoint, waitState } from '../helpers/playground.ts';

const skip = browserSkip || noNames;
const CORS = { 'access-control-allow-origin': '*', 'content-type': 'text/plain; charset=utf-8' };

test(
  "the default page run of seed 42 on names.txt is the CLI's run: float64 wasm, the CLI's weights and names",
  { skip, timeout: 180_000 },
  () =>
    withPlayground(async (page, url) => {
      await page.route(NAMES_URL, (route) => route.fulfill({ status: 200, headers: CORS, body: readFileSync(NAMES) }));
      await page.goto(`${url}?numSteps=40`);
      await page.waitForFunction(() => /names\.txt/.test(document.getElementById('dataset-source')?.textContent ?? ''));
      assert.equal(await page.inputValue('#engine'), 'auto');
      assert.match(
        (await page.textContent('#help-engine')) ?? '',
        /Float32: about \d+× faster on big models; its digits differ from microgpt\.py's\./,
      );
      await page.click('#start');
      await waitState(page, 'done', 120_000);
      const { path, ckpt } = await downloadCheckpoint(page, 'page.safetensors');
      assert.equal(ckpt.engine, 'wasm');
      assert.equal(ckpt.dtype, 'float64');
      const cliCk = join(tempDir(), 'cli.safetensors');
      const cli = runCli(['--data', NAMES, '--num-steps', '40', '--out', cliCk]);
      assert.equal(cli.status, 0, cli.stderr);
      const c = loadCheckpoint(readFileSync(cliCk));
      assert.equal(ckpt.step, 40);
      // Chromium's V8 and Node 20's round a few Math.exp/log results differently in the last bit: equal to float64 rounding
      const worst = ckpt.weights.reduce((m, w, i) => Math.max(m, Math.abs(w - c.weights[i])), 0);
      assert.ok(worst < 1e-12, `the page's weights are the CLI's to float64 rounding (worst difference ${worst})`);
      assert.deepEqual(ckpt.rng, c.rng);
      const names = runCli(['sample', '--model', path]);
      assert.equal(names.status, 0, names.stderr);
      const cliNames = cli.stdout
        .split('\n')
        .filter((l) => l.startsWith('sample '))
        .map((l) => l.replace(/^sample\s+\d+: /, ''));
      assert.deepEqual(names.stdout.trim().split('\n'), cliNames, 'the names the CLI printed after training');
    }),
);

test('choosing float32 in the Engine field trains on the float32 wasm engine, helper threads included', { skip, timeout: 180_000 }, () =>
  withPlayground(
    async (page, url) => {
      await page.goto(`${url}?nLayer=2&nEmbd=32&nHead=4&blockSize=16&batchSize=8&numSteps=20`);
      await page.selectOption('#engine', 'float32');
      await page.click('#start');
      await waitState(page, 'done', 120_000);
      const { ckpt } = await downloadCheckpoint(page, 'f32.safetensors');
      assert.equal(ckpt.engine, 'wasm');
      assert.equal(ckpt.dtype, 'float32');
      assert.ok(
        ckpt.weights.every((w) => Math.fround(w) === w),
        'float32 weights',
      );
    },
    { isolated: true },
  ),
);
