// Shared by the browser end-to-end tests: Debian's chromium (never a downloaded browser), the static lab built with
// Vite exactly as `npm run build:web` makes it (into a temp dir), a tiny localhost server, and one page on it that
// records page errors and any request that leaves the local server.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

// Debian's chromium; CONDLAB_CHROMIUM may point elsewhere (e.g. to check the skip path)
export const CHROMIUM = process.env.CONDLAB_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

/** COOP/COEP, as vite.config.ts sends them: the page becomes cross-origin isolated (SharedArrayBuffer, WASM threads). */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

export function serve(dir: string, opts: { isolate?: boolean } = {}): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path === sep || path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...(opts.isolate ? ISOLATION : {}) }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${a.port}/` });
  }));
}

/** Builds the static site (relative asset paths, as `npm run build:web`) into a fresh temp dir; returns the dir. */
export async function buildSite(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'condlab-web-'));
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface Lab {
  browser: Browser;
  server: Server;
  url: string;
  page: Page;
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Requests to anything but the local server (blob: and data: URLs aside). */
  foreign: string[];
  close(): Promise<void>;
}

/** Builds and serves the lab, launches headless chromium and opens the page. */
export async function openLab(opts: { isolate?: boolean; site?: string } = {}): Promise<Lab> {
  const outDir = opts.site ?? (await buildSite());
  const { server, url } = await serve(outDir, { isolate: opts.isolate });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }).catch((e: unknown) => {
    server.close();
    throw e;
  });
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('request', (r) => {
    if (!r.url().startsWith(url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  await page.goto(url);
  return {
    browser, server, url, page, errors, foreign,
    async close() {
      await browser.close();
      server.close();
    },
  };
}
