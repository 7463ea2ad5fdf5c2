// Householder QR with column pivoting, on a matrix held by *rows = columns of T* (T is q×p, q ≥ p, and G = Tᵀ is
// what we store, so every column operation of T is a contiguous row operation of G).
// This is the preconditioner of Drmač–Veselić's Jacobi SVD: T·P = Q·R, then Jacobi runs on Rᵀ, whose columns are
// close to orthogonal and strongly graded, so it converges in a few sweeps. Rows of T are sorted by ∞-norm
// first (Powell–Reid / Cox–Higham), which makes the QR row-wise backward stable: tiny rows keep relative accuracy.

import { dot, nrm2, axpy, scal } from "../blas1";
import { copysign, hypot } from "./scalar";

// @ts-ignore: decorator
@inline function row(g: usize, i: i32, q: i32): usize {
  return g + ((<usize>i * <usize>q) << 3);
}

/**
 * In place on G (p rows of length q). On return:
 *  - R (p×p, row-major, upper triangular) is written to `r`;
 *  - row j of G holds the Householder vector v_j in positions j+1..q−1 (v_j[j] = 1 implicitly), tau[j] its τ;
 *  - perm[j] is the original index of the column of T now in position j (column pivoting).
 * `work` needs 2p f64.
 */
export function householderQrPivoted(g: usize, p: i32, q: i32, r: usize, tau: usize, perm: usize, work: usize): void {
  const norms = work; // partial column norms (of T), downdated as the factorisation proceeds
  const exact = work + (<usize>p << 3); // the last exactly computed value, to detect cancellation
  for (let j = 0; j < p; j++) {
    store<i32>(perm + (<usize>j << 2), j);
    const nj = nrm2(q, row(g, j, q));
    store<f64>(norms + (<usize>j << 3), nj);
    store<f64>(exact + (<usize>j << 3), nj);
  }
  const tol3z = Math.sqrt(f64.EPSILON);

  for (let j = 0; j < p; j++) {
    // pivot: the remaining column of largest partial norm goes first
    let best = j;
    let bestNorm = load<f64>(norms + (<usize>j << 3));
    for (let i = j + 1; i < p; i++) {
      const ni = load<f64>(norms + (<usize>i << 3));
      if (ni > bestNorm) { bestNorm = ni; best = i; }
    }
    if (best != j) {
      swapRows(g, j, best, q);
      const pj = perm + (<usize>j << 2), pb = perm + (<usize>best << 2);
      const t = load<i32>(pj); store<i32>(pj, load<i32>(pb)); store<i32>(pb, t);
      swapF64(norms, j, best);
      swapF64(exact, j, best);
    }

    // reflector for x = G[j][j..q)
    const x = row(g, j, q) + (<usize>j << 3);
    const len = q - j;
    // A column whose norm is in the subnormal range would give a β with only a few significant bits and a
    // reflector that is no longer orthogonal; lift it by an exact power of two first (as LAPACK's dlarfg does).
    let lifted = false;
    if (len > 0 && nrm2(len, x) < 1e-290) {
      scal(len, TWO_600, x);
      lifted = true;
    }
    const alpha = load<f64>(x);
    const xnorm = len > 1 ? nrm2(len - 1, x + 8) : 0.0;
    let t: f64 = 0.0;
    let beta = alpha;
    if (xnorm != 0.0) {
      beta = -copysign(hypot(alpha, xnorm), alpha);
      t = (beta - alpha) / beta;
      scal(len - 1, 1.0 / (alpha - beta), x + 8);
    }
    if (lifted) beta /= TWO_600;
    store<f64>(tau + (<usize>j << 3), t);
    store<f64>(x, beta); // R's diagonal lives in G (v_j[0] = 1 is implicit), so pivot swaps carry R along

    // apply H_j = I − τ v vᵀ to the remaining columns, then read off row j of R and downdate norms
    for (let i = j + 1; i < p; i++) {
      const y = row(g, i, q) + (<usize>j << 3);
      if (t != 0.0) {
        const w = load<f64>(y) + (len > 1 ? dot(len - 1, x + 8, y + 8) : 0.0);
        const tw = t * w;
        store<f64>(y, load<f64>(y) - tw);
        if (len > 1) axpy(len - 1, -tw, x + 8, y + 8);
      }
      const rji = load<f64>(y);
      // LAPACK dgeqp3-style downdate with recomputation when cancellation would make it inaccurate
      const ni = load<f64>(norms + (<usize>i << 3));
      if (ni != 0.0) {
        let temp = abs(rji) / ni;
        temp = max(0.0, (1.0 + temp) * (1.0 - temp));
        const ratio = ni / load<f64>(exact + (<usize>i << 3));
        if (temp * ratio * ratio <= tol3z) {
          const fresh = len > 1 ? nrm2(len - 1, y + 8) : 0.0;
          store<f64>(norms + (<usize>i << 3), fresh);
          store<f64>(exact + (<usize>i << 3), fresh);
        } else {
          store<f64>(norms + (<usize>i << 3), ni * Math.sqrt(temp));
        }
      }
    }
  }
  extractR(g, p, q, r);
}

/** Copies R out of G: R[j][i] = G[i][j] for i ≥ j (column i of R is row i of G, rotated by the reflectors). */
function extractR(g: usize, p: i32, q: i32, r: usize): void {
  memory.fill(r, 0, (<usize>p * <usize>p) << 3);
  for (let i = 0; i < p; i++) {
    const gi = row(g, i, q);
    for (let j = 0; j <= i; j++) store<f64>(r + ((<usize>j * <usize>p + <usize>i) << 3), load<f64>(gi + (<usize>j << 3)));
  }
}

/**
 * Explicit thin Q, stored transposed: qt (p×q) row i = Q·e_i, from the reflectors left in G.
 * Backward accumulation: H_j only touches e_i for i ≥ j.
 */
export function formQt(g: usize, p: i32, q: i32, tau: usize, qt: usize): void {
  memory.fill(qt, 0, (<usize>p * <usize>q) << 3);
  for (let i = 0; i < p; i++) store<f64>(row(qt, i, q) + (<usize>i << 3), 1.0);
  for (let j = p - 1; j >= 0; j--) {
    const t = load<f64>(tau + (<usize>j << 3));
    if (t == 0.0) continue;
    const v = row(g, j, q) + (<usize>j << 3); // v[0] = 1 implicitly, v[1..] stored
    const len = q - j;
    for (let i = j; i < p; i++) {
      const y = row(qt, i, q) + (<usize>j << 3);
      const w = load<f64>(y) + (len > 1 ? dot(len - 1, v + 8, y + 8) : 0.0);
      const tw = t * w;
      store<f64>(y, load<f64>(y) - tw);
      if (len > 1) axpy(len - 1, -tw, v + 8, y + 8);
    }
  }
}

function swapRows(g: usize, a: i32, b: i32, q: i32): void {
  const pa = row(g, a, q), pb = row(g, b, q);
  let k = 0;
  for (; k + 2 <= q; k += 2) {
    const off = <usize>k << 3;
    const t = v128.load(pa + off);
    v128.store(pa + off, v128.load(pb + off));
    v128.store(pb + off, t);
  }
  if (k < q) {
    const off = <usize>k << 3;
    const t = load<f64>(pa + off);
    store<f64>(pa + off, load<f64>(pb + off));
    store<f64>(pb + off, t);
  }
}

export function swapF64(p: usize, a: i32, b: i32): void {
  const pa = p + (<usize>a << 3), pb = p + (<usize>b << 3);
  const t = load<f64>(pa);
  store<f64>(pa, load<f64>(pb));
  store<f64>(pb, t);
}

export { swapRows };

const TWO_600: f64 = 4.149515568880993e180; // 2^600

