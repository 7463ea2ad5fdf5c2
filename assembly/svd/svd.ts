// Thin SVD A = U·diag(s)·Vᵀ of any m×n matrix by one-sided Jacobi, preconditioned by QR with column pivoting
// (Drmač & Veselić, "New fast and accurate Jacobi SVD algorithm", SIAM J. Matrix Anal. Appl. 29, 2008).
//
// Everything works on T, the tall orientation (T = A if m ≥ n, else T = Aᵀ; q×p with q ≥ p), stored transposed as
// G = Tᵀ (p×q) so that the columns Jacobi rotates are contiguous rows:
//   1. scale by a power of two (exact) so max|aᵢⱼ| ∈ [0.5, 1): no overflow in squared norms;
//   2. sort the rows of T by ∞-norm, descending (keeps Householder QR row-wise backward stable for graded T);
//   3. T·P = Q·R (QR with column pivoting), then Jacobi on the columns of X = Rᵀ, i.e. the rows of R. R's rows are
//      strongly graded and nearly orthogonal, so Jacobi needs few sweeps;
//   4. Rᵀ·J = U_x·Σ gives T = (Q·J)·Σ·(P·U_x)ᵀ.
//   5. J without accumulating it: Rᵀ is square and triangular, so J = R⁻ᵀ·(U_x·Σ) is one triangular solve (p³ flops)
//      after the sweeps, instead of a rotation of J's rows inside every rotation (~40% of a sweep's flops). The
//      solve's error grows with R's condition, so J is kept only if it is orthogonal to working accuracy,
//      max|JᵀJ − I| ≤ ORTH_TOL; otherwise the sweeps are rerun from a copy of R with J accumulated (graded and
//      ill-conditioned matrices). The rotations do not depend on whether J is accumulated, so σ, U_x and the
//      sweep count are bit-identical either way (Drmač–Veselić 2008, §3.3, use the same solve when R is well
//      conditioned).
// flags: bit 0 = compute U and V; bit 1 = skip the QR step (plain one-sided Jacobi on T, for comparison);
// bit 2 = always accumulate J (the step-5 fallback, for comparison); bit 3 = right-basis preconditioner (below).
//
// Right-basis preconditioner (flags bit 3, with vectors; right_basis.ts): instead of steps 3–5, V₀ = eigenvectors of
// TᵀT, and plain one-sided Jacobi runs on the columns of T·V₀ (already σᵢuᵢ up to V₀'s error: ~3 sweeps) with the
// rotations applied to V₀ᵀ's rows, so V = V₀·J without a final product. It is taken only when
//   p ≥ RB_MIN_P (below, the QRCP path is as fast) — at any aspect ratio: tall T is well conditioned and T·V₀ needs
//   a single sweep (measured 2048×256: 63 ms against QRCP's 153 ms, 10 sweeps), and
//   T is not graded: forming T·V₀ costs ε‖T‖ absolute error per column, which would cost tiny σ their relative
//   accuracy — so when the estimate √(λ_min/λ_max) of σ_min/σ₁ from TᵀT is below GRADE_RATIO (1e-5), or TᵀT's
//   tridiagonal has no Cholesky factor, the QRCP path runs as before (bit-identical to a call without bit 3).
// svdLastPath() says which ran.

import { nrm2, maxAbs, scal, transpose, copy, axpy } from "../blas1";
import { gemm } from "../gemm/gemm";
import { argsortDesc } from "./sort";
import { householderQrPivoted, formQt } from "./householder_qr";
import { jacobiSweeps } from "./jacobi_sweep";
import { rightBasis, RB_OK } from "./right_basis";

export { svdLastResidual, svdLastSweeps } from "./jacobi_sweep";

export const SVD_VECTORS: i32 = 1;
export const SVD_NO_QR: i32 = 2;
export const SVD_ACCUMULATE: i32 = 4;
// The right-basis preconditioner where the input qualifies (else the QRCP path, bit-identical to leaving it off).
// engine.svd sets it by default since 0.6.0, and so does every SVD inside the training steps (assembly/train/).
export const SVD_RIGHT_BASIS: i32 = 8;

/** Smallest p for the right-basis path (see the header). */
const RB_MIN_P: i32 = 32;
/** 0 = QRCP path (or no-QR by bit 1); 1 = right basis; −k = right basis tried and rejected with reason k. */
let lastPath: i32 = 0;

export function svdLastPath(): i32 {
  return lastPath;
}

/** Largest tolerated |JᵀJ − I| for the solved J (step 5), as a multiple of p·ε (accumulated rotations: ~1–2 p·ε). */
const ORTH_TOL: f64 = 16.0;
/** The solve is tried only when |r₁₁/r_pp| ≤ SOLVE_RATIO·p: its error is ≈ 2κ(R)·ε, and QRCP's diagonal ratio is a
 * cheap lower estimate of κ(R) — so graded matrices go straight to accumulation, without a wasted run. */
const SOLVE_RATIO: f64 = 4.0;
let lastOrthogonality: f64 = 0.0;
let lastSolved: i32 = 0;

/** max|JᵀJ − I| of the last solved J (0 if none was tried). */
export function svdLastOrthogonality(): f64 {
  return lastOrthogonality;
}

/** 1 when the last vectors call kept the solved J, 0 when it accumulated J (fallback or bit 2). */
export function svdLastSolved(): i32 {
  return lastSolved;
}

// @ts-ignore: decorator
@inline function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

function scratchF64(n: i32): usize {
  return heap.alloc(<usize>max(n, 1) << 3);
}

function scratchI32(n: i32): usize {
  return heap.alloc(<usize>max(n, 1) << 2);
}

/**
 * a: m×n row-major (not modified); s: k = min(m, n) values, descending; u: m×k and v: n×k row-major (only when
 * flags & 1). tol ≤ 0 selects √len·ε; maxSweeps ≤ 0 selects 60. Returns the sweep count, −1 when the sweep limit
 * was hit (see svdLastResidual), −2 for bad dimensions.
 */
export function svd(m: i32, n: i32, a: usize, s: usize, u: usize, v: usize, flags: i32, tol: f64, maxSweeps: i32): i32 {
  if (m < 1 || n < 1) return -2;
  const vectors = (flags & SVD_VECTORS) != 0;
  const useQr = (flags & SVD_NO_QR) == 0;
  const tall = m >= n;
  const p = tall ? n : m;
  const q = tall ? m : n;
  const len = useQr ? p : q;
  const tolGiven = tol > 0.0;
  if (tol <= 0.0) tol = Math.sqrt(<f64>len) * f64.EPSILON;
  if (maxSweeps <= 0) maxSweeps = 60;

  const g = scratchF64(p * q);
  if (tall) transpose(a, m, n, g);
  else copy(p * q, a, g);

  // 1. exact power-of-two scaling
  const amax = maxAbs(p * q, g);
  if (amax == 0.0) {
    heap.free(g);
    zeroMatrixResult(m, n, p, s, u, v, vectors);
    return 0;
  }
  const e = binaryExponent(amax);
  scaleByPowerOfTwo(p * q, g, -e);

  // 2. sort T's rows (G's columns) by ∞-norm, descending: pi[r] = original row of T now at position r
  const pi = scratchI32(q);
  sortTRows(g, p, q, pi);

  lastPath = 0;
  if (vectors && useQr && (flags & SVD_RIGHT_BASIS) != 0 && p >= RB_MIN_P) {
    const vt = scratchF64(p * p);
    const status = rightBasis(g, p, q, vt);
    if (status == RB_OK) {
      lastPath = 1;
      lastOrthogonality = 0.0;
      lastSolved = 0;
      const sweeps = rightBasisJacobi(m, n, p, q, g, vt, pi, s, u, v, e, Math.sqrt(<f64>q) * f64.EPSILON, tolGiven ? tol : 0.0, maxSweeps);
      heap.free(vt);
      heap.free(pi);
      heap.free(g);
      return sweeps;
    }
    lastPath = -status;
    heap.free(vt);
  }

  const w = useQr ? scratchF64(p * p) : g; // the rows Jacobi rotates
  const tau = scratchF64(p);
  const perm = scratchI32(p);
  const qrWork = scratchF64(2 * p);
  if (useQr) householderQrPivoted(g, p, q, w, tau, perm, qrWork);
  else for (let i = 0; i < p; i++) store<i32>(perm + (<usize>i << 2), i);

  const jt = vectors ? scratchF64(p * p) : 0;
  const d = scratchF64(p);
  const solve = vectors && useQr && (flags & SVD_ACCUMULATE) == 0 && diagonalRatio(w, p) <= SOLVE_RATIO * <f64>p;
  lastOrthogonality = 0.0;
  lastSolved = 0;
  let sweeps: i32;
  if (solve) {
    const r0 = scratchF64(p * p);
    copy(p * p, w, r0);
    sweeps = jacobiSweeps(w, p, len, 0, d, tol, maxSweeps);
    if (sweeps >= 0) {
      solveRight(w, r0, p, jt);
      lastOrthogonality = orthogonalityError(jt, p);
      lastSolved = lastOrthogonality <= ORTH_TOL * <f64>p * f64.EPSILON ? 1 : 0; // NaN (singular R) falls back too
    }
    if (sweeps >= 0 && lastSolved == 0) {
      copy(p * p, r0, w);
      identity(jt, p);
      sweeps = jacobiSweeps(w, p, len, jt, d, tol, maxSweeps);
    }
    heap.free(r0);
  } else {
    if (vectors) identity(jt, p);
    sweeps = jacobiSweeps(w, p, len, jt, d, tol, maxSweeps);
  }

  if (sweeps >= 0) {
    const sig = d; // reuse: exact row norms of the converged W
    for (let i = 0; i < p; i++) store<f64>(sig + (<usize>i << 3), nrm2(len, w + ((<usize>i * <usize>len) << 3)));
    const ord = scratchI32(p);
    argsortDesc(sig, ord, p);
    for (let c = 0; c < p; c++) store<f64>(s + (<usize>c << 3), f64At(sig, i32At(ord, c)));
    scaleByPowerOfTwo(p, s, e);
    if (vectors) {
      // outputs: left singular vectors of T (q×p) and right ones (p×p); A's U and V are these, swapped if wide
      const left = tall ? u : v;
      const right = tall ? v : u;
      if (useQr) {
        const qt = scratchF64(p * q);
        formQt(g, p, q, tau, qt);
        const lt = scratchF64(p * q);
        gemm(0, 0, p, q, p, 1.0, jt, p, qt, q, 0.0, lt, q); // (Q·J)ᵀ = Jᵀ·Qᵀ
        scatterRows(lt, q, p, ord, pi, left, 0.0, 0);
        scatterRows(w, p, p, ord, perm, right, 1.0, sig);
        completeColumns(right, p, p, sig, ord);
        heap.free(lt);
        heap.free(qt);
      } else {
        scatterRows(w, q, p, ord, pi, left, 1.0, sig);
        completeColumns(left, q, p, sig, ord);
        scatterRows(jt, p, p, ord, perm, right, 0.0, 0);
      }
    }
    heap.free(ord);
  }

  heap.free(d);
  if (jt != 0) heap.free(jt);
  heap.free(qrWork);
  heap.free(perm);
  heap.free(tau);
  if (useQr) heap.free(w);
  heap.free(pi);
  heap.free(g);
  return sweeps;
}

/**
 * Jacobi on W = V₀ᵀ·G (rows = columns of T·V₀, length q) with the rotations applied to V₀ᵀ, then the outputs as in
 * the no-QR branch of svd: σ = row norms, left vectors = normalised rows, right vectors = rows of Jᵀ·V₀ᵀ.
 */
function rightBasisJacobi(
  m: i32, n: i32, p: i32, q: i32, g: usize, vt: usize, pi: usize, s: usize, u: usize, v: usize, e: i32,
  defaultTol: f64, tol: f64, maxSweeps: i32,
): i32 {
  if (tol <= 0.0) tol = defaultTol;
  const tall = m >= n;
  const w = scratchF64(p * q);
  gemm(0, 0, p, q, p, 1.0, vt, p, g, q, 0.0, w, q);
  const d = scratchF64(p);
  const sweeps = jacobiSweeps(w, p, q, vt, d, tol, maxSweeps, true);
  if (sweeps >= 0) {
    const sig = d;
    for (let i = 0; i < p; i++) store<f64>(sig + (<usize>i << 3), nrm2(q, w + ((<usize>i * <usize>q) << 3)));
    const ord = scratchI32(p);
    argsortDesc(sig, ord, p);
    for (let c = 0; c < p; c++) store<f64>(s + (<usize>c << 3), f64At(sig, i32At(ord, c)));
    scaleByPowerOfTwo(p, s, e);
    const left = tall ? u : v;
    const right = tall ? v : u;
    const ident = scratchI32(p);
    for (let i = 0; i < p; i++) store<i32>(ident + (<usize>i << 2), i);
    scatterRows(w, q, p, ord, pi, left, 1.0, sig);
    completeColumns(left, q, p, sig, ord);
    scatterRows(vt, p, p, ord, ident, right, 0.0, 0);
    heap.free(ident);
    heap.free(ord);
  }
  heap.free(d);
  heap.free(w);
  return sweeps;
}

/** |r₁₁/r_pp| of the pivoted R (row-major p×p); +∞ when r_pp = 0. */
function diagonalRatio(r: usize, p: i32): f64 {
  const first = abs(load<f64>(r));
  const last = abs(load<f64>(r + ((<usize>(p - 1) * <usize>p + <usize>(p - 1)) << 3)));
  return last == 0.0 ? Infinity : first / last;
}

function identity(x: usize, p: i32): void {
  memory.fill(x, 0, (<usize>p * <usize>p) << 3);
  for (let i = 0; i < p; i++) store<f64>(x + ((<usize>i * <usize>p + <usize>i) << 3), 1.0);
}

/**
 * jt ← W·R⁻¹ (all p×p row-major, R upper triangular): row i solves y·R = wᵢ by forward substitution along R's rows,
 * so every update is a contiguous axpy. Since W = Jᵀ·R, this is Jᵀ.
 */
function solveRight(wf: usize, r: usize, p: i32, jt: usize): void {
  copy(p * p, wf, jt);
  for (let i = 0; i < p; i++) {
    const y = jt + ((<usize>i * <usize>p) << 3);
    for (let k = 0; k < p; k++) {
      const rk = r + ((<usize>k * <usize>p) << 3);
      const yk = load<f64>(y + (<usize>k << 3)) / load<f64>(rk + (<usize>k << 3));
      store<f64>(y + (<usize>k << 3), yk);
      if (yk != 0.0 && k + 1 < p) axpy(p - k - 1, -yk, rk + (<usize>(k + 1) << 3), y + (<usize>(k + 1) << 3));
    }
  }
}

/** max|X·Xᵀ − I| for X p×p row-major (X = Jᵀ; J square, so its rows are orthonormal iff its columns are). */
function orthogonalityError(x: usize, p: i32): f64 {
  const g = scratchF64(p * p);
  gemm(0, 1, p, p, p, 1.0, x, p, x, p, 0.0, g, p);
  let err = 0.0;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const e = abs(load<f64>(g + ((<usize>i * <usize>p + <usize>j) << 3)) - (i == j ? 1.0 : 0.0));
      if (e > err || e != e) err = e; // NaN sticks, so a singular R fails the test
    }
  }
  heap.free(g);
  return err;
}

/** e with amax·2^−e ∈ [0.5, 1), subnormal amax included. */
export function binaryExponent(amax: f64): i32 {
  const bits = reinterpret<u64>(amax);
  const biased = <i32>((bits >> 52) & 0x7ff);
  if (biased != 0) return biased - 1022;
  // subnormal: the exponent comes from the leading one of the fraction
  return -1022 - <i32>clz<u64>(bits & 0xfffffffffffff) + 12;
}

/** x ← x·2^e, in steps small enough that the factor itself is a normal double: exact unless x under/overflows. */
export function scaleByPowerOfTwo(n: i32, x: usize, e: i32): void {
  while (e != 0) {
    const step = e > 1000 ? 1000 : e < -1000 ? -1000 : e;
    scal(n, NativeMath.scalbn(1.0, step), x);
    e -= step;
  }
}

/** Permutes G's columns so that T's rows are in descending ∞-norm order; pi receives the permutation. */
function sortTRows(g: usize, p: i32, q: i32, pi: usize): void {
  const keys = scratchF64(q);
  memory.fill(keys, 0, <usize>q << 3);
  for (let i = 0; i < p; i++) {
    const gi = g + ((<usize>i * <usize>q) << 3);
    for (let r = 0; r < q; r++) {
      const x = abs(load<f64>(gi + (<usize>r << 3)));
      const kp = keys + (<usize>r << 3);
      if (x > load<f64>(kp)) store<f64>(kp, x);
    }
  }
  argsortDesc(keys, pi, q);
  const tmp = keys; // the keys are no longer needed
  for (let i = 0; i < p; i++) {
    const gi = g + ((<usize>i * <usize>q) << 3);
    for (let r = 0; r < q; r++) store<f64>(tmp + (<usize>r << 3), load<f64>(gi + (<usize>i32At(pi, r) << 3)));
    copy(q, tmp, gi);
  }
  heap.free(keys);
}

/**
 * out (rows×p, row-major): out[idx[r]][c] = src[ord[c]][r] / σ (σ = sig[ord[c]] when normalise ≠ 0, else 1).
 * Columns whose σ is zero are left at zero for completeColumns.
 */
function scatterRows(src: usize, rows: i32, p: i32, ord: usize, idx: usize, out: usize, normalise: f64, sig: usize): void {
  for (let c = 0; c < p; c++) {
    const i = i32At(ord, c);
    let inv = 1.0;
    if (normalise != 0.0) {
      const si = f64At(sig, i);
      inv = isZeroSigma(si) ? 0.0 : 1.0 / si;
    }
    const si_row = src + ((<usize>i * <usize>rows) << 3);
    for (let r = 0; r < rows; r++) {
      store<f64>(out + ((<usize>i32At(idx, r) * <usize>p + <usize>c) << 3), load<f64>(si_row + (<usize>r << 3)) * inv);
    }
  }
}

// @ts-ignore: decorator
@inline function isZeroSigma(x: f64): bool {
  return !(x > 1e-290); // after scaling max|aᵢⱼ| < 1, such a row is numerically null
}

/**
 * Columns of `out` (rows×p) that belong to zero singular values get unit vectors orthogonal to every other column,
 * so the thin U/V stay orthonormal for rank-deficient A. Each new column starts from the standard basis vector e_j
 * with the largest residual ‖(I − P)e_j‖² = 1 − Σ_c out[j][c]² (P projects on the columns filled so far): that
 * residual is at least (rows − filled)/rows, so the choice never fails, and it is Gram–Schmidt'ed twice.
 */
function completeColumns(out: usize, rows: i32, p: i32, sig: usize, ord: usize): void {
  let missing = 0;
  for (let c = 0; c < p; c++) if (isZeroSigma(f64At(sig, i32At(ord, c)))) missing++;
  if (missing == 0) return;
  const valid = scratchI32(p); // 1 when column c already holds a unit vector
  for (let c = 0; c < p; c++) store<i32>(valid + (<usize>c << 2), isZeroSigma(f64At(sig, i32At(ord, c))) ? 0 : 1);
  const res = scratchF64(rows);
  for (let j = 0; j < rows; j++) {
    let r = 1.0;
    for (let c = 0; c < p; c++) {
      if (i32At(valid, c) == 0) continue;
      const q = load<f64>(out + ((<usize>j * <usize>p + <usize>c) << 3));
      r -= q * q;
    }
    store<f64>(res + (<usize>j << 3), r);
  }
  const x = scratchF64(rows);
  for (let c = 0; c < p; c++) {
    if (i32At(valid, c) != 0) continue;
    let best = 0;
    for (let j = 1; j < rows; j++) if (f64At(res, j) > f64At(res, best)) best = j;
    memory.fill(x, 0, <usize>rows << 3);
    store<f64>(x + (<usize>best << 3), 1.0);
    for (let pass = 0; pass < 2; pass++) {
      for (let o = 0; o < p; o++) {
        if (i32At(valid, o) == 0) continue;
        let proj = 0.0;
        for (let r = 0; r < rows; r++) proj += load<f64>(out + ((<usize>r * <usize>p + <usize>o) << 3)) * f64At(x, r);
        for (let r = 0; r < rows; r++) {
          const xp = x + (<usize>r << 3);
          store<f64>(xp, load<f64>(xp) - proj * load<f64>(out + ((<usize>r * <usize>p + <usize>o) << 3)));
        }
      }
    }
    const nx = nrm2(rows, x);
    for (let r = 0; r < rows; r++) {
      const v = f64At(x, r) / nx;
      store<f64>(out + ((<usize>r * <usize>p + <usize>c) << 3), v);
      store<f64>(res + (<usize>r << 3), f64At(res, r) - v * v);
    }
    store<i32>(valid + (<usize>c << 2), 1);
  }
  heap.free(x);
  heap.free(res);
  heap.free(valid);
}

/** A = 0: every σ is zero and U, V are the first columns of the identity. */
function zeroMatrixResult(m: i32, n: i32, k: i32, s: usize, u: usize, v: usize, vectors: bool): void {
  memory.fill(s, 0, <usize>k << 3);
  if (!vectors) return;
  memory.fill(u, 0, (<usize>m * <usize>k) << 3);
  memory.fill(v, 0, (<usize>n * <usize>k) << 3);
  for (let i = 0; i < k; i++) {
    store<f64>(u + ((<usize>i * <usize>k + <usize>i) << 3), 1.0);
    store<f64>(v + ((<usize>i * <usize>k + <usize>i) << 3), 1.0);
  }
}



