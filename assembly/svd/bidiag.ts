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

// Two-row forms of dot and axpy. The panel's products come in pairs of rows (or of Y rows, U rows) against one
// shared vector: handling two at once loads the shared vector once and halves the loop overhead of the many short
// (length < NB) products. Each result is rounded exactly as blas1's dot/axpy would round it one row at a time
// (the same lanes, the same order of the sums), so the pairing changes the speed, not a bit of the output.
let DOT0: f64 = 0.0;
let DOT1: f64 = 0.0;

/** DOT0 = x0ᵀy, DOT1 = x1ᵀy, each summed in blas1 dot's order. */
// @ts-ignore: decorator
@inline function dot2(n: i32, x0: usize, x1: usize, y: usize): void {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 3;
    const y0 = v128.load(y + o), y1 = v128.load(y + o, 16);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(x0 + o), y0));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(x0 + o, 16), y1));
    b0 = f64x2.add(b0, f64x2.mul(v128.load(x1 + o), y0));
    b1 = f64x2.add(b1, f64x2.mul(v128.load(x1 + o, 16), y1));
  }
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const y0 = v128.load(y + o);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(x0 + o), y0));
    b0 = f64x2.add(b0, f64x2.mul(v128.load(x1 + o), y0));
  }
  a0 = f64x2.add(a0, a1);
  b0 = f64x2.add(b0, b1);
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  let t = f64x2.extract_lane(b0, 0) + f64x2.extract_lane(b0, 1);
  if (i < n) {
    const yi = f(y, i);
    s += f(x0, i) * yi;
    t += f(x1, i) * yi;
  }
  DOT0 = s;
  DOT1 = t;
}

/** y ← (y + α₀x₀) + α₁x₁: axpy(α₀, x₀) then axpy(α₁, x₁), per element the same two roundings, one pass over y. */
// @ts-ignore: decorator
@inline function axpy2(n: i32, a0: f64, x0: usize, a1: f64, x1: usize, y: usize): void {
  const va = f64x2.splat(a0), vb = f64x2.splat(a1);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const t = f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x0 + o)));
    v128.store(y + o, f64x2.add(t, f64x2.mul(vb, v128.load(x1 + o))));
  }
  if (i < n) setF(y, i, (f(y, i) + a0 * f(x0, i)) + a1 * f(x1, i));
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

/** out[c] −= Y[c0 + c, 0..len)·v for c < cols, two Y rows per dot2. */
function subYProducts(c0: i32, cols: i32, len: i32, v: usize, out: usize): void {
  let c = 0;
  for (; c + 1 < cols; c += 2) {
    dot2(len, yAt(c0 + c, 0), yAt(c0 + c + 1, 0), v);
    setF(out, c, f(out, c) - DOT0);
    setF(out, c + 1, f(out, c + 1) - DOT1);
  }
  if (c < cols) setF(out, c, f(out, c) - dot(len, yAt(c0 + c, 0), v));
}

/** out −= Σ_{l<j} coef[l]·U[l, c0..c0+cols) (U row l = A row K0 + l), in l order, two rows per axpy2. */
function subURows(c0: i32, cols: i32, j: i32, coef: usize, out: usize): void {
  let l = 0;
  for (; l + 1 < j; l += 2) axpy2(cols, -f(coef, l), at(K0 + l, c0), -f(coef, l + 1), at(K0 + l + 1, c0), out);
  if (l < j) axpy(cols, -f(coef, l), at(K0 + l, c0), out);
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
      if (j > 0) subYProducts(i + 1, cols, j, PACC, YACC);
      subURows(i + 1, cols, j, SACC, YACC);
      for (let c = 0; c < cols; c++) store<f64>(yAt(i + 1 + c, yj), tauQ * f(YACC, c));
    }

    // --- row i: apply H_j and the deferred updates, A[i, c] −= Y[c, 0..j]·V[i, 0..j] + X[i, 0..j)·U[0..j), c] ---
    const rowI = at(i, i + 1);
    const vRow = at(i, k); // V[i, l] = A[i, k + l] for l < j, and A[i, i] = 1 = V[i, j]
    subYProducts(i + 1, cols, j + 1, vRow, rowI);
    subURows(i + 1, cols, j, xAt(i, 0), rowI);

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
      let c = 0;
      for (; c + 1 < cols; c += 2) axpy2(j + 1, f(rowI, c), yAt(i + 1 + c, 0), f(rowI, c + 1), yAt(i + 2 + c, 0), AU);
      if (c < cols) axpy(j + 1, f(rowI, c), yAt(i + 1 + c, 0), AU);
      let l = 0;
      for (; l + 1 < j; l += 2) {
        dot2(cols, at(k + l, i + 1), at(k + l + 1, i + 1), rowI);
        setF(BU, l, DOT0);
        setF(BU, l + 1, DOT1);
      }
      if (l < j) setF(BU, l, dot(cols, at(k + l, i + 1), rowI));
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

/** xEntry for rows r and r + 1 at once (each rounded as xEntry rounds it). */
// @ts-ignore: decorator
@inline function xEntries2(r: i32, jp: i32, ip: i32, tauP: f64): void {
  const cols = N - ip - 1;
  dot2(cols, at(r, ip + 1), at(r + 1, ip + 1), at(ip, ip + 1));
  const raw0 = DOT0, raw1 = DOT1;
  dot2(jp + 1, at(r, K0), at(r + 1, K0), AU);
  let c0 = DOT0, c1 = DOT1;
  if (jp > 0) {
    dot2(jp, xAt(r, 0), xAt(r + 1, 0), BU);
    c0 += DOT0;
    c1 += DOT1;
  } else {
    c0 += 0.0; // as xEntry's `+ 0.0` (a −0 becomes +0), so the pair rounds exactly as the single row
    c1 += 0.0;
  }
  store<f64>(xAt(r, jp), tauP * (raw0 - c0));
  store<f64>(xAt(r + 1, jp), tauP * (raw1 - c1));
}

function xPassOnly(jp: i32, ip: i32, tauP: f64): void {
  if (tauP == 0.0) return;
  let r = ip + 1;
  for (; r + 1 < M; r += 2) xEntries2(r, jp, ip, tauP);
  if (r < M) store<f64>(xAt(r, jp), xEntry(r, jp, ip, tauP));
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
  // rows in pairs (the row order of every sum is kept: row r's contribution is added before row r + 1's)
  let r = i;
  for (; r + 1 < M; r += 2) {
    if (doX) xEntries2(r, j - 1, i - 1, tauP);
    const v0 = at(r, k), v1 = at(r + 1, k);
    const x0 = xAt(r, 0), x1 = xAt(r + 1, 0);
    let c0 = load<f64>(at(r, i)), c1 = load<f64>(at(r + 1, i));
    if (j > 0) {
      dot2(j, v0, v1, YI);
      const p0 = DOT0, p1 = DOT1;
      dot2(j, x0, x1, UCOL);
      c0 -= p0 + DOT0;
      c1 -= p1 + DOT1;
    }
    setF(COL, r - i, c0);
    setF(COL, r + 1 - i, c1);
    if (c0 != 0.0 && c1 != 0.0) {
      if (cols > 0) axpy2(cols, c0, at(r, i + 1), c1, at(r + 1, i + 1), YACC);
      if (j > 0) {
        axpy2(j, c0, v0, c1, v1, PACC);
        axpy2(j, c0, x0, c1, x1, SACC);
      }
    } else {
      if (c0 != 0.0) rowContribution(r, i, j, cols, c0);
      if (c1 != 0.0) rowContribution(r + 1, i, j, cols, c1);
    }
  }
  if (r < M) {
    if (doX) store<f64>(xAt(r, j - 1), xEntry(r, j - 1, i - 1, tauP));
    let c = load<f64>(at(r, i));
    if (j > 0) c -= dot(j, at(r, k), YI) + dot(j, xAt(r, 0), UCOL);
    setF(COL, r - i, c);
    if (c != 0.0) rowContribution(r, i, j, cols, c);
  }
}

/** Row r's share of YACC, PACC and SACC for the column entry c. */
function rowContribution(r: i32, i: i32, j: i32, cols: i32, c: f64): void {
  if (cols > 0) axpy(cols, c, at(r, i + 1), YACC);
  if (j > 0) {
    axpy(j, c, at(r, K0), PACC);
    axpy(j, c, xAt(r, 0), SACC);
  }
}

