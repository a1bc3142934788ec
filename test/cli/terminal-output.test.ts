// Issue 18, item 15: names sampled from text with escape sequences are shown escaped on a terminal, and byte-exact in a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli, tempDir } from '../helpers/cli.ts';

// a window title, a bell, a C1 CSI and DEL: every name the model learns from this holds control characters
const DATA = ['a\x1b]0;T\x07b', '\x1b\x1b\x07', 'c\u009bd\x7f'].join('\n') + '\n';
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const hasScript = spawnSync('script', ['--version']).status === 0;
const hasPython = spawnSync('python3', ['-c', 'import pty']).status === 0;

/** The escaping expected on a terminal: each control character but newline and tab as \\xHH. */
const escapeAll = (s: string) => s.replace(new RegExp(RAW.source, 'g'), (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI's output under a pseudo-terminal (util-linux script, else Python's pty.spawn), its CR LF line ends made LF. */
function onTerminal(args: string[], cwd: string): string {
  const argv = [process.execPath, CLI, ...args];
  const r = hasScript
    ? spawnSync('script', ['-qec', argv.map(quote).join(' '), '/dev/null'], { cwd, encoding: 'utf8', timeout: 120_000 })
    : spawnSync('python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', ...argv], {
        cwd,
        encoding: 'utf8',
        timeout: 120_000,
      });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\r\n/g, '\n');
}

const skip = hasScript || hasPython ? false : 'needs script (util-linux) or python3 for a pseudo-terminal';

test('sample and train show control characters escaped on a terminal, raw in a pipe', { skip }, () => {
  const dir = tempDir();
  const data = join(dir, 'esc.txt');
  writeFileSync(data, DATA);
  const model = join(dir, 'esc.st');

  // piped: the names as they are, byte for byte
  const piped = runCli(['--data', data, '--num-steps', '50', '--num-samples', '8', '--out', model]);
  assert.equal(piped.status, 0, piped.stderr);
  const pipedNames = piped.stdout.split('\n').filter((l) => l.startsWith('sample '));
  assert.ok(
    pipedNames.some((l) => l.includes('\x1b')),
    'training printed the raw ESC to the pipe',
  );
  const sampled = runCli(['sample', '--model', model, '--num-samples', '8']);
  assert.equal(sampled.status, 0, sampled.stderr);
  assert.ok(sampled.stdout.includes('\x1b') && sampled.stdout.includes('\x07'), 'sample printed the raw bytes to the pipe');

  // on a terminal: escaped, never raw
  const shown = onTerminal(['sample', '--model', model, '--num-samples', '8'], dir);
  assert.ok(shown.includes('\\x1b'), `\\x1b shown as text: ${JSON.stringify(shown)}`);
  assert.doesNotMatch(shown.replace(/\n/g, ''), RAW, 'no raw control character reaches the terminal');
  // the same names as the pipe got, each escaped
  assert.equal(shown, sampled.stdout.split('\n').map(escapeAll).join('\n'));
  const marked = onTerminal(['sample', '--model', model, '--num-samples', '8', '--data', data], dir);
  assert.ok(marked.includes('\\x1b') && marked.includes('\t('), 'with --data: the name escaped, the tab before its mark kept');

  const trained = onTerminal(['--data', data, '--num-steps', '50', '--num-samples', '8'], dir);
  const names = trained.split('\n').filter((l) => l.startsWith('sample '));
  assert.equal(names.length, 8);
  for (const line of names) assert.doesNotMatch(line, RAW, `raw control character in ${JSON.stringify(line)}`);
  assert.deepEqual(names, pipedNames.map(escapeAll));
});
