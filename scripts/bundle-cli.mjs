/**
 * The second half of `npm run build`: after tsc has written dist/, replaces
 * dist/cli/main.js (the `microgpt` command) with one file holding the CLI and
 * every module it imports. Node then opens and compiles one file instead of
 * about sixty, which was a third of the default run's time beyond Node's own
 * start. The other files of dist/ stay as tsc wrote them: the library's entries
 * (dist/node.js, dist/index.js) and the wasm engine's helper thread
 * (dist/io/wasm-helper.js, which a worker loads by its address).
 * Commands still load lazily: esbuild turns each import() into a function that
 * runs that command's modules on first use.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

await build({
  entryPoints: [root('src/cli/main.ts')],
  outfile: root('dist/cli/main.js'),
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
