// Spectral summary of each weight matrix in a file: the quantities the paper tracks (κ, effective rank, spectral gap)
// plus stable rank and the spread of row and column norms, with the singular values themselves, and WeightWatcher's
// core per-layer metrics on the empirical spectral density (ESD): the eigenvalues λᵢ = σᵢ²/N of WᵀW/N with
// N = max(rows, cols), as WeightWatcher defines them for an N×M layer.
import type { Engine } from '../engine/engine.js';
import { CondlabError } from '../engine/errors.js';
import { fitPowerLaw } from '../metrics/powerlaw.js';
import type { Tensor } from './tensor.js';

export interface MatrixReport {
  name: string;
  dtype: string;
  /** The tensor's own shape; ≥3-D tensors are viewed as shape[0] × (product of the rest). */
  shape: number[];
  rows: number;
  cols: number;
  sigmaMax: number;
  sigmaMin: number;
  /** σ₁/σ_min (Infinity when σ_min = 0). */
  kappa: number;
  /** #{σᵢ > 0.01·σ₁}, as PROTOCOL.md defines it. */
  effectiveRank: number;
  /** (σ₁ − σ₂)/σ₁. */
  spectralGap: number;
  /** ‖W‖_F²/σ₁². */
  stableRank: number;
  /** max/min of the row norms and of the column norms (Infinity when a row/column is zero). */
  rowNormSpread: number;
  colNormSpread: number;
  /**
   * ESD power-law exponent: the MLE α̂ of p(λ) ∝ λ^(−α) on the tail λ ≥ λ_min of the eigenvalues λᵢ = σᵢ²/N, with
   * λ_min chosen by KS distance (src/metrics/powerlaw.ts). null when fewer than `ALPHA_MIN_TAIL` positive eigenvalues.
   */
  alpha: number | null;
  /** The fit's λ_min, KS distance and tail size (null with alpha). */
  alphaXmin: number | null;
  alphaKs: number | null;
  alphaTail: number;
  /** α·log₁₀ λ_max (WeightWatcher's alpha_weighted). */
  alphaWeighted: number | null;
  /** log₁₀ λ_max = log₁₀(σ₁²/N) (WeightWatcher's log_spectral_norm). */
  logSpectralNorm: number;
  /**
   * λ₊/λ_max, λ₊ = s²(1 + 1/√Q)² the Marchenko–Pastur bulk edge of a random N×M matrix with the same Frobenius
   * norm (entry variance s² = ‖W‖_F²/(NM), Q = N/M). ≈1 for a random matrix, → 0 when one direction dominates.
   */
  mpSoftRank: number;
  /** ONNX: op_types of the nodes that consume this tensor (Conv, MatMul, Gemm, …). */
  ops?: string[];
  /** Singular values, descending. */
  sigma: number[];
}

/** Fewest positive eigenvalues the ESD fit needs (smaller layers get alpha = null; tiny tails fit anything). */
export const ALPHA_MIN_TAIL = 10;

/**
 * WeightWatcher's ESD metrics from the singular values (descending) of an rows×cols matrix. log and exp are passed
 * in so results stay on the engine's deterministic math.
 */
export function esdMetrics(sigma: number[], rows: number, cols: number, log: (x: number) => number, exp: (x: number) => number) {
  const N = Math.max(rows, cols), M = Math.min(rows, cols);
  const evals = sigma.map((s) => (s * s) / N);
  const lmax = evals[0] ?? 0;
  const log10 = (x: number) => log(x) / log(10);
  const fit = fitPowerLaw(evals, { minTail: ALPHA_MIN_TAIL, log, exp });
  const ok = Number.isFinite(fit.alpha);
  const mean = evals.reduce((a, l) => a + l, 0) / M; // = ‖W‖_F²/(NM)
  const edge = mean * (1 + 1 / Math.sqrt(N / M)) ** 2;
  const lsn = lmax > 0 ? log10(lmax) : -Infinity;
  return {
    alpha: ok ? fit.alpha : null,
    alphaXmin: ok ? fit.xmin : null,
    alphaKs: ok ? fit.ks : null,
    alphaTail: fit.nTail,
    alphaWeighted: ok && lmax > 0 ? fit.alpha * lsn : null,
    logSpectralNorm: lsn,
    mpSoftRank: lmax > 0 ? edge / lmax : 0,
  };
}

export interface Skipped {
  name: string;
  shape: number[];
  reason: string;
  /** ONNX: op_types of the nodes that consume this tensor. */
  ops?: string[];
}

export interface InspectOptions {
  /** Matrices whose smaller side exceeds this are skipped (the Jacobi SVD is O(n³)); default 1024. */
  maxDim?: number;
}

export function analyseTensor(engine: Engine, t: Tensor, opts: InspectOptions = {}): MatrixReport | Skipped {
  const maxDim = opts.maxDim ?? 1024;
  if (t.shape.length < 2) return { name: t.name, shape: t.shape, reason: `${t.shape.length}-D tensor (only matrices are analysed)` };
  const rows = t.shape[0];
  const cols = t.shape.slice(1).reduce((a, b) => a * b, 1);
  if (rows === 0 || cols === 0) return { name: t.name, shape: t.shape, reason: 'empty' };
  if (Math.min(rows, cols) > maxDim) {
    return { name: t.name, shape: t.shape, reason: `smaller side ${Math.min(rows, cols)} > --max-dim ${maxDim}` };
  }
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) {
      return { name: t.name, shape: t.shape, reason: `non-finite value ${t.data[i]} at flat index ${i}` };
    }
  }
  return engine.scope(() => {
    const W = engine.matrix(rows, cols, t.data);
    const sigma = Array.from(engine.svd(W, { vectors: false, method: 'bidiag' }).s.toArray());
    const rn = Array.from(engine.rowNorms(W).toArray());
    const cn = Array.from(engine.colNorms(W).toArray());
    const s1 = sigma[0];
    const sMin = sigma[sigma.length - 1];
    const spread = (xs: number[]) => {
      const mn = Math.min(...xs), mx = Math.max(...xs);
      return mx === 0 ? 1 : mn === 0 ? Infinity : mx / mn;
    };
    const frob2 = sigma.reduce((a, s) => a + (s / (s1 || 1)) ** 2, 0);
    return {
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      rows,
      cols,
      sigmaMax: s1,
      sigmaMin: sMin,
      kappa: sMin > 0 ? s1 / sMin : Infinity,
      effectiveRank: sigma.filter((s) => s > 0.01 * s1).length,
      spectralGap: s1 > 0 && sigma.length > 1 ? (s1 - sigma[1]) / s1 : 0,
      stableRank: s1 > 0 ? frob2 : 0,
      rowNormSpread: spread(rn),
      colNormSpread: spread(cn),
      ...esdMetrics(sigma, rows, cols, (x) => engine.log(x), (x) => engine.exp(x)),
      sigma,
    };
  });
}

export function isSkipped(r: MatrixReport | Skipped): r is Skipped {
  return 'reason' in r;
}

export function checkMaxDim(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 8192) {
    throw new CondlabError(`--max-dim must be an integer from 1 to 8192, got ${String(v)}`, 'bad-option');
  }
  return v;
}
