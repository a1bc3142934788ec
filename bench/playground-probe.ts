/**
 * A probe of the playground's speed in Chromium (not a test: speed is measured,
 * never asserted): the worker time of the default 1000 steps, and the frames per
 * second the page keeps while a 4-layer, 64-wide, batch-32 model trains.
 *
 *   npm run build:web --silent && node --import tsx bench/playground-probe.ts
 */
import { cpus } from 'node:os';
import { launch, serve } from '../test/helpers/browser.ts';

const RUNS = 3;
const { url, server } = await serve();
const browser = await launch();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  const worker: number[] = [];
  const training: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => (document.body.dataset.state = 'clicked')); // the last run's 'done' is not this one's
    await page.click('#start');
    await page.waitForFunction(() => document.body.dataset.state === 'done', undefined, { timeout: 120_000 });
    worker.push(Number(/^([\d.]+) s/.exec((await page.textContent('#stat-worker')) ?? '')![1]));
    training.push(Number(await page.textContent('#stat-ms')));
  }
  console.log(
    `default 1000 steps: worker time ${worker.join(', ')} s (median ${median(worker)} s); training ${training.join(', ')} ms/step`,
  );

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () =>
    ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.find(
      (m) => m.name === 'TaskDuration',
    )!.value;
  for (const [k, v] of Object.entries({ nLayer: '4', nEmbd: '64', batchSize: '32', numSteps: '1000000' })) await page.fill(`#${k}`, v);
  await page.click('#start');
  await page.waitForFunction(() => Number(document.getElementById('stat-step')?.textContent?.split(' ')[0]) > 5, undefined, {
    timeout: 60_000,
  });
  const busy0 = await taskSeconds();
  // frames in 5 s of training, and the longest gap between two (a string: tsx adds no helper the page lacks)
  const fps = (await page.evaluate(`new Promise((resolve) => {
    const times = [];
    const t0 = performance.now();
    function tick(t) { times.push(t); if (t - t0 < 5000) requestAnimationFrame(tick); else resolve(times); }
    requestAnimationFrame(tick);
  })`)) as number[];
  const gaps = fps.slice(1).map((t, i) => t - fps[i]);
  const seconds = (fps[fps.length - 1] - fps[0]) / 1000;
  const busy = (await taskSeconds()) - busy0;
  console.log(
    `4 layers, 64 wide, batch 32, training: ${(gaps.length / seconds).toFixed(1)} frames/s over ${seconds.toFixed(1)} s, longest frame ${Math.max(...gaps).toFixed(1)} ms, page's main thread busy ${((100 * busy) / seconds).toFixed(1)}% of the time, ${await page.textContent('#stat-ms')} ms/step`,
  );
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, headless Chromium (software rendering), shared with other jobs`);
} finally {
  await browser.close();
  server.close();
}
