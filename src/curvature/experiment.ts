// The tenth experiment, `curvature` (PROTOCOL.md "Curvature experiment", seed 004): why do small singular values
// learn slowly? For each trained model of Exp 7 (single layer, deep linear L = 2, 3, ReLU MLP) and a small softmax
// classifier, on a fixed batch of fresh inputs, per layer:
//   · gradient G = Σ s_k a_k b_kᵀ and exact curvature λ_k = ⟨a_k b_kᵀ, H a_k b_kᵀ⟩ along its top-K directions;
//     log-log fits give the curvature exponent α (λ vs s), the rank decay γ (s vs k), the Hessian decay s
//     (rank-ordered λ vs k) and the transfer identity s = α·γ;
//   · along the weight's own directions u_i v_iᵀ: gradient signal |u_iᵀ G v_i| and curvature, σ₁ → σ_min.
// Models are trained here with the same dense-chain code that computes the HVPs (assembly/models/dense_chain.ts).
import type { Engine } from '../engine/engine.js';
import type { Matrix, Vector } from '../engine/block.js';
import type { Rng } from '../engine/rng.js';
import type { CellContext, CellResult, ConditionResult, Experiment, RunConfig } from '../experiments/types.js';
import { DenseChain, type ChainSpec } from './chain.js';
import { fitLine, fitLogLog } from './fit.js';
import { heterogeneousTarget } from '../train/targets.js';
import { wasmOf } from '../engine/internal.js';

export type CurvatureModel = 'linear' | 'deep2' | 'deep3' | 'mlp' | 'classifier';
export const CURVATURE_MODELS: CurvatureModel[] = ['linear', 'deep2', 'deep3', 'mlp', 'classifier'];

/** Size of the fixed evaluation batch (PROTOCOL.md). */
export const EVAL_BATCH = 512;
/** Directions per layer: K = min(MAX_K, numerical rank of G). */
export const MAX_K = 32;
const CLASSES = 10;

interface Trained {
  spec: ChainSpec;
  params: Vector;
  /** Draws a batch of inputs and targets for this model's task. */
  sample(rng: Rng, batch: number): { X: Matrix; Y: Matrix };
  divergedAt?: number;
}

function specOf(model: CurvatureModel, d: number, hidden: number): ChainSpec {
  switch (model) {
    case 'linear': return { dims: [d, d], activation: 'linear', loss: 'mse' };
    case 'deep2': return { dims: [d, d, d], activation: 'linear', loss: 'mse' };
    case 'deep3': return { dims: [d, d, d, d], activation: 'linear', loss: 'mse' };
    case 'mlp': return { dims: [d, hidden, d], activation: 'relu', loss: 'mse' };
    case 'classifier': return { dims: [d, hidden, CLASSES], activation: 'relu', loss: 'cross-entropy' };
  }
}

/** Teacher and task for a model, drawn from the target stream. */
function task(engine: Engine, model: CurvatureModel, cfg: RunConfig, d: number, targetRng: Rng): Trained['sample'] {
  const noise = cfg.noise;
  if (model === 'classifier') {
    // Gaussian clusters: class means of norm ≈ 3, unit-variance-per-dimension/√d noise around them
    const means = targetRng.normalMatrix(CLASSES, d, 0, 3 / Math.sqrt(d)).toArray();
    return (rng, batch) => {
      const X = rng.normalMatrix(batch, d, 0, 1 / Math.sqrt(d));
      const Y = engine.matrix(batch, CLASSES);
      const x = X.data(), y = Y.data();
      for (let b = 0; b < batch; b++) {
        const c = Math.min(CLASSES - 1, Math.floor(rng.uniform() * CLASSES));
        for (let j = 0; j < d; j++) x[b * d + j] += means[c * d + j];
        y[b * CLASSES + c] = 1;
      }
      return { X, Y };
    };
  }
  const teacher: Matrix[] =
    model === 'mlp'
      ? [heterogeneousTarget(engine, targetRng, cfg.hidden, d), heterogeneousTarget(engine, targetRng, d, cfg.hidden)]
      : [heterogeneousTarget(engine, targetRng, d, d)];
  return (rng, batch) => {
    const X = rng.normalMatrix(batch, d);
    let Y: Matrix;
    if (teacher.length === 1) {
      Y = engine.matmul(X, teacher[0], { transB: true });
    } else {
      const H = engine.matmul(X, teacher[0], { transB: true });
      const h = H.data();
      for (let i = 0; i < h.length; i++) h[i] = Math.max(h[i], 0);
      Y = engine.matmul(H, teacher[1], { transB: true });
      H.free();
    }
    const eps = rng.normalMatrix(batch, d, 0, noise);
    engine.axpy(1, eps, Y);
    eps.free();
    return { X, Y };
  };
}

/** SGD as in Exp 7: single layer W₀ ~ N(0, initStd²); deeper and MLP layers ~ N(0, 1/fan_in). */
function train(engine: Engine, model: CurvatureModel, cfg: RunConfig, d: number, targetRng: Rng, trainRng: Rng): Trained {
  const spec = specOf(model, d, cfg.hidden);
  const sample = task(engine, model, cfg, d, targetRng);
  let size = 0;
  for (let l = 1; l < spec.dims.length; l++) size += spec.dims[l] * spec.dims[l - 1];
  const params = engine.vector(size);
  const p = params.data();
  let off = 0;
  for (let l = 1; l < spec.dims.length; l++) {
    const n = spec.dims[l] * spec.dims[l - 1];
    const std = model === 'linear' ? cfg.initStd : 1 / Math.sqrt(spec.dims[l - 1]);
    for (let i = 0; i < n; i++) p[off + i] = std * trainRng.normal();
    off += n;
  }
  const grad = engine.vector(size);
  const lr = model === 'classifier' ? Math.max(cfg.lr, 0.1) : cfg.lr;
  const steps = model === 'classifier' ? Math.max(cfg.epochs, 300) : cfg.epochs;
  let divergedAt: number | undefined;
  for (let t = 0; t < steps; t++) {
    const ok = engine.scope(() => {
      const { X, Y } = sample(trainRng, cfg.batch);
      const chain = new DenseChain(engine, spec, params, X, Y);
      try {
        const loss = chain.gradient(grad);
        if (!Number.isFinite(loss)) return false;
        engine.axpy(-lr, grad, params);
        return true;
      } finally {
        chain.free();
      }
    });
    if (!ok || wasmOf(engine).firstNonFinite(params.length, params.ptr) >= 0) {
      divergedAt = t + 1;
      break;
    }
  }
  grad.free();
  return { spec, params, sample, divergedAt };
}

interface LayerAnalysis extends ConditionResult {
  metrics: Record<string, number>;
}

/** Curvature along gradient directions and along the weight's singular directions, for one layer. */
function analyseLayer(engine: Engine, chain: DenseChain, layer: number): LayerAnalysis {
  const { offset, rows, cols } = chain.layer(layer);
  const n = chain.size;
  const g = engine.vector(n);
  chain.gradient(g);
  const G = engine.matrix(rows, cols, g.toArray().subarray(offset, offset + rows * cols));
  const { U, s, V } = engine.svd(G);
  const sv = Array.from(s.toArray());
  const rank = sv.filter((x) => x > 1e-10 * sv[0]).length;
  const K = Math.min(MAX_K, rank);
  const v = engine.vector(n), hv = engine.vector(n);
  const curvAlong = (left: Float64Array, right: Float64Array, kcol: number, k: number): number => {
    // D = a bᵀ in layer `layer`, zero elsewhere; λ = ⟨D, H D⟩
    const vd = v.data();
    vd.fill(0);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) vd[offset + i * cols + j] = left[i * kcol + k] * right[j * kcol + k];
    chain.hvp(v, hv);
    const h = hv.data(), d2 = v.data();
    let lam = 0;
    for (let i = 0; i < rows * cols; i++) lam += d2[offset + i] * h[offset + i];
    return lam;
  };
  const ua = U!.toArray(), va = V!.toArray(), kc = Math.min(rows, cols);
  const gradSigma = sv.slice(0, K);
  const curvature = gradSigma.map((_, k) => curvAlong(ua, va, kc, k));

  // the weight's own singular directions
  const W = engine.matrix(rows, cols, chain.params.toArray().subarray(offset, offset + rows * cols));
  const ws = engine.svd(W);
  const wu = ws.U!.toArray(), wv = ws.V!.toArray();
  const ga = G.toArray();
  const weightSignal: number[] = [], weightCurvature: number[] = [];
  for (let i = 0; i < kc; i++) {
    let sig = 0;
    for (let r = 0; r < rows; r++) {
      let gv = 0;
      for (let c = 0; c < cols; c++) gv += ga[r * cols + c] * wv[c * kc + i];
      sig += wu[r * kc + i] * gv;
    }
    weightSignal.push(Math.abs(sig));
    weightCurvature.push(curvAlong(wu, wv, kc, i));
  }

  const ks = gradSigma.map((_, k) => k + 1);
  const log = (x: number) => engine.log(x);
  const alpha = fitLogLog(gradSigma, curvature, log);
  const gamma = fitLogLog(ks, gradSigma, log);
  const ranked = curvature.filter((x) => x > 0).sort((a, b) => b - a);
  const hess = fitLogLog(ranked.map((_, k) => k + 1), ranked, log);
  const tenth = Math.max(1, Math.floor(kc / 10));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    metrics: {
      K,
      alpha: alpha.slope,
      alphaR2: alpha.r2,
      gamma: gamma.slope,
      gammaR2: gamma.r2,
      hessianDecay: hess.slope,
      hessianDecayR2: hess.r2,
      transferRelErr: Math.abs(hess.slope - alpha.slope * gamma.slope) / Math.abs(hess.slope),
      positiveCurvatureShare: curvature.filter((x) => x > 0).length / K,
      weightSignalTopOverBottom: mean(weightSignal.slice(0, tenth)) / mean(weightSignal.slice(-tenth)),
      weightCurvatureTopOverBottom: mean(weightCurvature.slice(0, tenth)) / mean(weightCurvature.slice(-tenth)),
      weightKappa: ws.s.toArray()[0] / ws.s.toArray()[kc - 1],
    },
    series: { gradSigma, curvature, weightSigma: Array.from(ws.s.toArray()), weightSignal, weightCurvature },
    seriesEpochs: Array.from({ length: Math.max(K, kc) }, (_, i) => i + 1),
  };
}

export function runCurvatureCell(ctx: CellContext): CellResult {
  const { engine, config, cell, trial } = ctx;
  const model = cell as CurvatureModel;
  const d = config.dims[0];
  const base = config.seed + config.seedStride * trial;
  return engine.scope(() => {
    const targetRng = engine.rng(base, 0);
    const trainRng = engine.rng(base, 1);
    const evalRng = engine.rng(base, 2);
    const trained = train(engine, model, config, d, targetRng, trainRng);
    const out: CellResult = {};
    const layers = trained.spec.dims.length - 1;
    if (trained.divergedAt !== undefined) {
      for (let l = 1; l <= layers; l++) out[`${model}/W${l}`] = { diverged: { epoch: trained.divergedAt, reason: 'non-finite loss or weights' }, metrics: {} };
      return out;
    }
    const { X, Y } = trained.sample(evalRng, EVAL_BATCH);
    const chain = new DenseChain(engine, trained.spec, trained.params, X, Y);
    try {
      for (let l = 1; l <= layers; l++) {
        out[`${model}/W${l}`] = engine.scope(() => analyseLayer(engine, chain, l));
        ctx.progress?.(l / layers);
      }
    } finally {
      chain.free();
    }
    return out;
  });
}

export const curvatureExperiment: Experiment = {
  id: 'curvature',
  title: 'Curvature along gradient and weight singular directions (exact HVPs)',
  paperSection: 'beyond the paper (seed 004)',
  description:
    'Per layer of the Exp 7 models and a softmax classifier: curvature exponent α, gradient rank decay γ, Hessian ' +
    'decay s and the transfer identity s = α·γ; gradient signal and curvature along the weight’s singular directions.',
  presets: {
    quick: { dims: [32], trials: 2, epochs: 100 },
    paper: { dims: [64], trials: 5, epochs: 200 },
  },
  cells: () => [...CURVATURE_MODELS],
  // in the estimate's units (one SGD step at d = 64), from the 0.5.0 paper run at d = 64 (deep3 1.3 s … linear 0.1 s):
  // the training steps and the HVPs along the gradient's and weights' singular directions, ∝ d³ through the SVDs
  cellCost: (cfg, cell) =>
    (({ deep3: 12600, deep2: 4800, mlp: 5800, classifier: 1900 } as Record<string, number>)[cell] ?? 960) * (cfg.epochs / 200) * (cfg.dims[0] / 64) ** 3,
  runCell: runCurvatureCell,
};

/** Exported for tests: the log-log fit helpers. */
export { fitLine, fitLogLog };
