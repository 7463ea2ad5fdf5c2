// Exp 5 (paper §4.5): training dynamics. Plain SGD at d = 64; every component error sampled at epochs
// 0, evalEvery, …, epochs (series named as the metrics: rowNormErr, colNormErr, svErr, kappaErr, logKappaErr,
// effRankErr, gapErr, frobErr, overallErr, kappa). Condition: `sgd`.
// Extra metrics, per trial, for C21 ("norms fall monotonically, κ erratic"):
//   <m>MonoFrac   fraction of consecutive samples at which metric m decreased (1 = monotone decrease);
//   <m>Roughness  total variation Σ|Δm| divided by |m(first) − m(last)| (1 = monotone, ≫ 1 = erratic);
// for m ∈ rowNormErr, colNormErr, frobErr, kappaErr, logKappaErr.
// Closed-form overlay (src/theory/trial.ts), for the trial's own W* and W₀: series predRowNormErr, predColNormErr,
// predFrobErr, predOverallErr at the same epochs, and the same names (+ predMeanPathKappaErr,
// predMeanPathLogKappaErr) as metrics at the last epoch.
import type { Matrix } from '../engine/block.js';
import type { CellContext, CellResult, ConditionResult, Experiment } from './types.js';
import { methodSpec, runLinear, seriesEpochs, seriesRunCost, trialTarget } from './common.js';
import { closedFormMetrics, closedFormSeries, overlayOf, type Overlay } from '../theory/trial.js';
import { spectraSampling } from './spectra.js';

export const MONOTONICITY_METRICS = ['rowNormErr', 'colNormErr', 'frobErr', 'kappaErr', 'logKappaErr'];

export function monoFrac(xs: number[]): number {
  if (xs.length < 2) return 1;
  let down = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) down++;
  return down / (xs.length - 1);
}

export function roughness(xs: number[]): number {
  let tv = 0;
  for (let i = 1; i < xs.length; i++) tv += Math.abs(xs[i] - xs[i - 1]);
  return tv / Math.abs(xs[0] - xs[xs.length - 1]);
}

export function addMonotonicity(r: ConditionResult): ConditionResult {
  if (r.diverged || !r.series) return r;
  for (const m of MONOTONICITY_METRICS) {
    const s = r.series[m];
    if (!s) continue;
    r.metrics[`${m}MonoFrac`] = monoFrac(s);
    r.metrics[`${m}Roughness`] = roughness(s);
  }
  return r;
}

/**
 * the plain SGD series run (the same target, spec, epochs and so the same numbers) plus the closed-form overlay;
 * `extra` may add more from the overlay (Exp 9: the noise floor); `spectra` makes the representative trials keep
 * their spectra with σ₁, σ_min at the series epochs (Exp 9).
 */
export function runSgdSeriesWithClosedForm(ctx: CellContext, extra?: (o: Overlay, r: ConditionResult) => void, spectra = false): ConditionResult {
  const d = ctx.config.dims[0];
  return ctx.engine.scope(() => {
    const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d);
    const spec = methodSpec(ctx.config, d, 'sgd');
    const start: { W0?: Float64Array } = {};
    const series = seriesEpochs(ctx.config.epochs, ctx.config.evalEvery);
    const r = runLinear(ctx, ref, spec, {
      series,
      onStart: (W: Matrix) => void (start.W0 = W.toArray()),
      spectra: spectra ? spectraSampling(ctx.trial, ctx.config.epochs, series) : undefined,
    });
    const overlay = start.W0 && !r.diverged ? overlayOf(ref, start.W0, spec) : undefined;
    if (overlay) {
      if (r.series && r.seriesEpochs) Object.assign(r.series, closedFormSeries(overlay, r.seriesEpochs));
      Object.assign(r.metrics, closedFormMetrics(overlay, ref, ctx.config.epochs, ctx.engine));
      extra?.(overlay, r);
    }
    return r;
  });
}

export const exp5: Experiment = {
  id: 'exp5',
  title: 'Training dynamics of component errors',
  paperSection: '4.5',
  description: 'SGD at d = 64 for 200 epochs; every component error recorded every evalEvery epochs.',
  presets: {
    quick: { dims: [64], trials: 5, evalEvery: 2 },
    paper: { dims: [64], trials: 10, evalEvery: 1 },
  },
  cells: () => ['all'],
  cellCost: (config) => seriesRunCost(config),
  runCell(ctx: CellContext): CellResult {
    return { sgd: addMonotonicity(runSgdSeriesWithClosedForm(ctx)) };
  },
};
