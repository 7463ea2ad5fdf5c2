// Lanczos with full reorthogonalisation for the extreme eigenvalues of a symmetric operator (the top-k Hessian
// eigenvalues PyHessian reports). Full reorthogonalisation (classical Gram–Schmidt, twice) costs O(n·m) per step
// but removes the ghost eigenvalues plain Lanczos produces, which matters when k > 1.
//
// Repeated eigenvalues. In exact arithmetic a single-vector Krylov space holds each distinct eigenvalue once, so
// a top eigenvalue of multiplicity 2 is seen twice only after the space breaks down (it is then invariant) and a
// fresh direction, orthogonal to it, restarts the process; the eigenpairs found before the breakdown are then exact
// (residual 0), and the wanted top k must not be declared converged from them alone while the fresh segment has
// not yet shown its own largest value (0.3.0 did, and returned [10, 0.1] for diag(10, 10, 0, …, 0.1, 0), k = 2).
// A breakdown happens only once every distinct eigenvalue the start vector touches is found, i.e. for small
// operators; for a Hessian of thousands of parameters ask for `blockSize` ≥ the multiplicity you expect: block
// Lanczos (b start vectors) sees an eigenvalue of multiplicity ≤ b with its multiplicity from the start.
import { CondlabError } from '../engine/errors.js';
import { dot, norm, type SymmetricOperator } from './operator.js';
import { gaussianFill, mulberry32 } from '../stats/prng.js';
import { symmetricEigen } from './symmetric_eigen.js';

export interface LanczosOptions {
  /** How many eigenvalues (largest algebraic first). */
  k?: number;
  /** Start vectors per block (default 1): ≥ the multiplicity of a repeated eigenvalue you want found as often. */
  blockSize?: number;
  /** Krylov dimension limit (default min(n, max(2k + 20, 40, 2·blockSize + 20))). */
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
    throw new CondlabError(`lanczos k must be an integer from 1 to the operator size ${n}, got ${k}`, 'bad-option', { option: 'k', value: k });
  }
  const b = opts.blockSize ?? 1;
  if (!Number.isInteger(b) || b < 1 || b > n) {
    throw new CondlabError(`lanczos blockSize must be an integer from 1 to the operator size ${n}, got ${b}`, 'bad-option', { option: 'blockSize', value: b });
  }
  const maxIter = Math.min(n, opts.maxIter ?? Math.max(2 * k + 20, 40, 2 * b + 20));
  if (!Number.isInteger(maxIter) || maxIter < k || maxIter < b) {
    throw new CondlabError(`lanczos maxIter (the Krylov dimension) must be an integer ≥ k = ${k} and ≥ blockSize = ${b}, got ${opts.maxIter}`, 'bad-option', { option: 'maxIter', value: opts.maxIter });
  }
  const tol = opts.tol ?? 1e-10;
  if (!(tol > 0 && tol < 1)) throw new CondlabError(`lanczos tol must be in (0, 1), got ${tol}`, 'bad-option', { option: 'tol', value: tol });
  const which = opts.which ?? 'largest';

  const Q: Float64Array[] = []; // the orthonormal basis, block after block
  const T = new Map<number, number>(); // the projected matrix QᵀHQ (block tridiagonal), keyed i·maxIter + j
  const setT = (i: number, j: number, v: number) => { T.set(i * maxIter + j, v); T.set(j * maxIter + i, v); };
  const rand = mulberry32(opts.seed ?? 0);
  const orthogonalise = (w: Float64Array, extra: readonly Float64Array[] = []) => {
    // against every basis vector, twice ("twice is enough", Parlett)
    for (let pass = 0; pass < 2; pass++) {
      for (const bv of Q) {
        const c = dot(bv, w);
        for (let i = 0; i < n; i++) w[i] -= c * bv[i];
      }
      for (const bv of extra) {
        const c = dot(bv, w);
        for (let i = 0; i < n; i++) w[i] -= c * bv[i];
      }
    }
  };
  /** A random unit vector orthogonal to the basis and to `extra`, or undefined when they span R^n. */
  const freshDirection = (extra: readonly Float64Array[]): Float64Array | undefined => {
    const f = gaussianFill(rand, new Float64Array(n));
    orthogonalise(f, extra);
    const nf = norm(f);
    return nf <= 1e-8 ? undefined : f.map((x) => x / nf);
  };
  let block: Float64Array[] = [];
  {
    const q = gaussianFill(rand, new Float64Array(n));
    const q0 = norm(q);
    block.push(q.map((x) => x / q0));
    for (let c = 1; c < b; c++) {
      const f = freshDirection(block);
      if (!f) break;
      block.push(f);
    }
  }
  let segStart = 0; // first basis index of the current segment (since the last breakdown)
  let ritz: RitzPairs = { values: [], residuals: [], coeffs: [] };
  let converged = false;
  const W: Float64Array[] = [];

  while (block.length > 0) {
    const base = Q.length;
    // H·q for the block, and its diagonal block QⱼᵀHQⱼ (symmetrised: the two dot products differ by rounding)
    W.length = 0;
    for (const q of block) {
      const w = new Float64Array(n);
      op.apply(q, w);
      W.push(w);
    }
    for (let a = 0; a < block.length; a++) {
      for (let c = 0; c <= a; c++) setT(base + a, base + c, a === c ? dot(block[a], W[a]) : 0.5 * (dot(block[a], W[c]) + dot(block[c], W[a])));
    }
    Q.push(...block);
    // the remainder R = (I − QQᵀ)·H·Qⱼ, and its QR by modified Gram–Schmidt: next block Qⱼ₊₁ and Bⱼ₊₁ (upper
    // triangular, the coupling T[j+1, j]); a column that vanishes is a breakdown in that direction
    const m = Q.length;
    const next: Float64Array[] = [];
    const R: number[][] = []; // R[r][c]: component of remainder c along next[r]
    const scale0 = Math.max(...Array.from({ length: m }, (_, i) => Math.abs(T.get(i * maxIter + i) ?? 0)), 1e-300);
    for (let c = 0; c < W.length; c++) {
      const w = W[c];
      orthogonalise(w);
      const coeff: number[] = [];
      for (let pass = 0; pass < 2; pass++) {
        for (let r = 0; r < next.length; r++) {
          const x = dot(next[r], w);
          coeff[r] = (coeff[r] ?? 0) + x;
          for (let i = 0; i < n; i++) w[i] -= x * next[r][i];
        }
      }
      const nw = norm(w);
      if (nw > 1e-12 * scale0) {
        for (let r = 0; r < next.length; r++) (R[r] ??= [])[c] = coeff[r] ?? 0;
        (R[next.length] ??= [])[c] = nw;
        next.push(w.map((x) => x / nw));
      } else {
        for (let r = 0; r < next.length; r++) (R[r] ??= [])[c] = coeff[r] ?? 0;
      }
    }
    ritz = ritzPairs(T, maxIter, m, k, which, base, block.length, R, next.length);
    const scale = Math.max(Math.abs(ritz.values[0] ?? 0), 1e-300);
    const brokeDown = next.length === 0;
    const wantedDone = ritz.values.length >= k && ritz.residuals.every((r) => r <= tol * scale);
    // after a breakdown the earlier segments are invariant and their Ritz pairs exact: the top k is known only
    // once the current segment's own extreme value has converged too (it is the largest the complement holds,
    // as far as Lanczos can tell)
    const segmentDone = segStart === 0 || segmentExtremeConverged(T, maxIter, segStart, m, R, next.length, base, block.length, which, tol * scale);
    if (!brokeDown && wantedDone && segmentDone) {
      converged = true;
      break;
    }
    if (m >= maxIter) break;
    if (brokeDown) {
      // the Krylov space is invariant: restart with fresh directions orthogonal to it (zero coupling, so T stays
      // block diagonal across the restart), and the new segment must show its own top before we stop
      block = [];
      for (let c = 0; c < b && Q.length + block.length < maxIter; c++) {
        const f = freshDirection(block);
        if (!f) break;
        block.push(f);
      }
      if (block.length === 0) {
        converged = true; // Q spans everything
        break;
      }
      segStart = m;
      continue;
    }
    // couple the next block: T[next r, block c] = R[r][c]
    const room = Math.min(next.length, maxIter - m);
    for (let r = 0; r < room; r++) for (let c = 0; c < block.length; c++) if (R[r]?.[c]) setT(m + r, base + c, R[r][c]);
    block = next.slice(0, room);
  }

  if (Q.length === n) converged = true; // the Krylov blocks span R^n: the Ritz values are the eigenvalues
  const out: LanczosResult = {
    values: ritz.values,
    residuals: ritz.residuals,
    iterations: Q.length,
    converged,
  };
  if (opts.vectors) {
    out.vectors = ritz.coeffs.map((s) => {
      const y = new Float64Array(n);
      s.forEach((c, idx) => {
        const bv = Q[idx];
        for (let i = 0; i < n; i++) y[i] += c * bv[i];
      });
      return y;
    });
  }
  return out;
}

interface RitzPairs {
  values: number[];
  residuals: number[];
  coeffs: Float64Array[];
}

function denseT(T: Map<number, number>, stride: number, from: number, to: number): Float64Array {
  const m = to - from;
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) A[i * m + j] = T.get((from + i) * stride + from + j) ?? 0;
  return A;
}

/** ‖Bⱼ₊₁·s_last‖: the residual of a Ritz vector with coefficients s over the basis (last block at `base`). */
function ritzResidual(s: (r: number) => number, base: number, width: number, R: number[][], rows: number): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    let x = 0;
    for (let c = 0; c < width; c++) x += (R[r]?.[c] ?? 0) * s(base + c);
    sum += x * x;
  }
  return Math.sqrt(sum);
}

/** Eigen-pairs of the m×m projected matrix; the residual of Ritz pair i is ‖Bⱼ₊₁·s_{last block, i}‖. */
function ritzPairs(T: Map<number, number>, stride: number, m: number, k: number, which: 'largest' | 'magnitude', base: number, width: number, R: number[][], rows: number): RitzPairs {
  const { values, vectors } = symmetricEigen(m, denseT(T, stride, 0, m));
  let order = Array.from({ length: m }, (_, i) => i);
  if (which === 'magnitude') order.sort((x, y) => Math.abs(values[y]) - Math.abs(values[x]));
  order = order.slice(0, Math.min(k, m));
  return {
    values: order.map((i) => values[i]),
    residuals: order.map((i) => ritzResidual((r) => vectors[r * m + i], base, width, R, rows)),
    coeffs: order.map((i) => Float64Array.from({ length: m }, (_, r) => vectors[r * m + i])),
  };
}

/** Has the current segment (basis indices from..m−1, decoupled from the earlier ones) converged at its extreme(s)? */
function segmentExtremeConverged(
  T: Map<number, number>, stride: number, from: number, m: number, R: number[][], rows: number, base: number, width: number,
  which: 'largest' | 'magnitude', bound: number,
): boolean {
  const len = m - from;
  const { values, vectors } = symmetricEigen(len, denseT(T, stride, from, m));
  const ends = which === 'largest' ? [0] : [0, len - 1];
  return ends.every((i) => ritzResidual((r) => (r >= from ? vectors[(r - from) * len + i] : 0), base, width, R, rows) <= bound);
}
