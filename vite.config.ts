import { defineConfig } from 'vite';

// The playground: npm run playground (dev server on 127.0.0.1), npm run build:web (static files in web-dist/).
export default defineConfig({
  root: 'src/web',
  base: './',
  build: { outDir: '../../web-dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
