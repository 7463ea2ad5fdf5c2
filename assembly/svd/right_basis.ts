// A right basis V₀ for the Jacobi SVD (issue 19 part 2, docs/numerics.md "Vectors: what a right-basis
// preconditioner would buy"): V₀ = eigenvectors of TᵀT, so the columns of T·V₀ are already σᵢuᵢ up to V₀'s error and
// one-sided Jacobi on them (no QRCP) converges in ~3 sweeps instead of ~10. Any orthogonal V₀ gives a correct SVD
// (V = V₀·J, J from Jacobi); its accuracy only decides the sweep count. So the stages aim at speed, and the only
// hard requirement — V₀ orthogonal to working accuracy — is checked at the end, with a fallback on failure.
//   1. C = G·Gᵀ = TᵀT (GEMM; G = Tᵀ is p×q, scaled so max|gᵢⱼ| < 1), symmetrised;
//   2. C = Q·Tri·Qᵀ (tridiag.ts, dsytd2);
//   3. eigenvalues of Tri as squared singular values of its Cholesky factor (Tri = L·Lᵀ, L lower bidiagonal) by dqds:
//      O(p²) and to high relative accuracy of L, with no tuning (bisection would cost ~50 Sturm counts per value).
//      A failed Cholesky, or λ_min/λ_max below GRADE_RATIO², says T is (numerically) ill conditioned: the caller then
//      keeps the QRCP path, which is the one with relative accuracy for such inputs (see svd.ts);
//   4. eigenvectors of Tri by inverse iteration (LAPACK dstein): LU with partial pivoting of Tri − λI, a few solves
//      from a pseudo-random start, modified Gram–Schmidt against the earlier vectors of the same cluster (eigenvalues
//      closer than CLUSTER·‖Tri‖₁);
//   5. back-transform: rows of V₀ᵀ = Zᵀ·Qᵀ, i.e. each eigenvector row times H_{p−3}·…·H_0, reflector by reflector
//      along contiguous rows;
//   6. orthogonality: S = V₀ᵀ·V₀; if max|S − I| is above NS_SKIP, one Newton–Schulz step V₀ᵀ ← 1.5·V₀ᵀ − 0.5·S·V₀ᵀ
//      (error E → ~¾E²); above ORTH_FAIL (or NaN) the basis is rejected.
// Deterministic and thread-count independent: the only parallel kernel is GEMM, which is bit-identical across
// thread counts; everything else is serial.

import { axpy, dot, nrm2, scal, copy } from "../blas1";
import { gemm } from "../gemm/gemm";
import { tridiagonalize } from "../linalg/tridiag";
import { dqdsSingularValues } from "./dqds";
import { argsortDesc } from "./sort";

/** T·V₀ is used only when σ_min/σ₁, estimated as √(λ_min/λ_max) of the computed TᵀT, is at least this. Forming T·V₀
 *  costs ~√q·ε‖T‖ absolute per column, a relative error ~√q·ε·σ₁/σᵢ in σᵢ: at most ~√q·1e-11 (5e-10 at q = 512,
 *  typically 1e-11) on this path, against the QRCP path's ~ε·κ(B) for graded T = B·D or D·B (Demmel–Veselić).
 *  The estimate itself is trustworthy here: λ_min of the computed TᵀT is off by ~q·ε·λ_max, far below the
 *  threshold's λ_min = 1e-10·λ_max for any q < 1e5 (at 1e-6 it would not be: 1e-12 against q·ε ≈ 1e-13 at 512). */
export const GRADE_RATIO: f64 = 1e-5;
/** dstein's cluster criterion: eigenvalues closer than this times ‖Tri‖₁ are orthogonalised against each other. */
const CLUSTER: f64 = 1e-3;
/** Inverse-iteration solves per vector before giving up on the growth test, and solves after it passed (dstein
 *  takes 2; 1 gave the same sweep counts on Gaussians at n = 64…512, and Jacobi corrects what V₀ lacks). */
const MAX_ITS: i32 = 5;
const EXTRA: i32 = 1;
/** Skip the Newton–Schulz step when max|V₀ᵀV₀ − I| ≤ NS_SKIP·√p·ε. Inverse iteration leaves ~2–5·√p·ε (vectors of
 *  different clusters are orthogonal only to ~ε‖Tri‖/gap), so the step almost always runs: one more p³ GEMM (~12 ms at
 *  p = 512), for V orthogonal to 3–9ε instead of 30–60ε, and often one Jacobi sweep fewer. */
const NS_SKIP: f64 = 1.0;
/** Reject V₀ when max|V₀ᵀV₀ − I| exceeds this before the Newton–Schulz step (one step then leaves ≳ 1e-13). */
const ORTH_FAIL: f64 = 1e-7;

export const RB_OK: i32 = 0;
export const RB_ILL_CONDITIONED: i32 = 1;
export const RB_DQDS_FAILED: i32 = 2;
export const RB_NOT_ORTHOGONAL: i32 = 3;

let lastOrth: f64 = 0.0;
let lastRatio: f64 = 0.0;

/** max|V₀ᵀV₀ − I| before the Newton–Schulz step, for the last rightBasis call. */
export function rightBasisLastOrthogonality(): f64 {
  return lastOrth;
}

/** √(λ_min/λ_max) of TᵀT from the last rightBasis call (0 when its Cholesky failed): the grading test's estimate. */
export function rightBasisLastRatio(): f64 {
  return lastRatio;
}

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function setF(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

// @ts-ignore: decorator
@inline function rowPtr(a: usize, i: i32, n: i32): usize {
  return a + ((<usize>i * <usize>n) << 3);
}

function alloc(n: i32): usize {
  return heap.alloc(<usize>max(n, 1) << 3);
}

/**
 * g: p×q row-major (= Tᵀ, scaled so max|gᵢⱼ| < 1; not modified); vt: p×p output, rows = V₀'s columns (orthonormal).
 * Returns RB_OK, or a reason to keep the QRCP path (vt is then undefined).
 */
export function rightBasis(g: usize, p: i32, q: i32, vt: usize): i32 {
  lastOrth = 0.0;
  lastRatio = 0.0;
  const c = alloc(p * p);
  gram(g, p, q, c);

  const d = alloc(p), e = alloc(p), tau = alloc(p), work = alloc(p);
  tridiagonalize(p, c, d, e, tau, work);

  // 3. Tri = L·Lᵀ: l_ii = √(d_i − l_{i,i−1}²), l_{i+1,i} = e_i/l_ii; σ(L)² = λ(Tri)
  const ld = alloc(p), le = alloc(p), lam = alloc(p);
  let status = RB_OK;
  let prev = 0.0;
  for (let i = 0; i < p; i++) {
    const piv = f(d, i) - prev * prev;
    if (!(piv > 0.0)) { status = RB_ILL_CONDITIONED; break; }
    const l = Math.sqrt(piv);
    setF(ld, i, l);
    if (i + 1 < p) { prev = f(e, i) / l; setF(le, i, prev); }
  }
  if (status == RB_OK && dqdsSingularValues(p, ld, le, lam) != 0) status = RB_DQDS_FAILED;
  if (status == RB_OK) {
    // ascending order, so clusters are runs of neighbours
    const ord = heap.alloc(<usize>p << 2);
    argsortDesc(lam, ord, p);
    for (let i = 0; i < p; i++) setF(work, p - 1 - i, f(lam, load<i32>(ord + (<usize>i << 2))));
    heap.free(ord);
    for (let i = 0; i < p; i++) { const s = f(work, i); setF(lam, i, s * s); }
    const ratio = f(lam, p - 1) > 0.0 ? Math.sqrt(f(lam, 0) / f(lam, p - 1)) : 0.0;
    lastRatio = ratio;
    if (!(ratio >= GRADE_RATIO)) status = RB_ILL_CONDITIONED;
  }
  if (status == RB_OK) {
    inverseIteration(p, d, e, lam, vt);
    if (p >= 2 * NB) backTransformBlocked(p, c, tau, vt);
    else backTransform(p, c, tau, vt);
    status = reorthogonalise(p, vt);
  }
  heap.free(lam); heap.free(le); heap.free(ld);
  heap.free(work); heap.free(tau); heap.free(e); heap.free(d);
  heap.free(c);
  return status;
}

/** Blocks per side of gram's block upper triangle. */
const GRAM_BLOCKS: i32 = 4;

/**
 * s ← X·Xᵀ (X p×len row-major, s p×p), exactly symmetric: the diagonal and upper blocks of a GRAM_BLOCKS² tiling by
 * GEMM (10 of 16 blocks: ~5/8 of a full product's flops), the lower triangle mirrored.
 */
function gram(x: usize, p: i32, len: i32, s: usize): void {
  const nb = (p + GRAM_BLOCKS - 1) / GRAM_BLOCKS;
  for (let i0 = 0; i0 < p; i0 += nb) {
    const mi = min(nb, p - i0);
    for (let j0 = i0; j0 < p; j0 += nb) {
      const nj = min(nb, p - j0);
      gemm(0, 1, mi, nj, len, 1.0, rowPtr(x, i0, len), len, rowPtr(x, j0, len), len, 0.0, rowPtr(s, i0, p) + (<usize>j0 << 3), p);
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) setF(s, i * p + j, f(s, j * p + i));
}

/** State of the deterministic start-vector generator (xorshift64*, reseeded per call). */
let rngState: u64 = 0;

// @ts-ignore: decorator
@inline function uniform(): f64 {
  let x = rngState;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  rngState = x;
  const bits = (x * 0x2545f4914f6cdd1d) >> 11; // 53 bits
  return <f64>bits * (2.0 / 9007199254740992.0) - 1.0; // (−1, 1)
}

/**
 * z (p×p, rows) ← eigenvectors of the symmetric tridiagonal (d, e) for the ascending eigenvalues lam, by inverse
 * iteration as in LAPACK's dstein: eigenvalues of a cluster closer than 10·ε·|λ| are pulled apart by that much (so
 * each LU is nonsingular and the solves differ), and each iterate is orthogonalised against the cluster's earlier
 * vectors (MGS); convergence is the growth test ‖x‖∞ ≥ √(0.1/p) after scaling the right-hand side to
 * p·‖Tri‖₁·max(ε, |u_pp|)/‖x‖₁.
 */
function inverseIteration(p: i32, d: usize, e: usize, lam: usize, z: usize): void {
  rngState = 0x9e3779b97f4a7c15;
  let onenrm = 0.0;
  for (let i = 0; i < p; i++) {
    const r = abs(f(d, i)) + (i > 0 ? abs(f(e, i - 1)) : 0.0) + (i + 1 < p ? abs(f(e, i)) : 0.0);
    if (r > onenrm) onenrm = r;
  }
  const ortol = CLUSTER * onenrm;
  const eps = f64.EPSILON;
  const dtpcrt = Math.sqrt(0.1 / <f64>p);
  // LU of Tri − λI with partial pivoting: U has diagonal u0, superdiagonals u1, u2; multipliers l; pivots piv
  const u0 = alloc(p), u1 = alloc(p), u2 = alloc(p), l = alloc(p);
  const piv = heap.alloc(<usize>max(p, 1));
  let clusterStart = 0;
  let xjm = 0.0;
  for (let j = 0; j < p; j++) {
    let xj = f(lam, j);
    if (j > 0) {
      if (xj - xjm > ortol) clusterStart = j;
      else {
        const pertol = 10.0 * abs(eps * xj);
        if (xj - xjm < pertol) xj = xjm + pertol;
      }
    }
    xjm = xj;
    // factor
    let cd = f(d, 0) - xj;
    let cs = p > 1 ? f(e, 0) : 0.0;
    for (let i = 0; i + 1 < p; i++) {
      const sub = f(e, i);
      const dn = f(d, i + 1) - xj;
      const sn = i + 2 < p ? f(e, i + 1) : 0.0;
      if (abs(cd) >= abs(sub)) {
        setF(u0, i, cd); setF(u1, i, cs); setF(u2, i, 0.0);
        const m = cd == 0.0 ? 0.0 : sub / cd;
        setF(l, i, m); store<u8>(piv + <usize>i, 0);
        cd = dn - m * cs;
        cs = sn;
      } else {
        setF(u0, i, sub); setF(u1, i, dn); setF(u2, i, sn);
        const m = cd / sub;
        setF(l, i, m); store<u8>(piv + <usize>i, 1);
        cd = cs - m * dn;
        cs = -m * sn;
      }
    }
    setF(u0, p - 1, cd);
    // tiny pivots are replaced by ±ε·‖Tri‖₁ (dlagts' perturbation): a λ accurate to the last bit must not divide by 0
    const ptol = eps * onenrm;
    // u0 then holds the reciprocal pivots: the back substitution is a dependent chain, and a division there
    // costs ~4× a multiplication's latency
    for (let i = 0; i < p; i++) {
      const u = f(u0, i);
      setF(u0, i, 1.0 / (abs(u) < ptol ? (u < 0.0 ? -ptol : ptol) : u));
    }
    const x = rowPtr(z, j, p);
    for (let i = 0; i < p; i++) setF(x, i, uniform());
    let extra = 0;
    for (let it = 0; it < MAX_ITS + EXTRA; it++) {
      // scale the right-hand side, as dstein does, so the growth test below is meaningful
      let asum = 0.0;
      for (let i = 0; i < p; i++) asum += abs(f(x, i));
      scal(p, <f64>p * onenrm * max(eps, abs(1.0 / f(u0, p - 1))) / asum, x);
      // solve (Tri − λI)·y = x: forward with the row interchanges, then back substitution
      for (let i = 0; i + 1 < p; i++) {
        if (load<u8>(piv + <usize>i) != 0) {
          const t = f(x, i); setF(x, i, f(x, i + 1)); setF(x, i + 1, t);
        }
        setF(x, i + 1, f(x, i + 1) - f(l, i) * f(x, i));
      }
      for (let i = p - 1; i >= 0; i--) {
        let s = f(x, i);
        if (i + 1 < p) s -= f(u1, i) * f(x, i + 1);
        if (i + 2 < p) s -= f(u2, i) * f(x, i + 2);
        setF(x, i, s * f(u0, i));
      }
      // MGS against the earlier vectors of the cluster
      for (let k = clusterStart; k < j; k++) {
        const zk = rowPtr(z, k, p);
        axpy(p, -dot(p, x, zk), zk, x);
      }
      let xmax = 0.0;
      for (let i = 0; i < p; i++) xmax = max(xmax, abs(f(x, i)));
      if (extra > 0 || xmax >= dtpcrt) {
        extra++;
        if (extra > EXTRA) break;
      }
    }
    const nx = nrm2(p, x);
    scal(p, 1.0 / nx, x);
  }
  heap.free(piv);
  heap.free(l); heap.free(u2); heap.free(u1); heap.free(u0);
}

/** Reflectors per block of the blocked back-transform. */
const NB: i32 = 32;

/**
 * vt ← vt·Qᵀ (as backTransform) in blocks of NB reflectors by the compact WY form (LAPACK dlarft/dlarfb): a block
 * H_k0·…·H_{k0+nb−1} = I − Y·T·Yᵀ, so vt·(that)ᵀ = vt − ((vt·Y)·Tᵀ)·Yᵀ — two GEMMs per block, on the columns
 * k0+1.. that the block touches. Blocks from the last reflector down, as the unblocked order requires.
 * Deterministic: the GEMMs are bit-identical for any thread count.
 */
function backTransformBlocked(p: i32, a: usize, tau: usize, vt: usize): void {
  const nr = p - 2; // reflectors 0..p−3
  if (nr <= 0) return;
  const yt = alloc(NB * p), tt = alloc(NB * NB), x = alloc(p * NB), wv = alloc(NB);
  const top = (nr - 1) / NB * NB; // start of the last block
  for (let k0 = top; k0 >= 0; k0 -= NB) {
    const nb = min(NB, nr - k0);
    const c0 = k0 + 1; // first column any reflector of the block touches
    const w = p - c0;
    // Yᵀ (nb×w, row c = v_{k0+c} on columns c0..p−1, zero before its implicit 1)
    for (let c = 0; c < nb; c++) {
      const k = k0 + c;
      const yr = rowPtr(yt, c, w);
      memory.fill(yr, 0, <usize>(k - k0) << 3);
      copy(p - k - 1, rowPtr(a, k, p) + (<usize>(k + 1) << 3), yr + (<usize>(k - k0) << 3));
    }
    // T (nb×nb upper triangular, row-major): T_ii = τ_i, T[0:i, i] = −τ_i·T[0:i, 0:i]·(Y[:, 0:i]ᵀ·y_i)
    memory.fill(tt, 0, <usize>(NB * NB) << 3);
    for (let i = 0; i < nb; i++) {
      const ti = f(tau, k0 + i);
      setF(tt, i * NB + i, ti);
      if (ti == 0.0) continue;
      for (let j = 0; j < i; j++) setF(wv, j, -ti * dot(w - i, rowPtr(yt, j, w) + (<usize>i << 3), rowPtr(yt, i, w) + (<usize>i << 3)));
      for (let r = 0; r < i; r++) {
        let sum = 0.0;
        for (let j = r; j < i; j++) sum += f(tt, r * NB + j) * f(wv, j);
        setF(tt, r * NB + i, sum);
      }
    }
    // X = vt[:, c0:]·Y (p×nb), then X ← X·Tᵀ, then vt[:, c0:] −= X·Yᵀ
    const z = vt + (<usize>c0 << 3);
    gemm(0, 1, p, nb, w, 1.0, z, p, yt, w, 0.0, x, NB);
    for (let r = 0; r < p; r++) {
      const xr = rowPtr(x, r, NB);
      for (let c = 0; c < nb; c++) {
        let sum = 0.0;
        for (let j = c; j < nb; j++) sum += f(xr, j) * f(tt, c * NB + j);
        setF(xr, c, sum); // column c needs only columns ≥ c, still unmodified
      }
    }
    gemm(0, 0, p, w, nb, -1.0, x, NB, yt, w, 1.0, z, p);
  }
  heap.free(wv); heap.free(x); heap.free(tt); heap.free(yt);
}

/**
 * Each row z of vt ← z·Qᵀ = z·H_{p−3}·…·H_0 (Q = H_0·…·H_{p−3} from tridiagonalize, reflector k stored as row k of a
 * from column k+1 with an implicit leading 1): every update z[k+1..] −= τ_k·(z[k+1..]·v_k)·v_k is a contiguous
 * dot and axpy. Four rows per pass over the reflectors, so each v_k is loaded once per four rows.
 */
function backTransform(p: i32, a: usize, tau: usize, vt: usize): void {
  let r = 0;
  for (; r + 4 <= p; r += 4) {
    const z0 = rowPtr(vt, r, p), z1 = rowPtr(vt, r + 1, p), z2 = rowPtr(vt, r + 2, p), z3 = rowPtr(vt, r + 3, p);
    for (let k = p - 3; k >= 0; k--) {
      const t = f(tau, k);
      if (t == 0.0) continue;
      const m = p - k - 1;
      const v = rowPtr(a, k, p) + (<usize>(k + 1) << 3);
      const off = <usize>(k + 1) << 3;
      dot4axpy(m, v, z0 + off, z1 + off, z2 + off, z3 + off, t);
    }
  }
  for (; r < p; r++) {
    const z = rowPtr(vt, r, p);
    for (let k = p - 3; k >= 0; k--) {
      const t = f(tau, k);
      if (t == 0.0) continue;
      const m = p - k - 1;
      const v = rowPtr(a, k, p) + (<usize>(k + 1) << 3);
      const zz = z + (<usize>(k + 1) << 3);
      axpy(m, -t * dot(m, zz, v), v, zz);
    }
  }
}

/** zᵢ −= τ·(zᵢ·v)·v for four rows, f64x2; the dot products sum pairwise lanes then the tail, in a fixed order. */
function dot4axpy(m: i32, v: usize, z0: usize, z1: usize, z2: usize, z3: usize, t: f64): void {
  let a0 = f64x2.splat(0.0), a1 = f64x2.splat(0.0), a2 = f64x2.splat(0.0), a3 = f64x2.splat(0.0);
  let k = 0;
  for (; k + 2 <= m; k += 2) {
    const o = <usize>k << 3;
    const vv = v128.load(v + o);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(z0 + o), vv));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(z1 + o), vv));
    a2 = f64x2.add(a2, f64x2.mul(v128.load(z2 + o), vv));
    a3 = f64x2.add(a3, f64x2.mul(v128.load(z3 + o), vv));
  }
  let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
  let s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
  if (k < m) {
    const vk = f(v, k);
    s0 += f(z0, k) * vk; s1 += f(z1, k) * vk; s2 += f(z2, k) * vk; s3 += f(z3, k) * vk;
  }
  const c0 = f64x2.splat(-t * s0), c1 = f64x2.splat(-t * s1), c2 = f64x2.splat(-t * s2), c3 = f64x2.splat(-t * s3);
  k = 0;
  for (; k + 2 <= m; k += 2) {
    const o = <usize>k << 3;
    const vv = v128.load(v + o);
    v128.store(z0 + o, f64x2.add(v128.load(z0 + o), f64x2.mul(c0, vv)));
    v128.store(z1 + o, f64x2.add(v128.load(z1 + o), f64x2.mul(c1, vv)));
    v128.store(z2 + o, f64x2.add(v128.load(z2 + o), f64x2.mul(c2, vv)));
    v128.store(z3 + o, f64x2.add(v128.load(z3 + o), f64x2.mul(c3, vv)));
  }
  if (k < m) {
    const vk = f(v, k);
    setF(z0, k, f(z0, k) - t * s0 * vk); setF(z1, k, f(z1, k) - t * s1 * vk);
    setF(z2, k, f(z2, k) - t * s2 * vk); setF(z3, k, f(z3, k) - t * s3 * vk);
  }
}

/** Step 6: checks V₀ᵀ·V₀ = I and applies one Newton–Schulz step when it is not at rounding level. */
function reorthogonalise(p: i32, vt: usize): i32 {
  const s = alloc(p * p);
  gram(vt, p, p, s);
  let err = 0.0;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const x = abs(f(s, i * p + j) - (i == j ? 1.0 : 0.0));
      if (x > err || x != x) err = x;
    }
  }
  lastOrth = err;
  let status = RB_OK;
  if (!(err <= ORTH_FAIL)) status = RB_NOT_ORTHOGONAL;
  else if (err > NS_SKIP * Math.sqrt(<f64>p) * f64.EPSILON) {
    const tmp = alloc(p * p);
    copy(p * p, vt, tmp);
    gemm(0, 0, p, p, p, -0.5, s, p, tmp, p, 1.5, vt, p);
    heap.free(tmp);
  }
  heap.free(s);
  return status;
}
