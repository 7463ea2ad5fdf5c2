// `spectral` (seed 004 §7.3, issue 17): spectral-transfer steps on the paper's single layer. Exp 4's protocol (d =
// dims[0], same target, W₀ and batches per trial — one paired condition per cell, as the ablations) with
//   sgd          the paper's SGD (lr)
//   muon         Muon: Nesterov momentum + Newton–Schulz orthogonalisation (MUON_LR)
//   st=<α>       spectral transfer at a fixed curvature exponent α ∈ stAlphas: W ← W − stLr·U·diag(φ)·Vᵀ of the
//                Nesterov momentum G = U·diag(s)·Vᵀ (β = 0.95 as Muon), φ ∝ s^(1−α) with max φ = 1 (the step's
//                spectral norm is stLr), directions with s < stTau·s₁ dropped. α = 0 is normalised SGD with momentum,
//                α = 1 the exact polar factor (Muon without the Newton–Schulz error), α = 2 Spectral Newton;
//   st=adaptive  α starts at 1 and is re-measured every stAdaptEvery steps from exact HVPs along the top-8 directions
//                of the minibatch gradient (clamped to [0, 2]); metrics stAlpha (α at the end) and stAlphaFit (the
//                last unclamped slope). Omitted when stAdaptEvery = 0.
// Metrics: COMPONENT_METRICS, kappa, finalLoss; a diverged run is reported as diverged. Cost per step and wall-clock
// are measured by bench/correctives.bench.ts (every corrective incl. `st`), not stored in results (not deterministic).
import type { TrainSpec } from '../train/trainer.js';
import type { CellContext, CellResult, Experiment, RunConfig } from './types.js';
import { CondlabError } from '../engine/errors.js';
import { epochCost, linearSpec, runLinear, trialTarget } from './common.js';
import { unique } from './ablations/paired.js';
import { MUON_LR, stSpec } from './correctives.js';

export interface SpectralCondition {
  name: string;
  spec: TrainSpec;
}

/** The conditions of the `spectral` experiment, in report order. */
export function spectralConditions(config: RunConfig, d: number): SpectralCondition[] {
  const out: SpectralCondition[] = [
    { name: 'sgd', spec: linearSpec(config, d) },
    { name: 'muon', spec: linearSpec(config, d, { optimizer: 'muon', lr: MUON_LR }) },
    ...unique(config.stAlphas).map((a) => ({ name: `st=${a}`, spec: stSpec(config, d, a) })),
  ];
  if (config.stAdaptEvery > 0) out.push({ name: 'st=adaptive', spec: { ...stSpec(config, d, 1), stAdaptEvery: config.stAdaptEvery } });
  return out;
}

function find(config: RunConfig, name: string): SpectralCondition {
  const c = spectralConditions(config, config.dims[0]).find((x) => x.name === name);
  if (!c) throw new CondlabError(`spectral: unknown cell '${name}'`, 'bad-config', { cell: name });
  return c;
}

export const spectralExperiment: Experiment = {
  id: 'spectral',
  title: 'Spectral transfer: steps U·diag(s^(1−α))·Vᵀ from SGD (α = 0) through Muon (α = 1) to Spectral Newton (α = 2)',
  paperSection: 'beyond the paper (seed 004 §7.3)',
  description: 'Seed 004 §7.3 on the paper\'s single layer: SGD, Muon and spectral-transfer steps at fixed α ∈ stAlphas and adaptive α on the same targets and batches; does a step that is larger along small gradient directions learn κ?',
  presets: { quick: { dims: [32], trials: 3 }, paper: { dims: [64], trials: 10 } },
  cells: (config) => spectralConditions(config, config.dims[0]).map((c) => c.name),
  // one d×d Jacobi SVD per spectral-transfer step, about 5 plain epochs at d = 64 (correctives bench); + 2 evaluations
  cellCost: (config, name) => {
    const st = find(config, name).spec.optimizer === 'st';
    return config.epochs * (epochCost(config.dims[0], config.batch) + (st ? 5 * (config.dims[0] / 64) ** 3 : 0)) + 16 * (config.dims[0] / 64) ** 3;
  },
  runCell(ctx: CellContext): CellResult {
    const c = find(ctx.config, ctx.cell);
    return ctx.engine.scope(() => {
      const ref = trialTarget(ctx.engine, ctx.config, ctx.trial, c.spec.d);
      const adaptive = (c.spec.stAdaptEvery ?? 0) > 0;
      const r = runLinear(ctx, ref, c.spec, adaptive ? { onEnd: (t) => ({ stAlpha: t.stAlpha.alpha, ...(Number.isFinite(t.stAlpha.fit) ? { stAlphaFit: t.stAlpha.fit } : {}) }) } : {});
      ctx.progress?.(1);
      return { [c.name]: r };
    });
  },
};
