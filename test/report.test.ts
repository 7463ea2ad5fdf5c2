// Figures and the report from fixed, hand-written results (no engine, no runner): each SVG holds the expected data
// marks, series names and axis labels; missing or renamed metrics are skipped, never fatal; report.html is
// self-contained and report.md references its .svg files relatively.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conditionFigure, figuresFor, seriesFigure, sweepFigure } from '../src/report/figures.js';
import { writeReport } from '../src/report/report.js';
import { reportCommand } from '../src/report/command.js';
import type { ConditionSummary, ExperimentResults, SeriesSummary, Summary } from '../src/experiments/types.js';
import { protocolConfig } from './helpers/config.js';

// ---- hand-written fixtures ----

/** A summary with mean m, std s; median m, IQR [m − min(s, m)/2, m + s/2]; CI ±s/3. */
const S = (m: number, s = m / 10, n = 3, nDiverged = 0): Summary => ({ mean: m, std: s, median: m, q1: m - Math.min(s, m) / 2, q3: m + s / 2, ciLow: m - s / 3, ciHigh: m + s / 3, n, nDiverged });
const cond = (metrics: Record<string, Summary>, series?: Record<string, SeriesSummary>): ConditionSummary => ({ n: 3, nDiverged: 0, metrics, ...(series ? { series } : {}) });
const ser = (ys: number[], epochs = ys.map((_, i) => i)): SeriesSummary => ({ epochs, mean: ys, std: ys.map((y) => y / 5), median: ys, q1: ys.map((y) => y * 0.9), q3: ys.map((y) => y * 1.1) });

function results(experiment: string, summaries: Record<string, ConditionSummary>, configOverrides = {}): ExperimentResults {
  return {
    schemaVersion: 1, experiment, title: `${experiment} fixture`, paperSection: '4.x', engineVersion: '0.1.0',
    config: protocolConfig({ trials: 3, ...configOverrides }),
    trials: [],
    summaries,
    timing: { wallMs: 1234, workers: 2, startedAt: '2026-01-01T00:00:00.000Z', cellMs: {} },
  };
}

const COMPONENTS = ['rowNormErr', 'colNormErr', 'svErr', 'kappaErr', 'logKappaErr', 'effRankErr', 'gapErr', 'frobErr', 'overallErr'];
const components = (kappa: number) => Object.fromEntries(COMPONENTS.map((m) => [m, S(m === 'kappaErr' ? kappa : m === 'effRankErr' ? 0.002 : 0.13)]));

const exp1 = () => results('exp1', {
  'd=32': cond({ rowNormErr: S(0.133), kappaErr: S(0.27, 0.31), overallErr: S(0.14) }),
  'd=64': cond({ rowNormErr: S(0.132), kappaErr: S(1.2, 2) }),
  'd=128': cond({ rowNormErr: S(0.131), kappaErr: S(34.9, 126.8), overallErr: S(0.14) }),
}, { dims: [32, 64, 128] });
const exp2 = () => results('exp2', { sgd: cond(components(0.87)), adam: cond(components(0.9)) });
const exp5 = () => results('exp5', { sgd: cond({ rowNormErr: S(0.13) }, { rowNormErr: ser([1, 0.5, 0.25, 0.12, 0.06]), kappaErr: ser([1, 2, 0.5, 3, 1]) }) });

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;
/** Data markers carry a <title> (hover text); key markers do not. */
const dataMarks = (svg: string) => count(svg, /<title>/g);

describe('figures', () => {
  it('exp1: one marker per (metric, dimension) present, log y, labelled axes, key names', async () => {
    const svg = await sweepFigure(exp1(), ['rowNormErr', 'kappaErr', 'overallErr', 'notAMetric'], 'std', { prefix: 'd=', xLabel: 'dimension d', xLog: true, title: 't', yLabel: 'relative error' });
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('dimension d');
    expect(svg).toContain('relative error (mean ± 1 std)');
    // rowNormErr ×3, kappaErr ×3, overallErr ×2 (missing at d=64), notAMetric ×0
    expect(dataMarks(svg)).toBe(8);
    expect(svg).toContain('condition number κ @ 128');
    expect(svg).toContain('row norms');
    expect(count(svg, /aria-label="line"/g)).toBe(3);
    // κ error spans 0.13 … 160: a log axis with decade ticks
    expect(svg).toMatch(/>0\.1</);
    expect(svg).toMatch(/>100</);
    // the swept dimensions are the x ticks
    for (const d of ['32', '64', '128']) expect(svg).toContain(`>${d}<`);
  });

  it('black-and-white: distinct dash patterns and marker symbols, no colour palette', async () => {
    const svg = await sweepFigure(exp1(), ['rowNormErr', 'kappaErr', 'overallErr'], 'std', { prefix: 'd=', xLabel: 'd', xLog: true, title: 't' });
    const dashes = new Set(svg.match(/stroke-dasharray="[^"]*"/g));
    expect(dashes.size).toBeGreaterThanOrEqual(2);
    // three series → three different symbol shapes (path d strings) among the key markers
    const keyShapes = new Set([...svg.matchAll(/<path d="(M[^"]+)" transform="translate\(\d+,30\)"/g)].map((m) => m[1]));
    expect(keyShapes.size).toBeGreaterThanOrEqual(3);
    expect(svg).not.toMatch(/#4269d0|steelblue|tableau/i);
  });

  it('median/IQR mode draws different bars from mean ± std', async () => {
    const a = await sweepFigure(exp1(), ['kappaErr'], 'std', { prefix: 'd=', xLabel: 'd', xLog: true, title: 't' });
    const b = await sweepFigure(exp1(), ['kappaErr'], 'iqr', { prefix: 'd=', xLabel: 'd', xLog: true, title: 't' });
    expect(b).toContain('(median, IQR)');
    expect(a).not.toEqual(b);
    // mean − std < 0 for κ at d=32 and d=128: clipped on the log axis, and said so; the quartiles are positive
    expect(a).toContain('lower end is ≤ 0');
    expect(b).not.toContain('lower end is ≤ 0');
  });

  it('exp2: grouped markers, one per (condition, metric), conditions in the key', async () => {
    const svg = await conditionFigure(exp2(), ['rowNormErr', 'kappaErr', 'overallErr'], 'std', 'SGD vs Adam');
    expect(dataMarks(svg)).toBe(6);
    expect(svg).toMatch(/>sgd</);
    expect(svg).toMatch(/>adam</);
    expect(svg).toContain('condition number κ');
    expect(svg).toContain('relative error (mean ± 1 std)');
  });

  it('exp5: one line per series with a band, median/IQR labelled', async () => {
    const svg = await seriesFigure(exp5(), 'sgd', ['rowNormErr', 'kappaErr', 'missingSeries'], 'iqr', { xLabel: 'epoch', yLabel: 'relative error', title: 't' });
    expect(svg).toContain('epoch');
    expect(svg).toContain('relative error (median, band IQR)');
    expect(count(svg, /aria-label="line"/g)).toBe(2);
    expect(count(svg, /aria-label="area"/g)).toBe(2);
  });

  it('every spec renders for every experiment id, and missing metrics never throw', async () => {
    const empty = results('x', { a: cond({}) });
    for (const id of ['exp1', 'exp2', 'exp3', 'exp4', 'exp5', 'exp6', 'exp7', 'exp8', 'exp9', 'correctives', 'curvature', 'spectral', 'unknown']) {
      await expect(figuresFor({ ...exp2(), experiment: id }, 'std')).resolves.toBeInstanceOf(Array);
      await expect(figuresFor({ ...empty, experiment: id }, 'iqr')).resolves.toEqual([]);
    }
    // null (JSON's NaN), a NaN mean and a zero-trial summary are skipped
    const odd = results('exp2', { sgd: cond({ rowNormErr: { ...S(0.1), mean: null as unknown as number }, kappaErr: S(NaN), overallErr: S(0.2) }) });
    const figs = await figuresFor(odd, 'std');
    expect(figs).toHaveLength(1);
    expect(dataMarks(figs[0].svg)).toBe(1);
  });

  it('specific figures for the paper experiments; renamed metrics fall back to the generic figures', async () => {
    expect((await figuresFor(exp1())).map((f) => f.id)).toEqual(['components-vs-d']);
    expect((await figuresFor(exp5())).map((f) => f.id)).toEqual(['dynamics', 'dynamics-spectral']);
    const renamed = results('exp2', { sgd: cond({ rowErr: S(0.1), condErr: S(2) }), adam: cond({ rowErr: S(0.3), condErr: S(1) }) });
    const figs = await figuresFor(renamed);
    expect(figs.length).toBeGreaterThan(0);
    expect(figs[0].svg).toContain('rowErr');
    expect(dataMarks(figs[0].svg)).toBe(4);
  });

  it('generic figures for an unknown experiment: metrics by condition and every series', async () => {
    const r = results('curvy', {
      'lin/W1': cond({ alpha: S(1.2), K: S(32, 0) }, { spectrum: ser([3, 2, 1, 0.5]) }),
      'mlp/W1': cond({ alpha: S(0.8), K: S(32, 0) }, { spectrum: ser([4, 2, 0.7, 0.1]) }),
    });
    const figs = await figuresFor(r, 'iqr');
    expect(figs.map((f) => f.id)).toEqual(['metrics-1', 'series-spectrum']);
    expect(dataMarks(figs[0].svg)).toBe(4);
    expect(figs[1].svg).toContain('lin/W1');
    expect(count(figs[1].svg, /aria-label="line"/g)).toBe(2);
  });
});

describe('report', () => {
  const write = (dir: string, r: ExperimentResults) => writeFileSync(join(dir, `${r.experiment}.json`), JSON.stringify(r, null, 1));

  it('writes report.html (self-contained) and report.md with relative .svg figures, both error-bar modes', async () => {
    const inDir = mkdtempSync(join(tmpdir(), 'condlab-rep-in-')), outDir = join(mkdtempSync(join(tmpdir(), 'condlab-rep-out-')), 'nested');
    write(inDir, exp1());
    write(inDir, exp2());
    write(inDir, exp5());
    writeFileSync(join(inDir, 'notes.json'), '{"not": "results"}');
    const r = await writeReport({ inDir, outDir });
    expect(r.experiments).toEqual(['exp1', 'exp2', 'exp5']);
    const html = readFileSync(r.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('<style>');
    // nothing is fetched from anywhere: no src/href to a URL, no <link>, <script src> or @import
    expect(html.match(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//gi)).toBeNull();
    expect(html).not.toMatch(/<link|<script|@import|url\(/i);
    // run facts, environment, summary numbers, claims
    expect(html).toContain('run time 1.2 s on 2 workers');
    expect(html).toMatch(/Node v\d+/);
    expect(html).toContain('0.133 ± 0.0133');
    expect(html).toContain('0.270 [0.135, 0.425]');
    expect(html).toMatch(/C5: /);
    expect(html).toContain('mean ± 1 std');
    expect(html).toContain('median, IQR');
    const md = readFileSync(r.md, 'utf8');
    const refs = [...md.matchAll(/\]\((figures\/[^)]+\.svg)\)/g)].map((m) => m[1]);
    expect(refs).toContain('figures/exp1-components-vs-d.svg');
    expect(refs).toContain('figures/exp1-components-vs-d-iqr.svg');
    for (const f of refs) expect(existsSync(join(outDir, f))).toBe(true);
    expect(r.figures).toBe(refs.length);
    expect(md).toContain('| condition | metric | mean ± std | median [IQR] | 95% CI of mean | n | diverged |');
    // atomic writes leave no temp files behind
    expect(readdirSync(outDir).concat(readdirSync(join(outDir, 'figures'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // a standalone .svg carries its own namespace and key
    const svg = readFileSync(join(outDir, 'figures', 'exp2-sgd-vs-adam.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toMatch(/>adam</);
  });

  it('leaves the claims out when the claims module is unavailable', async () => {
    vi.resetModules();
    vi.doMock('../src/claims/index.js', () => {
      throw new Error('no claims module');
    });
    const { writeReport: write2 } = await import('../src/report/report.js');
    const inDir = mkdtempSync(join(tmpdir(), 'condlab-rep-noclaims-'));
    write(inDir, exp2());
    const r = await write2({ inDir, outDir: inDir });
    const html = readFileSync(r.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toContain('<h3>Claims</h3>');
  });
  afterEach(() => {
    vi.doUnmock('../src/claims/index.js');
    vi.resetModules();
  });

  it('clear errors: corrupt file, empty directory, bad arguments', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'condlab-rep-bad-'));
    writeFileSync(join(bad, 'exp1.json'), '{"schemaVersion": 1, "experiment": "exp1"');
    await expect(writeReport({ inDir: bad, outDir: bad })).rejects.toThrow(/exp1\.json: not valid JSON/);
    const empty = mkdtempSync(join(tmpdir(), 'condlab-rep-empty-'));
    await expect(writeReport({ inDir: empty, outDir: empty })).rejects.toThrow(/no results files/);
    await expect(reportCommand(['--bogus'])).rejects.toThrow(/usage: condlab report/);
    await expect(reportCommand(['stray'])).rejects.toThrow(/usage: condlab report/);
  });

  it('reportCommand: --help, and --in/--out write the report', async () => {
    let printed = '';
    expect(await reportCommand(['--help'], (s) => (printed += s))).toBe(0);
    expect(printed).toContain('--in');
    const inDir = mkdtempSync(join(tmpdir(), 'condlab-rep-cmd-'));
    write(inDir, exp1());
    printed = '';
    expect(await reportCommand(['--in', inDir, '--out', join(inDir, 'out')], (s) => (printed += s))).toBe(0);
    expect(printed).toContain('report.html');
    expect(existsSync(join(inDir, 'out', 'report.md'))).toBe(true);
  });
});
