// `correctives` (beyond the paper, issue "the slides' cure"): Exp 4's protocol — same target, same batches, paired —
// with two more correctives:
//   hybrid  learnable multipliers and spectral regularisation together (seed 000's prescription): W_eff =
//           diag(r)·W·diag(c) with r, c at lr·multLrFactor, plus λ(log κ(W) − log κ*)² on W, clipped as in Exp 4;
//   muon    Muon-style orthogonalised updates: W ← W − η·NS₅(g + β·m), m ← β·m + g, β = 0.95, η = MUON_LR, where NS₅ is
//           five quintic Newton–Schulz steps (3.4445, −4.7750, 2.0315): every singular direction of the step moves by
//           about the same amount, which is exactly the imbalance Exp 3 measures for SGD.
// Metrics as Exp 4 (COMPONENT_METRICS, kappa, finalLoss).
import type { CellContext, CellResult, Experiment } from './types.js';
import { epochCost, linearSpec, methodSpec, runLinear, trialTarget } from './common.js';

/** Muon's step size: orthogonalised steps have spectral norm ≈ 1, so η is a distance per step, not a gain. */
export const MUON_LR = 0.02;

export const CORRECTIVES = ['sgd', 'multipliers', 'specreg', 'svdcorr', 'hybrid', 'muon'] as const;

export const correctivesExperiment: Experiment = {
  id: 'correctives',
  title: 'Correctives beyond the paper: hybrid and Muon beside Exp 4',
  paperSection: 'beyond the paper (seed 000, review)',
  description: 'Exp 4 protocol (d = 64, same target and batches) with hybrid multipliers + spectral regularisation and Muon.',
  presets: {
    quick: { dims: [64], trials: 5 },
    paper: { dims: [64], trials: 10 },
  },
  cells: () => ['all'],
  cellCost: (config) => config.epochs * (8 * epochCost(config.dims[0], config.batch) + 12 * (config.dims[0] / 64) ** 3),
  runCell(ctx: CellContext): CellResult {
    const d = ctx.config.dims[0];
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d);
      const out: CellResult = {};
      CORRECTIVES.forEach((m, i) => {
        const spec =
          m === 'hybrid'
            ? linearSpec(ctx.config, d, { multipliers: true, specLambda: ctx.config.specLambda })
            : m === 'muon'
              ? linearSpec(ctx.config, d, { optimizer: 'muon', lr: MUON_LR })
              : methodSpec(ctx.config, d, m);
        out[m] = runLinear(ctx, ref, spec);
        ctx.progress?.((i + 1) / CORRECTIVES.length);
      });
      return out;
    });
  },
};
