// Exp 9 (paper §4.9): long training, d = 128 for 1000 epochs, plain SGD. Series at epochs 0, evalEvery, …, epochs
// of every component error plus `ratio` = kappaErr / rowNormErr (per trial). The paper preset samples every
// 10 epochs (101 SVDs per trial instead of 1001; the curves are smooth on that scale and the training itself is
// unchanged). Condition: `sgd`. Metrics: COMPONENT_METRICS at the end, kappa, finalLoss, ratioStart (at the first
// sample, epoch 0), ratioEnd (at the last).
// Closed-form overlay (src/theory/trial.ts), for the trial's own W* and W₀: series predRowNormErr, predColNormErr,
// predFrobErr, predOverallErr at the sample epochs, the same (+ predMeanPathKappaErr, predMeanPathLogKappaErr) as
// metrics at the end, and the predicted label-noise floor (t = ∞): predFloorRowNormErr, predFloorColNormErr,
// predFloorOverallErr.
// Trial 0 also keeps its spectra, with σ₁ and σ_min at the series epochs (src/experiments/spectra.ts).
import type { CellContext, CellResult, Experiment } from './types.js';
import { seriesRunCost, spectraCost } from './common.js';
import { runSgdSeriesWithClosedForm } from './exp5.js';
import { closedFormFloor } from '../theory/trial.js';

export const exp9: Experiment = {
  id: 'exp9',
  title: 'Extended training (1000 epochs)',
  paperSection: '4.9',
  description: 'SGD at d = 128 for 1000 epochs; row-norm and κ errors over time and their ratio.',
  presets: {
    quick: { dims: [128], trials: 3, epochs: 1000, evalEvery: 20 },
    paper: { dims: [128], trials: 10, epochs: 1000, evalEvery: 10 },
  },
  cells: () => ['all'],
  cellCost: (config) => seriesRunCost(config),
  trialZeroCost: (config) => spectraCost(config, config.dims[0]),
  runCell(ctx: CellContext): CellResult {
    const r = runSgdSeriesWithClosedForm(ctx, (o, res) => Object.assign(res.metrics, closedFormFloor(o)), true);
    if (!r.diverged && r.series) {
      const ratio = r.series.kappaErr.map((k, i) => k / r.series!.rowNormErr[i]);
      r.series.ratio = ratio;
      r.metrics.ratioStart = ratio[0];
      r.metrics.ratioEnd = ratio[ratio.length - 1];
    }
    return { sgd: r };
  },
};
