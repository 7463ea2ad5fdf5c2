// fmnist in the browser lab (Debian's chromium via playwright-core): pick four IDX files written here, run the
// experiment in Web Workers, and compare the downloaded JSON (timing aside) with the same config and the same data
// run in-process in Node. Skips without chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.js';
import { buildConfig } from '../src/config/index.js';
import { fmnistExperiment } from '../src/experiments/fmnist.js';
import { fashionMnist, provideFashionMnist } from '../src/data/fmnist.js';
import { runExperiment } from '../src/runner/run.js';
import { withoutTiming } from '../src/runner/assemble.js';
import { HAVE_CHROMIUM, openLab, type Lab } from './helpers/web.js';
import { writeFakeFashionMnist } from './helpers/fmnist.js';

describe.skipIf(!HAVE_CHROMIUM)('browser lab: fmnist on picked IDX files', () => {
  let lab: Lab;
  const dir = mkdtempSync(join(tmpdir(), 'condlab-web-fmnist-'));
  beforeAll(async () => {
    writeFakeFashionMnist(dir, 160, 40, true);
    lab = await openLab();
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('runs on the picked files and downloads the JSON Node produces from the same data', async () => {
    const { page } = lab;
    await page.selectOption('#exp', 'fmnist');
    await page.fill('#dims', '16');
    await page.fill('#trials', '1');
    await page.fill('#epochs', '1');
    await page.fill('#workers', '2');
    // too few files: a clear message, no run
    await page.setInputFiles('#fmnist-files', readdirSync(dir).slice(0, 3).map((f) => join(dir, f)));
    await page.click('#run');
    await page.waitForSelector('#status[data-state="error"]', { timeout: 30_000 });
    expect(await page.textContent('#status')).toContain('pick all four IDX files');
    await page.setInputFiles('#fmnist-files', readdirSync(dir).map((f) => join(dir, f)));
    await page.click('#run');
    await page.waitForSelector('#status[data-state="done"]', { timeout: 90_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const browserJson = JSON.parse(readFileSync((await download.path())!, 'utf8'));

    provideFashionMnist('picked-files', fashionMnist(dir));
    const config = buildConfig(fmnistExperiment, 'quick', { dims: [16], trials: 1, epochs: 1, data: 'picked-files' });
    const node = await runExperiment(fmnistExperiment, config, { workers: 0, engine: await Engine.load() });
    expect(JSON.stringify(withoutTiming(browserJson), null, 1)).toBe(JSON.stringify(withoutTiming(node.results), null, 1));
    expect(browserJson.summaries.sgd.n).toBe(1);
    expect(lab.errors).toEqual([]);
    expect(lab.foreign).toEqual([]);
  }, 180_000);
});
