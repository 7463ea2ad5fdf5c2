// End to end in a real browser (Debian's /usr/bin/chromium via playwright-core; never a downloaded browser):
// build the static lab, serve it on localhost, run a quick experiment in Web Workers, check the figure has data,
// and compare the downloaded JSON with the Node runner's for the same config (timing aside). Skips without chromium.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/index.js';
import { getExperiment } from '../src/experiments/index.js';
import { buildConfig } from '../src/config/index.js';
import { runExperiment } from '../src/runner/run.js';
import { withoutTiming } from '../src/runner/assemble.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${a.port}/` });
  }));
}

describe.skipIf(!existsSync(CHROMIUM))('browser lab (headless Chromium)', () => {
  it('runs exp2 in Web Workers, draws figures, and downloads the same JSON Node produces', async () => {
    const { build } = await import('vite');
    const outDir = mkdtempSync(join(tmpdir(), 'condlab-web-'));
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
    const { server, url } = await serve(outDir);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.selectOption('#exp', 'exp2');
      await page.fill('#dims', '16');
      await page.fill('#trials', '3');
      await page.fill('#epochs', '40');
      await page.fill('#seed', '7');
      await page.fill('#workers', '2');
      await page.click('#run');
      await page.waitForSelector('#status[data-state="done"]', { timeout: 60_000 });
      const marks = await page.locator('#figures svg circle, #figures svg path').count();
      expect(marks).toBeGreaterThan(5);
      expect(await page.locator('#figures svg').first().innerHTML()).toContain('condition');
      mkdirSync(join(root, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(root, 'test-artifacts', 'browser-lab.png'), fullPage: true });
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const browserJson = JSON.parse(readFileSync((await download.path())!, 'utf8'));
      const exp = getExperiment('exp2');
      const config = buildConfig(exp, 'quick', { dims: [16], trials: 3, epochs: 40, seed: 7 });
      const node = await runExperiment(exp, config, { workers: 0, engine: await Engine.load() });
      const a = JSON.stringify(withoutTiming(browserJson)), b = JSON.stringify(withoutTiming(node.results));
      if (a !== b) {
        let i = 0;
        while (a[i] === b[i]) i++;
        throw new Error(`browser and Node JSON differ at ${i}: …${a.slice(i - 80, i + 80)}… vs …${b.slice(i - 80, i + 80)}…`);
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  }, 120_000);
});
