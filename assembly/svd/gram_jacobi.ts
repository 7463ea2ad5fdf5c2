// SVD with vectors from a right basis V₀ and a short Jacobi polish (issue 19 part 2, docs/numerics.md "Vectors").
// The default Jacobi SVD spends 9–11 sweeps of ~4n³ level-1 work rotating a basis that a symmetric eigensolver can
// deliver far more cheaply: with V₀ the eigenvectors of the Gram matrix G = TᵀT (T the tall orientation of A),
// the columns of B = T·V₀ are already σᵢuᵢ up to V₀'s error, and one-sided Jacobi on B converges in 2–4 sweeps.
//   1. scale T by a power of two (exact); G = TᵀT by GEMM;
//   2. G = Q·T_G·Qᵀ by Householder tridiagonalisation (linalg/tridiag.ts);
//   3. the eigenvalues of T_G: Cholesky of T_G + μI (μ = n·ε·‖T_G‖ keeps the Gram matrix's rounding from making it
//      indefinite) gives a bidiagonal whose σ² − μ are the eigenvalues, by dqds (dqds.ts);
//   4. the eigenvectors of T_G by inverse iteration (LAPACK dstein's scheme): a tridiagonal LU with partial
//      pivoting per eigenvalue, three solves from a fixed pseudo-random start, tiny pivots replaced by ε·‖T_G‖,
//      eigenvalues closer than 10·ε·‖T_G‖ pulled apart, and vectors whose eigenvalues lie within 10⁻³·‖T_G‖ of each
//      other (a cluster) re-orthogonalised against each other by modified Gram–Schmidt at every solve;
//   5. V₀ = Q·Z (GEMM), made orthogonal to rounding by one Newton–Schulz step (two GEMMs), B = T·V₀ (GEMM),
//      one-sided Jacobi on B with the rotations accumulated (jacobi_sweep.ts; V₀ is accurate to ~1e-9, so one
//      rotating sweep is enough and the quadratic stop skips the sweep that would only confirm it),
//      V = V₀·J (GEMM), σᵢ = ‖bᵢ‖, uᵢ = bᵢ/σᵢ, sorted descending.
// Accuracy is that of a backward-stable SVD (|σ̂ᵢ − σᵢ| ≤ c·n·ε·σ₁, as LAPACK's gesdd): forming G and B costs
// absolute error ε‖A‖, so small σ of graded matrices are not relatively accurate — the default method keeps that.
// Returns the Jacobi sweeps (≥ 1), −1 when the polish hit its sweep limit, −3 when the input should go to the
// default Jacobi instead (zero matrix, n < 2, a σ at rounding level: rank deficiency needs its null-space handling).

import { gemm } from "../gemm/gemm";
import { dot, maxAbs, copy, transpose, nrm2, scal, axpy } from "../blas1";
import { tridiagonalize, tridiagFormQ } from "../linalg/tridiag";
import { dqdsSingularValues } from "./dqds";
import { jacobiSweeps } from "./jacobi_sweep";
import { argsortDesc } from "./sort";
import { binaryExponent, scaleByPowerOfTwo } from "./svd";

const EPS: f64 = f64.EPSILON;
/** Eigenvalues within this fraction of ‖T_G‖ form a cluster whose vectors are re-orthogonalised (dstein's ORTOL). */
const CLUSTER: f64 = 1e-3;
const SOLVES: i32 = 3;

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function setF(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** ‖T_G‖∞ of the symmetric tridiagonal (d, e). */
function tridiagNorm(n: i32, d: usize, e: usize): f64 {
  let nrm = 0.0;
  for (let i = 0; i < n; i++) {
    let r = abs(f(d, i));
    if (i > 0) r += abs(f(e, i - 1));
    if (i < n - 1) r += abs(f(e, i));
    nrm = max(nrm, r);
  }
  return nrm;
}

/**
 * Eigenvalues of the positive semidefinite tridiagonal (d, e) into lam, ascending. Returns dqds' status (< 0: it
 * hit its iteration limit) or −4 when no shift made the Cholesky factorisation positive.
 */
function gramEigenvalues(n: i32, d: usize, e: usize, nrm: f64, lam: usize, work: usize): i32 {
  const bd = work, be = work + (<usize>n << 3), sig = work + (<usize>(2 * n) << 3);
  let mu = max(<f64>n * EPS * nrm, f64.MIN_VALUE);
  let ok = false;
  for (let attempt = 0; attempt < 8 && !ok; attempt++) {
    ok = true;
    let p = f(d, 0) + mu;
    for (let i = 0; i < n; i++) {
      if (!(p > 0.0)) { ok = false; break; }
      const r = Math.sqrt(p);
      setF(bd, i, r);
      if (i < n - 1) {
        const l = f(e, i) / r;
        setF(be, i, l);
        p = f(d, i + 1) + mu - l * l;
      }
    }
    if (!ok) mu *= 16.0;
  }
  if (!ok) return -4;
  const st = dqdsSingularValues(n, bd, be, sig);
  if (st < 0) return st;
  for (let i = 0; i < n; i++) setF(sig, i, f(sig, i) * f(sig, i) - mu);
  const ord = heap.alloc(<usize>n << 2);
  argsortDesc(sig, ord, n);
  for (let i = 0; i < n; i++) setF(lam, n - 1 - i, f(sig, load<i32>(ord + (<usize>i << 2))));
  heap.free(ord);
  return 0;
}

// LU with partial pivoting of T_G − λI (LAPACK dgttrf's layout): dd diagonal of U, du and du2 its two
// superdiagonals, dl the multipliers, piv[i] = 1 where rows i and i+1 were swapped
let DD: usize = 0, DU: usize = 0, DU2: usize = 0, DL: usize = 0, PIV: usize = 0;

function factor(n: i32, d: usize, e: usize, lambda: f64, tiny: f64): void {
  for (let i = 0; i < n; i++) {
    setF(DD, i, f(d, i) - lambda);
    setF(DU2, i, 0.0);
    if (i < n - 1) { setF(DL, i, f(e, i)); setF(DU, i, f(e, i)); }
  }
  for (let i = 0; i < n - 1; i++) {
    const di = f(DD, i), li = f(DL, i);
    if (abs(di) >= abs(li)) {
      store<i32>(PIV + (<usize>i << 2), 0);
      // a (near-)zero pivot is what inverse iteration wants to be near: replace it by ±tiny, as dstein does
      const p = abs(di) < tiny ? (di < 0.0 ? -tiny : tiny) : di;
      setF(DD, i, p);
      const fact = li / p;
      setF(DL, i, fact);
      setF(DD, i + 1, f(DD, i + 1) - fact * f(DU, i));
    } else {
      store<i32>(PIV + (<usize>i << 2), 1);
      const fact = di / li;
      setF(DD, i, li);
      setF(DL, i, fact);
      const t = f(DU, i);
      setF(DU, i, f(DD, i + 1));
      setF(DD, i + 1, t - fact * f(DD, i + 1));
      if (i < n - 2) {
        setF(DU2, i, f(DU, i + 1));
        setF(DU, i + 1, -fact * f(DU, i + 1));
      }
    }
  }
  const last = f(DD, n - 1);
  if (abs(last) < tiny) setF(DD, n - 1, last < 0.0 ? -tiny : tiny);
}

/** x ← (T_G − λI)⁻¹·x with the factorisation above. */
function solve(n: i32, x: usize): void {
  for (let i = 0; i < n - 1; i++) {
    if (load<i32>(PIV + (<usize>i << 2)) == 0) setF(x, i + 1, f(x, i + 1) - f(DL, i) * f(x, i));
    else {
      const t = f(x, i);
      setF(x, i, f(x, i + 1));
      setF(x, i + 1, t - f(DL, i) * f(x, i));
    }
  }
  setF(x, n - 1, f(x, n - 1) / f(DD, n - 1));
  if (n > 1) setF(x, n - 2, (f(x, n - 2) - f(DU, n - 2) * f(x, n - 1)) / f(DD, n - 2));
  for (let i = n - 3; i >= 0; i--) setF(x, i, (f(x, i) - f(DU, i) * f(x, i + 1) - f(DU2, i) * f(x, i + 2)) / f(DD, i));
}

/**
 * zt (n×n, row k = the eigenvector of lam[k]) for the tridiagonal (d, e) and its ascending eigenvalues lam (which
 * are perturbed in place where they nearly coincide).
 */
function gramEigenvectors(n: i32, d: usize, e: usize, nrm: f64, lam: usize, zt: usize): void {
  const tiny = max(EPS * nrm, f64.MIN_VALUE);
  const apart = 10.0 * EPS * nrm;
  let cluster = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      if (f(lam, k) - f(lam, k - 1) > CLUSTER * nrm) cluster = k;
      if (f(lam, k) - f(lam, k - 1) < apart) setF(lam, k, f(lam, k - 1) + apart);
    }
    factor(n, d, e, f(lam, k), tiny);
    const x = zt + ((<usize>k * <usize>n) << 3);
    // a fixed pseudo-random start (xorshift64 on the vector's index): deterministic, and never orthogonal to the
    // wanted vector in practice
    let state: u64 = (<u64>k + 1) * 0x9E3779B97F4A7C15;
    for (let i = 0; i < n; i++) {
      state ^= state << 13; state ^= state >> 7; state ^= state << 17;
      setF(x, i, <f64>(state >> 11) * 1.1102230246251565e-16 - 0.5);
    }
    for (let it = 0; it < SOLVES; it++) {
      solve(n, x);
      for (let j = cluster; j < k; j++) {
        const zj = zt + ((<usize>j * <usize>n) << 3);
        axpy(n, -dot(n, zj, x), zj, x);
      }
      const nx = nrm2(n, x);
      scal(n, 1.0 / nx, x);
    }
  }
}

/**
 * The SVD of the row-major m×n a (not modified): s (k = min(m, n) values, descending), u (m×k), v (n×k) row-major.
 * See the file comment for the method and the return values.
 */
export function svdGramJacobi(m: i32, n: i32, a: usize, s: usize, u: usize, v: usize, maxSweeps: i32): i32 {
  const tall = m >= n;
  const p = tall ? n : m, q = tall ? m : n; // T is q×p, q ≥ p
  if (p < 2) return -3;
  const amax = maxAbs(m * n, a);
  if (!(amax > 0.0) || !isFinite(amax)) return -3;
  const ex = binaryExponent(amax);
  const pp = <usize>p * <usize>p << 3;
  const t = heap.alloc(<usize>q * <usize>p << 3);
  if (tall) copy(m * n, a, t);
  else transpose(a, m, n, t);
  scaleByPowerOfTwo(q * p, t, -ex);

  const g = heap.alloc(pp), qm = heap.alloc(pp), zt = heap.alloc(pp), v0 = heap.alloc(pp), jt = heap.alloc(pp);
  const d = heap.alloc(<usize>p << 3), e = heap.alloc(<usize>p << 3), tau = heap.alloc(<usize>p << 3);
  const lam = heap.alloc(<usize>p << 3), work = heap.alloc(<usize>(3 * p) << 3);
  DD = heap.alloc(<usize>p << 3); DU = heap.alloc(<usize>p << 3); DU2 = heap.alloc(<usize>p << 3); DL = heap.alloc(<usize>p << 3);
  PIV = heap.alloc(<usize>p << 2);
  const bt = heap.alloc(<usize>p * <usize>q << 3);
  let status: i32 = 0;

  gemm(1, 0, p, p, q, 1.0, t, p, t, p, 0.0, g, p); // G = TᵀT
  tridiagonalize(p, g, d, e, tau, work);
  const nrm = tridiagNorm(p, d, e);
  status = gramEigenvalues(p, d, e, nrm, lam, work);
  if (status >= 0) {
    gramEigenvectors(p, d, e, nrm, lam, zt);
    tridiagFormQ(p, g, tau, qm, work);
    gemm(0, 1, p, p, p, 1.0, qm, p, zt, p, 0.0, v0, p); // V₀ = Q·Z (Z's columns are zt's rows)
    // inverse iteration leaves eigenvectors of close (unclustered) eigenvalues orthogonal only to ~ε·‖T_G‖/gap
    // (2.5e-14 on a 10×11 Gaussian, found by the property test); V = V₀·J inherits that, so V₀ is made
    // orthogonal to rounding by one Newton–Schulz step toward its polar factor, V₀ ← V₀·(3I − V₀ᵀV₀)/2, which
    // squares the error (two GEMMs; qm and jt are free here)
    gemm(1, 0, p, p, p, 1.0, v0, p, v0, p, 0.0, jt, p); // M = V₀ᵀV₀
    copy(p * p, v0, qm);
    gemm(0, 0, p, p, p, -0.5, v0, p, jt, p, 1.5, qm, p); // qm = 1.5·V₀ − 0.5·V₀·M
    gemm(1, 1, p, q, p, 1.0, qm, p, t, p, 0.0, bt, q); // Bᵀ = V₀ᵀ·Tᵀ: row i is column i of B = T·V₀
    copy(p * p, qm, v0);
    memory.fill(jt, 0, pp);
    for (let i = 0; i < p; i++) setF(jt, i * p + i, 1.0);
    status = jacobiSweeps(bt, p, q, jt, work, Math.sqrt(<f64>p) * EPS, maxSweeps > 0 ? maxSweeps : 60, true);
  } else status = -3;

  if (status > 0) {
    gemm(0, 1, p, p, p, 1.0, v0, p, jt, p, 0.0, g, p); // V = V₀·J (J's columns are jt's rows); g is free again
    const sig = work;
    for (let i = 0; i < p; i++) setF(sig, i, nrm2(q, bt + ((<usize>i * <usize>q) << 3)));
    const ord = heap.alloc(<usize>p << 2);
    argsortDesc(sig, ord, p);
    const s1 = f(sig, load<i32>(ord));
    // a σ at rounding level is a rank deficiency: its u is noise, and the default Jacobi completes the null space
    if (!(f(sig, load<i32>(ord + (<usize>(p - 1) << 2))) > 4.0 * <f64>q * EPS * s1)) status = -3;
    else {
      // T = U·Σ·Vᵀ; for a wide A = Tᵀ the roles of U and V swap
      const uo = tall ? u : v, vo = tall ? v : u;
      for (let c = 0; c < p; c++) {
        const i = load<i32>(ord + (<usize>c << 2));
        const sc = f(sig, i);
        setF(s, c, sc);
        const row = bt + ((<usize>i * <usize>q) << 3);
        for (let r = 0; r < q; r++) setF(uo, r * p + c, f(row, r) / sc);
        for (let r = 0; r < p; r++) setF(vo, r * p + c, f(g, r * p + i));
      }
      scaleByPowerOfTwo(p, s, ex);
    }
    heap.free(ord);
  }

  heap.free(bt); heap.free(PIV); heap.free(DL); heap.free(DU2); heap.free(DU); heap.free(DD);
  heap.free(work); heap.free(lam); heap.free(tau); heap.free(e); heap.free(d);
  heap.free(jt); heap.free(v0); heap.free(zt); heap.free(qm); heap.free(g); heap.free(t);
  return status;
}
