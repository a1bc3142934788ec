/**
 * The second half of `npm run build`: after tsc has written the library to
 * dist/, writes the `microgpt` command, dist/cli/main.js, as one CommonJS file
 * holding the CLI (src/cli/) and every module it imports. Node then opens and
 * compiles one file instead of about sixty, and starts it without its ES module
 * loader: together about a third of the default run's time beyond Node's own
 * start. dist/cli/package.json says the folder is CommonJS. The library's files
 * and the wasm engine's helper thread (dist/io/wasm-helper.js, which a worker
 * loads by its address) stay as tsc wrote them.
 * Commands still load lazily: esbuild turns each import() into a function that
 * runs that command's modules on first use.
 */
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

rmSync(root('dist/cli'), { recursive: true, force: true });
mkdirSync(root('dist/cli'), { recursive: true });
writeFileSync(root('dist/cli/package.json'), '{ "type": "commonjs" }\n');
await build({
  entryPoints: [root('src/cli/main.ts')],
  outfile: root('dist/cli/main.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import.meta.url: the bundle's own address (the sources ask it for package.json and the helper thread's file)
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: [root('scripts/cjs-import-meta.mjs')],
  // import.meta.resolve is only reached from the sources under tsx (src/io/wasm-threads.ts), never in the bundle
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
});
