// Lanczos with full reorthogonalisation for the extreme eigenvalues of a symmetric operator (the top-k Hessian
// eigenvalues PyHessian reports). Full reorthogonalisation (classical Gram–Schmidt, twice) costs O(n·m) per step
// but removes the ghost eigenvalues plain Lanczos produces, which matters when k > 1.
import { CondlabError } from '../engine/errors.js';
import { dot, norm, type SymmetricOperator } from './operator.js';
import { gaussianFill, mulberry32 } from '../stats/prng.js';
import { symmetricEigen } from './symmetric_eigen.js';

export interface LanczosOptions {
  /** How many eigenvalues (largest algebraic first). */
  k?: number;
  /** Krylov dimension limit (default min(n, max(2k + 20, 40))). */
  maxIter?: number;
  /** Converged when every wanted Ritz residual ≤ tol·max(|θ₁|, tiny). */
  tol?: number;
  seed?: number;
  /** Return Ritz vectors too. */
  vectors?: boolean;
  /** 'largest' (algebraic, default) or 'magnitude'. */
  which?: 'largest' | 'magnitude';
}

export interface LanczosResult {
  values: number[];
  /** Ritz residual norms ‖H y − θ y‖ for each value. */
  residuals: number[];
  vectors?: Float64Array[];
  iterations: number;
  converged: boolean;
}

export function lanczos(op: SymmetricOperator, opts: LanczosOptions = {}): LanczosResult {
  const n = op.size;
  const k = opts.k ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new CondlabError(`lanczos k must be an integer from 1 to the operator size ${n}, got ${k}`, 'bad-option', { k });
  }
  const maxIter = Math.min(n, opts.maxIter ?? Math.max(2 * k + 20, 40));
  if (!Number.isInteger(maxIter) || maxIter < k) {
    throw new CondlabError(`lanczos maxIter must be an integer ≥ k = ${k}, got ${opts.maxIter}`, 'bad-option');
  }
  const tol = opts.tol ?? 1e-10;
  if (!(tol > 0 && tol < 1)) throw new CondlabError(`lanczos tol must be in (0, 1), got ${tol}`, 'bad-option');
  const which = opts.which ?? 'largest';

  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const rand = mulberry32(opts.seed ?? 0);
  let q = gaussianFill(rand, new Float64Array(n));
  const q0 = norm(q);
  for (let i = 0; i < n; i++) q[i] /= q0;
  const w = new Float64Array(n);
  let ritz: { values: number[]; residuals: number[]; coeffs: Float64Array[] } = { values: [], residuals: [], coeffs: [] };
  let converged = false;

  for (let j = 0; j < maxIter; j++) {
    Q.push(q);
    op.apply(q, w);
    const a = dot(q, w);
    alpha.push(a);
    // full reorthogonalisation against every basis vector, twice ("twice is enough", Parlett)
    for (let pass = 0; pass < 2; pass++) {
      for (const b of Q) {
        const c = dot(b, w);
        for (let i = 0; i < n; i++) w[i] -= c * b[i];
      }
    }
    const bnext = norm(w);
    ritz = ritzPairs(alpha, beta, bnext, k, which);
    const scale = Math.max(Math.abs(ritz.values[0] ?? 0), 1e-300);
    const brokeDown = bnext <= 1e-12 * Math.max(scale, Math.abs(a));
    if (!brokeDown && ritz.values.length >= k && ritz.residuals.every((r) => r <= tol * scale)) {
      converged = true;
      break;
    }
    if (j === maxIter - 1) break;
    if (brokeDown) {
      // Breakdown: the Krylov space is invariant, so it holds each distinct eigenvalue once. Restart with a
      // fresh direction orthogonal to it (β = 0 decouples the blocks), so repeated eigenvalues are found again.
      const fresh = gaussianFill(rand, new Float64Array(n));
      for (let pass = 0; pass < 2; pass++) {
        for (const b of Q) {
          const c = dot(b, fresh);
          for (let i = 0; i < n; i++) fresh[i] -= c * b[i];
        }
      }
      const nf = norm(fresh);
      if (nf <= 1e-8) {
        converged = true; // Q spans everything
        break;
      }
      beta.push(0);
      q = Float64Array.from(fresh, (x) => x / nf);
      continue;
    }
    beta.push(bnext);
    q = Float64Array.from(w, (x) => x / bnext);
  }

  if (Q.length === n) converged = true; // the Krylov blocks span R^n: the Ritz values are the eigenvalues
  const out: LanczosResult = {
    values: ritz.values,
    residuals: ritz.residuals,
    iterations: alpha.length,
    converged,
  };
  if (opts.vectors) {
    out.vectors = ritz.coeffs.map((s) => {
      const y = new Float64Array(n);
      s.forEach((c, idx) => {
        const b = Q[idx];
        for (let i = 0; i < n; i++) y[i] += c * b[i];
      });
      return y;
    });
  }
  return out;
}

/** Eigen-pairs of the m×m tridiagonal T; residual of Ritz pair i is |β_m · s_{m,i}|. */
function ritzPairs(alpha: number[], beta: number[], bnext: number, k: number, which: 'largest' | 'magnitude') {
  const m = alpha.length;
  const T = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    T[i * m + i] = alpha[i];
    if (i + 1 < m) T[i * m + i + 1] = T[(i + 1) * m + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(m, T);
  let order = Array.from({ length: m }, (_, i) => i);
  if (which === 'magnitude') order.sort((x, y) => Math.abs(values[y]) - Math.abs(values[x]));
  order = order.slice(0, Math.min(k, m));
  return {
    values: order.map((i) => values[i]),
    residuals: order.map((i) => Math.abs(bnext * vectors[(m - 1) * m + i])),
    coeffs: order.map((i) => Float64Array.from({ length: m }, (_, r) => vectors[r * m + i])),
  };
}
