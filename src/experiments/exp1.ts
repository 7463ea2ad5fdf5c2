// Exp 1 (paper §4.1): component errors vs dimension. Plain SGD on the single layer, one cell per d.
// Conditions: `d=<d>`. Metrics: COMPONENT_METRICS (rowNormErr … overallErr, logKappaErr), kappa (trained κ),
// finalLoss, and the closed-form prediction for the trial's own W* and W₀ at the last epoch (src/theory/trial.ts):
// predRowNormErr, predColNormErr, predFrobErr, predOverallErr, predMeanPathKappaErr, predMeanPathLogKappaErr.
// Trial 0 also keeps its spectra (σ*, σ̂, σ₁/σ_min at 21 epochs; src/experiments/spectra.ts).
import type { Matrix } from '../engine/block.js';
import type { CellContext, CellResult, Experiment, RunConfig } from './types.js';
import { bidiagCost, epochCost, evalCost, methodSpec, runLinear, spectraCost, trialTarget } from './common.js';
import { closedFormMetrics, overlayOf } from '../theory/trial.js';
import { spectraSampling } from './spectra.js';

const dimOf = (cell: string): number => Number(cell.slice(2));

export const exp1: Experiment = {
  id: 'exp1',
  title: 'Component errors vs dimension (SGD)',
  paperSection: '4.1',
  description: 'Single linear layer trained by SGD at d ∈ {32 … 512}; relative errors of row/column norms, singular values, κ, effective rank, spectral gap, Frobenius norm and the whole matrix.',
  presets: {
    quick: { dims: [32, 64, 128, 256], trials: 5 },
    paper: { dims: [32, 64, 128, 256, 512], trials: 15 },
  },
  cells: (config: RunConfig) => config.dims.map((d) => `d=${d}`),
  // the steps, then three SVDs: the target's components, the trained weight's, and the closed-form mean path's κ
  cellCost: (config, cell) => config.epochs * epochCost(dimOf(cell), config.batch) + 2 * evalCost(dimOf(cell)) + bidiagCost(dimOf(cell)),
  trialZeroCost: (config, cell) => spectraCost(config, dimOf(cell)),
  runCell(ctx: CellContext): CellResult {
    const d = dimOf(ctx.cell);
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d);
      const spec = methodSpec(ctx.config, d, 'sgd');
      const start: { W0?: Float64Array } = {};
      const r = runLinear(ctx, ref, spec, {
        onStart: (W: Matrix) => void (start.W0 = W.toArray()),
        spectra: spectraSampling(ctx.trial, ctx.config.epochs),
      });
      const overlay = start.W0 && !r.diverged ? overlayOf(ref, start.W0, spec) : undefined;
      if (overlay) Object.assign(r.metrics, closedFormMetrics(overlay, ref, ctx.config.epochs, ctx.engine));
      return { [ctx.cell]: r };
    });
  },
};
