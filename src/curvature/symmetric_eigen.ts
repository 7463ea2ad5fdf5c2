// Eigen-decomposition of a small dense symmetric matrix by cyclic two-sided Jacobi: slow (O(m³) per sweep) but
// simple and accurate, which is what the Lanczos tridiagonal (m ≤ a few hundred) needs.
import { CondlabError } from '../engine/errors.js';

export interface SymmetricEigen {
  /** Descending (algebraic). */
  values: Float64Array;
  /** Column i (row-major m×m) is the eigenvector of values[i]. */
  vectors: Float64Array;
}

export function symmetricEigen(m: number, a: ArrayLike<number>, maxSweeps = 100): SymmetricEigen {
  const A = Float64Array.from(a);
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  let sweep = 0;
  for (; sweep < maxSweeps; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        const x = A[i * m + j] ** 2;
        total += x;
        if (i !== j) off += x;
      }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < m - 1; p++)
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q];
        if (apq === 0) continue;
        const app = A[p * m + p], aqq = A[q * m + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < m; k++) {
          // A ← Jᵀ A J, done as column then row updates
          const akp = A[k * m + p], akq = A[k * m + q];
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k], aqk = A[q * m + k];
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p], vkq = V[k * m + q];
          V[k * m + p] = c * vkp - s * vkq;
          V[k * m + q] = s * vkp + c * vkq;
        }
      }
  }
  if (sweep === maxSweeps) throw new CondlabError(`symmetric eigensolver did not converge in ${maxSweeps} sweeps`, 'no-convergence');
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => A[y * m + y] - A[x * m + x]);
  const values = Float64Array.from(order, (i) => A[i * m + i]);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    for (let k = 0; k < m; k++) vectors[k * m + dst] = V[k * m + src];
  });
  return { values, vectors };
}
