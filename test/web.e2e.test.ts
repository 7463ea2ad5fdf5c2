// End to end in a real browser (Debian's /usr/bin/chromium via playwright-core; never a downloaded browser): build
// the static lab with Vite, serve it from a tiny localhost server, run an experiment in Web Workers, check the
// figure has data marks, compare the downloaded JSON (timing aside) with the same config run in-process in Node
// through the same runCell + assembleResults, load the JSON back, and cancel a long run. Skips without chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Engine } from '../src/engine/index.js';
import { getExperiment } from '../src/experiments/index.js';
import type { TrialRecord } from '../src/experiments/types.js';
import { buildConfig } from '../src/config/index.js';
import { assembleResults, trialSeed, unitsOf, withoutTiming } from '../src/runner/assemble.js';
import { runExperiment } from '../src/runner/run.js';
import { CHROMIUM, HAVE_CHROMIUM, buildSite, root, serve } from './helpers/web.js';

if (!HAVE_CHROMIUM) console.warn(`web.e2e: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

/** Data markers in the page's figures (each carries a <title> with its value). */
const dataMarks = (page: Page) => page.locator('#figures svg g[aria-label="dot"] path:has(title)').count();

describe.skipIf(!HAVE_CHROMIUM)('browser lab (headless Chromium)', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  let page: Page;
  const errors: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    // the static site exactly as `npm run build:web` makes it (relative asset paths), in a temp dir
    ({ server, url } = await serve(await buildSite()));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('runs exp1 in Web Workers, draws figures, and downloads the JSON Node produces for the same config', async () => {
    await page.selectOption('#exp', 'exp1');
    await page.fill('#dims', '8,12');
    await page.fill('#trials', '3');
    await page.fill('#epochs', '30');
    await page.fill('#seed', '7');
    await page.fill('#workers', '2');
    await page.click('#run');
    await page.waitForSelector('#status[data-state="done"]', { timeout: 30_000 });
    // 2 dimensions × the component metrics, one marker each
    expect(await dataMarks(page)).toBeGreaterThanOrEqual(2 * 6);
    const svg = await page.locator('#figures svg').first().innerHTML();
    expect(svg).toContain('dimension d');
    expect(svg).toContain('row norms');
    expect(await page.locator('#summary table tr').count()).toBeGreaterThan(2);
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-artifacts', 'browser-lab.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const text = readFileSync((await download.path())!, 'utf8');
    const browserJson = JSON.parse(text);
    expect(text).toBe(JSON.stringify(browserJson, null, 1) + '\n');
    expect(browserJson.timing.workers).toBe(2);

    // the same config, run in this process through the same experiment code and assembly function
    const exp = getExperiment('exp1');
    const config = buildConfig(exp, 'quick', { dims: [8, 12], trials: 3, epochs: 30, seed: 7 });
    const engine = await Engine.load();
    const records: TrialRecord[] = unitsOf(exp, config).reverse().map((u) => ({
      trial: u.trial, cell: u.cell, seed: trialSeed(config, u.trial), result: exp.runCell({ engine, config, cell: u.cell, trial: u.trial }),
    }));
    const node = assembleResults(exp, config, records, { wallMs: 0, workers: 0, startedAt: '', cellMs: {} });
    const same = (what: string, x: unknown) => {
      const a = JSON.stringify(withoutTiming(browserJson), null, 1), b = JSON.stringify(withoutTiming(x as typeof node), null, 1);
      if (a === b) return;
      let i = 0;
      while (a[i] === b[i]) i++;
      throw new Error(`browser and ${what} JSON differ at ${i}: …${a.slice(i - 120, i + 80)}… vs …${b.slice(i - 120, i + 80)}…`);
    };
    same('in-process runCell + assembleResults', node);
    // and the CLI runner's own path (what `condlab run` writes)
    same('runExperiment', (await runExperiment(exp, config, { workers: 0, engine })).results);

    // load the downloaded file back: the figures are redrawn from it
    await page.evaluate(() => (document.getElementById('figures')!.innerHTML = ''));
    await page.setInputFiles('#load', (await download.path())!);
    await page.waitForSelector('#status[data-state="done"]:has-text("loaded")');
    expect(await dataMarks(page)).toBeGreaterThanOrEqual(2 * 6);
    expect(errors).toEqual([]);
  });

  it('keeps the page responsive during a long run, and Cancel stops it', async () => {
    await page.selectOption('#exp', 'exp9');
    await page.fill('#dims', '64');
    await page.fill('#trials', '8');
    await page.fill('#epochs', '6000');
    await page.fill('#workers', '2');
    await page.click('#run');
    await page.waitForSelector('#status[data-state="running"]');
    // the UI thread is free while the workers compute
    const t0 = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    expect(Date.now() - t0).toBeLessThan(1000);
    await page.waitForFunction(() => (document.getElementById('progress') as HTMLProgressElement).value > 0, null, { timeout: 20_000 });
    expect(await page.locator('#status').textContent()).toMatch(/ETA/);
    await page.click('#cancel');
    await page.waitForSelector('#status[data-state="cancelled"]');
    expect(await page.locator('#run').isEnabled()).toBe(true);
    expect(await page.locator('#download').isEnabled()).toBe(false);
    expect(errors).toEqual([]);
    // nothing but the local server was contacted
    expect(foreign).toEqual([]);
  });
});
