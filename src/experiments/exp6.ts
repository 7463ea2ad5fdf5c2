// Exp 6 (paper §4.6): standard SGD vs learnable multipliers on three target structures, the same target (and
// batches) for both conditions. One cell per structure; conditions `<target>/standard`, `<target>/multipliers`
// with target ∈ heterogeneous | lowrank (A·Bᵀ/√(r·d), r = d/8) | blockdiag (4 unnormalised N(0,1) blocks).
// Metrics: COMPONENT_METRICS, kappa, finalLoss. Gains (1 − err_mult/err_std) are derived by the claims table.
import type { CellContext, CellResult, Experiment, TargetKind } from './types.js';
import { epochCost, methodSpec, runLinear, trialTarget } from './common.js';

export const EXP6_TARGETS: TargetKind[] = ['heterogeneous', 'lowrank', 'blockdiag'];

export const exp6: Experiment = {
  id: 'exp6',
  title: 'Multipliers across target structures',
  paperSection: '4.6',
  description: 'Standard SGD vs learnable multipliers on heterogeneous, low-rank and block-diagonal targets at d = 64.',
  presets: {
    quick: { dims: [64], trials: 5 },
    paper: { dims: [64], trials: 15 },
  },
  cells: () => [...EXP6_TARGETS],
  cellCost: (config) => 2 * config.epochs * epochCost(config.dims[0], config.batch),
  runCell(ctx: CellContext): CellResult {
    const d = ctx.config.dims[0];
    const kind = ctx.cell as TargetKind;
    if (!EXP6_TARGETS.includes(kind)) throw new Error(`exp6: unknown cell ${ctx.cell}`);
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d, kind);
      return {
        [`${kind}/standard`]: runLinear(ctx, ref, methodSpec(ctx.config, d, 'sgd')),
        [`${kind}/multipliers`]: runLinear(ctx, ref, methodSpec(ctx.config, d, 'multipliers')),
      };
    });
  },
};
