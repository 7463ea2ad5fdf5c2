// Exp 4 (paper §4.4): correctives at d = 64 on the same target and batches.
// Conditions: `sgd`; `multipliers` (W_eff = diag(r)·W·diag(c), SGD on r, c at lr·multLrFactor; metrics on W_eff);
// `specreg` (+λ(log κ(W) − log κ*)², analytic gradient clipped to specClip in Frobenius norm, SVD every step);
// `svdcorr` (after epochs svdCorrEvery, 2·svdCorrEvery, … including the last: σ ← σ + svdCorrRate·(σ* − σ)).
// Metrics: COMPONENT_METRICS, kappa, finalLoss. Trial 0 also keeps every condition's spectra (src/experiments/spectra.ts).
import type { CellContext, CellResult, Experiment } from './types.js';
import { epochCost, evalCost, spectraCost, svdVectorsCost, methodSpec, runLinear, trialTarget } from './common.js';
import { spectraSampling } from './spectra.js';

export const EXP4_METHODS = ['sgd', 'multipliers', 'specreg', 'svdcorr'] as const;

export const exp4: Experiment = {
  id: 'exp4',
  title: 'Corrective strategies',
  paperSection: '4.4',
  description: 'SGD, learnable multipliers, spectral regularisation and periodic SVD correction at d = 64.',
  presets: {
    quick: { dims: [64], trials: 5 },
    paper: { dims: [64], trials: 10 },
  },
  cells: () => ['all'],
  // the spectral regulariser's per-step SVD costs about as much as five plain epochs at d = 64
  // four methods' steps; specreg's SVD with vectors every step, svdcorr's every svdCorrEvery; a final evaluation each
  cellCost: (config) => {
    const d = config.dims[0];
    return config.epochs * (4 * epochCost(d, config.batch) + svdVectorsCost(d) * (1 + 1 / config.svdCorrEvery)) + 4 * evalCost(d);
  },
  trialZeroCost: (config) => spectraCost(config, config.dims[0], 4),
  runCell(ctx: CellContext): CellResult {
    const d = ctx.config.dims[0];
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d);
      const out: CellResult = {};
      EXP4_METHODS.forEach((m, i) => {
        out[m] = runLinear(ctx, ref, methodSpec(ctx.config, d, m), { spectra: spectraSampling(ctx.trial, ctx.config.epochs) });
        ctx.progress?.((i + 1) / EXP4_METHODS.length);
      });
      return out;
    });
  },
};
