// Figures and the report from fixed small results (src/report/): the SVG holds the expected series and axis labels,
// and report.html is self-contained.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleResults } from '../src/runner/assemble.js';
import { getExperiment } from '../src/experiments/index.js';
import { figuresFor, sweepFigure, seriesFigure } from '../src/report/figures.js';
import { writeReport } from '../src/report/report.js';
import type { ExperimentResults, TrialRecord } from '../src/experiments/types.js';
import { protocolConfig } from './helpers/config.js';

function exp1Results(): ExperimentResults {
  const config = protocolConfig({ dims: [32, 64, 128], trials: 3 });
  const records: TrialRecord[] = [];
  for (let t = 0; t < 3; t++)
    for (const d of [32, 64, 128]) {
      const k = d / 32;
      records.push({ trial: t, cell: `d=${d}`, seed: 42 + 100 * t, result: { [`d=${d}`]: { metrics: { rowNormErr: 0.13 + 0.001 * t, kappaErr: 0.2 * k * (1 + t), overallErr: 0.14 } } } });
    }
  return assembleResults(getExperiment('exp1'), config, records, { wallMs: 1, workers: 1, startedAt: '2026-01-01T00:00:00Z', cellMs: {} });
}

function exp5Results(): ExperimentResults {
  const config = protocolConfig({ trials: 2, epochs: 4 });
  const records: TrialRecord[] = [0, 1].map((t) => ({
    trial: t, cell: 'all', seed: 42,
    result: { sgd: { metrics: { rowNormErr: 0.1 }, series: { rowNormErr: [1, 0.5, 0.25, 0.12, 0.06], kappaErr: [1, 2, 0.5, 3, 1] }, seriesEpochs: [0, 1, 2, 3, 4] } },
  }));
  return assembleResults(getExperiment('exp5'), config, records, { wallMs: 1, workers: 1, startedAt: '2026-01-01T00:00:00Z', cellMs: {} });
}

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('figures', () => {
  it('exp1: one symbol per metric and dimension, log axes labelled', async () => {
    const svg = await sweepFigure(exp1Results(), ['rowNormErr', 'kappaErr', 'overallErr'], 'std', { prefix: 'd=', xLabel: 'dimension d', xLog: true, title: 't', yLabel: 'relative error' });
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('dimension d');
    expect(svg).toContain('relative error');
    // 3 metrics × 3 dimensions = 9 data points, each drawn as one marker path with a <title>
    expect(count(svg, /<title>/g)).toBe(9);
    expect(svg).toContain('condition number κ @ 128');
  });

  it('exp5: series lines for each metric, median/IQR mode', async () => {
    const svg = await seriesFigure(exp5Results(), 'sgd', ['rowNormErr', 'kappaErr'], 'iqr', { xLabel: 'epoch', yLabel: 'relative error', title: 't' });
    expect(svg).toContain('epoch');
    expect(svg).toContain('median, band IQR');
    expect(count(svg, /<path[^>]*stroke-dasharray/g) + count(svg, /<path/g)).toBeGreaterThan(2);
  });

  it('every experiment spec renders without throwing, also when its metrics are missing', async () => {
    const r = exp1Results();
    for (const id of ['exp1', 'exp2', 'exp3', 'exp4', 'exp5', 'exp6', 'exp7', 'exp8', 'exp9', 'curvature', 'unknown']) {
      await expect(figuresFor({ ...r, experiment: id }, 'std')).resolves.toBeInstanceOf(Array);
    }
  });
});

describe('report', () => {
  it('writes report.html (self-contained) and report.md with figure files', async () => {
    const inDir = mkdtempSync(join(tmpdir(), 'condlab-rep-in-')), outDir = mkdtempSync(join(tmpdir(), 'condlab-rep-out-'));
    writeFileSync(join(inDir, 'exp1.json'), JSON.stringify(exp1Results()));
    writeFileSync(join(inDir, 'exp5.json'), JSON.stringify(exp5Results()));
    const r = await writeReport({ inDir, outDir });
    const html = readFileSync(r.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('C1');
    // nothing fetched from anywhere: the only URLs are SVG namespace declarations
    expect(html.match(/(?:src|href)="https?:/g)).toBeNull();
    expect(readFileSync(r.md, 'utf8')).toMatch(/!\[Figure 1[^\]]*\]\(figures\/exp1-components-vs-d\.svg\)/);
    expect(existsSync(join(outDir, 'figures', 'exp1-components-vs-d.svg'))).toBe(true);
  });

  it('a corrupt results file is a clear error', async () => {
    const inDir = mkdtempSync(join(tmpdir(), 'condlab-rep-bad-'));
    writeFileSync(join(inDir, 'exp1.json'), '{"schemaVersion": 1, "experiment": "exp1"');
    await expect(writeReport({ inDir, outDir: inDir })).rejects.toThrow(/exp1\.json: not valid JSON/);
  });
});
