// `correctives` (beyond the paper, issue "the slides' cure"): Exp 4's protocol — same target, same batches, paired —
// with two more correctives:
//   hybrid  learnable multipliers and spectral regularisation together (seed 000's prescription): W_eff =
//           diag(r)·W·diag(c) with r, c at lr·multLrFactor, plus λ(log κ(W) − log κ*)² on W, clipped as in Exp 4;
//   muon    Muon-style orthogonalised updates: W ← W − η·NS₅(g + β·m), m ← β·m + g, β = 0.95, η = MUON_LR, where NS₅ is
//           five quintic Newton–Schulz steps (3.4445, −4.7750, 2.0315): every singular direction of the step moves by
//           about the same amount, which is exactly the imbalance Exp 3 measures for SGD;
//   svmult  learnable singular-value multipliers (review Q6): W_eff = U·diag(σ ⊙ m)·Vᵀ with (U, σ, V) = svd(W) at every
//           step (basis held fixed within a step), m ∈ ℝᵈ from 1 at lr·multLrFactor (assembly/train/svmult.ts);
//   orthreg orthogonality regulariser (review W4b): + orthLambda·‖WᵀW − I‖²_F (assembly/train/orthogonal.ts);
//   pss     Parametric Singularity Smoothing (seed 003; our form, assembly/train/spectral.ts): every pssEvery epochs
//           log σᵢ ← (1 − α)·log σᵢ + α·mean log σ with α = pssStrength, so κ ← κ^(1−α), singular vectors kept.
//   st      spectral transfer at α = stAlpha (default 2, "Spectral Newton", seed 004 §7.3): step η·U·diag(φ)·Vᵀ of the
//           gradient momentum's SVD, φ ∝ s^(1−α) normalised to spectral norm 1, s < stTau·s₁ dropped, η = stLr
//           (assembly/train/spectral_transfer.ts; the α sweep is the `spectral` experiment, docs/spectral-transfer.md).
//   sdtop, sdbottom  structured decay (review W4d; assembly/train/structured_decay.ts): + (λ/2)·Σ_{i∈S} σᵢ² with
//           λ = structDecayLambda on the top (sdtop) or bottom (sdbottom) structDecayK singular directions of W
//           only — weight decay that reshapes the spectrum (top: κ down; bottom: κ up, init leftovers on σ_min removed).
// Metrics as Exp 4 (COMPONENT_METRICS, kappa, finalLoss), on W_eff.
import type { CellContext, CellResult, Experiment, RunConfig } from './types.js';
import type { TrainSpec } from '../train/trainer.js';
import { epochCost, linearSpec, methodSpec, runLinear, trialTarget } from './common.js';

/** Muon's step size: orthogonalised steps have spectral norm ≈ 1, so η is a distance per step, not a gain. */
export const MUON_LR = 0.02;

/** The spectral-transfer spec at curvature exponent α, with the run config's τ and step length (stLr). */
export function stSpec(config: RunConfig, d: number, alpha: number): TrainSpec {
  return linearSpec(config, d, { optimizer: 'st', lr: config.stLr, stAlpha: alpha, stTau: config.stTau });
}

export const CORRECTIVES = ['sgd', 'multipliers', 'specreg', 'svdcorr', 'hybrid', 'muon', 'svmult', 'orthreg', 'pss', 'st', 'sdtop', 'sdbottom'] as const;
export type Corrective = (typeof CORRECTIVES)[number];

/** The training spec of one corrective at dimension d. */
export function correctiveSpec(config: RunConfig, d: number, m: Corrective): TrainSpec {
  switch (m) {
    case 'hybrid': return linearSpec(config, d, { multipliers: true, specLambda: config.specLambda });
    case 'muon': return linearSpec(config, d, { optimizer: 'muon', lr: MUON_LR });
    case 'svmult': return linearSpec(config, d, { svMultipliers: true });
    case 'orthreg': return linearSpec(config, d, { orthLambda: config.orthLambda });
    case 'pss': return linearSpec(config, d, { pssEvery: config.pssEvery, pssStrength: config.pssStrength });
    case 'st': return stSpec(config, d, config.stAlpha);
    case 'sdtop': return linearSpec(config, d, { structDecayLambda: config.structDecayLambda, structDecayK: Math.min(config.structDecayK, d) });
    case 'sdbottom': return linearSpec(config, d, { structDecayLambda: config.structDecayLambda, structDecayK: -Math.min(config.structDecayK, d) });
    default: return methodSpec(config, d, m);
  }
}

export const correctivesExperiment: Experiment = {
  id: 'correctives',
  title: 'Correctives beyond the paper: hybrid, Muon, singular-value multipliers, orthogonality, PSS beside Exp 4',
  paperSection: 'beyond the paper (seed 000, review)',
  description: 'Exp 4 protocol (d = 64, same target and batches) with hybrid multipliers + spectral regularisation, Muon, singular-value multipliers, orthogonality regularisation and Parametric Singularity Smoothing.',
  presets: {
    quick: { dims: [64], trials: 5 },
    paper: { dims: [64], trials: 10 },
  },
  cells: () => ['all'],
  // six methods take an SVD every step (specreg, hybrid, svmult, st, sdtop, sdbottom), each ~5 plain epochs at d = 64
  cellCost: (config) => config.epochs * (15 * epochCost(config.dims[0], config.batch) + 34 * (config.dims[0] / 64) ** 3),
  runCell(ctx: CellContext): CellResult {
    const d = ctx.config.dims[0];
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, d);
      const out: CellResult = {};
      CORRECTIVES.forEach((m, i) => {
        out[m] = runLinear(ctx, ref, correctiveSpec(ctx.config, d, m));
        ctx.progress?.((i + 1) / CORRECTIVES.length);
      });
      return out;
    });
  },
};
