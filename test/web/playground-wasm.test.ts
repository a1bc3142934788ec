// The playground trains a model above the original's size on the SIMD engine, in Chromium: with a helper
// thread when the page is cross-origin isolated (as the Vite servers and test/helpers/browser.ts serve it),
// on the training worker alone when it is not. The downloaded checkpoint says which engine trained, in float64 (auto's dtype).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.ts';
import { browserSkip as skip, FULL_PAGE, launch, serve, SHOTS, watchErrors } from '../helpers/browser.ts';
import { loadCheckpoint } from '../../src/core/checkpoint.ts';

for (const isolated of [true, false]) {
  test(
    `the playground trains a 2-layer, 32-wide, batch-8 model with the wasm engine (${isolated ? 'isolated: 2 threads' : 'not isolated: 1 thread'})`,
    { skip, timeout: 180_000 },
    async () => {
      const { url, server } = await serve({ isolated });
      mkdirSync(SHOTS, { recursive: true });
      const browser = await launch();
      const consoleErrors: string[] = [];
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
        watchErrors(page, consoleErrors);
        await page.goto(`${url}?nLayer=2&nEmbd=32&nHead=4&blockSize=16&numSteps=300&batchSize=8`);
        const cores = await page.evaluate(() => navigator.hardwareConcurrency);
        assert.equal(await page.evaluate(() => crossOriginIsolated), isolated);
        await page.click('#start');
        await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 150_000 });
        const loss = Number(await page.textContent('#stat-loss'));
        assert.ok(loss < 2.7, `the loss fell to ${loss}`);
        // the training worker, and a helper per further thread (one per core, at most the batch) when isolated
        const threads = isolated ? Math.min(cores, 8) : 1;
        assert.equal(
          page.workers().length,
          threads,
          `workers: ${page
            .workers()
            .map((w) => w.url())
            .join(', ')}`,
        );
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
        const saved = join(tempDir(), 'wasm.safetensors');
        await download.saveAs(saved);
        const ckpt = loadCheckpoint(readFileSync(saved));
        assert.equal(ckpt.engine, 'wasm');
        assert.equal(ckpt.dtype, 'float64');
        assert.equal(ckpt.step, 300);
        await page.screenshot({ path: join(SHOTS, `playground-wasm-${isolated ? 'isolated' : 'plain'}.png`), ...FULL_PAGE });
      } finally {
        await browser.close();
        server.close();
      }
      assert.deepEqual(consoleErrors, []);
    },
  );
}
