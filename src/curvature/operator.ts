// A symmetric linear operator v ↦ H·v on R^n: what the curvature tools need from a model (an exact HVP, a
// Gauss–Newton product, or an explicit matrix in tests). Implementations write into `out` and must not keep it.
import { CondlabError } from '../engine/errors.js';

export interface SymmetricOperator {
  readonly size: number;
  apply(v: Float64Array, out: Float64Array): void;
}

/** An explicit dense symmetric matrix (row-major) as an operator: for tests and tiny models. */
export function denseOperator(n: number, h: ArrayLike<number>): SymmetricOperator {
  if (h.length !== n * n) throw new CondlabError(`dense operator needs ${n}×${n} = ${n * n} entries, got ${h.length}`, 'shape-mismatch');
  return {
    size: n,
    apply(v, out) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += h[i * n + j] * v[j];
        out[i] = s;
      }
    },
  };
}

export function checkVector(name: string, v: ArrayLike<number>, n: number): void {
  if (v.length !== n) throw new CondlabError(`${name} has length ${v.length}; the operator acts on vectors of length ${n}`, 'shape-mismatch', { name });
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new CondlabError(`${name}[${i}] is ${v[i]}; directions must be finite`, 'non-finite', { name, index: i });
    }
  }
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}
