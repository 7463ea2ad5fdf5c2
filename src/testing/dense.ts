// Plain-TypeScript dense linear algebra, independent of any engine: the oracle side of the property tests.
// Row-major Float64Array with explicit shapes, written for clarity, not speed. Part of `condlab/testing`, so it must
// not import the engine (a user testing their own library should not load condlab's WebAssembly).

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

/** A matrix as the suites accept it from any library: rows of numbers, or a flat row-major {rows, cols, data}. */
export type MatrixLike = ArrayLike<ArrayLike<number>> | { rows: number; cols: number; data: ArrayLike<number> };

/** Row-major Dense → number[][] (what most JS libraries take). */
export function toRows(a: Dense): number[][] {
  return Array.from({ length: a.rows }, (_, i) => Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
}

/** number[][] → Dense; every row must have the same length. */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): Dense {
  const m = rows.length;
  const n = m === 0 ? 0 : rows[0].length;
  const a = dense(m, n);
  for (let i = 0; i < m; i++) {
    if (rows[i].length !== n) throw new Error(`row ${i} has ${rows[i].length} entries, row 0 has ${n}`);
    for (let j = 0; j < n; j++) a.data[i * n + j] = rows[i][j];
  }
  return a;
}

/** Either accepted form → Dense, or an Error naming what was wrong (used on untrusted library output). */
export function toDense(x: unknown, what: string): Dense {
  if (x !== null && typeof x === 'object' && 'rows' in x && 'cols' in x && 'data' in x) {
    const { rows, cols, data } = x as { rows: unknown; cols: unknown; data: unknown };
    if (typeof rows !== 'number' || typeof cols !== 'number' || !isArrayLike(data)) throw new Error(`${what}: {rows, cols, data} with non-numeric fields`);
    if (data.length !== rows * cols) throw new Error(`${what}: data has ${data.length} entries, expected ${rows}×${cols}`);
    return dense(rows, cols, data as ArrayLike<number>);
  }
  if (!isArrayLike(x)) throw new Error(`${what}: expected number[][] or {rows, cols, data}, got ${describeValue(x)}`);
  const rows = x as ArrayLike<unknown>;
  for (let i = 0; i < rows.length; i++) if (!isArrayLike(rows[i])) throw new Error(`${what}: row ${i} is ${describeValue(rows[i])}, not an array`);
  try {
    return fromRows(rows as ArrayLike<ArrayLike<number>>);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || ArrayBuffer.isView(x);
}

export function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === 'object') return `an object with keys {${Object.keys(x).slice(0, 6).join(', ')}}`;
  return `${typeof x} ${String(x).slice(0, 40)}`;
}

/** Columns 0..k−1 of a. */
export function leadingColumns(a: Dense, k: number): Dense {
  const out = dense(a.rows, k);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < k; j++) out.data[i * k + j] = a.data[i * a.cols + j];
  return out;
}

/** max |aᵢⱼ|. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Euclidean norm of a vector, scaled so it neither overflows nor underflows. */
export function norm2(v: ArrayLike<number>): number {
  const s = maxAbs(v);
  if (s === 0 || !Number.isFinite(s)) return s;
  let t = 0;
  for (let i = 0; i < v.length; i++) t += (v[i] / s) ** 2;
  return s * Math.sqrt(t);
}

/** A matrix as exact-looking text: JSON rows with every digit needed to round-trip, for failure messages. */
export function formatMatrix(a: Dense, maxEntries = 400): string {
  if (a.rows * a.cols > maxEntries) return `(${a.rows}×${a.cols}, too large to print; reproduce from the fast-check seed)`;
  return JSON.stringify(toRows(a));
}
