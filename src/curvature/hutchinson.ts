// Hutchinson's trace estimator tr(H) ≈ mean of vᵀHv over Rademacher probes v, with its standard error, as in
// PyHessian. Probes are drawn from a seed so an estimate is reproducible.
import { CondlabError } from '../engine/errors.js';
import { dot, type SymmetricOperator } from './operator.js';
import { mulberry32 } from '../stats/prng.js';

export interface HutchinsonOptions {
  /** Maximum number of probes. */
  maxProbes?: number;
  /** Stop early when the standard error ≤ tol·|estimate| (after at least 10 probes). */
  tol?: number;
  seed?: number;
}

export interface HutchinsonResult {
  trace: number;
  stdError: number;
  probes: number;
}

export function hutchinsonTrace(op: SymmetricOperator, opts: HutchinsonOptions = {}): HutchinsonResult {
  const maxProbes = opts.maxProbes ?? 100;
  if (!Number.isInteger(maxProbes) || maxProbes < 2) {
    throw new CondlabError(`hutchinson maxProbes must be an integer ≥ 2, got ${maxProbes}`, 'bad-option');
  }
  const tol = opts.tol ?? 1e-3;
  const rand = mulberry32(opts.seed ?? 0);
  const n = op.size;
  const v = new Float64Array(n), hv = new Float64Array(n);
  const samples: number[] = [];
  let mean = 0, m2 = 0;
  for (let p = 1; p <= maxProbes; p++) {
    for (let i = 0; i < n; i++) v[i] = rand() < 0.5 ? -1 : 1;
    op.apply(v, hv);
    const x = dot(v, hv);
    samples.push(x);
    const d = x - mean; // Welford
    mean += d / p;
    m2 += d * (x - mean);
    const se = p > 1 ? Math.sqrt(m2 / (p - 1) / p) : Infinity;
    if (p >= 10 && se <= tol * Math.abs(mean)) return { trace: mean, stdError: se, probes: p };
  }
  return { trace: mean, stdError: Math.sqrt(m2 / (maxProbes - 1) / maxProbes), probes: maxProbes };
}
