// The contract between experiments (what to compute) and the runner (how to schedule, store and summarise it).
// An experiment is a pure function of (config, cell, trial): the runner may run cells in any order, in any worker,
// and the results must be identical — that is what makes results independent of the worker count.
import type { Engine } from '../engine/index.js';

export type InitKind = 'gauss' | 'zeros' | 'xavier';
export type TargetKind = 'heterogeneous' | 'lowrank' | 'blockdiag';
export type PresetName = 'quick' | 'paper';

/** Every knob an experiment reads. PROTOCOL.md's defaults live in `defaults.ts`; presets override some of them. */
export interface RunConfig {
  preset: PresetName;
  /** Matrix dimensions d (Exp 1 sweeps several; the others use the first). */
  dims: number[];
  trials: number;
  /** One epoch = one optimizer step on a fresh batch. */
  epochs: number;
  batch: number;
  /** SGD learning rate. */
  lr: number;
  /** Adam learning rate (β = 0.9, 0.999, ε = 1e-8). */
  adamLr: number;
  /** Label noise std (ε ~ N(0, noise²)). */
  noise: number;
  init: InitKind;
  /** Std of the Gaussian init of the single-layer model (absolute, the same at every d). */
  initStd: number;
  target: TargetKind;
  /** Multiplies the target W*. */
  targetScale: number;
  /** Learnable multipliers train at lr × multLrFactor. */
  multLrFactor: number;
  specLambda: number;
  specClip: number;
  /** SVD correction every this many epochs, moving σ a fraction svdCorrRate toward σ*. */
  svdCorrEvery: number;
  svdCorrRate: number;
  weightDecay: number;
  /** Exp 8 grids. */
  lrs: number[];
  weightDecays: number[];
  /** Exp 7 depths of the deep linear network. */
  depths: number[];
  /** Hidden width of the ReLU MLP (Exp 7). */
  hidden: number;
  /** Trial k uses base seed `seed + seedStride·k`. */
  seed: number;
  seedStride: number;
  /** Record time series every this many epochs (Exp 3, 5, 9); 1 = every epoch. */
  evalEvery: number;
  /** Orthogonality regulariser λ_o‖WᵀW − I‖²_F (correctives `orthreg`). */
  orthLambda: number;
  /** Parametric Singularity Smoothing every this many epochs (correctives `pss`). */
  pssEvery: number;
  /** PSS strength α ∈ [0, 1]: log σᵢ ← (1 − α)·log σᵢ + α·mean log σ, so κ ← κ^(1−α). */
  pssStrength: number;
  /** Spectral transfer (correctives `st`, experiment `spectral`): step ∝ U·diag(s^(1−α))·Vᵀ of the gradient momentum. */
  stAlpha: number;
  /** Spectral transfer: gradient directions with s < stTau·s₁ are dropped. */
  stTau: number;
  /** Spectral transfer: the step's spectral norm (a distance per step, as Muon's lr). */
  stLr: number;
  /** Adaptive spectral transfer (`spectral` cell st=adaptive): re-measure α every this many steps; 0 = no adaptive cell. */
  stAdaptEvery: number;
  /** The α grid of the `spectral` experiment. */
  stAlphas: number[];
  /** Structured decay (correctives `sdtop`, `sdbottom`): λ of (λ/2)·Σ_{i∈S} σᵢ². */
  structDecayLambda: number;
  /** Structured decay band size k: `sdtop` decays the top k singular directions, `sdbottom` the bottom k. */
  structDecayK: number;
  /** abl-batch's batch sizes. */
  batches: number[];
  /** Ablation grids (abl-* experiments). */
  inits: InitKind[];
  noises: number[];
  targetScales: number[];
  multLrFactors: number[];
  specLambdas: number[];
  specClips: number[];
  /** Real-data experiments (fmnist): directory of the data files; absent for the synthetic ones. */
  data?: string;
  /** Real-data experiments: use the first trainSize training / testSize test examples (0 = all). */
  trainSize?: number;
  testSize?: number;
}

export interface Divergence {
  epoch: number;
  reason: string;
}

/** One condition (method, dimension, lr …) of one trial. */
export interface ConditionResult {
  /** Set when the loss or weights became non-finite; metrics are then absent or partial and never averaged. */
  diverged?: Divergence;
  /** Scalar metrics, e.g. rowNormErr, kappaErr, overallErr. */
  metrics: Record<string, number>;
  /** Time series sampled at `seriesEpochs` (or per-index spectra); summarised element-wise across trials. */
  series?: Record<string, number[]>;
  seriesEpochs?: number[];
  /**
   * Whole spectra of the representative trials only (src/experiments/spectra.ts: trial 0 of every cell), keyed by
   * matrix: 'W' (the single layer's W_eff, or the deep net's product), 'layer1', 'layer2' (the MLP). Not summarised.
   */
  spectra?: Record<string, Spectrum>;
}

/** One matrix's spectrum against its target, and its extreme singular values over training (docs/spectra.md). */
export interface Spectrum {
  /** σᵢ* of the target (or teacher layer), descending. */
  target: number[];
  /** σ̂ᵢ of the trained matrix at the last epoch, descending (values-only bidiagonal SVD). */
  trained: number[];
  /** Epochs of the trajectory samples (0 = before training; the last is config.epochs). */
  epochs: number[];
  /** σ₁ and σ_min of the matrix at those epochs. */
  sigma1: number[];
  sigmaMin: number[];
}

/** A cell's output: condition name → result. Conditions that share a trial's target and batches live in one cell. */
export type CellResult = Record<string, ConditionResult>;

export interface CellContext {
  engine: Engine;
  config: RunConfig;
  cell: string;
  trial: number;
  /** Optional progress callback, fraction in [0, 1] of this cell's work. */
  progress?: (fraction: number) => void;
}

export interface Experiment {
  /** 'exp1' … 'exp9', 'curvature', … */
  id: string;
  title: string;
  /** Where it is in the paper, e.g. '4.1'. */
  paperSection: string;
  description: string;
  presets: Record<PresetName, Partial<RunConfig>>;
  /**
   * Independent units of work within one trial (e.g. one per dimension in Exp 1, one per lr in Exp 8, or ['all']).
   * Their union over trials is the whole experiment.
   */
  cells(config: RunConfig): string[];
  /** Relative cost of a cell (for ETA and scheduling); default 1. */
  cellCost?(config: RunConfig, cell: string): number;
  /** Extra cost of trial 0's unit of `cell` (the spectra it keeps: src/experiments/spectra.ts), in cellCost's units. */
  trialZeroCost?(config: RunConfig, cell: string): number;
  runCell(ctx: CellContext): CellResult;
  /**
   * Experiments that need something not always installed (real data files): a one-line reason it cannot run here,
   * or undefined. `run all` skips such an experiment with this line; naming it alone makes it an error.
   */
  unavailable?(config: RunConfig): string | undefined;
  /** Floating-point operations of one cell, for the up-front time estimate (default: the d×d trainer's model). */
  cellFlops?(config: RunConfig, cell: string): number;
}

// ---- Results JSON (results/<exp>.json). Everything except `timing` is a deterministic function of the config. ----

export const RESULTS_SCHEMA_VERSION = 1;

/** Across-trial summary of one scalar; diverged trials are excluded and counted. */
export interface Summary {
  mean: number;
  /** Population std (ddof 0), as PROTOCOL.md says. */
  std: number;
  median: number;
  q1: number;
  q3: number;
  /** Bootstrap 95% CI of the mean (percentile method, seeded so it is deterministic). */
  ciLow: number;
  ciHigh: number;
  n: number;
  nDiverged: number;
}

export interface SeriesSummary {
  epochs: number[];
  mean: number[];
  std: number[];
  median: number[];
  q1: number[];
  q3: number[];
}

export interface ConditionSummary {
  n: number;
  nDiverged: number;
  metrics: Record<string, Summary>;
  series?: Record<string, SeriesSummary>;
}

export interface TrialRecord {
  trial: number;
  cell: string;
  seed: number;
  result: CellResult;
}

export interface ExperimentResults {
  schemaVersion: number;
  experiment: string;
  title: string;
  paperSection: string;
  engineVersion: string;
  /** The module build that produced the results: 'plain' (bit-identical everywhere) or the opt-in 'fma'. */
  engineVariant?: 'plain' | 'fma';
  config: RunConfig;
  /** Sorted by (trial, cell order) — never by completion order. */
  trials: TrialRecord[];
  /** condition name → summary, in the order the experiment produces conditions. */
  summaries: Record<string, ConditionSummary>;
  /** Wall-clock facts; excluded from determinism comparisons. */
  /** threads: GEMM threads inside each engine (absent = 1). */
  timing: { wallMs: number; workers: number; threads?: number; startedAt: string; cellMs: Record<string, number> };
}
