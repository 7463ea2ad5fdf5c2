// Figures of the ablations (src/experiments/ablations/): per ablation the key errors — row norms, column norms, κ,
// |log κ̂ − log κ*|, overall — against the ablated knob, with error bars (±1 std or median/IQR, as every figure).
// The x axis is logarithmic when the grid is positive and spans a decade or more, ordinal when it holds 0 (label
// noise) or is categorical (init kind). abl-multlr and abl-specreg put plain SGD of the same trials first on an
// ordinal axis — it *is* f = 0 (multipliers frozen at 1) and λ = 0 — and abl-specreg draws one line per clip over λ.
// Conditions that diverged in some trials are named in the figure title (their diverged trials are never averaged;
// a condition that diverged in every trial has no point).
//
// figures.ts spreads ABLATION_SPECS into its SPECS when it is evaluated, and this file needs figures.ts's plotting
// helpers. A static import both ways would be an import cycle that breaks whenever this file is loaded first, so
// the helpers are imported lazily, when a figure is drawn (only types are imported statically).
import type { ExperimentResults } from '../experiments/types.js';
import type { ErrorBars, Figure, Point, Spec } from './figures.js';

const lib = () => import('./figures.js');

const KEY_METRICS = ['rowNormErr', 'colNormErr', 'kappaErr', 'logKappaErr', 'overallErr'];
const ERR = 'relative error';

const summaries = (r: ExperimentResults) => (r && typeof r.summaries === 'object' && r.summaries) || {};

/** " — diverged: multlr=1 in 3 of 10 trials; …" for every condition with diverged trials, else ''. */
export function divergedNote(r: ExperimentResults): string {
  const parts = Object.entries(summaries(r))
    .filter(([, s]) => (s?.nDiverged ?? 0) > 0)
    .map(([c, s]) => `${c} in ${s.nDiverged} of ${s.nDiverged + (s.n ?? 0)} trials`);
  return parts.length ? ` — diverged: ${parts.join('; ')}` : '';
}

/** Grid values parsed from condition names `<prefix><number>` (sorted ascending, with their condition names). */
function grid(r: ExperimentResults, prefix: string): { x: number; cond: string }[] {
  return Object.keys(summaries(r))
    .filter((c) => c.startsWith(prefix) && !c.slice(prefix.length).includes(','))
    .map((c) => ({ x: Number(c.slice(prefix.length)), cond: c }))
    .filter((g) => Number.isFinite(g.x))
    .sort((a, b) => a.x - b.x);
}

/** 'log' for a positive grid spanning ≥ 10× (geometric grids), 'point' when it holds 0 or ≤ 0, else linear. */
export function axisFor(xs: number[]): 'log' | 'point' | 'linear' {
  if (xs.length === 0) return 'linear';
  if (xs.some((x) => x <= 0)) return 'point';
  return Math.max(...xs) / Math.min(...xs) >= 10 ? 'log' : 'linear';
}

const fmt = (x: number): string => String(Number(x.toPrecision(3)));

interface KnobColumn {
  /** x value (number on a log/linear axis, label on an ordinal one). */
  x: number | string;
  cond: string;
}

/** One line per metric over the knob's columns. */
async function metricsOverKnob(r: ExperimentResults, mode: ErrorBars, columns: KnobColumn[], metrics: string[], o: { title: string; xLabel: string; xType: 'log' | 'point' | 'linear' }): Promise<string> {
  const { bars, linesFigure, metricLabel } = await lib();
  const sums = summaries(r);
  // an ordinal tick says how many trials of its condition diverged (their points average only the others)
  const tick = (c: KnobColumn) => {
    const s = sums[c.cond];
    return typeof c.x === 'string' && s?.nDiverged ? `${c.x} (${s.nDiverged}/${s.nDiverged + s.n} diverged)` : c.x;
  };
  const points: Point[] = [];
  for (const m of metrics) for (const c of columns) {
    const b = bars(sums[c.cond]?.metrics?.[m], mode);
    if (b) points.push({ series: metricLabel(m), x: tick(c), ...b });
  }
  const numeric = columns.map((c) => c.x).filter((x): x is number => typeof x === 'number');
  return linesFigure(points, {
    title: o.title, xLabel: o.xLabel, yLabel: `${ERR} (${mode === 'std' ? 'mean ± 1 std' : 'median, IQR'})`, xType: o.xType,
    xTicks: o.xType !== 'point' && numeric.length <= 12 ? numeric : undefined,
  });
}

/** A numeric grid `<prefix><v>`: log/ordinal/linear x as the grid asks (ordinal x values are strings). */
async function sweep(r: ExperimentResults, mode: ErrorBars, prefix: string, o: { title: string; xLabel: string }): Promise<string> {
  const g = grid(r, prefix);
  const xType = axisFor(g.map((c) => c.x));
  const columns = g.map((c) => ({ x: xType === 'point' ? fmt(c.x) : c.x, cond: c.cond }));
  return metricsOverKnob(r, mode, columns, KEY_METRICS, { ...o, xLabel: `${o.xLabel}${xType === 'log' ? ' (log scale)' : ''}`, xType });
}

/** Plain SGD first (as `<zero> (SGD)`), then the grid ascending, on an ordinal axis. */
function withSgdFirst(r: ExperimentResults, prefix: string, zero: string): KnobColumn[] {
  const g = grid(r, prefix).map((c) => ({ x: fmt(c.x), cond: c.cond }));
  return summaries(r).sgd ? [{ x: `${zero} (SGD)`, cond: 'sgd' }, ...g] : g;
}

/** abl-specreg: one line per clip over λ (SGD = λ = 0 shared by every line), for one metric. */
async function specregFigure(r: ExperimentResults, mode: ErrorBars, metric: string, yLabel: string, title: string): Promise<string> {
  const { bars, linesFigure } = await lib();
  const sums = summaries(r);
  const cells = Object.keys(sums)
    .map((c) => /^lambda=([^,]+),clip=(.+)$/.exec(c))
    .filter((m): m is RegExpExecArray => m !== null && Number.isFinite(Number(m[1])) && Number.isFinite(Number(m[2])))
    .map((m) => ({ lambda: Number(m[1]), clip: Number(m[2]), cond: m[0] }));
  const lambdas = [...new Set(cells.map((c) => c.lambda))].sort((a, b) => a - b);
  const clips = [...new Set(cells.map((c) => c.clip))].sort((a, b) => a - b);
  const sgd = bars(sums.sgd?.metrics?.[metric], mode);
  const points: Point[] = [];
  // the x order is the order of first appearance: SGD, then λ ascending
  for (const clip of clips) {
    const series = `clip = ${fmt(clip)}`;
    if (sgd) points.push({ series, x: '0 (SGD)', ...sgd });
    for (const lambda of lambdas) {
      const c = cells.find((k) => k.lambda === lambda && k.clip === clip);
      const b = c && bars(sums[c.cond]?.metrics?.[metric], mode);
      if (b) points.push({ series, x: fmt(lambda), ...b });
    }
  }
  if (!cells.length) return '';
  return linesFigure(points, {
    title, xLabel: 'regulariser weight λ (ordinal; 0 = plain SGD, the same trials)', xType: 'point',
    yLabel: `${yLabel} (${mode === 'std' ? 'mean ± 1 std' : 'median, IQR'})`,
  });
}

/** abl-batch: cells `B=<b>,<mode>` of one mode as numeric columns (B ascending). */
function batchColumns(r: ExperimentResults, mode: 'steps' | 'samples'): KnobColumn[] {
  return Object.keys(summaries(r))
    .map((c) => new RegExp(`^B=(\\d+),${mode}$`).exec(c))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ x: Number(m[1]), cond: m[0] }))
    .sort((a, b) => (a.x as number) - (b.x as number));
}

async function figure(id: string, title: string, svg: Promise<string>): Promise<Figure> {
  return { id, title, svg: await svg };
}

export const ABLATION_SPECS: Record<string, Spec> = {
  'abl-init': async (r, m) => {
    const d = r.config?.dims?.[0];
    const label: Record<string, string> = {
      zeros: 'zeros',
      gauss: `gauss, std ${r.config?.initStd ?? '?'}`,
      xavier: d ? `xavier, std ${fmt(1 / Math.sqrt(d))}` : 'xavier',
    };
    const columns = Object.keys(summaries(r)).filter((c) => c.startsWith('init=')).map((c) => ({ x: label[c.slice(5)] ?? c.slice(5), cond: c }));
    return [await figure('init', `Ablation: initialisation W₀ (same targets and batches)${divergedNote(r)}`,
      metricsOverKnob(r, m, columns, KEY_METRICS, { title: 'Init: zeros, Gaussian, Xavier', xLabel: 'initialisation W₀', xType: 'point' }))];
  },
  'abl-noise': async (r, m) => [
    await figure('noise', `Ablation: label-noise std${divergedNote(r)}`, sweep(r, m, 'noise=', { title: 'Label noise', xLabel: 'label-noise std σ_ε' })),
  ],
  'abl-scale': async (r, m) => [
    await figure('scale', `Ablation: target scale s (W* → s·W*; init and noise std absolute)${divergedNote(r)}`, sweep(r, m, 'scale=', { title: 'Target scale', xLabel: 'target scale s' })),
  ],
  'abl-multlr': async (r, m) => [
    await figure('multlr', `Ablation: multiplier lr factor f (multipliers at lr·f; f = 0 is plain SGD)${divergedNote(r)}`,
      metricsOverKnob(r, m, withSgdFirst(r, 'multlr=', '0'), KEY_METRICS, { title: 'Multiplier lr factor', xLabel: 'multiplier lr factor f (ordinal)', xType: 'point' })),
  ],
  'abl-specreg': async (r, m) => {
    const note = divergedNote(r);
    return [
      await figure('specreg-kappa', `Ablation: spectral regulariser, κ error over λ per clip${note}`, specregFigure(r, m, 'kappaErr', 'κ relative error', 'Spectral regulariser: κ error')),
      await figure('specreg-logkappa', `Ablation: spectral regulariser, |log κ̂ − log κ*| over λ per clip${note}`, specregFigure(r, m, 'logKappaErr', '|log κ̂ − log κ*|', 'Spectral regulariser: |log κ̂ − log κ*|')),
      await figure('specreg-row', `Ablation: spectral regulariser, row-norm error over λ per clip${note}`, specregFigure(r, m, 'rowNormErr', 'row-norm relative error', 'Spectral regulariser: row norms')),
    ];
  },
  'abl-lrtime': async (r, m) => {
    const T = r.config ? r.config.lr * r.config.epochs : NaN;
    const t = Number.isFinite(T) ? ` = ${fmt(T)}` : '';
    return [await figure('lrtime', `Ablation: learning rate at fixed lr·epochs${t} (epochs = lr·epochs / lr)${divergedNote(r)}`,
      sweep(r, m, 'lr=', { title: `lr at fixed lr·epochs${t}`, xLabel: 'learning rate' }))];
  },
  'abl-batch': async (r, m) => {
    const metrics = [...KEY_METRICS, 'predRowNormErr', 'predOverallErr'];
    const e = r.config?.epochs, b = r.config?.batch;
    const steps = e ? ` (${e} steps)` : '', samples = e && b ? ` (≈ ${e * b} samples)` : '';
    const out: Figure[] = [];
    for (const [mode, note] of [['steps', steps], ['samples', samples]] as const) {
      const cols = batchColumns(r, mode);
      if (!cols.length) continue;
      out.push(await figure(`batch-${mode}`, `Ablation: batch size at fixed ${mode}${note}, with the closed form (pred…)${divergedNote(r)}`,
        metricsOverKnob(r, m, cols, metrics, { title: `Batch size at fixed ${mode}`, xLabel: 'batch size B (log scale)', xType: cols.length > 1 ? 'log' : 'linear' })));
    }
    return out;
  },
};
