import { defineConfig } from 'vite';

// The browser lab: a static page (relative asset paths, so it works from any static host or subdirectory).
// COOP/COEP make the page cross-origin isolated, which is what enables SharedArrayBuffer and so WebAssembly threads
// inside one engine; a static host must send the same two headers (docs/performance.md), or the lab runs one thread
// per worker and says so.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: 'web',
  base: './',
  build: { outDir: '../dist-web', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { host: 'localhost', headers: isolation },
  preview: { headers: isolation },
});
