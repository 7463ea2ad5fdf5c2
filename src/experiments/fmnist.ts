// `fmnist`: does the condition-number flaw matter for a real task? A ReLU MLP (784 → hidden… → 10, no biases, softmax
// cross-entropy) trained in WASM on Fashion-MNIST by nine methods — SGD, Adam, SGD + learnable multipliers, SGD + the
// spectral regulariser (κ* = 1), Muon, and the per-layer spectral-transfer steps of seed 004 §7.3 (st=0, st=1 the
// exact polar step, st=2 Spectral Newton, st=adaptive with α per layer re-measured every stAdaptEvery steps from
// exact HVPs; assembly/train/chain_steps.ts) — from the same initial weights and the same batch order within a
// trial (so methods are paired by seed). One cell per method; trial k uses base seed `seed + seedStride·k`.
//   Over training (every half epoch, and at step 0): test loss/accuracy (first testSize test images), train
//   loss/accuracy on the first TRAIN_PROBE training images, and per layer κ, stable rank ‖W‖²_F/σ₁², effective rank
//   #{σᵢ > 0.01σ₁}, the ESD power-law α (WeightWatcher's fit of σᵢ², src/metrics/powerlaw.ts) and the max/min spread
//   of row and of column norms. With multipliers every metric is of W_eff = diag(r)·W·diag(c), the map the network
//   computes with.
//   At the end: train loss/accuracy on the whole training slice, test loss/accuracy, the same per-layer metrics, and
//   per layer the curvature exponent α of seed 004 — the log-log slope of the exact curvature λ_k = ⟨a_k b_kᵀ,
//   H a_k b_kᵀ⟩ (Pearlmutter HVP, src/curvature/chain.ts) against the gradient's singular values s_k along its top
//   K = min(16, rank) directions, on the first min(512, 4·batch) training images.
import type { Engine } from '../engine/engine.js';
import type { CellContext, CellResult, ConditionResult, Experiment, RunConfig } from './types.js';
import { CondlabError } from '../engine/errors.js';
import { FMNIST_CLASSES, FMNIST_DEFAULT_DIR, FMNIST_PIXELS, fashionMnist, fashionMnistMissing, type LabelledImages } from '../data/fmnist.js';
import { MlpClassifier, type ClassifierSpec } from '../train/classifier.js';
import { DenseChain } from '../curvature/chain.js';
import { fitLogLog } from '../curvature/fit.js';
import { curvatureAlongGradient } from '../curvature/gradient_directions.js';
import { esdAlpha } from '../metrics/powerlaw.js';
import { effectiveRank } from '../metrics/components.js';
import { baseSeed, stLayerMetrics } from './common.js';

export const FMNIST_METHODS = ['sgd', 'adam', 'mult', 'spec', 'muon', 'st=0', 'st=1', 'st=2', 'st=adaptive'] as const;
export type FmnistMethod = (typeof FMNIST_METHODS)[number];
/** Muon's step (orthogonalised updates have spectral norm ≈ 1; Jordan et al.'s default). */
export const FMNIST_MUON_LR = 0.02;
/** Adaptive spectral transfer: α per layer re-measured every this many steps (24 HVPs a time for the 3 layers). */
export const FMNIST_ST_ADAPT_EVERY = 25;
/** The spectral regulariser's singular vectors are refreshed every this many steps (see assembly/train/classifier.ts). */
export const FMNIST_SPEC_EVERY = 25;
export const TRAIN_PROBE = 2000;
/** Curvature batch: min(CURV_BATCH, 4·batch, training size) images — seed 004's 512 at the paper preset. */
export const CURV_BATCH = 512;
/** Gradient directions per layer (seed 004 uses up to 32; each costs one full-network HVP, so 16 keeps it cheap). */
export const CURV_K = 16;
/** Evaluations per epoch for the series. */
export const EVALS_PER_EPOCH = 2;

export const LAYER_METRICS = ['kappa', 'stableRank', 'effRank', 'esdAlpha', 'rowSpread', 'colSpread'] as const;

function specFor(method: FmnistMethod, cfg: RunConfig, dims: number[]): ClassifierSpec {
  const base = { dims, batch: cfg.batch, weightDecay: cfg.weightDecay };
  switch (method) {
    case 'sgd': return { ...base, optimizer: 'sgd', lr: cfg.lr };
    case 'adam': return { ...base, optimizer: 'adam', lr: cfg.adamLr };
    case 'mult': return { ...base, optimizer: 'sgd', lr: cfg.lr, multipliers: true, multLr: cfg.lr * cfg.multLrFactor };
    case 'spec': return { ...base, optimizer: 'sgd', lr: cfg.lr, specLambda: cfg.specLambda, specClip: cfg.specClip, specEvery: FMNIST_SPEC_EVERY };
    case 'muon': return { ...base, optimizer: 'muon', lr: FMNIST_MUON_LR };
    case 'st=adaptive': return { ...base, optimizer: 'st', lr: cfg.stLr, stAlpha: 1, stTau: cfg.stTau, stAdaptEvery: cfg.stAdaptEvery };
    default: return { ...base, optimizer: 'st', lr: cfg.stLr, stAlpha: Number(method.slice(3)), stTau: cfg.stTau };
  }
}

export function fmnistDims(cfg: RunConfig): number[] {
  return [FMNIST_PIXELS, ...cfg.dims, FMNIST_CLASSES];
}

function slice(set: LabelledImages, n: number | undefined): LabelledImages {
  const k = n && n > 0 ? Math.min(n, set.n) : set.n;
  return { images: set.images.subarray(0, k * FMNIST_PIXELS), labels: set.labels.subarray(0, k), n: k };
}

/** Per-layer spectral metrics of one weight matrix (rows×cols, row-major). */
export function layerMetrics(engine: Engine, w: Float64Array, rows: number, cols: number): Record<(typeof LAYER_METRICS)[number], number> {
  return engine.scope(() => {
    const W = engine.matrix(rows, cols, w);
    const s = engine.singularValues(W).toArray();
    const spread = (v: Float64Array) => {
      let mn = Infinity, mx = 0;
      for (const x of v) {
        mn = Math.min(mn, x);
        mx = Math.max(mx, x);
      }
      return mx === 0 ? 1 : mx / mn;
    };
    let f2 = 0;
    for (const x of s) f2 += (x / s[0]) ** 2;
    return {
      kappa: s[0] / s[s.length - 1],
      stableRank: f2,
      effRank: effectiveRank(s),
      esdAlpha: esdAlpha(s, { log: (x) => engine.log(x), exp: (x) => engine.exp(x) }).alpha,
      rowSpread: spread(engine.rowNorms(W).toArray()),
      colSpread: spread(engine.colNorms(W).toArray()),
    };
  });
}

/** Curvature exponent α of layer l: slope of log λ_k against log s_k over the top-K gradient directions with λ > 0. */
function curvatureAlpha(engine: Engine, chain: DenseChain, l: number, K: number): { alpha: number; r2: number; positive: number } {
  return engine.scope(() => {
    const { offset, rows, cols } = chain.layer(l);
    const g = engine.vector(chain.size);
    chain.gradient(g);
    const { gradSigma: sv, curvature: lam } = curvatureAlongGradient(engine, chain.size, (dir, out) => void chain.hvp(dir, out), g.toArray(), { offset, rows, cols }, K);
    const k = lam.length;
    const fit = fitLogLog(sv.slice(0, k), lam, (x) => engine.log(x));
    return { alpha: fit.slope, r2: fit.r2, positive: k ? lam.filter((x) => x > 0).length / k : Number.NaN };
  });
}

export function runFmnistCell(ctx: CellContext): CellResult {
  const { engine, config, cell, trial } = ctx;
  const method = cell as FmnistMethod;
  if (!FMNIST_METHODS.includes(method)) throw new CondlabError(`fmnist: unknown cell '${cell}'; cells are ${FMNIST_METHODS.join(', ')}`, 'bad-option');
  const dir = config.data ?? FMNIST_DEFAULT_DIR;
  const data = fashionMnist(dir);
  const train = slice(data.train, config.trainSize), test = slice(data.test, config.testSize);
  const dims = fmnistDims(config);
  const base = baseSeed(config, trial);
  return engine.scope(() => {
    // same init stream and order stream for every method of a trial: the comparison is paired
    const clf = MlpClassifier.create(engine, specFor(method, config, dims), train, test, engine.rng(base, 0), engine.rng(base, 1));
    const stepsPerEpoch = Math.floor(train.n / config.batch);
    const total = stepsPerEpoch * config.epochs;
    const every = Math.max(1, Math.floor(stepsPerEpoch / EVALS_PER_EPOCH));
    const layers = dims.length - 1;
    const series: Record<string, number[]> = {};
    const push = (k: string, v: number) => (series[k] ??= []).push(v);
    const seriesEpochs: number[] = [];
    const record = (step: number) => {
      seriesEpochs.push(step);
      const te = clf.evaluate('test'), tr = clf.evaluate('train', TRAIN_PROBE);
      push('testAcc', te.accuracy);
      push('testLoss', te.loss);
      push('trainAcc', tr.accuracy);
      push('trainLoss', tr.loss);
      const w = clf.effectiveWeights().toArray();
      for (let l = 1; l <= layers; l++) {
        const { offset, rows, cols } = clf.layer(l);
        const m = layerMetrics(engine, w.subarray(offset, offset + rows * cols), rows, cols);
        for (const k of LAYER_METRICS) push(`${k}${l}`, m[k]);
      }
    };
    record(0);
    let done = 0;
    while (done < total) {
      const n = Math.min(every, total - done);
      if (!clf.train(n)) {
        return { [method]: { diverged: { epoch: clf.stopped!.step, reason: clf.stopped!.reason }, metrics: {}, series, seriesEpochs } };
      }
      done += n;
      record(done);
      ctx.progress?.(done / total);
    }
    const metrics: Record<string, number> = {};
    const te = clf.evaluate('test'), tr = clf.evaluate('train');
    metrics.testAcc = te.accuracy;
    metrics.testLoss = te.loss;
    metrics.trainAcc = tr.accuracy;
    metrics.trainLoss = tr.loss;
    metrics.generalisationGap = tr.accuracy - te.accuracy;
    const w = clf.effectiveWeights();
    let logKappaSum = 0;
    for (let l = 1; l <= layers; l++) {
      const { offset, rows, cols } = clf.layer(l);
      const m = layerMetrics(engine, w.toArray().subarray(offset, offset + rows * cols), rows, cols);
      for (const k of LAYER_METRICS) metrics[`${k}${l}`] = m[k];
      logKappaSum += engine.log(m.kappa);
    }
    metrics.logKappaMean = logKappaSum / layers;
    // α per layer in use at the end (clamped to [0, 2]) and the last unclamped fit
    if (method === 'st=adaptive') Object.assign(metrics, stLayerMetrics(clf.stLayerAlphas));
    // exact curvature on a fixed batch of training images, through the dense chain's R-operator
    engine.scope(() => {
      const B = Math.min(CURV_BATCH, 4 * config.batch, train.n);
      const X = engine.matrix(B, FMNIST_PIXELS), Y = engine.matrix(B, FMNIST_CLASSES);
      const h = clfPixels(train);
      const x = X.data(), y = Y.data();
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < FMNIST_PIXELS; j++) x[b * FMNIST_PIXELS + j] = train.images[b * FMNIST_PIXELS + j] * h.scale + h.shift;
        y[b * FMNIST_CLASSES + train.labels[b]] = 1;
      }
      const params = engine.vector(w.length, w.toArray());
      const chain = new DenseChain(engine, { dims, activation: 'relu', loss: 'cross-entropy' }, params, X, Y);
      try {
        for (let l = 1; l <= layers; l++) {
          const c = curvatureAlpha(engine, chain, l, CURV_K);
          metrics[`curvAlpha${l}`] = c.alpha;
          metrics[`curvAlphaR2_${l}`] = c.r2;
          metrics[`curvPositive${l}`] = c.positive;
        }
      } finally {
        chain.free();
      }
    });
    const result: ConditionResult = { metrics, series, seriesEpochs };
    return { [method]: result };
  });
}

/** The trainer's pixel standardisation, recomputed for the curvature batch (same formula, same numbers). */
function clfPixels(train: LabelledImages): { scale: number; shift: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < train.images.length; i++) {
    s += train.images[i];
    s2 += train.images[i] * train.images[i];
  }
  const n = train.images.length, mean = s / n / 255;
  const std = Math.sqrt(Math.max(s2 / n / (255 * 255) - mean * mean, 1e-12));
  return { scale: 1 / (255 * std), shift: -mean / std };
}

export const fmnistExperiment: Experiment = {
  id: 'fmnist',
  title: 'Fashion-MNIST: does the condition-number flaw matter for a real task?',
  paperSection: 'beyond the paper (review W1)',
  description:
    'A ReLU MLP on real Fashion-MNIST images trained by SGD, Adam, learnable multipliers, the spectral regulariser and ' +
    'Muon (paired by seed): test accuracy beside per-layer κ, stable rank, effective rank, ESD α, norm spreads and the ' +
    'curvature exponent from exact HVPs.',
  presets: {
    quick: { dims: [64, 32], trials: 2, epochs: 1, batch: 64, lr: 0.1, adamLr: 1e-3, specLambda: 1e-2, specClip: 1, multLrFactor: 0.1, trainSize: 3000, testSize: 1000, stAdaptEvery: FMNIST_ST_ADAPT_EVERY, data: FMNIST_DEFAULT_DIR },
    paper: { dims: [128, 64], trials: 6, epochs: 3, batch: 128, lr: 0.1, adamLr: 1e-3, specLambda: 1e-2, specClip: 1, multLrFactor: 0.1, trainSize: 0, testSize: 0, stAdaptEvery: FMNIST_ST_ADAPT_EVERY, data: FMNIST_DEFAULT_DIR },
  },
  unavailable: (config) => fashionMnistMissing(config.data ?? FMNIST_DEFAULT_DIR),
  cells: () => [...FMNIST_METHODS],
  cellCost: (cfg, cell) => {
    const dims = fmnistDims(cfg);
    let grad = 0, ns = 0, svd = 0, layers = 0;
    for (let l = 1; l < dims.length; l++) {
      const m = dims[l], n = dims[l - 1], r = Math.min(m, n), c = Math.max(m, n);
      grad += 3 * cfg.batch * m * n;
      ns += 5 * (2 * r * r * c + r * r * r);
      // Jacobi with vectors: the QR preconditioner (~2r²c) and ~10 sweeps of ~4r³ on R and V, then U·diag(φ)·Vᵀ
      svd += 2 * r * r * c + 40 * r * r * r + r * m * n;
      layers++;
    }
    const steps = Math.floor((cfg.trainSize || 60000) / cfg.batch) * cfg.epochs;
    const st = cell.startsWith('st=');
    // adaptive: every N steps one gradient SVD per layer and K HVPs (≈ 2 gradients each) per layer
    const adapt = cell === 'st=adaptive' ? (svd + layers * 8 * 2 * grad) / Math.max(1, cfg.stAdaptEvery) : 0;
    return steps * (grad + (cell === 'muon' ? ns : 0) + (st ? svd : 0) + adapt) * (cell === 'mult' ? 1.2 : cell === 'spec' ? 1.3 : 1);
  },
  // cellCost counts multiply-adds of training; evaluation and the curvature HVPs add about a third
  cellFlops(cfg, cell) {
    return 2 * 1.35 * this.cellCost!(cfg, cell);
  },
  runCell: runFmnistCell,
};
