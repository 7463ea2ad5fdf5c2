// The decompositions beyond the SVD (assembly/linalg/): symmetric eigen by Jacobi, pivoted QR, Cholesky and
// QR-based least squares. Engine methods delegate here so engine.ts stays the handle/scope core.
import type { Matrix, Vector } from './block.js';
import { CondlabError } from './errors.js';
import { checkHandle, internals } from './internal.js';
import { bool, checkOptions, int, num, oneOf, type OptionSpec } from './options.js';
import type { Engine } from './engine.js';

/** Options of `engine.eigh`. */
export interface EighOptions {
  /** Compute eigenvectors (default true). */
  vectors?: boolean;
  /**
   * Rotation threshold: pair (p, q) is rotated while |a_pq| > tol·√|a_pp|·√|a_qq|, in (0, 1). Default n·ε. This
   * relative test is what gives positive definite matrices relative accuracy in every eigenvalue.
   */
  tol?: number;
  /** Sweep limit, 1 to 1000 (default 60); exceeding it is a `no-convergence` error with the residual. */
  maxSweeps?: number;
  /**
   * Largest max|a_ij − a_ji| / max|a_ij| accepted as symmetric (default 1e-10; the average of a_ij and a_ji is
   * used). Larger asymmetry is a `not-symmetric` error rather than a silently wrong decomposition.
   */
  symmetryTol?: number;
  /**
   * 'auto' (default): a positive definite A (its Cholesky factorisation succeeds) goes through A = L·Lᵀ and the
   * one-sided Jacobi SVD of L, λ = σ(L)², U(L) the eigenvectors — Demmel–Veselić's accurate algorithm for positive
   * definite matrices and much faster than two-sided Jacobi; any other A uses two-sided Jacobi.
   * 'two-sided': always two-sided cyclic Jacobi.
   */
  method?: 'auto' | 'two-sided';
}

const EIGH_OPTIONS: OptionSpec = {
  method: oneOf('auto', 'two-sided'),
  vectors: bool(),
  tol: num({ min: 0, max: 1, openMin: true, openMax: true }),
  maxSweeps: int(1, 1000),
  symmetryTol: num({ min: 0, max: 1 }),
};

/** eigh's result when eigenvectors are computed (the default). */
export interface EighWithVectors {
  /** Eigenvalues, ascending (as numpy.linalg.eigh and LAPACK). */
  values: Vector;
  /** n×n orthogonal; column j is the unit eigenvector of values[j]. */
  vectors: Matrix;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/** eigh's result with `{ vectors: false }`. */
export interface EighValues {
  /** Eigenvalues, ascending. */
  values: Vector;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/** eigh's result when `vectors` is only known at run time. */
export interface Eigh {
  /** Eigenvalues, ascending. */
  values: Vector;
  /** Present when vectors were computed. */
  vectors?: Matrix;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/** Options of `engine.cholesky`. */
export interface CholeskyOptions {
  /** As in EighOptions: relative asymmetry accepted (default 1e-10); only the lower triangle is read. */
  symmetryTol?: number;
}

const CHOLESKY_OPTIONS: OptionSpec = { symmetryTol: num({ min: 0, max: 1 }) };

/** `engine.qr`'s result: A·P = Q·R. */
export interface Qr {
  /** m×n, orthonormal columns (thin Q). */
  Q: Matrix;
  /** n×n upper triangular, |r_11| ≥ |r_22| ≥ … (column pivoting). */
  R: Matrix;
  /** A·P = Q·R: column j of A·P is column perm[j] of A. */
  perm: Int32Array;
}

/** Options of `engine.lstsq`. */
export interface LstsqOptions {
  /** Columns with |r_ii| ≤ rcond·|r_11| count as dependent and get x = 0 there. Default max(m, n)·ε. */
  rcond?: number;
}

const LSTSQ_OPTIONS: OptionSpec = { rcond: num({ min: 0, max: 1, openMax: true }) };

/** `engine.lstsq`'s result; `x` is a Vector when b was a Vector. */
export interface Lstsq<X extends Matrix | Vector = Matrix> {
  /** n×k (or length n when b is a vector): the basic least-squares solution. */
  x: X;
  /** Numerical rank of A from the pivoted QR's diagonal. */
  rank: number;
  /** ‖b − A·x‖₂ per right-hand side (length k). */
  residuals: Vector;
}

const DEFAULT_SYMMETRY_TOL = 1e-10;

function checkSquare(op: string, A: Matrix): void {
  if (A.rows !== A.cols) {
    throw new CondlabError(`${op} needs a square matrix, got ${A.describe()}`, 'shape-mismatch', { op, name: 'A', got: [A.rows, A.cols] });
  }
}

function checkSymmetric(engine: Engine, op: string, A: Matrix, tol: number): void {
  const w = internals(engine).wasm;
  const gap = w.symmetryGap(A.rows, A.ptr);
  const scale = w.maxAbs(A.length, A.ptr);
  if (gap > tol * scale) {
    throw new CondlabError(
      `${op} needs a symmetric matrix: max|a_ij − a_ji| = ${gap.toExponential(3)} is more than symmetryTol·max|a_ij| = ${(tol * scale).toExponential(3)}`,
      'not-symmetric',
      { asymmetry: gap / (scale || 1), tolerance: tol },
    );
  }
}

function checkTall(op: string, A: Matrix): void {
  if (A.rows < A.cols) {
    throw new CondlabError(
      `${op} needs rows ≥ cols, got ${A.describe()}; for a wide A factor its transpose (engine.transpose(A))`,
      'shape-mismatch',
      { op, name: 'A', got: [A.rows, A.cols] },
    );
  }
}

export function eigh(engine: Engine, A: Matrix, opts: EighOptions | undefined): Eigh {
  const o = checkOptions('eigh', opts, EIGH_OPTIONS);
  checkHandle(engine, 'eigh', 'A', A, 'matrix');
  checkSquare('eigh', A);
  engine.checkFinite('A', A);
  checkSymmetric(engine, 'eigh', A, o.symmetryTol ?? DEFAULT_SYMMETRY_TOL);
  const wantVectors = o.vectors ?? true;
  const maxSweeps = o.maxSweeps ?? 60;
  const n = A.rows;
  if ((o.method ?? 'auto') === 'auto') {
    const viaCholesky = eighPositiveDefinite(engine, A, wantVectors, o.tol, maxSweeps);
    if (viaCholesky) return viaCholesky;
  }
  const values = engine.vector(n);
  const vectors = wantVectors ? engine.matrix(n, n) : undefined;
  const w = internals(engine).wasm;
  const sweeps = w.eighJacobi(n, A.ptr, values.ptr, vectors ? vectors.ptr : 0, +wantVectors, o.tol ?? 0, maxSweeps);
  if (sweeps < 0) {
    const residual = w.eighLastResidual();
    values.free();
    vectors?.free();
    throw new CondlabError(
      `eigh of ${A.describe()} did not converge in ${maxSweeps} sweeps: largest remaining |a_pq|/√(|a_pp||a_qq|) = ${residual.toExponential(3)}; raise maxSweeps or tol`,
      'no-convergence',
      { residual, maxSweeps, op: 'eigh' },
    );
  }
  return vectors ? { values, vectors, sweeps } : { values, sweeps };
}

/**
 * A = L·Lᵀ, L = U·Σ·Vᵀ ⇒ A = U·Σ²·Uᵀ. Returns undefined when A is not (numerically) positive definite. Both steps
 * keep relative accuracy for graded positive definite A (Demmel & Veselić 1992, Cholesky + one-sided Jacobi).
 */
function eighPositiveDefinite(engine: Engine, A: Matrix, wantVectors: boolean, tol: number | undefined, maxSweeps: number): Eigh | undefined {
  const n = A.rows;
  const w = internals(engine).wasm;
  return engine.scope(() => {
    const L = engine.matrix(n, n);
    if (w.cholesky(n, A.ptr, L.ptr) >= 0) return undefined;
    let svd: ReturnType<Engine['svd']>;
    try {
      // the QRCP path always: this route promises relative accuracy for graded A, which the right-basis path
      // (forming L·V₀) gives only up to ~ε·κ(L)
      svd = engine.svd(L, { vectors: wantVectors, tol, maxSweeps, rightBasis: false });
    } catch (e) {
      if (!(e instanceof CondlabError && e.is('no-convergence'))) throw e;
      const residual = e.details.residual ?? NaN;
      throw new CondlabError(
        `eigh of ${A.describe()} (positive definite: Cholesky + one-sided Jacobi) did not converge in ${maxSweeps} sweeps: ` +
          `largest remaining |lᵢ·lⱼ|/(‖lᵢ‖‖lⱼ‖) = ${residual.toExponential(3)}; raise maxSweeps or tol`,
        'no-convergence',
        { residual, maxSweeps, op: 'eigh' },
      );
    }
    const s = svd.s.toArray();
    // σ descending → λ = σ² ascending
    const values = engine.vector(n, Float64Array.from({ length: n }, (_, i) => s[n - 1 - i] * s[n - 1 - i]));
    if (!svd.U) return { values, sweeps: svd.sweeps };
    const vectors = engine.matrix(n, n);
    // views only after the last allocation (memory growth detaches earlier ones)
    const u = svd.U.data();
    const v = vectors.data();
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) v[r * n + c] = u[r * n + (n - 1 - c)];
    return { values, vectors, sweeps: svd.sweeps };
  });
}

export function cholesky(engine: Engine, A: Matrix, opts: CholeskyOptions | undefined): Matrix {
  const o = checkOptions('cholesky', opts, CHOLESKY_OPTIONS);
  checkHandle(engine, 'cholesky', 'A', A, 'matrix');
  checkSquare('cholesky', A);
  engine.checkFinite('A', A);
  checkSymmetric(engine, 'cholesky', A, o.symmetryTol ?? DEFAULT_SYMMETRY_TOL);
  const L = engine.matrix(A.rows, A.cols);
  const w = internals(engine).wasm;
  const at = w.cholesky(A.rows, A.ptr, L.ptr);
  if (at >= 0) {
    const pivot = w.choleskyLastPivot();
    L.free();
    throw new CondlabError(
      `cholesky: ${A.describe()} is not positive definite — pivot ${at} is a_ii − Σ l_ik² = ${pivot.toExponential(3)} (must be > 0); ` +
        `for semidefinite or indefinite matrices use eigh`,
      'not-positive-definite',
      { pivot: at, value: pivot },
    );
  }
  return L;
}

export function qr(engine: Engine, A: Matrix): Qr {
  checkHandle(engine, 'qr', 'A', A, 'matrix');
  checkTall('qr', A);
  engine.checkFinite('A', A);
  const { rows: m, cols: n } = A;
  const core = internals(engine);
  const Q = engine.matrix(m, n);
  const R = engine.matrix(n, n);
  const permPtr = core.allocBytes(4 * n, 'a permutation');
  try {
    core.wasm.qrPivoted(m, n, A.ptr, Q.ptr, R.ptr, permPtr);
    return { Q, R, perm: new Int32Array(core.wasm.memory.buffer, permPtr, n).slice() };
  } finally {
    core.wasm.free(permPtr, 4 * n);
  }
}

export function lstsq(engine: Engine, A: Matrix, b: Matrix | Vector, opts: LstsqOptions | undefined): Lstsq<Matrix | Vector> {
  const o = checkOptions('lstsq', opts, LSTSQ_OPTIONS);
  checkHandle(engine, 'lstsq', 'A', A, 'matrix');
  const B = checkHandle(engine, 'lstsq', 'b', b, 'block');
  checkTall('lstsq', A);
  const isVector = !('rows' in B);
  const bRows = isVector ? B.length : (B as Matrix).rows;
  const k = isVector ? 1 : (B as Matrix).cols;
  if (bRows !== A.rows) {
    throw new CondlabError(`lstsq: b has ${bRows} rows but A has ${A.rows}; they must match`, 'shape-mismatch', { op: 'lstsq', name: 'b', expected: [A.rows], got: [bRows] });
  }
  engine.checkFinite('A', A);
  engine.checkFinite('b', B);
  const x = isVector ? engine.vector(A.cols) : engine.matrix(A.cols, k);
  const residuals = engine.vector(k);
  const rank = internals(engine).wasm.lstsqQr(A.rows, A.cols, k, A.ptr, B.ptr, x.ptr, o.rcond ?? 0, residuals.ptr);
  return { x, rank, residuals };
}
