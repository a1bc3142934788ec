import { defineConfig } from 'vite';

// The playground: npm run playground (dev server on 127.0.0.1), npm run build:web (static files in web-dist/).
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: 'src/web',
  base: './',
  build: { outDir: '../../web-dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  // Cross-origin isolation (COOP/COEP) lets the page share memory between workers (SharedArrayBuffer).
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION },
});
