// Power iteration for the eigenvalue of largest magnitude (PyHessian's `eigenvalues` with top_n = 1).
import { CondlabError } from '../engine/errors.js';
import { dot, norm, type SymmetricOperator } from './operator.js';
import { gaussianFill, mulberry32 } from '../stats/prng.js';

export interface PowerOptions {
  maxIter?: number;
  /** Converged when |λ_t − λ_{t−1}| ≤ tol·|λ_t|. */
  tol?: number;
  seed?: number;
}

export interface PowerResult {
  value: number;
  vector: Float64Array;
  iterations: number;
  converged: boolean;
}

export function powerIteration(op: SymmetricOperator, opts: PowerOptions = {}): PowerResult {
  const maxIter = opts.maxIter ?? 1000;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new CondlabError(`power maxIter must be a positive integer, got ${maxIter}`, 'bad-option');
  const tol = opts.tol ?? 1e-8;
  const n = op.size;
  let v = gaussianFill(mulberry32(opts.seed ?? 0), new Float64Array(n));
  const nv = norm(v);
  v = v.map((x) => x / nv);
  const hv = new Float64Array(n);
  let lambda = 0;
  for (let t = 1; t <= maxIter; t++) {
    op.apply(v, hv);
    const next = dot(v, hv); // Rayleigh quotient
    const nh = norm(hv);
    if (nh === 0) return { value: 0, vector: v, iterations: t, converged: true };
    v = hv.map((x) => x / nh);
    if (t > 1 && Math.abs(next - lambda) <= tol * Math.abs(next)) return { value: next, vector: v, iterations: t, converged: true };
    lambda = next;
  }
  return { value: lambda, vector: v, iterations: maxIter, converged: false };
}
