// How long the page's main thread is busy at a stretch: every long task (over 50 ms) Chromium reports, recorded from
// the first script on, so that a test can say the page stayed responsive while something heavy happened.
import type { Page } from 'playwright-core';

/** The frame budget: no task on the main thread may take longer (a person notices a frozen page beyond it). */
export const FRAME_BUDGET_MS = 200;

/** Starts recording the page's long tasks; call before page.goto. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; ms: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The page's clock now (performance.now()), to measure from. */
export const pageNow = (page: Page) => page.evaluate(() => performance.now());

/** The longest main-thread task that began at or after `since` (page clock), with when it began; 0 when none was long. */
export async function longestTaskSince(page: Page, since: number): Promise<{ ms: number; start: number }> {
  return page.evaluate((t) => {
    const all = (window as unknown as { longTasks: { start: number; ms: number }[] }).longTasks;
    return all.filter((e) => e.start >= t).reduce((a, e) => (e.ms > a.ms ? e : a), { ms: 0, start: t });
  }, since);
}
