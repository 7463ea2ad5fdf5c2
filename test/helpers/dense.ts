// Plain-TypeScript dense linear algebra, independent of the engine: the oracle side of the property tests.
// Row-major Float64Array with explicit shapes, written for clarity, not speed.

export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

export const EPS = 2 ** -52;

export function dense(rows: number, cols: number, data?: ArrayLike<number>): Dense {
  return { rows, cols, data: data ? Float64Array.from(data) : new Float64Array(rows * cols) };
}

export function at(a: Dense, i: number, j: number): number {
  return a.data[i * a.cols + j];
}

export function matmul(a: Dense, b: Dense): Dense {
  if (a.cols !== b.rows) throw new Error(`matmul ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const c = dense(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let p = 0; p < a.cols; p++) {
      const x = a.data[i * a.cols + p];
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++) c.data[i * b.cols + j] += x * b.data[p * b.cols + j];
    }
  return c;
}

export function transpose(a: Dense): Dense {
  const t = dense(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

export function frobenius(a: Dense): number {
  let scale = 0;
  for (const x of a.data) scale = Math.max(scale, Math.abs(x));
  if (scale === 0) return 0;
  let s = 0;
  for (const x of a.data) s += (x / scale) ** 2;
  return scale * Math.sqrt(s);
}

export function sub(a: Dense, b: Dense): Dense {
  return dense(a.rows, a.cols, a.data.map((x, i) => x - b.data[i]));
}

/**
 * Orthonormal n×n matrix from a Gaussian-like seed matrix by modified Gram–Schmidt, applied twice. A seed column
 * that is (numerically) in the span of the previous ones — fast-check does draw such seeds — is replaced by the unit
 * vector with the largest residual, which is at least 1/√n away from that span, so this never fails.
 */
export function orthonormalFrom(seed: Dense): Dense {
  const n = seed.rows;
  const q = dense(n, n, seed.data);
  const project = (j: number) => {
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q.data[i * n + k] * q.data[i * n + j];
        for (let i = 0; i < n; i++) q.data[i * n + j] -= d * q.data[i * n + k];
      }
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += q.data[i * n + j] ** 2;
    return Math.sqrt(nrm);
  };
  for (let j = 0; j < n; j++) {
    let nrm = project(j);
    if (!(nrm > 1e-8)) {
      // residual of e_r against the first j columns: 1 − Σ_k q_rk²
      let best = 0, bestRes = -1;
      for (let r = 0; r < n; r++) {
        let s2 = 0;
        for (let k = 0; k < j; k++) s2 += q.data[r * n + k] ** 2;
        if (1 - s2 > bestRes) [best, bestRes] = [r, 1 - s2];
      }
      for (let i = 0; i < n; i++) q.data[i * n + j] = i === best ? 1 : 0;
      nrm = project(j);
    }
    for (let i = 0; i < n; i++) q.data[i * n + j] /= nrm;
  }
  return q;
}

/** diag(d) placed in an m×n matrix. */
export function diag(m: number, n: number, d: ArrayLike<number>): Dense {
  const a = dense(m, n);
  for (let i = 0; i < Math.min(m, n, d.length); i++) a.data[i * n + i] = d[i];
  return a;
}

/** Signed permutation matrix: row i has `sign[i]` in column perm[i]. */
export function signedPermutation(perm: number[], sign: number[]): Dense {
  const n = perm.length;
  const p = dense(n, n);
  for (let i = 0; i < n; i++) p.data[i * n + perm[i]] = sign[i];
  return p;
}

/** max |(QᵀQ − I)ᵢⱼ| for the columns of Q. */
export function orthogonalityError(q: Dense): number {
  let worst = 0;
  for (let a = 0; a < q.cols; a++)
    for (let b = a; b < q.cols; b++) {
      let d = 0;
      for (let i = 0; i < q.rows; i++) d += q.data[i * q.cols + a] * q.data[i * q.cols + b];
      worst = Math.max(worst, Math.abs(d - (a === b ? 1 : 0)));
    }
  return worst;
}
