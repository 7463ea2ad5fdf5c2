// `spectral` (seed 004 §7.3, issue 17): spectral-transfer steps on the paper's single layer. Exp 4's protocol (d =
// dims[0], same target, W₀ and batches per trial — one paired condition per cell, ablations/paired.ts) with
//   sgd        the paper's SGD (lr)
//   muon       Muon: Nesterov momentum + Newton–Schulz orthogonalisation (MUON_LR)
//   st=<α>     spectral transfer at curvature exponent α for α ∈ stAlphas: W ← W − stLr·U·diag(φ)·Vᵀ of the
//              Nesterov momentum G = U·diag(s)·Vᵀ (β = 0.95 as Muon), φ ∝ s^(1−α) with max φ = 1 (the step's spectral
//              norm is stLr), directions with s < stTau·s₁ dropped. α = 0 is normalised SGD with momentum, α = 1 the
//              exact polar factor (Muon without the Newton–Schulz error), α = 2 Spectral Newton.
// Metrics: COMPONENT_METRICS, kappa, finalLoss; a diverged run is reported as diverged. Cost per step and wall-clock
// are measured by bench/correctives.bench.ts (the `st` corrective) and bench/spectral.bench.ts, not stored in the
// results (they are not deterministic).
import type { TrainSpec } from '../train/trainer.js';
import type { Experiment, RunConfig } from './types.js';
import { epochCost, linearSpec } from './common.js';
import { pairedAblation, unique } from './ablations/paired.js';
import { MUON_LR, stSpec } from './correctives.js';

/** The conditions of the `spectral` experiment, in report order. */
export function spectralConditions(config: RunConfig, d: number): { name: string; spec: TrainSpec }[] {
  return [
    { name: 'sgd', spec: linearSpec(config, d) },
    { name: 'muon', spec: linearSpec(config, d, { optimizer: 'muon', lr: MUON_LR }) },
    ...unique(config.stAlphas).map((a) => ({ name: `st=${a}`, spec: stSpec(config, d, a) })),
  ];
}

const base = pairedAblation({
  id: 'spectral',
  title: 'Spectral transfer: steps U·diag(s^(1−α))·Vᵀ from SGD (α = 0) through Muon (α = 1) to Spectral Newton (α = 2)',
  description: 'Seed 004 §7.3 on the paper\'s single layer: SGD, Muon and spectral-transfer steps at α ∈ stAlphas on the same targets and batches; does a step that is larger along small gradient directions learn κ?',
  cells: spectralConditions,
});

export const spectralExperiment: Experiment = {
  ...base,
  paperSection: 'beyond the paper (seed 004 §7.3)',
  presets: { quick: { dims: [32], trials: 3 }, paper: { dims: [64], trials: 10 } },
  // one d×d Jacobi SVD per spectral-transfer step: about 5 plain epochs at d = 64 (correctives bench)
  cellCost: (config, name) => config.epochs * (epochCost(config.dims[0], config.batch) + (name.startsWith('st=') ? 5 * (config.dims[0] / 64) ** 3 : 0)) + 16 * (config.dims[0] / 64) ** 3,
};
