import { defineConfig } from 'vite';

// The browser lab: a static page (relative asset paths, so it works from any static host or subdirectory).
export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: '../dist-web', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { host: 'localhost' },
});
