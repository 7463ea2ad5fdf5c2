// Exp 8 (paper §4.8): sensitivity to the SGD learning rate and to weight decay at d = 64. One cell per grid value;
// conditions `lr=<lr>` (weight decay = config.weightDecay) and `wd=<wd>` (lr = config.lr). All cells of a trial
// share the target and the batches. Metrics: COMPONENT_METRICS, kappa, finalLoss, and gapRatio = kappaErr /
// rowNormErr of the trial (the claims table also forms the ratio of the across-trial means), and the closed-form
// prediction of the cell's (lr, wd) for the trial's own W* and W₀ (src/theory/trial.ts): predRowNormErr,
// predColNormErr, predFrobErr, predOverallErr, predMeanPathKappaErr, predMeanPathLogKappaErr.
import type { Matrix } from '../engine/block.js';
import type { CellContext, CellResult, Experiment, RunConfig } from './types.js';
import { epochCost, linearSpec, runLinear, trialTarget } from './common.js';
import { closedFormMetrics, overlayOf } from '../theory/trial.js';

export const exp8: Experiment = {
  id: 'exp8',
  title: 'Learning-rate and weight-decay sensitivity',
  paperSection: '4.8',
  description: 'SGD at d = 64 over lr ∈ {0.001 … 0.05} and weight decay ∈ {0, 1e-4, 1e-3, 1e-2}; gap ratio κ error / row-norm error.',
  presets: {
    quick: { dims: [64], trials: 5 },
    paper: { dims: [64], trials: 10 },
  },
  cells: (config: RunConfig) => [...config.lrs.map((lr) => `lr=${lr}`), ...config.weightDecays.map((wd) => `wd=${wd}`)],
  cellCost: (config) => config.epochs * epochCost(config.dims[0], config.batch),
  runCell(ctx: CellContext): CellResult {
    const d = ctx.config.dims[0];
    const [kind, value] = ctx.cell.split('=');
    const v = Number(value);
    if (!(kind === 'lr' || kind === 'wd') || !Number.isFinite(v)) throw new Error(`exp8: unknown cell ${ctx.cell}`);
    const spec = kind === 'lr' ? linearSpec(ctx.config, d, { lr: v }) : linearSpec(ctx.config, d, { weightDecay: v });
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d);
      const start: { W0?: Float64Array } = {};
      const r = runLinear(ctx, ref, spec, { onStart: (W: Matrix) => void (start.W0 = W.toArray()) });
      if (!r.diverged) r.metrics.gapRatio = r.metrics.kappaErr / r.metrics.rowNormErr;
      const overlay = start.W0 && !r.diverged ? overlayOf(ref, start.W0, spec) : undefined;
      if (overlay) Object.assign(r.metrics, closedFormMetrics(overlay, ref, ctx.config.epochs, ctx.engine));
      return { [ctx.cell]: r };
    });
  },
};
