// Householder bidiagonalisation B = Qᵀ·A·P of a row-major m×n matrix (m ≥ n), blocked in the LAPACK dgebrd/dlabrd
// manner: a panel of NB columns and rows is reduced with its updates deferred in two skinny matrices X (m×NB) and
// Y (n×NB), so the current matrix is always A − V·Yᵀ − X·Uᵀ (V, U the panel's left/right reflectors), and the
// trailing block then gets all NB updates in one GEMM on our packed kernel (K = 2·NB). About half the 8/3·n³ flops
// are in that GEMM; the other half are the panel's matrix–vector products, which are memory bound. Those are fused:
// the A·u pass of step j (x_j) and the Aᵀ·v pass of step j+1 (y_{j+1}) walk the same rows of the trailing matrix,
// so one pass over memory serves both (row r: dot for x_j[r], which completes column j+1's entry r, then an axpy
// of that entry into y_{j+1}). v_{j+1} is not known yet during the pass — its Householder scaling needs the whole
// column — so the pass accumulates Aᵀ·c for the raw column c and the scaling is applied afterwards:
// v = (c − β·e₀)/(α − β) gives Aᵀv = (Aᵀc − β·a₀)/(α − β), with no cancellation in α − β.
// Only d and e are returned (values only): the reflectors are overwritten. Backward stable: B is the exact
// bidiagonal of A + δA with ‖δA‖ ≤ c·n·ε·‖A‖.

import { dot, nrm2, axpy, scal } from "../blas1";
import { gemm } from "../gemm/gemm";
import { copysign, hypot } from "./scalar";

/** Panel width: wide enough that the trailing GEMM runs near the kernel's peak (K = 64), narrow enough that the
 *  panel's extra O(NB) work per row stays small. */
export const BIDIAG_NB: i32 = 32;

/** A reflector whose vector norm is below this (the driver scales max|aᵢⱼ| into [0.5, 1)) is dropped: the column
 *  or row is treated as already reduced, an absolute perturbation ≤ 1e-280, far below ε·σ₁. */
const NEGLIGIBLE: f64 = 1e-280;

// the panel's state, shared by the helpers below (AssemblyScript has no closures)
let A: usize = 0; // the matrix, row-major, row stride N
let M: i32 = 0;
let N: i32 = 0;
let K0: i32 = 0; // first column/row of the current panel
let X: usize = 0; // m×NB, row stride NB
let Y: usize = 0; // n×NB, row stride NB
let COL: usize = 0; // m: the current column, gathered
let YACC: usize = 0; // n: Aᵀ·(raw column) accumulated by a row pass
let PACC: usize = 0; // NB: Vᵀ·(raw column)
let SACC: usize = 0; // NB: Xᵀ·(raw column)
let UCOL: usize = 0; // NB: U[l][i] for the column being formed
let YI: usize = 0; // NB: Y[i][l] for the column being formed
let AU: usize = 0; // NB: Y[:, l]ᵀ·u
let BU: usize = 0; // NB: U[l, :]·u

// @ts-ignore: decorator
@inline function at(r: i32, c: i32): usize {
  return A + ((<usize>r * <usize>N + <usize>c) << 3);
}

// @ts-ignore: decorator
@inline function xAt(r: i32, l: i32): usize {
  return X + ((<usize>r * <usize>BIDIAG_NB + <usize>l) << 3);
}

// @ts-ignore: decorator
@inline function yAt(c: i32, l: i32): usize {
  return Y + ((<usize>c * <usize>BIDIAG_NB + <usize>l) << 3);
}

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function setF(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/**
 * Reduces a (m×n, m ≥ n ≥ 1, row-major) to upper bidiagonal form; d receives the n diagonal entries, e the n−1
 * superdiagonal ones. a is destroyed.
 */
export function bidiagonalize(m: i32, n: i32, a: usize, d: usize, e: usize): void {
  A = a; M = m; N = n;
  const nb = BIDIAG_NB;
  X = heap.alloc(<usize>max(m, 1) * <usize>nb << 3);
  Y = heap.alloc(<usize>max(n, 1) * <usize>nb << 3);
  COL = heap.alloc(<usize>max(m, 1) << 3);
  YACC = heap.alloc(<usize>max(n, 1) << 3);
  const small = heap.alloc(<usize>(6 * nb) << 3);
  PACC = small; SACC = small + (<usize>nb << 3); UCOL = small + (<usize>(2 * nb) << 3);
  YI = small + (<usize>(3 * nb) << 3); AU = small + (<usize>(4 * nb) << 3); BU = small + (<usize>(5 * nb) << 3);
  const lhs = heap.alloc(<usize>max(m, 1) * <usize>(2 * nb) << 3);
  const rhs = heap.alloc(<usize>max(n, 1) * <usize>(2 * nb) << 3);

  let k = 0;
  while (k < n) {
    const width = min(nb, n - k);
    panel(k, width, d, e);
    if (k + width < n) trailingUpdate(k, width, lhs, rhs);
    k += width;
  }

  heap.free(rhs);
  heap.free(lhs);
  heap.free(small);
  heap.free(YACC);
  heap.free(COL);
  heap.free(Y);
  heap.free(X);
}

/** A[k+w:, k+w:] −= V·Yᵀ + X·Uᵀ as one GEMM [V X]·[Y Uᵀ]ᵀ with K = 2w. */
function trailingUpdate(k: i32, w: i32, lhs: usize, rhs: usize): void {
  const r0 = k + w;
  const rows = M - r0, cols = N - r0, kk = 2 * w;
  for (let r = 0; r < rows; r++) {
    const dst = lhs + (<usize>r * <usize>kk << 3);
    memory.copy(dst, at(r0 + r, k), <usize>w << 3); // V (reflector vectors below the diagonal)
    memory.copy(dst + (<usize>w << 3), xAt(r0 + r, 0), <usize>w << 3);
  }
  for (let c = 0; c < cols; c++) {
    const dst = rhs + (<usize>c * <usize>kk << 3);
    memory.copy(dst, yAt(r0 + c, 0), <usize>w << 3);
    for (let l = 0; l < w; l++) setF(dst, w + l, load<f64>(at(k + l, r0 + c))); // Uᵀ
  }
  gemm(0, 1, rows, cols, kk, -1.0, lhs, kk, rhs, kk, 1.0, at(r0, r0), N);
}

/**
 * Reduces columns and rows k..k+w−1. Where a column i = k + j exists after this panel's first, its formation is
 * fused with the previous step's x pass (see the file comment).
 */
function panel(k: i32, w: i32, d: usize, e: usize): void {
  K0 = k;
  // X and Y columns of this panel start at zero: rows that a step does not touch must not carry stale values
  memory.fill(X, 0, <usize>M * <usize>BIDIAG_NB << 3);
  memory.fill(Y, 0, <usize>N * <usize>BIDIAG_NB << 3);
  let tauP: f64 = 0.0; // the previous step's right reflector, when its x pass is still owed
  for (let j = 0; j < w; j++) {
    const i = k + j;
    // --- column i: x_{j−1} (if owed) fused with forming column i and Aᵀ·(column i) ---
    rowPass(j, i, j > 0, tauP);
    // --- left reflector H_j from COL[0 .. m−i) ---
    const len = M - i;
    const alpha = f(COL, 0);
    const xnorm = len > 1 ? nrm2(len - 1, COL + 8) : 0.0;
    let tauQ: f64 = 0.0;
    let beta = alpha;
    let scale: f64 = 0.0;
    if (xnorm > NEGLIGIBLE || (xnorm != 0.0 && abs(alpha) > NEGLIGIBLE)) {
      beta = -copysign(hypot(alpha, xnorm), alpha);
      tauQ = (beta - alpha) / beta;
      scale = 1.0 / (alpha - beta);
    } else if (xnorm != 0.0) {
      beta = -copysign(hypot(alpha, xnorm), alpha); // the whole column is negligible: keep its length, drop the rest
    }
    setF(d, i, beta);
    // store v in column i (v[0] = 1 explicitly: the deferred updates multiply by it)
    store<f64>(at(i, i), 1.0);
    for (let r = 1; r < len; r++) store<f64>(at(i + r, i), f(COL, r) * scale);
    if (i == N - 1) break;

    // --- Y[i+1:, j] = τ_q·(Aᵀv − Y·(Vᵀv) − Uᵀ·(Xᵀv)) over columns c > i ---
    const cols = N - i - 1;
    const yj = j; // column of Y being filled
    if (tauQ != 0.0) {
      // Aᵀv = (Aᵀc − β·a_i)/(α − β), likewise for Vᵀv and Xᵀv
      for (let c = 0; c < cols; c++) setF(YACC, c, (f(YACC, c) - beta * load<f64>(at(i, i + 1 + c))) * scale);
      for (let l = 0; l < j; l++) {
        setF(PACC, l, (f(PACC, l) - beta * load<f64>(at(i, k + l))) * scale);
        setF(SACC, l, (f(SACC, l) - beta * load<f64>(xAt(i, l))) * scale);
      }
      for (let c = 0; c < cols; c++) {
        const yc = yAt(i + 1 + c, 0);
        setF(YACC, c, f(YACC, c) - (j > 0 ? dot(j, yc, PACC) : 0.0));
      }
      for (let l = 0; l < j; l++) axpy(cols, -f(SACC, l), at(k + l, i + 1), YACC);
      for (let c = 0; c < cols; c++) store<f64>(yAt(i + 1 + c, yj), tauQ * f(YACC, c));
    }

    // --- row i: apply H_j and the deferred updates, A[i, c] −= Y[c, 0..j]·V[i, 0..j] + X[i, 0..j)·U[0..j), c] ---
    const rowI = at(i, i + 1);
    const vRow = at(i, k); // V[i, l] = A[i, k + l] for l < j, and A[i, i] = 1 = V[i, j]
    for (let c = 0; c < cols; c++) {
      const p = rowI + (<usize>c << 3);
      store<f64>(p, load<f64>(p) - dot(j + 1, yAt(i + 1 + c, 0), vRow));
    }
    for (let l = 0; l < j; l++) axpy(cols, -load<f64>(xAt(i, l)), at(k + l, i + 1), rowI);

    // --- right reflector G_j from row i, columns i+1.. ---
    const alphaR = load<f64>(rowI);
    const rnorm = cols > 1 ? nrm2(cols - 1, rowI + 8) : 0.0;
    tauP = 0.0;
    let betaR = alphaR;
    if (rnorm > NEGLIGIBLE || (rnorm != 0.0 && abs(alphaR) > NEGLIGIBLE)) {
      betaR = -copysign(hypot(alphaR, rnorm), alphaR);
      tauP = (betaR - alphaR) / betaR;
      scal(cols - 1, 1.0 / (alphaR - betaR), rowI + 8);
    } else if (rnorm != 0.0) {
      betaR = -copysign(hypot(alphaR, rnorm), alphaR);
      memory.fill(rowI + 8, 0, <usize>(cols - 1) << 3);
    }
    setF(e, i, betaR);
    store<f64>(rowI, 1.0);

    if (tauP != 0.0) {
      // the small products x_j needs: AU[l] = Y[i+1:, l]ᵀu (l ≤ j), BU[l] = U[l, i+1:]·u (l < j)
      memory.fill(AU, 0, <usize>(j + 1) << 3);
      for (let c = 0; c < cols; c++) {
        const uc = load<f64>(rowI + (<usize>c << 3));
        axpy(j + 1, uc, yAt(i + 1 + c, 0), AU);
      }
      for (let l = 0; l < j; l++) setF(BU, l, dot(cols, at(k + l, i + 1), rowI));
    }
    // the x pass itself runs at the start of the next step, fused; after the panel's last step, alone
    if (j == w - 1 && i + 1 < M) xPassOnly(j, i, tauP);
  }
}

/**
 * X[r, jp] = τ_p·(A[r, i+1:]·u − V[r, 0..jp]·AU − X[r, 0..jp)·BU) for the step jp on row ip, rows r > ip.
 */
// @ts-ignore: decorator
@inline function xEntry(r: i32, jp: i32, ip: i32, tauP: f64): f64 {
  const cols = N - ip - 1;
  const raw = dot(cols, at(r, ip + 1), at(ip, ip + 1));
  const corr = dot(jp + 1, at(r, K0), AU) + (jp > 0 ? dot(jp, xAt(r, 0), BU) : 0.0);
  return tauP * (raw - corr);
}

function xPassOnly(jp: i32, ip: i32, tauP: f64): void {
  if (tauP == 0.0) return;
  for (let r = ip + 1; r < M; r++) store<f64>(xAt(r, jp), xEntry(r, jp, ip, tauP));
}

/**
 * One pass over rows i..m−1 for step j (column i = K0 + j): if `owed`, first x_{j−1}[r] for the previous step's
 * right reflector (row i−1); then the current column's entry
 *   COL[r−i] = A[r, i] − V[r, 0..j)·Y[i, 0..j) − X[r, 0..j)·U[0..j), i]
 * and its contributions to YACC = Aᵀc (columns > i), PACC = Vᵀc, SACC = Xᵀc.
 */
function rowPass(j: i32, i: i32, owed: bool, tauP: f64): void {
  const k = K0;
  const cols = N - i - 1;
  for (let l = 0; l < j; l++) {
    setF(UCOL, l, load<f64>(at(k + l, i)));
    setF(YI, l, load<f64>(yAt(i, l)));
  }
  if (cols > 0) memory.fill(YACC, 0, <usize>cols << 3);
  if (j > 0) {
    memory.fill(PACC, 0, <usize>j << 3);
    memory.fill(SACC, 0, <usize>j << 3);
  }
  const doX = owed && tauP != 0.0;
  for (let r = i; r < M; r++) {
    if (doX) store<f64>(xAt(r, j - 1), xEntry(r, j - 1, i - 1, tauP));
    const vr = at(r, k);
    const xr = xAt(r, 0);
    let c = load<f64>(at(r, i));
    if (j > 0) c -= dot(j, vr, YI) + dot(j, xr, UCOL);
    setF(COL, r - i, c);
    if (c != 0.0) {
      if (cols > 0) axpy(cols, c, at(r, i + 1), YACC);
      if (j > 0) {
        axpy(j, c, vr, PACC);
        axpy(j, c, xr, SACC);
      }
    }
  }
}

