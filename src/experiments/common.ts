// What every experiment shares: per-trial streams, targets, the mapping RunConfig → TrainSpec, and one training
// run of the single-layer model with component errors (at the end and, optionally, as a time series).
//
// Streams (PROTOCOL.md "Randomness"): trial k has base seed = seed + seedStride·k, and
//   target stream   engine.rng(base, 0)      W* (or the MLP teacher)
//   training stream engine.rng(base, 1)      W₀'s first d×d block, then per epoch X then ε
//   init children   engine.rng(base, 1, l)   parameters beyond that block (deep layers l ≥ 2, MLP layers)
//   eval stream     engine.rng(base, 2)      fresh inputs for evaluation (Exp 7 MLP)
// Every condition re-derives these from scratch, so within a trial all conditions see the same target and the same
// batches whatever cell they live in and in whatever order cells run.
import type { Engine } from '../engine/engine.js';
import type { Matrix } from '../engine/block.js';
import type { CellContext, ConditionResult, RunConfig, TargetKind } from './types.js';
import { Trainer, type Streams, type Teacher, type TrainSpec } from '../train/trainer.js';
import { makeTarget } from '../train/targets.js';
import { componentErrors, reference, type Reference } from '../metrics/components.js';
import { SPECTRUM_SAMPLES, SpectrumRecorder, trainSampling } from './spectra.js';

export const STREAM = { target: 0, train: 1, eval: 2 } as const;

export function baseSeed(config: RunConfig, trial: number): number {
  return config.seed + config.seedStride * trial;
}

export function trainStreams(engine: Engine, base: number): Streams {
  return {
    train: engine.rng(base, STREAM.train),
    initChild: (l) => engine.rng(base, STREAM.train, l),
  };
}

/** The trial's target W* (scaled by targetScale) with its components. */
export function trialTarget(engine: Engine, config: RunConfig, trial: number, d: number, kind: TargetKind = config.target): Reference {
  const rng = engine.rng(baseSeed(config, trial), STREAM.target);
  const W = makeTarget(engine, rng, kind, d, config.targetScale);
  rng.free();
  return reference(engine, W);
}

export function linearTeacher(ref: Reference): Teacher {
  return { kind: 'linear', W: ref.W, sigma: ref.c.sv };
}

/** The single-layer SGD spec of PROTOCOL.md, with the run config's knobs; `over` selects a method. */
export function linearSpec(config: RunConfig, d: number, over: Partial<TrainSpec> = {}): TrainSpec {
  return {
    model: 'linear', d, batch: config.batch, optimizer: 'sgd', lr: config.lr, weightDecay: config.weightDecay,
    noise: config.noise, multipliers: false, multLrFactor: config.multLrFactor, specLambda: 0,
    specClip: config.specClip, svdCorrEvery: 0, svdCorrRate: config.svdCorrRate, init: config.init,
    initStd: config.initStd, ...over,
  };
}

/** The conditions of the correctives (Exp 4, Exp 6). */
export function methodSpec(config: RunConfig, d: number, method: 'sgd' | 'adam' | 'multipliers' | 'specreg' | 'svdcorr'): TrainSpec {
  switch (method) {
    case 'sgd': return linearSpec(config, d);
    case 'adam': return linearSpec(config, d, { optimizer: 'adam', lr: config.adamLr });
    case 'multipliers': return linearSpec(config, d, { multipliers: true });
    case 'specreg': return linearSpec(config, d, { specLambda: config.specLambda });
    case 'svdcorr': return linearSpec(config, d, { svdCorrEvery: config.svdCorrEvery });
  }
}

/** Epochs at which a series is sampled: 0, every, 2·every, …, and always the last epoch. */
export function seriesEpochs(epochs: number, every: number): number[] {
  const out: number[] = [];
  const step = Math.max(1, Math.floor(every));
  for (let e = 0; e < epochs; e += step) out.push(e);
  out.push(epochs);
  return out;
}

export function diverged(t: Trainer): ConditionResult {
  return { diverged: { epoch: t.stopped!.epoch, reason: t.stopped!.reason }, metrics: {} };
}

export interface LinearRunOptions {
  /** Record component-error series at these epochs (0 = before training). */
  series?: number[];
  /** Extra per-snapshot hook (called at series epochs, W = the metrics matrix). */
  onSnapshot?: (epoch: number, W: Matrix) => void;
  /** Called once with W₀ (the metrics matrix before any step; draws nothing, so results are unchanged). */
  onStart?: (W0: Matrix) => void;
  /** Extra final metrics read from the finished (non-diverged) trainer, e.g. the adaptive α it ended with. */
  onEnd?: (t: Trainer) => Record<string, number>;
  /** Record the spectrum of W_eff against W* with σ₁, σ_min at these epochs (src/experiments/spectra.ts). */
  spectra?: number[];
}

/**
 * One single-layer training run of `spec` against `ref` for config.epochs epochs; metrics on W_eff.
 * Diverged runs return only the divergence.
 */
export function runLinear(ctx: CellContext, ref: Reference, spec: TrainSpec, opts: LinearRunOptions = {}): ConditionResult {
  const { engine, config, trial } = ctx;
  return engine.scope(() => {
    const t = Trainer.create(engine, spec, linearTeacher(ref), trainStreams(engine, baseSeed(config, trial)));
    if (opts.onStart) engine.scope(() => opts.onStart!(t.weights()));
    const series: Record<string, number[]> = {};
    const record = (epoch: number) =>
      engine.scope(() => {
        const W = t.weights();
        const m = componentErrors(engine, W, ref);
        for (const [k, v] of Object.entries(m)) (series[k] ??= []).push(v);
        opts.onSnapshot?.(epoch, W);
      });
    const epochs = opts.series ?? [];
    const rec = opts.spectra ? new SpectrumRecorder(engine, ['W']) : undefined;
    const sampleTo = (e: number) => !!rec && trainSampling(engine, t, rec, opts.spectra!, e, () => [t.weights()]);
    for (const e of epochs) {
      if (sampleTo(e) || t.run(e)) return diverged(t);
      record(e);
    }
    if (sampleTo(config.epochs) || t.run(config.epochs)) return diverged(t);
    const metrics = engine.scope(() => componentErrors(engine, t.weights(), ref, true));
    metrics.finalLoss = t.lastLoss;
    if (opts.onEnd) Object.assign(metrics, opts.onEnd(t));
    const out: ConditionResult = { metrics };
    if (epochs.length) {
      out.series = series;
      out.seriesEpochs = [...epochs];
    }
    if (rec) out.spectra = engine.scope(() => rec.finish([ref.c.sv], [t.weights()]));
    return out;
  });
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

export function median(xs: ArrayLike<number>): number {
  const a = Array.from(xs).sort((p, q) => p - q);
  const n = a.length;
  return n % 2 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

// The cost model behind every cellCost, in units of one plain SGD step at d = 64, B = 64 (src/config/estimate.ts
// turns units into seconds). Its shapes come from what each operation does, its coefficients from per-unit times of
// a paper run (exp1's d = 32…512 cells, exp5's per-epoch evaluations, exp3's per-epoch SVDs with vectors; 0.4.0,
// timing.cellMs in paper-results/): a step is two B×d×d GEMMs plus O(B·d) work (batch normals, loss, update) that
// dominates at small d; an evaluation (bidiag values, norms, κ, effective rank, gap) is O(d²)-dominated up to
// d ≈ 512 and then its bidiagonalisation's 8/3·d³ takes over (0.98 units·(d/64)³: 3.35 s at d = 2048 in
// bench/results/svd.json); a Jacobi SVD with vectors is ~8 steps' worth at d = 64 and grows as d³.
const STEP_GEMM_SHARE = 0.86;
const EVAL_UNITS = 4.5;
const BIDIAG_UNITS = 0.98;
const SVD_VECTORS_UNITS = 8;

/** Cost of one single-layer step at dimension d relative to d = 64, B = 64. */
export function epochCost(d: number, batch = 64): number {
  return (batch / 64) * (STEP_GEMM_SHARE * (d / 64) ** 2 + (1 - STEP_GEMM_SHARE));
}

/** Cost of one values-only SVD (bidiagonalisation + dqds) of a d×d matrix. */
export function bidiagCost(d: number): number {
  return BIDIAG_UNITS * (d / 64) ** 3;
}

/** Cost of one metrics evaluation of a d×d weight (values-only SVD and the component errors). */
export function evalCost(d: number): number {
  return EVAL_UNITS * (d / 64) ** 2 + bidiagCost(d);
}

/** Metrics stAlpha<l> (α per layer at the end) and stAlphaFit<l> (the last unclamped fit, when there is one) of an
 *  adaptive per-layer spectral-transfer run (the trainer's and the classifier's stLayerAlphas). */
export function stLayerMetrics({ alpha, fit }: { alpha: number[]; fit: number[] }): Record<string, number> {
  const m: Record<string, number> = {};
  alpha.forEach((a, l) => (m[`stAlpha${l + 1}`] = a));
  fit.forEach((f, l) => Number.isFinite(f) && (m[`stAlphaFit${l + 1}`] = f));
  return m;
}

/** Extra cost of trial 0, which keeps `matrices` spectra at every spectrum epoch (src/experiments/spectra.ts). */
export function spectraCost(config: RunConfig, d: number, matrices = 1): number {
  return (SPECTRUM_SAMPLES + 1) * matrices * evalCost(d);
}

/** Cost of one Jacobi SVD with vectors of a d×d matrix. */
export function svdVectorsCost(d: number): number {
  return SVD_VECTORS_UNITS * (d / 64) ** 3;
}

/** Cost of an SGD run evaluated every evalEvery epochs, with `vectorSvds` SVDs with vectors per evaluation. */
export function seriesRunCost(config: RunConfig, vectorSvds = 0): number {
  const d = config.dims[0];
  return config.epochs * epochCost(d, config.batch) + (config.epochs / Math.max(1, config.evalEvery)) * (evalCost(d) + vectorSvds * svdVectorsCost(d));
}
