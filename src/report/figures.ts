// Figures from results JSON alone (pure functions of ExperimentResults), answering the paper's Figures 1–9, the
// correctives and curvature experiments, and a generic fallback for any other experiment. Error bars: ±1 std as the
// paper draws them, or median with interquartile range (κ errors are heavy-tailed); the report shows both.
// Black-and-white readable: every series has its own marker symbol and dash pattern, and the key (drawn inside the
// SVG, right of the plot) shows both. A log axis is used where the plotted values span orders of magnitude.
// Defensive: a metric, series or condition that a result does not have is skipped; a figure with nothing to draw
// is left out rather than drawn empty.
import type { ConditionSummary, ExperimentResults, SeriesSummary, Summary } from '../experiments/types.js';
import { Plot, renderSvg } from './plot.js';
import { ABLATION_SPECS } from './ablation_figures.js';
import { FMNIST_SPECS } from './fmnist_figures.js';
import { TRANSFORMER_SPECS } from './transformer_figures.js';
import { spectraFigures } from './spectra_figures.js';

export type ErrorBars = 'std' | 'iqr';

export interface Figure {
  /** Stable id: the report names the file `<experiment>-<id>.svg`. */
  id: string;
  title: string;
  svg: string;
  /** Drawn from one representative trial (spectra): no error bars, so the report shows it once, not per mode. */
  single?: boolean;
}

const SYMBOLS = ['circle', 'square', 'triangle', 'diamond', 'star', 'cross', 'wye', 'times', 'asterisk', 'plus'] as const;
const DASHES = ['', '6,3', '2,2', '8,3,2,3', '1,3', '10,4', '4,2,1,2', '3,6', '12,2', '5,5'];

const NORM_METRICS = ['rowNormErr', 'colNormErr', 'svErr', 'frobErr', 'overallErr'];
const SPECTRAL_METRICS = ['kappaErr', 'logKappaErr', 'gapErr', 'effRankErr'];
const COMPONENT_METRICS = ['rowNormErr', 'colNormErr', 'svErr', 'kappaErr', 'effRankErr', 'gapErr', 'frobErr', 'overallErr'];

const LABEL: Record<string, string> = {
  rowNormErr: 'row norms', colNormErr: 'column norms', svErr: 'singular values', kappaErr: 'condition number κ',
  logKappaErr: '|log κ − log κ*|', effRankErr: 'effective rank', gapErr: 'spectral gap', frobErr: 'Frobenius norm',
  overallErr: 'overall ‖W−W*‖/‖W*‖', gapRatio: 'gap ratio (κ/row err)', productKappa: 'product κ (trained)',
  initProductKappa: 'product κ (at init)', targetKappa: 'target κ*', ratio: 'κ err / row-norm err',
  gradSigma1: 'σ₁, batch gradient', gradSigmaMin: 'σ_min, batch gradient', popGradSigma1: 'σ₁, expected gradient',
  popGradSigmaMin: 'σ_min, expected gradient', gradRatio: 'σ₁ / σ_min signal', gradSignal: 'batch gradient',
  popGradSignal: 'expected gradient', sigma1: 'σ₁', sigmaQ1: 'σ at i = d/4', sigmaMedian: 'σ at i = d/2',
  sigmaQ3: 'σ at i = 3d/4', sigmaMin: 'σ_min', sigmaFinal: 'σᵢ trained', sigmaTarget: 'σᵢ* target',
  alpha: 'curvature exponent α', gamma: 'rank decay γ', hessianDecay: 'Hessian decay s', weightSignal: 'gradient signal',
  weightCurvature: 'curvature', kappa: 'κ (trained)', finalLoss: 'final loss',
};
export const metricLabel = (m: string): string => LABEL[m] ?? m;

const modeText = (mode: ErrorBars) => (mode === 'std' ? 'mean ± 1 std' : 'median, IQR');

// ---- layout: the plot frame on the left, the key in the right margin ----
const WIDTH = 740;
const HEIGHT = 380;
const MARGIN = { left: 72, right: 210, top: 30, bottom: 46 };
const STYLE = { background: 'white', color: 'black', fontSize: '11px', fontFamily: 'system-ui, sans-serif', overflow: 'visible' };

export interface Point {
  series: string;
  x: number | string;
  y: number;
  lo: number;
  hi: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function bars(s: Summary | undefined, mode: ErrorBars): { y: number; lo: number; hi: number } | undefined {
  if (!s) return undefined;
  const y = mode === 'std' ? s.mean : s.median;
  if (!finite(y)) return undefined;
  const lo = mode === 'std' ? s.mean - s.std : s.q1;
  const hi = mode === 'std' ? s.mean + s.std : s.q3;
  return { y, lo: finite(lo) ? lo : y, hi: finite(hi) ? hi : y };
}

function seriesPoints(ser: SeriesSummary | undefined, name: string, mode: ErrorBars): Point[] {
  if (!ser || !Array.isArray(ser.mean)) return [];
  const out: Point[] = [];
  const center = mode === 'std' ? ser.mean : ser.median;
  for (let i = 0; i < center.length; i++) {
    const y = center[i];
    if (!finite(y)) continue;
    const lo = mode === 'std' ? ser.mean[i] - (ser.std?.[i] ?? 0) : ser.q1?.[i];
    const hi = mode === 'std' ? ser.mean[i] + (ser.std?.[i] ?? 0) : ser.q3?.[i];
    out.push({ series: name, x: ser.epochs?.[i] ?? i + 1, y, lo: finite(lo) ? lo : y, hi: finite(hi) ? hi : y });
  }
  return out;
}

// ---- y axis: log when every centre value is positive and they span more than ~1.5 decades ----

interface YAxis {
  options: Plot.ScaleOptions;
  points: Point[];
  /** Some lower error-bar ends (mean − std ≤ 0) were clipped to the bottom of a log axis. */
  clipped: boolean;
}

const tickText = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) {
    const [m, e] = v.toExponential(0).split('e');
    return `${m === '1' ? '' : `${m}×`}10${superscript(Number(e))}`;
  }
  return String(Number(v.toPrecision(3)));
};
const SUP: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
const superscript = (n: number) => String(n).split('').map((c) => SUP[c] ?? c).join('');

/** Ticks of a log axis over [lo, hi]: decades, with 2× and 5× in between when the span is short. */
function logTicks(lo: number, hi: number): number[] {
  const e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
  const span = e1 - e0;
  const steps = span > 8 ? [1] : span > 2 ? [1] : span > 1 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  const stride = span > 8 ? Math.ceil(span / 8) : 1;
  const out: number[] = [];
  for (let e = e0; e <= e1; e += stride) for (const s of steps) {
    const v = s * 10 ** e;
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
  }
  return out;
}

function yAxis(points: Point[], label: string, forceLinear = false, forceLog = false): YAxis {
  const ys = points.map((p) => p.y);
  const his = points.map((p) => p.hi).filter(finite);
  const pos = ys.filter((v) => v > 0);
  const log = !forceLinear && ys.length > 0 && pos.length === ys.length && (forceLog || Math.max(...pos, ...his) / Math.min(...pos) > 30);
  if (!log) {
    // errors and ratios are never negative: a mean − std below zero is drawn to zero
    if (ys.length && ys.every((v) => v >= 0)) {
      let clipped = false;
      const pts = points.map((p) => (p.lo < 0 ? ((clipped = true), { ...p, lo: 0 }) : p));
      return { options: { label, grid: true, type: 'linear' }, points: pts, clipped };
    }
    return { options: { label, grid: true, type: 'linear' }, points, clipped: false };
  }
  const los = points.map((p) => p.lo).filter((v) => v > 0);
  const floor = Math.min(...pos) / 4;
  const lo = Math.max(floor, Math.min(...pos, ...los));
  let clipped = false;
  const pts = points.map((p) => {
    if (p.lo >= lo) return p;
    clipped ||= p.lo <= 0;
    return { ...p, lo };
  });
  const hi = Math.max(...pos, ...his.filter((v) => v > 0));
  // extend to the neighbouring decade when it is close, so the data sit between labelled ticks
  const down = 10 ** Math.floor(Math.log10(lo)), up = 10 ** Math.ceil(Math.log10(hi));
  const domain: [number, number] = [lo / down < 2.5 ? Math.min(down, lo / 1.15) : lo / 1.15, up / hi < 2.5 ? Math.max(up, hi * 1.15) : hi * 1.15];
  return { options: { label, grid: true, type: 'log', domain, ticks: logTicks(domain[0], domain[1]), tickFormat: tickText }, points: pts, clipped };
}

// ---- the key: marker symbol + dash sample + name per series, in the right margin ----

interface KeyEntry {
  name: string;
  /** Draw a line sample (with this dash pattern, '' = solid). */
  line: boolean;
  dash: string;
  /** Draw the series' marker symbol on the sample. */
  marker: boolean;
}

/** The in-plot key: line samples as raw SVG (`extra`), markers and names as Plot marks, and an optional note. */
function keyFrom(entries: KeyEntry[], note?: string): { marks: Plot.Markish[]; extra: string } {
  const marks: Plot.Markish[] = [];
  let extra = '<g class="key" stroke="currentColor" fill="none">';
  const x0 = WIDTH - MARGIN.right + 14;
  entries.forEach((e, i) => {
    const dy = 8 + 16 * i;
    const one = [{ n: e.name }];
    if (e.line) {
      extra += `<line x1="${x0}" x2="${x0 + 30}" y1="${MARGIN.top + dy}" y2="${MARGIN.top + dy}"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}${e.marker ? '' : ' stroke-width="1.6"'}></line>`;
    }
    if (e.marker) marks.push(Plot.dot(one, { frameAnchor: 'top-right', dx: 29, dy, symbol: 'n', fill: 'white', stroke: 'currentColor', r: 4 }));
    marks.push(Plot.text(one, { frameAnchor: 'top-right', dx: 50, dy, text: (d: { n: string }) => (d.n.length > 26 ? `${d.n.slice(0, 25)}…` : d.n), textAnchor: 'start', fill: 'currentColor' }));
  });
  extra += '</g>';
  if (note) {
    marks.push(Plot.text([note], { frameAnchor: 'bottom-right', dx: 14, dy: 0, text: (d: string) => d, textAnchor: 'start', fontSize: 10, fill: 'currentColor' }));
  }
  return { marks, extra };
}

function keyMarks(names: string[], o: { lines: boolean; note?: string }): { marks: Plot.Markish[]; extra: string } {
  return keyFrom(names.map((name, i) => ({ name, line: o.lines, dash: DASHES[i % DASHES.length], marker: true })), o.note);
}

const CLIP_NOTE = 'Bars cut at the axis bottom:\ntheir lower end is ≤ 0.';

function symbolScale(names: string[]): Plot.ScaleOptions {
  return { domain: names, range: names.map((_, i) => SYMBOLS[i % SYMBOLS.length]) };
}

// ---- figure kinds ----

export interface LinesOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** 'point' = ordinal (e.g. a weight-decay grid that holds 0). */
  xType?: 'linear' | 'log' | 'point';
  /** Explicit x ticks (e.g. the dimensions swept). */
  xTicks?: (number | string)[];
  /** Series over many points: a band instead of error bars, markers every few points. */
  band?: boolean;
  forceLinearY?: boolean;
  /** A log y axis even over a short span (spectra), when every value is positive. */
  forceLogY?: boolean;
}

/** x scale (ordinal for 'point', else numeric with grid) and the SVG of a lines-style figure. */
function renderLines(o: LinesOptions, points: Point[], yOptions: Plot.ScaleOptions, symbolNames: string[], marks: Plot.Markish[], extra: string): Promise<string> {
  const xType = o.xType ?? 'linear';
  const x: Plot.ScaleOptions = xType === 'point'
    ? { label: o.xLabel, labelAnchor: 'center', type: 'point', padding: 0.4, domain: [...new Set(points.map((p) => p.x))] }
    : { label: o.xLabel, labelAnchor: 'center', type: xType, grid: true, inset: 8, ...(o.xTicks ? { ticks: o.xTicks as number[], tickFormat: (v: number) => tickText(v) } : {}) };
  return renderSvg({
    title: o.title, width: WIDTH, height: HEIGHT, marginLeft: MARGIN.left, marginRight: MARGIN.right, marginTop: MARGIN.top, marginBottom: MARGIN.bottom,
    style: STYLE, x, y: yOptions, symbol: symbolScale(symbolNames), marks,
  }, extra);
}

/** A point a lines-style figure can draw: finite y, finite (or ordinal) x, positive x on a log axis. */
const drawable = (o: LinesOptions) => (p: Point) => finite(p.y) && (typeof p.x === 'string' || finite(p.x)) && (o.xType !== 'log' || (p.x as number) > 0);

/** Lines with markers, one per series, over a numeric (or ordinal) x, with error bars or a band. */
export async function linesFigure(points: Point[], o: LinesOptions): Promise<string> {
  const valid = points.filter(drawable(o));
  if (valid.length === 0) return '';
  const y = yAxis(valid, o.yLabel, o.forceLinearY, o.forceLogY);
  const names = [...new Set(y.points.map((p) => p.series))];
  const marks: Plot.Markish[] = [];
  names.forEach((n, i) => {
    const mine = y.points.filter((p) => p.series === n);
    if (o.band) marks.push(Plot.areaY(mine, { x: 'x', y1: 'lo', y2: 'hi', fill: 'currentColor', fillOpacity: 0.07 }));
    marks.push(Plot.line(mine, { x: 'x', y: 'y', stroke: 'currentColor', strokeWidth: 1.3, strokeDasharray: DASHES[i % DASHES.length] }));
    const step = o.band ? Math.max(1, Math.floor(mine.length / 10)) : 1;
    const shown = mine.filter((_, k) => k % step === 0 || k === mine.length - 1);
    if (!o.band) marks.push(Plot.ruleX(shown, { x: 'x', y1: 'lo', y2: 'hi', stroke: 'currentColor', strokeOpacity: 0.55 }));
    marks.push(Plot.dot(shown, { x: 'x', y: 'y', symbol: 'series', fill: 'white', stroke: 'currentColor', r: o.band ? 3.5 : 4, title: (p: Point) => `${p.series} @ ${p.x}: ${p.y.toPrecision(3)}` }));
  });
  const key = keyMarks(names, { lines: true, note: y.clipped && !o.band ? CLIP_NOTE : undefined });
  marks.push(...key.marks);
  return renderLines(o, valid, y.options, names, marks, key.extra);
}

export interface GroupedPoint {
  group: string;
  member: string;
  y: number;
  lo: number;
  hi: number;
}

/**
 * Grouped dot chart (the paper's grouped bars as markers with error bars): groups along x (e.g. metrics or target
 * structures), members side by side within a group, one marker symbol per member (e.g. SGD vs Adam).
 */
export async function groupedFigure(points: GroupedPoint[], o: { title: string; xLabel: string; yLabel: string; groups?: string[]; members?: string[] }): Promise<string> {
  const valid = points.filter((p) => finite(p.y));
  if (valid.length === 0) return '';
  const groups = (o.groups ?? [...new Set(valid.map((p) => p.group))]).filter((g) => valid.some((p) => p.group === g));
  const members = (o.members ?? [...new Set(valid.map((p) => p.member))]).filter((m) => valid.some((p) => p.member === m));
  const spread = Math.min(0.8, 0.16 * members.length);
  const pos = (g: string, m: string) => groups.indexOf(g) + (members.length > 1 ? (members.indexOf(m) / (members.length - 1) - 0.5) * spread : 0);
  const asPoints: Point[] = valid
    .filter((p) => groups.includes(p.group) && members.includes(p.member))
    .map((p) => ({ series: p.member, x: pos(p.group, p.member), y: p.y, lo: p.lo, hi: p.hi, group: p.group }) as Point);
  const y = yAxis(asPoints, o.yLabel);
  const marks: Plot.Markish[] = [
    // faint separators between groups
    Plot.ruleX(groups.slice(1).map((_, i) => i + 0.5), { stroke: 'currentColor', strokeOpacity: 0.15 }),
    Plot.ruleX(y.points, { x: 'x', y1: 'lo', y2: 'hi', stroke: 'currentColor', strokeOpacity: 0.6 }),
    Plot.dot(y.points, {
      x: 'x', y: 'y', symbol: 'series', fill: 'white', stroke: 'currentColor', r: 4.5,
      title: (p: Point & { group: string }) => `${p.series}, ${p.group}: ${p.y.toPrecision(3)} [${p.lo.toPrecision(3)}, ${p.hi.toPrecision(3)}]`,
    }),
  ];
  const key = keyMarks(members, { lines: false, note: y.clipped ? CLIP_NOTE : undefined });
  marks.push(...key.marks);
  const rotate = groups.length > 4 || groups.some((g) => g.length > 14);
  return renderSvg({
    title: o.title, width: WIDTH, height: HEIGHT + (rotate ? 40 : 0), marginLeft: MARGIN.left, marginRight: MARGIN.right, marginTop: MARGIN.top,
    marginBottom: MARGIN.bottom + (rotate ? 40 : 0), style: STYLE,
    x: { label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', domain: [-0.5, groups.length - 0.5], ticks: groups.map((_, i) => i), tickFormat: (i: number) => groups[i] ?? '', tickSize: 0, ...(rotate ? { tickRotate: -25 } : {}) },
    y: y.options, symbol: symbolScale(members), marks,
  }, key.extra);
}

// ---- building blocks over results ----

const summaries = (r: ExperimentResults): Record<string, ConditionSummary> => (r && typeof r.summaries === 'object' && r.summaries) || {};

/** Conditions on one side, metrics on the other: groups = metrics, members = conditions (or the transpose). */
export async function conditionFigure(r: ExperimentResults, metrics: string[], mode: ErrorBars, title: string, conditions?: string[]): Promise<string> {
  const sums = summaries(r);
  const conds = (conditions ?? Object.keys(sums)).filter((c) => sums[c]);
  const points: GroupedPoint[] = [];
  for (const m of metrics) for (const c of conds) {
    const b = bars(sums[c].metrics?.[m], mode);
    if (b) points.push({ group: metricLabel(m), member: c, ...b });
  }
  return groupedFigure(points, { title, xLabel: 'metric', yLabel: `relative error (${modeText(mode)})`, members: conds });
}

/** A numeric parameter parsed from condition names (d=64, lr=0.01, depth2) on the x axis, one line per metric. */
export async function sweepFigure(
  r: ExperimentResults, metrics: string[], mode: ErrorBars,
  o: { prefix: string; xLabel: string; xLog?: boolean; xType?: 'linear' | 'log' | 'point'; title: string; yLabel?: string },
): Promise<string> {
  const points: Point[] = [];
  const xs: number[] = [];
  for (const [c, s] of Object.entries(summaries(r))) {
    if (!c.startsWith(o.prefix)) continue;
    const x = Number(c.slice(o.prefix.length));
    if (!Number.isFinite(x)) continue;
    xs.push(x);
    for (const m of metrics) {
      const b = bars(s.metrics?.[m], mode);
      if (b) points.push({ series: metricLabel(m), x, ...b });
    }
  }
  const xType = o.xType ?? (o.xLog ? 'log' : 'linear');
  points.sort((a, b) => (a.x as number) - (b.x as number));
  const ticks = [...new Set(xs)].sort((a, b) => a - b);
  if (xType === 'point') for (const p of points) p.x = String(p.x);
  return linesFigure(points, {
    title: o.title, xLabel: o.xLabel, yLabel: `${o.yLabel ?? 'value'} (${modeText(mode)})`, xType,
    xTicks: xType === 'point' ? undefined : ticks.length <= 12 ? ticks : undefined,
  });
}

/** Series over epochs (or indices) for one condition: a line per series with a band (±std or IQR). */
export async function seriesFigure(
  r: ExperimentResults, condition: string, names: string[], mode: ErrorBars,
  o: { xLabel: string; yLabel: string; title: string; xLog?: boolean; forceLinearY?: boolean },
): Promise<string> {
  const ser = summaries(r)[condition]?.series ?? {};
  const points = names.flatMap((n) => seriesPoints(ser[n], metricLabel(n), mode));
  return linesFigure(points, {
    title: o.title, xLabel: o.xLabel, yLabel: `${o.yLabel} (${mode === 'std' ? 'mean, band ± 1 std' : 'median, band IQR'})`,
    xType: o.xLog ? 'log' : 'linear', band: true, forceLinearY: o.forceLinearY,
  });
}

/** One series name across conditions: a line per condition. */
export async function seriesAcrossFigure(r: ExperimentResults, name: string, mode: ErrorBars, o: { xLabel: string; yLabel: string; title: string; conditions?: string[] }): Promise<string> {
  const sums = summaries(r);
  const conds = (o.conditions ?? Object.keys(sums)).filter((c) => sums[c]?.series?.[name]).slice(0, SYMBOLS.length);
  const points = conds.flatMap((c) => seriesPoints(sums[c].series![name], c, mode));
  return linesFigure(points, { title: o.title, xLabel: o.xLabel, yLabel: `${o.yLabel} (${mode === 'std' ? 'mean, band ± 1 std' : 'median, band IQR'})`, band: true });
}

// ---- closed-form overlay: measurement (markers, solid line, error bars or band) vs prediction (dashed) ----
// The prediction (src/theory/overlay.ts) is per trial — for its own W* and W₀ — and is drawn as the same statistic
// across trials as the measurement (mean for 'std', median for 'iqr'), without bars. Horizontal rules mark
// stationary values (Exp 9's label-noise floor). The key lists every line with its dash sample, markers for the
// measured series only.

const PRED_DASHES = ['6,3', '9,3,2,3', '3,3'];
const RULE_DASHES = ['1,3', '1,2,4,2'];
const PRED_SUFFIX = ', closed form';

/** Measured metric → (its key name, the prediction's metric name). */
const OVERLAY_PAIRS: [string, string, string][] = [
  ['rowNormErr', 'row norms', 'predRowNormErr'],
  ['overallErr', 'overall', 'predOverallErr'],
];

interface OverlayRule {
  name: string;
  y: number;
}

/**
 * Measured series (points with bars) and predicted lines over the same x, plus horizontal rules. Empty (figure left
 * out) unless both a measurement and a prediction are present.
 */
export async function overlayFigure(measured: Point[], predicted: Point[], rules: OverlayRule[], o: LinesOptions): Promise<string> {
  const ok = drawable(o);
  const meas = measured.filter(ok), pred = predicted.filter(ok), rule = rules.filter((r) => finite(r.y) && (o.forceLinearY || r.y > 0));
  if (meas.length === 0 || pred.length === 0) return '';
  const tagged = [
    ...meas.map((p) => ({ ...p, kind: 'm' })),
    ...pred.map((p) => ({ ...p, lo: p.y, hi: p.y, kind: 'p' })),
    ...rule.map((r) => ({ series: r.name, x: meas[0].x, y: r.y, lo: r.y, hi: r.y, kind: 'r' })),
  ];
  const y = yAxis(tagged, o.yLabel, o.forceLinearY);
  const pts = y.points as (Point & { kind: string })[];
  const mNames = [...new Set(pts.filter((p) => p.kind === 'm').map((p) => p.series))];
  const pNames = [...new Set(pts.filter((p) => p.kind === 'p').map((p) => p.series))];
  const marks: Plot.Markish[] = [];
  mNames.forEach((n) => {
    const mine = pts.filter((p) => p.kind === 'm' && p.series === n);
    if (o.band) marks.push(Plot.areaY(mine, { x: 'x', y1: 'lo', y2: 'hi', fill: 'currentColor', fillOpacity: 0.07 }));
    marks.push(Plot.line(mine, { x: 'x', y: 'y', stroke: 'currentColor', strokeWidth: 1.1, strokeOpacity: 0.8 }));
    const step = o.band ? Math.max(1, Math.floor(mine.length / 10)) : 1;
    const shown = mine.filter((_, k) => k % step === 0 || k === mine.length - 1);
    if (!o.band) marks.push(Plot.ruleX(shown, { x: 'x', y1: 'lo', y2: 'hi', stroke: 'currentColor', strokeOpacity: 0.55 }));
    marks.push(Plot.dot(shown, { x: 'x', y: 'y', symbol: 'series', fill: 'white', stroke: 'currentColor', r: o.band ? 3.5 : 4, title: (p: Point) => `${p.series} @ ${p.x}: ${p.y.toPrecision(3)}` }));
  });
  pNames.forEach((n, i) => {
    const mine = pts.filter((p) => p.kind === 'p' && p.series === n);
    marks.push(Plot.line(mine, { x: 'x', y: 'y', stroke: 'currentColor', strokeWidth: 1.6, strokeDasharray: PRED_DASHES[i % PRED_DASHES.length] }));
  });
  rule.forEach((r, i) => marks.push(Plot.ruleY([r.y], { stroke: 'currentColor', strokeWidth: 1.2, strokeDasharray: RULE_DASHES[i % RULE_DASHES.length] })));
  const key = keyFrom([
    ...mNames.map((name) => ({ name, line: true, dash: '', marker: true })),
    ...pNames.map((name, i) => ({ name, line: true, dash: PRED_DASHES[i % PRED_DASHES.length], marker: false })),
    ...rule.map((r, i) => ({ name: r.name, line: true, dash: RULE_DASHES[i % RULE_DASHES.length], marker: false })),
  ]);
  marks.push(...key.marks);
  return renderLines(o, meas, y.options, mNames, marks, key.extra);
}

/** Exp 1 / Exp 8: measured metric and its prediction over a parameter parsed from condition names (d=…, lr=…, wd=…). */
export async function sweepOverlayFigure(
  r: ExperimentResults, mode: ErrorBars,
  o: { prefix: string; xLabel: string; xType?: 'linear' | 'log' | 'point'; title: string },
): Promise<string> {
  const measured: Point[] = [], predicted: Point[] = [];
  const xs: number[] = [];
  for (const [c, s] of Object.entries(summaries(r))) {
    if (!c.startsWith(o.prefix)) continue;
    const x = Number(c.slice(o.prefix.length));
    if (!Number.isFinite(x)) continue;
    xs.push(x);
    for (const [m, name, pm] of OVERLAY_PAIRS) {
      const b = bars(s.metrics?.[m], mode);
      if (b) measured.push({ series: name, x, ...b });
      const p = bars(s.metrics?.[pm], mode);
      if (p) predicted.push({ series: name + PRED_SUFFIX, x, y: p.y, lo: p.y, hi: p.y });
    }
  }
  const xType = o.xType ?? 'linear';
  const byX = (a: Point, b: Point) => (a.x as number) - (b.x as number);
  measured.sort(byX);
  predicted.sort(byX);
  if (xType === 'point') for (const p of [...measured, ...predicted]) p.x = String(p.x);
  const ticks = [...new Set(xs)].sort((a, b) => a - b);
  return overlayFigure(measured, predicted, [], {
    title: o.title, xLabel: o.xLabel, yLabel: `${ERR} (${modeText(mode)}; dashed: closed form)`, xType,
    xTicks: xType === 'point' ? undefined : ticks.length <= 12 ? ticks : undefined,
  });
}

/** Exp 5 / Exp 9: measured series and predicted series over epochs, with optional stationary rules from metrics. */
export async function seriesOverlayFigure(
  r: ExperimentResults, condition: string, mode: ErrorBars,
  o: { title: string; floors?: [string, string][] },
): Promise<string> {
  const s = summaries(r)[condition];
  const ser = s?.series ?? {};
  const measured = OVERLAY_PAIRS.flatMap(([m, name]) => seriesPoints(ser[m], name, mode));
  const predicted = OVERLAY_PAIRS.flatMap(([, name, pm]) => seriesPoints(ser[pm], name + PRED_SUFFIX, mode).map((p) => ({ ...p, lo: p.y, hi: p.y })));
  const rules: OverlayRule[] = [];
  for (const [metric, name] of o.floors ?? []) {
    const b = bars(s?.metrics?.[metric], mode);
    if (b) rules.push({ name, y: b.y });
  }
  return overlayFigure(measured, predicted, rules, {
    title: o.title, xLabel: 'epoch', yLabel: `${ERR} (${mode === 'std' ? 'mean, band ± 1 std' : 'median, band IQR'}; dashed: closed form)`, band: true,
  });
}

// ---- one spec per experiment ----

export type Spec = (r: ExperimentResults, mode: ErrorBars) => Promise<Figure[]>;

const fig = async (id: string, title: string, svg: Promise<string>): Promise<Figure> => ({ id, title, svg: await svg });
const conditionsWith = (r: ExperimentResults, pred: (c: string) => boolean) => Object.keys(summaries(r)).filter(pred);

function byParts(r: ExperimentResults, metric: string, mode: ErrorBars): GroupedPoint[] {
  // conditions named `<group>/<member>` (exp6: target/method; curvature: model/layer)
  const out: GroupedPoint[] = [];
  for (const [c, s] of Object.entries(summaries(r))) {
    const k = c.indexOf('/');
    if (k < 0) continue;
    const b = bars(s.metrics?.[metric], mode);
    if (b) out.push({ group: c.slice(0, k), member: c.slice(k + 1), ...b });
  }
  return out;
}

const ERR = 'relative error';

const SPECS: Record<string, Spec> = {
  exp1: async (r, m) => [
    await fig('components-vs-d', 'Figure 1: component errors vs dimension d', sweepFigure(r, COMPONENT_METRICS, m, { prefix: 'd=', xLabel: 'dimension d (log scale)', xLog: true, title: 'Component errors vs dimension', yLabel: ERR })),
    await fig('closed-form', 'Closed form vs measurement: row-norm and overall error vs d (dashed: prediction for each trial\'s W*, W₀)', sweepOverlayFigure(r, m, { prefix: 'd=', xLabel: 'dimension d (log scale)', xType: 'log', title: 'Closed form vs measurement' })),
  ],
  exp2: async (r, m) => [
    await fig('sgd-vs-adam', 'Figure 2: SGD vs Adam, component errors', conditionFigure(r, COMPONENT_METRICS, m, 'SGD vs Adam')),
  ],
  exp3: async (r, m) => [
    await fig('grad-signal', 'Figure 3 (left): gradient signal |uᵢᵀGvᵢ| on σ₁ and σ_min over training', seriesFigure(r, 'sgd', ['gradSigma1', 'gradSigmaMin', 'popGradSigma1', 'popGradSigmaMin'], m, { xLabel: 'epoch', yLabel: 'gradient signal |∂L/∂σ|', title: 'Gradient signal, σ₁ vs σ_min' })),
    await fig('sv-trajectory', 'Figure 3 (right): singular-value trajectories', seriesFigure(r, 'sgd', ['sigma1', 'sigmaQ1', 'sigmaMedian', 'sigmaQ3', 'sigmaMin'], m, { xLabel: 'epoch', yLabel: 'singular value σ', title: 'Singular values during training' })),
    await fig('grad-by-index', 'Gradient signal by singular-value index (time-averaged, whole spectrum)', seriesFigure(r, 'spectrum', ['gradSignal', 'popGradSignal'], m, { xLabel: 'index i (σ₁ … σ_min)', yLabel: 'gradient signal |uᵢᵀGvᵢ|', title: 'Gradient signal per singular value' })),
    await fig('sigma-by-index', 'Trained vs target spectrum', seriesFigure(r, 'spectrum', ['sigmaFinal', 'sigmaTarget'], m, { xLabel: 'index i (σ₁ … σ_min)', yLabel: 'singular value σᵢ', title: 'Spectrum after training' })),
  ],
  exp4: async (r, m) => [
    await fig('correctives', 'Figure 4: corrective strategies at d = 64', conditionFigure(r, ['rowNormErr', 'colNormErr', 'svErr', 'kappaErr', 'overallErr'], m, 'Correctives')),
  ],
  exp5: async (r, m) => [
    await fig('dynamics', 'Figure 5 (norms): component errors over training', seriesFigure(r, 'sgd', NORM_METRICS, m, { xLabel: 'epoch', yLabel: ERR, title: 'Norm errors over training' })),
    await fig('dynamics-spectral', 'Figure 5 (spectrum): κ, gap and effective-rank errors over training', seriesFigure(r, 'sgd', SPECTRAL_METRICS, m, { xLabel: 'epoch', yLabel: ERR, title: 'Spectral errors over training' })),
    await fig('closed-form', 'Closed form vs measurement: row-norm and overall error over training (dashed: prediction for each trial\'s W*, W₀)', seriesOverlayFigure(r, 'sgd', m, { title: 'Closed form vs measurement' })),
  ],
  exp6: async (r, m) => [
    await fig('structures', 'Figure 6: κ error, standard vs multipliers per target structure', groupedFigure(byParts(r, 'kappaErr', m), { title: 'κ error by target structure', xLabel: 'target structure', yLabel: `κ ${ERR} (${modeText(m)})` })),
    await fig('structures-row', 'Figure 6: row-norm error, standard vs multipliers per target structure', groupedFigure(byParts(r, 'rowNormErr', m), { title: 'Row-norm error by target structure', xLabel: 'target structure', yLabel: `row-norm ${ERR} (${modeText(m)})` })),
  ],
  exp7: async (r, m) => [
    await fig('depth-kappa', 'Figure 7 (left): κ of the end-to-end product vs depth (trained, at init, target)', sweepFigure(r, ['productKappa', 'initProductKappa', 'targetKappa'], m, { prefix: 'depth', xLabel: 'depth L (layers)', title: 'Product condition number vs depth', yLabel: 'condition number κ' })),
    await fig('depth-overall', 'Figure 7 (right): overall and κ errors by model', conditionFigure(r, ['overallErr', 'kappaErr', 'logKappaErr'], m, 'Overall vs spectral error by model')),
  ],
  exp8: async (r, m) => [
    await fig('lr-sensitivity', 'Figure 8 (left): learning-rate sensitivity (log-log)', sweepFigure(r, ['gapRatio', 'kappaErr', 'rowNormErr'], m, { prefix: 'lr=', xLabel: 'learning rate (log scale)', xLog: true, title: 'Learning rate', yLabel: 'error / ratio' })),
    await fig('wd-sensitivity', 'Figure 8 (right): weight-decay sensitivity', sweepFigure(r, ['gapRatio', 'kappaErr', 'rowNormErr'], m, { prefix: 'wd=', xLabel: 'weight decay', xType: 'point', title: 'Weight decay', yLabel: 'error / ratio' })),
    await fig('closed-form-lr', 'Closed form vs measurement over the learning rate (dashed: prediction for each trial\'s W*, W₀)', sweepOverlayFigure(r, m, { prefix: 'lr=', xLabel: 'learning rate (log scale)', xType: 'log', title: 'Closed form vs measurement: lr' })),
    await fig('closed-form-wd', 'Closed form vs measurement over the weight decay λ (mean fixed point W*/(1+λ))', sweepOverlayFigure(r, m, { prefix: 'wd=', xLabel: 'weight decay', xType: 'point', title: 'Closed form vs measurement: weight decay' })),
  ],
  exp9: async (r, m) => [
    await fig('long-training', 'Figure 9 (left): errors over 1000 epochs', seriesFigure(r, 'sgd', ['rowNormErr', 'colNormErr', 'svErr', 'kappaErr', 'overallErr'], m, { xLabel: 'epoch', yLabel: ERR, title: 'Long training' })),
    await fig('ratio', 'Figure 9 (right): κ error / row-norm error over training', seriesFigure(r, 'sgd', ['ratio'], m, { xLabel: 'epoch', yLabel: 'ratio', title: 'Error ratio over training' })),
    await fig('closed-form', 'Closed form vs measurement over 1000 epochs, with the predicted label-noise floor (dotted)', seriesOverlayFigure(r, 'sgd', m, {
      title: 'Closed form vs measurement', floors: [['predFloorRowNormErr', 'row floor, closed form'], ['predFloorOverallErr', 'overall floor, closed form']],
    })),
  ],
  correctives: async (r, m) => [
    await fig('correctives', 'Correctives (incl. hybrid and Muon) at d = 64', conditionFigure(r, ['rowNormErr', 'colNormErr', 'svErr', 'kappaErr', 'logKappaErr', 'overallErr'], m, 'Correctives')),
  ],
  curvature: async (r, m) => [
    await fig('exponents', 'Curvature exponent α, rank decay γ and Hessian decay s per model/layer', groupedFigure(
      ['alpha', 'gamma', 'hessianDecay'].flatMap((k) => Object.entries(summaries(r)).flatMap(([c, s]) => {
        const b = bars(s.metrics?.[k], m);
        return b ? [{ group: metricLabel(k), member: c, ...b }] : [];
      })),
      { title: 'Fitted exponents', xLabel: 'exponent', yLabel: `slope (${modeText(m)})` },
    )),
    ...(await genericSeries(r, m, ['weightSignal', 'weightCurvature', 'gradSigma', 'curvature'], 'index k (largest first)')),
  ],
  spectral: async (r, m) => [
    await fig('spectral-transfer', 'Spectral transfer: SGD, Muon, U·diag(s^(1−α))·Vᵀ steps at fixed α and adaptive α, d = 64', conditionFigure(r, ['rowNormErr', 'svErr', 'kappaErr', 'logKappaErr', 'overallErr'], m, 'Spectral transfer')),
  ],
  'spectral-chains': async (r, m) => {
    // one figure per model (`<model>/<condition>` cells): the function's error and the product's (or layers') κ
    const models = [...new Set(Object.keys(summaries(r)).map((c) => c.split('/')[0]))];
    const out: Figure[] = [];
    for (const model of models) {
      const conds = conditionsWith(r, (c) => c.startsWith(`${model}/`));
      const metrics = model === 'mlp' ? ['overallErr', 'kappaErr', 'logKappaErr'] : ['rowNormErr', 'overallErr', 'kappaErr', 'logKappaErr'];
      const what = model === 'mlp' ? 'MLP student' : `deep linear, depth ${model.slice(5)}`;
      out.push(await fig(`spectral-chains-${model}`, `Per-layer spectral transfer, ${what}: SGD, Muon and U·diag(s^(1−α))·Vᵀ per layer`, conditionFigure(r, metrics, m, what, conds)));
    }
    return out;
  },
  ...ABLATION_SPECS,
  ...FMNIST_SPECS,
  ...TRANSFORMER_SPECS,
};

// ---- fallback for experiments without a spec ----

async function genericSeries(r: ExperimentResults, mode: ErrorBars, only?: string[], xLabel = 'epoch (or index)'): Promise<Figure[]> {
  const sums = summaries(r);
  const withSeries = Object.keys(sums).filter((c) => sums[c]?.series && Object.keys(sums[c].series!).length);
  const out: Figure[] = [];
  if (withSeries.length === 1) {
    const c = withSeries[0];
    const names = Object.keys(sums[c].series!).filter((n) => !only || only.includes(n));
    for (let i = 0; i < names.length; i += 6) {
      const chunk = names.slice(i, i + 6);
      out.push(await fig(`series-${i / 6 + 1}`, `${c}: ${chunk.map(metricLabel).join(', ')}`, seriesFigure(r, c, chunk, mode, { xLabel, yLabel: 'value', title: c })));
    }
  } else {
    const names = [...new Set(withSeries.flatMap((c) => Object.keys(sums[c].series!)))].filter((n) => !only || only.includes(n));
    for (const n of names.slice(0, 12)) {
      out.push(await fig(`series-${n}`, `${metricLabel(n)} by condition`, seriesAcrossFigure(r, n, mode, { xLabel, yLabel: metricLabel(n), title: metricLabel(n) })));
    }
  }
  return out;
}

async function genericFigures(r: ExperimentResults, mode: ErrorBars): Promise<Figure[]> {
  const sums = summaries(r);
  const metrics = [...new Set(Object.values(sums).flatMap((s) => Object.keys(s?.metrics ?? {})))];
  const out: Figure[] = [];
  for (let i = 0; i < metrics.length && i < 36; i += 6) {
    const chunk = metrics.slice(i, i + 6);
    out.push(await fig(`metrics-${i / 6 + 1}`, `${r.experiment}: ${chunk.map(metricLabel).join(', ')} by condition`, conditionFigure(r, chunk, mode, r.title ?? r.experiment)));
  }
  out.push(...(await genericSeries(r, mode)));
  return out;
}

/** Every figure for one experiment's results; figures whose data are absent are left out. */
export async function figuresFor(r: ExperimentResults, mode: ErrorBars = 'std'): Promise<Figure[]> {
  const spec: Spec | undefined = Object.hasOwn(SPECS, r.experiment) ? SPECS[r.experiment] : undefined;
  let figs = spec ? await spec(r, mode) : await genericFigures(r, mode);
  figs = figs.filter((f) => f.svg.includes('<svg'));
  // a known experiment whose metric names differ from what its spec expects still gets figures
  if (spec && figs.length === 0) figs = (await genericFigures(r, mode)).filter((f) => f.svg.includes('<svg'));
  // the representative trials' spectra (Exp 1, 4, 7, 9 store them): one trial, so the same in both error-bar modes
  figs.push(...(await spectraFigures(r)).filter((f) => f.svg.includes('<svg')));
  return figs;
}

/** Spectrum of every matrix of a `condlab inspect` report (log σ vs normalised index). */
export async function inspectFigure(report: { matrices: { name: string; sigma: number[] }[] }): Promise<string> {
  const points: Point[] = report.matrices.slice(0, SYMBOLS.length).flatMap((m) =>
    m.sigma.map((s, i) => ({ series: m.name, x: (i + 1) / m.sigma.length, y: s, lo: s, hi: s })).filter((p) => p.y > 0));
  return linesFigure(points, { title: 'Singular-value spectra', xLabel: 'normalised index i/n', yLabel: 'singular value σᵢ', band: true });
}

/**
 * `condlab inspect`'s ESD figure: for the (at most 10) fitted matrices with the most eigenvalues, the empirical
 * survival function P(Λ ≥ λ) of λᵢ = σᵢ²/N on log–log axes — a power-law tail p(λ) ∝ λ^(−α) is a straight line of
 * slope 1 − α there; each series is labelled with its fitted α.
 */
export async function inspectEsdFigure(report: { matrices: { name: string; sigma: number[]; rows: number; cols: number; alpha: number | null }[] }): Promise<string> {
  const chosen = report.matrices
    .filter((m) => m.alpha !== null)
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.sigma.length - a.m.sigma.length || a.i - b.i)
    .slice(0, SYMBOLS.length)
    .sort((a, b) => a.i - b.i);
  const points: Point[] = chosen.flatMap(({ m }) => {
    const N = Math.max(m.rows, m.cols);
    const series = `${m.name} (α ${m.alpha!.toFixed(2)})`;
    // eigenvalues below λ_max·2^-46 (σ below σ₁'s float32 resolution: dead channels) would stretch the axis over
    // dozens of decades; they stay in the table and JSON
    const floor = ((m.sigma[0] ?? 0) * 2 ** -23) ** 2 / N;
    return m.sigma.map((s, i) => ({ series, x: (s * s) / N, y: (i + 1) / m.sigma.length, lo: 0, hi: 0 })).filter((p) => p.x > floor && p.x > 0).map((p) => ({ ...p, lo: p.y, hi: p.y }));
  });
  const xs = points.map((p) => p.x as number);
  const lo = Math.floor(Math.log10(Math.min(...xs))), hi = Math.ceil(Math.log10(Math.max(...xs)));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / 8)); // at most ~8 decade labels
  const xTicks = Array.from({ length: Math.max(0, Math.floor((hi - lo) / step) + 1) }, (_, i) => Number(`1e${lo + i * step}`));
  return linesFigure(points, { title: 'Empirical spectral densities (survival function)', xLabel: 'eigenvalue λ of WᵀW/N', yLabel: 'P(Λ ≥ λ)', xType: 'log', band: true, xTicks });
}
