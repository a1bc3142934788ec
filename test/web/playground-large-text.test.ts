// A large text never goes into the page's box: the training worker reads, checks and parses it (text-reader.ts), the
// box shows its size, documents, vocabulary and first lines, read-only, and it trains as it is. Files are refused in
// the CLI's words (the same limit, NUL bytes, invalid UTF-8), and the page stays responsive while 60 MB load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { FileError, readTextFile as cliReadText } from '../../src/io/files.ts';
import { parseDocs } from '../../src/core/parse-docs.ts';
import { readTextFile, textOf } from '../../src/web/text-reader.ts';
import { builtinNames } from '../helpers/playground.ts';
import { tempDir } from '../helpers/cli.ts';
import { browserSkip as skip, SHOTS, withPlayground } from '../helpers/browser.ts';
import { FRAME_BUDGET_MS, longestTaskSince, pageNow, recordLongTasks } from '../helpers/frames.ts';

/** About mb million bytes of names, one a line. */
function namesText(mb: number): string {
  const one = builtinNames().trimEnd() + '\n';
  return one.repeat(Math.ceil((mb * 1e6) / one.length));
}
const BIG = namesText(60);

const summaryShown = (page: Page, name: string, timeout = 180_000) =>
  page.waitForFunction((n) => (document.getElementById('text-summary-line')?.textContent ?? '').startsWith(`${n}:`), name, { timeout });

async function assertResponsive(page: Page, since: number): Promise<void> {
  const longest = await longestTaskSince(page, since);
  assert.ok(longest.ms <= FRAME_BUDGET_MS, `the main thread was busy ${longest.ms} ms at a stretch, from ${Math.round(longest.start)} ms`);
}

test('a 60 MB upload is read in the worker and summarized, the page responsive; it trains as it is', { skip, timeout: 400_000 }, () =>
  withPlayground(async (page, url) => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = tempDir();
    const big = join(dir, 'big.txt');
    writeFileSync(big, BIG);
    await recordLongTasks(page);
    await page.goto(url);
    await page.selectOption('#dataset', 'custom');
    const since = await pageNow(page);
    await page.setInputFiles('#upload-text', big);
    await summaryShown(page, 'big.txt');
    await assertResponsive(page, since);
    const docs = parseDocs(BIG).length;
    assert.equal(
      await page.textContent('#text-summary-line'),
      `big.txt: ${Math.round(BIG.length / 2 ** 20)} MiB, ${docs.toLocaleString('en')} documents, vocabulary 28 (27 characters and BOS). Too large to edit here: it trains as it is. The first lines:`,
    );
    assert.equal(await page.textContent('#text-head'), parseDocs(BIG.slice(0, 1000)).slice(0, 12).join('\n'));
    assert.equal(await page.isVisible('#custom-text'), false, 'the box does not hold it');
    assert.equal(await page.textContent('#note-field-upload-text'), `Loaded big.txt: ${docs} documents.`);
    assert.equal(await page.textContent('#arch-num-params'), '4224', 'the model takes its vocabulary');
    await page.locator('#text-summary').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'large-text-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#text-summary').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'large-text-390.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    // a smaller large text trains as it is: Step takes its first document
    const medium = join(dir, 'medium.txt');
    writeFileSync(medium, namesText(1));
    await page.setInputFiles('#upload-text', medium);
    await summaryShown(page, 'medium.txt');
    await page.click('#step');
    await page.waitForFunction(() => document.getElementById('stat-step')?.textContent === '1 / 1000', null, { timeout: 120_000 });

    // back to typing: the box is there again, and its text is what trains
    await page.click('#text-edit');
    assert.equal(await page.isVisible('#custom-text'), true);
    assert.equal(await page.isVisible('#text-summary'), false);
    await page.fill('#custom-text', 'abc\nabd\n');
    await page.click('#start');
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 120_000 });
    assert.equal(await page.textContent('#arch-num-params'), String(4 * 16 * 16 * 3 + 2 * 16 * 5 + 16 * 16), 'vocabulary abcd and BOS');
  }),
);

test('?data= with 60 MB: read in the worker, the page responsive', { skip, timeout: 400_000 }, () =>
  withPlayground(
    async (page, url) => {
      await recordLongTasks(page);
      await page.goto(`${url}?data=big.txt`);
      const since = await page.evaluate(
        () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
      );
      await summaryShown(page, 'big.txt');
      await assertResponsive(page, since);
      assert.equal(await page.inputValue('#dataset'), 'custom');
      assert.match((await page.textContent('#note-field-dataset')) ?? '', /^Loaded big\.txt from the link: \d+ documents\.$/);
    },
    { files: { 'big.txt': BIG } },
  ),
);

test('files the CLI refuses are refused in its words: over 256 MiB, NUL bytes, not UTF-8', { skip, timeout: 180_000 }, () =>
  withPlayground(async (page, url) => {
    const dir = tempDir();
    const huge = join(dir, 'huge.txt');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 257 * 2 ** 20); // sparse: no disk used
    closeSync(fd);
    const files: [string, Uint8Array][] = [
      ['nul.txt', Buffer.from('anna\0bob\n')],
      ['latin1.txt', Buffer.from([0x61, 0xe9, 0x0a])],
      ['blank.txt', Buffer.from('\n \n')],
    ];
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    await page.goto(url);
    await page.selectOption('#dataset', 'custom');
    for (const [name, words] of [
      ['huge.txt', 'is 257 MiB; the limit for text is 256 MiB'],
      ['nul.txt', 'is not text (it contains NUL bytes)'],
      ['latin1.txt', 'is not valid UTF-8 text'],
      ['blank.txt', 'has no non-empty line'],
    ]) {
      const path = join(dir, name);
      await page.setInputFiles('#upload-text', path);
      const message = `data file ${name} ${words}`;
      await page.waitForFunction((m) => document.getElementById('note-field-upload-text')?.textContent === m, message, { timeout: 60_000 });
      assert.equal(await page.getAttribute('#note-field-upload-text', 'role'), 'alert');
      // the CLI says the same of the same file (it names the path)
      if (name !== 'blank.txt') assert.throws(() => cliReadText(path), new FileError(`data file ${path} ${words}`));
    }
  }),
);

test('the worker reads a text as the CLI does: small ones back to the box, large ones held', async () => {
  const small = await readTextFile(new Blob(['emma\nava\n']), 'two.txt');
  assert.deepEqual(small, {
    id: small.id,
    name: 'two.txt',
    bytes: 9,
    docs: 2,
    chars: 9,
    lineLengths: [
      [3, 1],
      [4, 1],
    ],
    vocab: ['a', 'e', 'm', 'v'],
    head: ['emma', 'ava'],
    small: 'emma\nava\n',
  });
  // a built-in text (Moby-Dick) is held beside the learner's own: both train
  const builtin = await readTextFile(new Blob(['Call me Ishmael.\r\nSome years ago\r\n']), 'Moby-Dick', 'builtin');
  assert.equal(builtin.chars, 32, 'each CRLF one newline, as a stream reads it');
  assert.equal(textOf({ loaded: small.id }), 'emma\nava\n');
  assert.equal(textOf({ loaded: builtin.id }), 'Call me Ishmael.\r\nSome years ago\r\n');
  const large = await readTextFile(new Blob([namesText(0.2)]), 'big.txt');
  assert.equal(large.small, undefined);
  assert.equal(large.head.length, 12);
  await assert.rejects(readTextFile(new Blob([new Uint8Array([0xff])]), 'x.txt'), { message: 'data file x.txt is not valid UTF-8 text' });
  await assert.rejects(readTextFile(new Blob([]), 'e.txt'), { message: 'data file e.txt is empty' });
});
