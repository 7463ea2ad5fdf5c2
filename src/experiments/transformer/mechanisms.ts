// `mechanisms`: seed 004's architectural predictions for the curvature exponent α as controlled ablations of one
// transformer family (PROTOCOL.md "Curvature experiment" fits, seed 004 §6): MLP only → +LayerNorm → +residual →
// +attention (the full pre-LN block), and the full model with a 10-class vs a 128-class softmax head. Each model is
// trained briefly by Adam on the teacher task (task.ts); then on one fixed evaluation batch (EVAL positions, as the
// seed's 2048–4096 samples) and per weight matrix: gradient G = Σ s_k a_k b_kᵀ, exact curvature
// λ_k = ⟨a_k b_kᵀ, H a_k b_kᵀ⟩ along its top-K directions (K = min(16, rank), 10 for a 10-class head), non-positive
// λ dropped and counted; α from log λ vs log s, γ = −slope of log s vs log k, s = −slope of rank-ordered log λ vs
// log k, the transfer error |s − αγ|/|s|, R² of each fit, and participation ratios (Σx)²/Σx² of λ and of s².
import type { CellContext, CellResult, ConditionResult, Experiment, RunConfig } from '../types.js';
import { Transformer, type LayerType, type TransformerSpec } from '../../models/transformer.js';
import { analyseLayer, type LayerFit } from './layer_curvature.js';
import { baseSpec } from './shapes.js';
import { drawBatch, teacherParams, trainStudent } from './task.js';

export const MECHANISMS = ['mlp', '+ln', '+res', '+attn', 'vocab128'] as const;
export type Mechanism = (typeof MECHANISMS)[number];
const MAX_K = 16;

export function mechanismSpec(cfg: RunConfig, m: Mechanism): TransformerSpec {
  const s = { ...baseSpec(cfg), vocab: 10 };
  switch (m) {
    case 'mlp': return { ...s, attention: false, layerNorm: false, residual: false };
    case '+ln': return { ...s, attention: false, residual: false };
    case '+res': return { ...s, attention: false };
    case '+attn': return s;
    case 'vocab128': return { ...s, vocab: 128 };
  }
}

/**
 * Positions in the evaluation batch: paper 2048 (the low end of the seed's 2048–4096, which halves the fits' cost
 * against 4096 and keeps the paper preset at minutes — docs/transformer.md), quick 1024 (a smoke run).
 */
export const evalPositions = (cfg: RunConfig) => (cfg.preset === 'paper' ? 2048 : 1024);
const evalSequences = (cfg: RunConfig, T: number) => Math.ceil(evalPositions(cfg) / T);

export function runMechanismCell(ctx: CellContext): CellResult {
  const { engine, config, cell, trial } = ctx;
  const mech = cell as Mechanism;
  const spec = mechanismSpec(config, mech);
  const base = config.seed + config.seedStride * trial;
  return engine.scope(() => {
    const targetRng = engine.rng(base, 0), initRng = engine.rng(base, 1), dataRng = engine.rng(base, 2), evalRng = engine.rng(base, 3);
    const teacher = new Transformer(engine, spec, config.batch);
    let evalTeacher: Transformer | undefined, model: Transformer | undefined;
    try {
      const tw = teacherParams(engine, teacher, targetRng);
      const run = trainStudent(engine, spec, teacher, tw, { optimizer: 'adam', lr: config.adamLr, steps: config.epochs, batch: config.batch, initRng, dataRng, progress: (f) => ctx.progress?.(0.5 * f) });
      const out: CellResult = {};
      if (run.divergedAt !== undefined) {
        out[`${mech}/all`] = { diverged: { epoch: run.divergedAt, reason: 'non-finite loss or gradient' }, metrics: {} };
        return out;
      }
      const nSeq = evalSequences(config, spec.context);
      evalTeacher = new Transformer(engine, spec, nSeq);
      model = new Transformer(engine, spec, nSeq);
      drawBatch(evalTeacher, tw, model, evalRng);
      const g = engine.vector(model.size);
      const loss = model.gradient(run.params, g);
      const ga = g.toArray();
      const layers = model.layers();
      const byType = new Map<LayerType, LayerFit[]>();
      layers.forEach((l, i) => {
        const maxK = l.type === 'head' && spec.vocab <= 10 ? 10 : MAX_K;
        const fit = analyseLayer(engine, model!, run.params, ga, l, maxK);
        if (!byType.has(l.type)) byType.set(l.type, []);
        byType.get(l.type)!.push(fit);
        ctx.progress?.(0.5 + (0.5 * (i + 1)) / layers.length);
      });
      for (const [type, fits] of byType) {
        const metrics: Record<string, number> = {};
        for (const k of Object.keys(fits[0].metrics)) {
          const xs = fits.map((f) => f.metrics[k]).filter((x) => Number.isFinite(x));
          metrics[k] = xs.length ? xs.reduce((a, c) => a + c, 0) / xs.length : Number.NaN;
        }
        metrics.evalLoss = loss;
        const r: ConditionResult = { metrics, series: fits[0].series, seriesEpochs: fits[0].series.gradSigma.map((_, k) => k + 1) };
        out[`${mech}/${type}`] = r;
      }
      run.params.free();
      return out;
    } finally {
      teacher.free();
      evalTeacher?.free();
      model?.free();
    }
  });
}

export const mechanismsExperiment: Experiment = {
  id: 'mechanisms',
  title: "Seed 004's mechanisms: curvature exponent α under LayerNorm, residuals, attention and large softmax heads",
  paperSection: 'beyond the paper (seed 004 §5–6)',
  description:
    'Per layer type of a transformer family, ablated one mechanism at a time (MLP only, +LayerNorm, +residual, ' +
    '+attention, 128-class head): curvature exponent α from exact HVPs along gradient singular directions, rank ' +
    'decay γ, Hessian decay s, transfer error |s − αγ|/|s|, R² and participation ratios.',
  presets: {
    quick: { dims: [16], hidden: 32, trials: 1, epochs: 150, batch: 16, adamLr: 3e-3 },
    // minutes, not an hour (docs/transformer.md): 6 trials (the fewest at which an exact paired test can pass),
    // 300 Adam steps of 16 sequences at 3e-3 (quick's rate) instead of 1000 × 32 at 1e-3, 2048 evaluation positions
    paper: { dims: [32], hidden: 64, trials: 6, epochs: 300, batch: 16, adamLr: 3e-3 },
  },
  cells: () => [...MECHANISMS],
  // in the estimate's units (one SGD step at d = 64): 0.011 per step·sequence·D² for the MLP-only model, from the
  // 0.5.0 paper run (5.7 s; +LN/+res 7.1 s, +attention 24.8 s, the 128-class head 22.5 s)
  cellCost: (cfg: RunConfig, cell: string) =>
    0.011 * cfg.epochs * cfg.batch * cfg.dims[0] ** 2 * (cell === 'vocab128' ? 4 : cell.includes('attn') ? 4.4 : cell === 'mlp' ? 1 : 1.25),
  runCell: runMechanismCell,
};
