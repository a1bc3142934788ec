// What the playground's browser tests do over and over: wait for a state, read the
// step counter, download a checkpoint, run axe-core, measure where things are.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadCheckpoint, type Checkpoint } from '../../src/core/checkpoint.ts';
import { ROOT, tempDir } from './cli.ts';

export const waitState = (page: Page, state: string, timeout = 60_000) =>
  page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout });

/** Clicks selector and waits for the worker to report state (not the state the page showed before the click). */
export async function clickAndWait(page: Page, selector: string, state: string, timeout = 60_000): Promise<void> {
  await page.evaluate(() => (document.body.dataset.state = 'clicked'));
  await page.click(selector);
  await waitState(page, state, timeout);
}

/** The step counter's first number (NaN when it shows '–'). */
export const shownStep = async (page: Page) => Number(((await page.textContent('#stat-step')) ?? '').split(' ')[0]);

export const waitStepAbove = (page: Page, n: number, timeout = 30_000) =>
  page.waitForFunction((k) => Number(document.getElementById('stat-step')?.textContent?.split(' ')[0]) > k, n, { timeout });

/** Presses Download and reads the checkpoint it saves. */
export async function downloadCheckpoint(page: Page, name: string): Promise<{ path: string; ckpt: Checkpoint }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const path = join(tempDir(), name);
  await download.saveAs(path);
  return { path, ckpt: loadCheckpoint(readFileSync(path)) };
}

/** axe-core's violations on the page as it is now: the serious and critical ones, or those of every impact with all. */
export async function axeViolations(page: Page, impacts: 'serious' | 'all' = 'serious'): Promise<string[]> {
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8') });
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    return axe.run({ resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => impacts === 'all' || v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Vertical distance in CSS pixels between the tops of two elements. */
export async function verticalGap(page: Page, a: string, b: string): Promise<number> {
  const top = (sel: string) => page.$eval(sel, (e) => e.getBoundingClientRect().top + window.scrollY);
  return Math.abs((await top(a)) - (await top(b)));
}

/** The page's built-in dataset, as the page bundles it (datasets.ts). */
export function builtinNames(): string {
  const read = (sex: string) =>
    readFileSync(join(ROOT, 'node_modules', '@stdlib', `datasets-${sex}-first-names-en`, 'data', 'names.txt'), 'utf8');
  return `${read('female')}\n${read('male')}`.toLowerCase();
}
