// Seed 004's curvature measurement on one transformer weight matrix (shared by `mechanisms` and the adaptive
// spectral-transfer student): the gradient G = Σ s_k a_k b_kᵀ of that matrix, the exact curvature
// λ_k = ⟨a_k b_kᵀ, H a_k b_kᵀ⟩ along its top-K directions (one exact HVP each, perturbing that matrix only),
// α = slope of log λ vs log s (non-positive λ dropped), γ, the Hessian decay s, the transfer error, R² and
// participation ratios.
import type { Engine } from '../../engine/engine.js';
import type { Vector } from '../../engine/block.js';
import { fitLogLog } from '../../curvature/fit.js';
import { curvatureAlongGradient } from '../../curvature/gradient_directions.js';
import type { Transformer } from '../../models/transformer.js';

export interface LayerFit {
  metrics: Record<string, number>;
  series: Record<string, number[]>;
}

export function analyseLayer(engine: Engine, model: Transformer, w: Vector, g: Float64Array, l: { offset: number; rows: number; cols: number }, maxK: number): LayerFit {
  return engine.scope(() => {
    const { gradSigma: sv, curvature } = curvatureAlongGradient(engine, model.size, (dir, out) => void model.hvp(w, dir, out), g, l, maxK);
    const K = curvature.length;
    const gradSigma = sv.slice(0, K);
    const log = (x: number) => engine.log(x);
    const alpha = fitLogLog(gradSigma, curvature, log);
    const gamma = fitLogLog(gradSigma.map((_, k) => k + 1), gradSigma, log);
    const pos = curvature.filter((x) => x > 0);
    const ranked = [...pos].sort((a, b) => b - a);
    const hess = fitLogLog(ranked.map((_, k) => k + 1), ranked, log);
    const pr = (xs: number[]) => xs.reduce((a, c) => a + c, 0) ** 2 / xs.reduce((a, c) => a + c * c, 0);
    const sDecay = -hess.slope, gDecay = -gamma.slope;
    return {
      metrics: {
        K, alpha: alpha.slope, alphaR2: alpha.r2, gamma: gDecay, gammaR2: gamma.r2, hessianDecay: sDecay, hessianDecayR2: hess.r2,
        transferRelErr: Math.abs(sDecay - alpha.slope * gDecay) / Math.abs(sDecay), droppedNonPositive: K - pos.length,
        curvaturePR: pos.length ? pr(pos) : Number.NaN, gradientPR: pr(gradSigma.map((x) => x * x)),
      },
      series: { gradSigma, curvature },
    };
  });
}

