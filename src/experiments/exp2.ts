// Exp 2 (paper §4.2): SGD (lr = config.lr) vs Adam (lr = config.adamLr, β = 0.9/0.999, ε = 1e-8, bias-corrected)
// on the same target and batches. Conditions: `sgd`, `adam`. Metrics: COMPONENT_METRICS, kappa, finalLoss.
import type { CellContext, CellResult, Experiment } from './types.js';
import { epochCost, methodSpec, runLinear, trialTarget } from './common.js';

export const exp2: Experiment = {
  id: 'exp2',
  title: 'SGD vs Adam',
  paperSection: '4.2',
  description: 'Single linear layer at d = 128: SGD (lr 0.01) vs Adam (lr 1e-3), same target and batches per trial.',
  presets: {
    quick: { dims: [128], trials: 5 },
    paper: { dims: [128], trials: 15 },
  },
  cells: () => ['all'],
  cellCost: (config) => 2 * config.epochs * epochCost(config.dims[0], config.batch),
  runCell(ctx: CellContext): CellResult {
    const d = ctx.config.dims[0];
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d);
      const out: CellResult = {};
      for (const m of ['sgd', 'adam'] as const) {
        out[m] = runLinear(ctx, ref, methodSpec(ctx.config, d, m));
        ctx.progress?.(m === 'sgd' ? 0.5 : 1);
      }
      return out;
    });
  },
};
