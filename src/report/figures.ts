// Figures from results JSON alone (pure functions of ExperimentResults), answering the paper's Figures 1–9 and the
// curvature experiment. Error bars: ±1 std as the paper draws them, or median with interquartile range (κ errors
// are heavy-tailed). Black-and-white readable: every series has its own marker symbol and dash pattern.
import type { ExperimentResults, SeriesSummary, Summary } from '../experiments/types.js';
import { Plot, renderSvg } from './plot.js';

export type ErrorBars = 'std' | 'iqr';

export interface Figure {
  id: string;
  title: string;
  svg: string;
}

const SYMBOLS = ['circle', 'square', 'triangle', 'diamond', 'star', 'cross', 'wye', 'times', 'asterisk', 'plus'] as const;
const DASHES = ['', '6,3', '2,2', '8,3,2,3', '1,3', '10,4', '4,2,1,2', '3,6', '12,2', '5,5'];
const COMPONENT_METRICS = ['rowNormErr', 'colNormErr', 'svErr', 'kappaErr', 'effRankErr', 'gapErr', 'frobErr', 'overallErr'];
const LABEL: Record<string, string> = {
  rowNormErr: 'row norms', colNormErr: 'column norms', svErr: 'singular values', kappaErr: 'condition number κ',
  effRankErr: 'effective rank', gapErr: 'spectral gap', frobErr: 'Frobenius norm', overallErr: 'overall ‖W−W*‖/‖W*‖',
  logKappaErr: '|log κ̂ − log κ*|', gapRatio: 'gap ratio (κ err / row err)', productKappa: 'product κ',
};
const label = (m: string) => LABEL[m] ?? m;

interface Point {
  series: string;
  x: number | string;
  y: number;
  lo: number;
  hi: number;
}

function bars(s: Summary, mode: ErrorBars): { y: number; lo: number; hi: number } {
  return mode === 'std' ? { y: s.mean, lo: s.mean - s.std, hi: s.mean + s.std } : { y: s.median, lo: s.q1, hi: s.q3 };
}

/** Log scale when all plotted values are positive and span more than ~1.5 decades. */
function yScale(points: { y: number; lo: number; hi: number }[]): { type: 'log' | 'linear' } {
  const ys = points.flatMap((p) => [p.y, p.hi]).filter((v) => Number.isFinite(v));
  const pos = ys.filter((v) => v > 0);
  if (pos.length === ys.length && pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 30) return { type: 'log' };
  return { type: 'linear' };
}

/** Error bar ends that a log axis can draw (a mean − std below zero is clipped to the smallest positive value). */
function clampForLog(points: Point[], log: boolean): Point[] {
  if (!log) return points;
  const floor = Math.min(...points.map((p) => p.y).filter((v) => v > 0)) / 10;
  return points.map((p) => ({ ...p, lo: p.lo > 0 ? p.lo : floor }));
}

function seriesStyle(names: string[]) {
  return {
    symbol: { domain: names, range: names.map((_, i) => SYMBOLS[i % SYMBOLS.length]) },
    color: { domain: names, range: names.map(() => 'currentColor') },
  };
}

/**
 * The key drawn inside the plot (Plot's own legends are separate HTML, which a standalone .svg cannot carry):
 * marker symbol, dash pattern and name per series, top right.
 */
function keyMarks(names: string[], dashed: boolean): Plot.Markish[] {
  const marks: Plot.Markish[] = [];
  names.forEach((n, i) => {
    const dy = 8 + 15 * i;
    const one = [{ n }];
    if (dashed) marks.push(Plot.ruleY(one, { frameAnchor: 'top-right', dx: -150, dy, x1: null, x2: null, stroke: 'currentColor' } as never));
    marks.push(Plot.dot(one, { frameAnchor: 'top-right', dx: -150, dy, symbol: 'n', fill: 'white', stroke: 'currentColor', r: 4 }));
    marks.push(Plot.text(one, { frameAnchor: 'top-right', dx: -140, dy, text: 'n', textAnchor: 'start', fill: 'currentColor' }));
  });
  return marks;
}

async function lineDotFigure(points: Point[], o: { xLabel: string; yLabel: string; xLog?: boolean; xOrdinal?: boolean; title: string }): Promise<string> {
  const valid = points.filter((p) => Number.isFinite(p.y));
  const ys = yScale(valid);
  const pts = clampForLog(valid, ys.type === 'log');
  const names = [...new Set(pts.map((p) => p.series))];
  const marks: Plot.Markish[] = [];
  names.forEach((n, i) => {
    const mine = pts.filter((p) => p.series === n);
    if (!o.xOrdinal) marks.push(Plot.line(mine, { x: 'x', y: 'y', strokeDasharray: DASHES[i % DASHES.length], stroke: 'currentColor' }));
  });
  marks.push(Plot.ruleX(pts, { x: 'x', y1: 'lo', y2: 'hi', stroke: 'currentColor', strokeOpacity: 0.6, ...(o.xOrdinal ? { dx: 0 } : {}) }));
  marks.push(Plot.dot(pts, { x: 'x', y: 'y', symbol: 'series', fill: 'white', stroke: 'currentColor', r: 4, title: (p: Point) => `${p.series} @ ${p.x}: ${p.y.toPrecision(3)}` }));
  marks.push(...keyMarks(names, false));
  return renderSvg({
    title: o.title,
    width: 640,
    height: 360,
    marginLeft: 64,
    marginRight: 24,
    style: { background: 'white', color: 'black', fontSize: '11px' },
    x: o.xOrdinal ? { label: o.xLabel, type: 'point', padding: 0.5 } : { label: o.xLabel, type: o.xLog ? 'log' : 'linear', grid: true },
    y: { label: o.yLabel, type: ys.type, grid: true },
    ...seriesStyle(names),
    marks,
  });
}

/** Conditions on the x axis, one symbol per metric: for comparisons (SGD vs Adam, correctives, targets…). */
export async function conditionFigure(r: ExperimentResults, metrics: string[], mode: ErrorBars, title: string, conditions?: string[]): Promise<string> {
  const conds = conditions ?? Object.keys(r.summaries);
  const points: Point[] = [];
  for (const c of conds) {
    const s = r.summaries[c];
    if (!s) continue;
    for (const m of metrics) if (s.metrics[m]) points.push({ series: label(m), x: c, ...bars(s.metrics[m], mode) });
  }
  return lineDotFigure(points, { xLabel: 'condition', yLabel: `relative error (${mode === 'std' ? 'mean ± 1 std' : 'median, IQR'})`, xOrdinal: true, title });
}

/** A numeric parameter parsed from condition names (d=64, lr=0.01, depth2) on the x axis. */
export async function sweepFigure(r: ExperimentResults, metrics: string[], mode: ErrorBars, o: { prefix: string; xLabel: string; xLog: boolean; title: string; yLabel?: string }): Promise<string> {
  const points: Point[] = [];
  for (const [c, s] of Object.entries(r.summaries)) {
    if (!c.startsWith(o.prefix)) continue;
    const x = Number(c.slice(o.prefix.length));
    if (!Number.isFinite(x)) continue;
    for (const m of metrics) if (s.metrics[m]) points.push({ series: label(m), x, ...bars(s.metrics[m], mode) });
  }
  points.sort((a, b) => (a.x as number) - (b.x as number));
  return lineDotFigure(points, { xLabel: o.xLabel, yLabel: o.yLabel ?? `value (${mode === 'std' ? 'mean ± 1 std' : 'median, IQR'})`, xLog: o.xLog, title: o.title });
}

/** Series over epochs (or indices) for one condition: a line per series with a band (±std or IQR). */
export async function seriesFigure(r: ExperimentResults, condition: string, names: string[], mode: ErrorBars, o: { xLabel: string; yLabel: string; title: string; xLog?: boolean }): Promise<string> {
  const ser = r.summaries[condition]?.series ?? {};
  const points: Point[] = [];
  for (const n of names) {
    const s: SeriesSummary | undefined = ser[n];
    if (!s) continue;
    s.mean.forEach((_, i) => {
      const y = mode === 'std' ? s.mean[i] : s.median[i];
      const lo = mode === 'std' ? s.mean[i] - s.std[i] : s.q1[i];
      const hi = mode === 'std' ? s.mean[i] + s.std[i] : s.q3[i];
      if (y !== null && Number.isFinite(y)) points.push({ series: label(n), x: s.epochs[i] ?? i + 1, y, lo: lo ?? y, hi: hi ?? y });
    });
  }
  const ys = yScale(points);
  const pts = clampForLog(points, ys.type === 'log');
  const seriesNames = [...new Set(pts.map((p) => p.series))];
  const marks: Plot.Markish[] = [];
  seriesNames.forEach((n, i) => {
    const mine = pts.filter((p) => p.series === n);
    marks.push(Plot.areaY(mine, { x: 'x', y1: 'lo', y2: 'hi', fill: 'currentColor', fillOpacity: 0.08 }));
    marks.push(Plot.line(mine, { x: 'x', y: 'y', stroke: 'currentColor', strokeDasharray: DASHES[i % DASHES.length] }));
    const step = Math.max(1, Math.floor(mine.length / 12));
    marks.push(Plot.dot(mine.filter((_, k) => k % step === 0), { x: 'x', y: 'y', symbol: 'series', fill: 'white', stroke: 'currentColor', r: 3 }));
  });
  marks.push(...keyMarks(seriesNames, false));
  return renderSvg({
    title: o.title,
    width: 640,
    height: 360,
    marginLeft: 64,
    style: { background: 'white', color: 'black', fontSize: '11px' },
    x: { label: o.xLabel, type: o.xLog ? 'log' : 'linear', grid: true },
    y: { label: `${o.yLabel} (${mode === 'std' ? 'mean, band ± 1 std' : 'median, band IQR'})`, type: ys.type, grid: true },
    ...seriesStyle(seriesNames),
    marks,
  });
}

type Spec = (r: ExperimentResults, mode: ErrorBars) => Promise<Figure[]>;

const one = (id: string, title: string) => async (svg: Promise<string>): Promise<Figure[]> => [{ id, title, svg: await svg }];

const SPECS: Record<string, Spec> = {
  exp1: (r, m) => one('components-vs-d', 'Figure 1: component errors vs dimension')(sweepFigure(r, COMPONENT_METRICS, m, { prefix: 'd=', xLabel: 'dimension d', xLog: true, title: 'Component errors vs dimension', yLabel: 'relative error' })),
  exp2: (r, m) => one('sgd-vs-adam', 'Figure 2: SGD vs Adam')(conditionFigure(r, COMPONENT_METRICS, m, 'SGD vs Adam')),
  exp3: async (r, m) => [
    { id: 'grad-signal', title: 'Figure 3 (left): gradient signal |uᵢᵀGvᵢ| for σ₁ and σ_min over training', svg: await seriesFigure(r, 'sgd', ['gradSigma1', 'gradSigmaMin'], m, { xLabel: 'epoch', yLabel: '|∂L/∂σ|', title: 'Gradient signal, σ₁ vs σ_min' }) },
    { id: 'sv-trajectory', title: 'Figure 3 (right): singular value trajectories', svg: await seriesFigure(r, 'sgd', ['sigma1', 'sigmaQ1', 'sigmaMedian', 'sigmaQ3', 'sigmaMin'], m, { xLabel: 'epoch', yLabel: 'σ', title: 'Singular values during training' }) },
    { id: 'grad-by-index', title: 'Gradient signal by singular-value index (whole spectrum)', svg: await seriesFigure(r, 'spectrum', ['gradSignal', 'popGradSignal'], m, { xLabel: 'index i (σ₁ … σ_min)', yLabel: '|uᵢᵀGvᵢ|', title: 'Gradient signal per singular value' }) },
  ],
  exp4: (r, m) => one('correctives', 'Figure 4: corrective strategies')(conditionFigure(r, ['rowNormErr', 'colNormErr', 'kappaErr', 'overallErr'], m, 'Correctives at d = 64')),
  exp5: (r, m) => one('dynamics', 'Figure 5: error dynamics during training')(seriesFigure(r, 'sgd', COMPONENT_METRICS, m, { xLabel: 'epoch', yLabel: 'relative error', title: 'Component errors over 200 epochs' })),
  exp6: (r, m) => one('structures', 'Figure 6: standard vs multipliers across target structures')(conditionFigure(r, ['rowNormErr', 'kappaErr', 'overallErr'], m, 'Target structures')),
  exp7: async (r, m) => [
    { id: 'depth-kappa', title: 'Figure 7 (left): κ error and product κ vs depth', svg: await sweepFigure(r, ['kappaErr', 'productKappa', 'targetKappa', 'initProductKappa'], m, { prefix: 'depth', xLabel: 'depth L', xLog: false, title: 'Condition number vs depth' }) },
    { id: 'depth-overall', title: 'Figure 7 (right): overall vs spectral error', svg: await conditionFigure(r, ['overallErr', 'kappaErr'], m, 'Overall and κ error by model') },
  ],
  exp8: async (r, m) => [
    { id: 'lr-sensitivity', title: 'Figure 8 (left): learning-rate sensitivity', svg: await sweepFigure(r, ['rowNormErr', 'kappaErr', 'gapRatio'], m, { prefix: 'lr=', xLabel: 'learning rate', xLog: true, title: 'Learning rate' }) },
    { id: 'wd-sensitivity', title: 'Figure 8 (right): weight-decay sensitivity', svg: await conditionFigure(r, ['rowNormErr', 'kappaErr'], m, 'Weight decay', Object.keys(r.summaries).filter((c) => c.startsWith('wd='))) },
  ],
  exp9: async (r, m) => [
    { id: 'long-training', title: 'Figure 9 (left): 1000-epoch training', svg: await seriesFigure(r, 'sgd', ['rowNormErr', 'kappaErr', 'overallErr'], m, { xLabel: 'epoch', yLabel: 'relative error', title: 'Long training' }) },
    { id: 'ratio', title: 'Figure 9 (right): κ error / row-norm error', svg: await seriesFigure(r, 'sgd', ['ratio'], m, { xLabel: 'epoch', yLabel: 'ratio', title: 'Error ratio over training' }) },
  ],
  curvature: async (r, m) => {
    const conds = Object.keys(r.summaries);
    return [
      { id: 'exponents', title: 'Curvature exponent α, rank decay γ, Hessian decay s per layer', svg: await conditionFigure(r, ['alpha', 'gamma', 'hessianDecay'], m, 'Exponents per model/layer') },
      { id: 'weight-signal', title: 'Gradient signal along the weight’s singular directions (first layer of each model)', svg: await seriesFigure(r, conds.find((c) => c.startsWith('linear')) ?? conds[0], ['weightSignal', 'weightCurvature'], m, { xLabel: 'index i (σ₁ … σ_min)', yLabel: 'signal / curvature', title: 'Single layer: signal and curvature by index' }) },
    ];
  },
};

/** Fallback for experiments without a spec: every metric by condition. */
async function genericFigures(r: ExperimentResults, mode: ErrorBars): Promise<Figure[]> {
  const metrics = [...new Set(Object.values(r.summaries).flatMap((s) => Object.keys(s.metrics)))].slice(0, 8);
  return [{ id: 'metrics', title: `${r.experiment}: metrics by condition`, svg: await conditionFigure(r, metrics, mode, r.title) }];
}

export async function figuresFor(r: ExperimentResults, mode: ErrorBars = 'std'): Promise<Figure[]> {
  const spec = SPECS[r.experiment];
  const figs = spec ? await spec(r, mode) : await genericFigures(r, mode);
  return figs.filter((f) => f.svg.includes('<svg'));
}

/** Spectrum of every matrix of a `condlab inspect` report (log σ vs normalised index). */
export async function inspectFigure(report: { matrices: { name: string; sigma: number[] }[] }): Promise<string> {
  const points = report.matrices.flatMap((m) => m.sigma.map((s, i) => ({ series: m.name, x: (i + 1) / m.sigma.length, y: s, lo: s, hi: s }))).filter((p) => p.y > 0);
  const names = [...new Set(points.map((p) => p.series))].slice(0, 10);
  return renderSvg({
    width: 640, height: 360, marginLeft: 64, style: { background: 'white', color: 'black', fontSize: '11px' },
    x: { label: 'normalised index i/n', grid: true }, y: { label: 'singular value σᵢ', type: 'log', grid: true },
    ...seriesStyle(names),
    marks: names.map((n, i) => Plot.line(points.filter((p) => p.series === n), { x: 'x', y: 'y', stroke: 'currentColor', strokeDasharray: DASHES[i % DASHES.length] })),
  });
}
