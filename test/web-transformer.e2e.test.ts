// The transformer experiments and the threads path in the browser lab (Debian's chromium via playwright-core):
// `transformer` and `mechanisms` run in Web Workers and download the JSON Node produces for the same config, byte
// for byte (timing aside); and on a page served with COOP/COEP (cross-origin isolated) the lab runs GEMM threads
// inside each worker's engine — the same JSON again — while without the headers it says it fell back to one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { Engine } from '../src/engine/index.js';
import { getExperiment } from '../src/experiments/index.js';
import { buildConfig } from '../src/config/index.js';
import { runExperiment } from '../src/runner/run.js';
import { withoutTiming } from '../src/runner/assemble.js';
import { HAVE_CHROMIUM, buildSite, openLab, type Lab } from './helpers/web.js';

const dataMarks = (page: Page) => page.locator('#figures svg g[aria-label="dot"] path:has(title)').count();

async function runInLab(lab: Lab, exp: string, o: { dims: string; trials: string; epochs: string; workers?: string; threads?: string }) {
  const { page } = lab;
  await page.selectOption('#exp', exp);
  await page.fill('#dims', o.dims);
  await page.fill('#trials', o.trials);
  await page.fill('#epochs', o.epochs);
  await page.fill('#seed', '3');
  await page.fill('#workers', o.workers ?? '');
  await page.fill('#threads', o.threads ?? '');
  await page.click('#run');
  await page.waitForSelector('#status[data-state="done"]', { timeout: 150_000 });
  const status = (await page.textContent('#status')) ?? '';
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  return { status, json: JSON.parse(readFileSync((await download.path())!, 'utf8')) };
}

async function nodeJson(exp: string, o: { dims: number[]; trials: number; epochs: number }) {
  const e = getExperiment(exp);
  const config = buildConfig(e, 'quick', { ...o, seed: 3 });
  return (await runExperiment(e, config, { workers: 0, engine: await Engine.load() })).results;
}

const text = (r: unknown) => JSON.stringify(withoutTiming(r as never), null, 1);

describe.skipIf(!HAVE_CHROMIUM)('browser lab: transformer, mechanisms, threads', () => {
  let site: string;
  let plain: Lab;
  let isolated: Lab;
  beforeAll(async () => {
    site = await buildSite();
    plain = await openLab({ site });
    isolated = await openLab({ site, isolate: true });
  }, 180_000);
  afterAll(async () => {
    await plain?.close();
    await isolated?.close();
  });

  it('transformer and mechanisms: the downloaded JSON is byte-identical to Node, and the figures draw', async () => {
    for (const [exp, o] of [['transformer', { dims: [8], trials: 1, epochs: 12 }], ['mechanisms', { dims: [8], trials: 1, epochs: 10 }]] as const) {
      const { json } = await runInLab(plain, exp, { dims: String(o.dims[0]), trials: String(o.trials), epochs: String(o.epochs), workers: '2' });
      expect(text(json), exp).toBe(text(await nodeJson(exp, { ...o, dims: [...o.dims] })));
      expect(json.trials.length).toBeGreaterThan(1);
      expect(await dataMarks(plain.page), exp).toBeGreaterThan(0);
    }
    expect(plain.errors).toEqual([]);
    expect(plain.foreign).toEqual([]);
  }, 400_000);

  it('threads: cross-origin isolated ⇒ 2 threads inside the engine, same JSON; without COOP/COEP it says it fell back', async () => {
    expect(await isolated.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await plain.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    const o = { dims: [96], trials: 2, epochs: 4 };
    const node = text(await nodeJson('exp1', o));
    const form = { dims: '96', trials: '2', epochs: '4', threads: '2' };
    const withThreads = await runInLab(isolated, 'exp1', form);
    expect(withThreads.status).toMatch(/on 1 workers with 2 threads inside each/);
    expect(text(withThreads.json)).toBe(node);
    const fallback = await runInLab(plain, 'exp1', form);
    expect(fallback.status).toMatch(/one thread each \(this page is not cross-origin isolated/);
    expect(text(fallback.json)).toBe(node);
    // a bad thread count is refused, naming it
    await plain.page.fill('#threads', '0');
    await plain.page.click('#run');
    await plain.page.waitForSelector('#status[data-state="error"]');
    expect(await plain.page.textContent('#status')).toContain("threads must be an integer from 1 to 16, got '0'");
    await plain.page.fill('#threads', '');
    expect(isolated.errors).toEqual([]);
    expect(plain.errors).toEqual([]);
  }, 400_000);
});
