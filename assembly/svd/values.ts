// Values-only SVD of any m×n matrix: Householder bidiagonalisation (bidiag.ts) then dqds (dqds.ts), 8/3·n³ flops
// once instead of Jacobi's ~7n³ per sweep. Backward stable, so |σ̂ᵢ − σᵢ| ≤ c·n·ε·σ₁ — an absolute bound: tiny
// singular values of a graded matrix are not accurate to their own size (use the Jacobi path for that).
//   1. work on T, the tall orientation (T = A or Aᵀ, q×p with q ≥ p);
//   2. scale by a power of two (exact) so max|tᵢⱼ| ∈ [0.5, 1): nothing overflows, and the thresholds in bidiag.ts
//      and dqds.ts are relative to σ₁;
//   3. when T is much taller than wide, QR first (the bidiagonalisation then runs on the p×p R, 4/3·p³ flops
//      instead of 4·q·p² − 4/3·p³);
//   4. bidiagonalise, run dqds, sort descending, undo the scaling.

import { maxAbs, transpose, copy } from "../blas1";
import { argsortDesc } from "./sort";
import { householderQrPivoted } from "./householder_qr";
import { bidiagonalize } from "./bidiag";
import { dqdsSingularValues } from "./dqds";
import { binaryExponent, scaleByPowerOfTwo } from "./svd";

/** q/p at and above which the QR step pays for itself (LAPACK's dgesdd switches at 11/6). */
const QR_FIRST_RATIO: f64 = 2.0;

/**
 * s (min(m, n) values, descending) of the row-major m×n a (not modified). Returns 0, −1 when dqds hit its iteration
 * limit, −2 for bad dimensions.
 */
export function svdValues(m: i32, n: i32, a: usize, s: usize): i32 {
  if (m < 1 || n < 1) return -2;
  const tall = m >= n;
  const p = tall ? n : m;
  const q = tall ? m : n;
  const amax = maxAbs(m * n, a);
  if (amax == 0.0) {
    memory.fill(s, 0, <usize>p << 3);
    return 0;
  }
  const ex = binaryExponent(amax);

  let rows = q;
  let t = heap.alloc(<usize>p * <usize>q << 3); // T, q×p row-major
  if (<f64>q >= QR_FIRST_RATIO * <f64>p && p > 1) {
    // householderQrPivoted works on G = Tᵀ (p×q): T's columns as contiguous rows
    if (tall) transpose(a, m, n, t);
    else copy(p * q, a, t);
    scaleByPowerOfTwo(p * q, t, -ex);
    const r = heap.alloc(<usize>p * <usize>p << 3);
    const tau = heap.alloc(<usize>p << 3);
    const perm = heap.alloc(<usize>p << 2);
    const work = heap.alloc(<usize>(2 * p) << 3);
    householderQrPivoted(t, p, q, r, tau, perm, work);
    heap.free(work); heap.free(perm); heap.free(tau);
    heap.free(t);
    t = r;
    rows = p;
  } else {
    if (tall) copy(p * q, a, t);
    else transpose(a, m, n, t);
    scaleByPowerOfTwo(p * q, t, -ex);
  }

  const d = heap.alloc(<usize>p << 3);
  const e = heap.alloc(<usize>max(p, 1) << 3);
  bidiagonalize(rows, p, t, d, e);
  const sig = heap.alloc(<usize>p << 3);
  const status = dqdsSingularValues(p, d, e, sig);
  const ord = heap.alloc(<usize>p << 2);
  argsortDesc(sig, ord, p);
  for (let i = 0; i < p; i++) store<f64>(s + (<usize>i << 3), load<f64>(sig + (<usize>load<i32>(ord + (<usize>i << 2)) << 3)));
  scaleByPowerOfTwo(p, s, ex);

  heap.free(ord); heap.free(sig); heap.free(e); heap.free(d); heap.free(t);
  return status;
}
