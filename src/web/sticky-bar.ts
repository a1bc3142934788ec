/**
 * The Train/Step bar sticks to the bottom of the screen while the settings
 * scroll past. A control the focus moves to scrolls clear of it: the page's
 * scroll-padding-bottom is the bar's height while the bar sticks (for
 * scrollIntoView and the browser's own scrolling), and a control that the
 * focus reaches under the bar (Chromium does not scroll to one that is on the
 * screen already) is scrolled up above it. On a short screen, or at a high
 * zoom (400% of 1280x800 is 320x200), the bar stays in its place instead
 * (phone.css): stuck, it would cover most of the screen.
 */
export function keepFocusClearOf(bar: HTMLElement): void {
  const root = document.documentElement;
  const sticks = () => getComputedStyle(bar).position === 'sticky';
  const fit = () => {
    root.style.scrollPaddingBottom = sticks() ? `${Math.ceil(bar.getBoundingClientRect().height) + 8}px` : '';
  };
  new ResizeObserver(fit).observe(bar);
  addEventListener('resize', fit);
  fit();
  document.addEventListener('focusin', (e) => {
    const target = e.target;
    if (!(target instanceof HTMLElement) || bar.contains(target) || !sticks()) return;
    const a = target.getBoundingClientRect();
    const b = bar.getBoundingClientRect();
    const overlaps = a.bottom > b.top && a.top < b.bottom && a.right > b.left && a.left < b.right;
    if (overlaps) window.scrollBy({ top: a.bottom - b.top + 8, behavior: 'instant' });
  });
}
