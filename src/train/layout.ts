// Mirror of assembly/train/layout.ts: slot indices of the trainer's f64 header. Change both together.
export const H = {
  MODEL: 0, ACT: 1, LAYERS: 2, DIMS: 3, D: 4, HIDDEN: 5, BATCH: 6, NPARAM: 7,
  OPT: 8, LR: 9, WD: 10, NOISE: 11, MULT: 12, MULT_LR: 13, SPEC_LAMBDA: 14, SPEC_CLIP: 15, LOGK_TARGET: 16,
  CORR_EVERY: 17, CORR_RATE: 18, BETA1: 19, BETA2: 20, ADAM_EPS: 21, STEP: 22, TEACHER: 23,
  PARAMS: 24, GRAD: 25, ADAM_M: 26, ADAM_V: 27, X: 28, Y: 29, WORK: 30, WSTAR: 31, WSTAR2: 32, THID: 33,
  SVD_S: 34, SVD_U: 35, SVD_V: 36, SIGMA_STAR: 37, WPREV: 38, RNG: 39, WEFF: 40, GEFF: 41,
  LOSS: 42, SPEC_NORM: 43, REASON: 44, NS_WS: 45,
  SVMULT: 46, ORTH_LAMBDA: 47, PSS_EVERY: 48, PSS_STRENGTH: 49, SCRATCH: 50, ST_ALPHA: 51, ST_TAU: 52, ST_ADAPT_EVERY: 53, ST_ADAPT_K: 54, ST_ALPHA_FIT: 55,
  SD_LAMBDA: 56, SD_K: 57, ST_LAYERS: 58, ST_HVP: 59,
} as const;
export const HEADER_SLOTS = 60;

export const MODEL_LINEAR = 0;
export const MODEL_CHAIN = 1;
export const OPT_SGD = 0;
export const OPT_ADAM = 1;
export const OPT_MUON = 2;
export const OPT_ST = 3;
export const TEACHER_LINEAR = 0;
export const TEACHER_MLP = 1;
export const STOP_REASONS = ['', 'non-finite loss', 'non-finite weights', 'SVD failed (non-finite or no convergence)'];

/** The training exports of build/condlab.wasm (assembly/train/index.ts). */
export interface TrainExports {
  trainRun(header: number, fromEpoch: number, toEpoch: number, keepPrev: number): number;
  trainGradient(header: number, withReg: number): number;
  trainDrawBatch(header: number): void;
  /** out (B×d) ← the current batch's targets Y (the linear model keeps only ε and forms X·W*ᵀ + ε here). */
  trainBatchTargets(header: number, out: number): void;
  /** Returns the SVD's status for singular-value multipliers (< 0: failure), else 0. */
  trainEffectiveWeights(header: number, out: number): number;
  trainHeaderSlots(): number;
  /** φ of spectral_transfer.ts for d singular values at s into phi; returns the kept count. */
  spectralTransferWeights(d: number, s: number, phi: number, alpha: number, tau: number): number;
  /** Adaptive α: re-measures α from the gradient at g on the header's batch; returns the SVD status. */
  spectralTransferMeasure(header: number, g: number): number;
  /** p ← p − lr·U·diag(φ(s))·Vᵀ for the SVD of the d×d matrix at g (s, u, v, us scratch); returns the SVD status. */
  spectralTransferApply(d: number, g: number, p: number, lr: number, alpha: number, tau: number, s: number, u: number, v: number, us: number): number;
}
