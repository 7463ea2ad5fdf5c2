// An independent reference for the singular values of a bidiagonal matrix, in plain TypeScript, sharing nothing with
// the engine: bisection with Sturm counts on the Golub–Kahan matrix, the 2n×2n symmetric tridiagonal with zero
// diagonal and off-diagonal (d₁, e₁, d₂, e₂, …, dₙ), whose eigenvalues are ±σᵢ. Bisection on a zero-diagonal
// tridiagonal is relatively accurate (Demmel & Kahan 1990), so every σ, however small, comes out to a few ulps.
// Slow (O(n²) counts per value) and only for tests.

/** Eigenvalues of the Golub–Kahan matrix below x (x > 0): n + #{σᵢ < x}. */
function countBelow(off: number[], x: number): number {
  // a zero pivot is replaced by a tiny negative one and counted as negative (Kahan's rule: the count is then that
  // of a neighbouring x, so it stays monotone)
  const TINY = -Number.MIN_VALUE * 2 ** 60;
  let count = 0;
  let p = -x; // LDLᵀ pivots of T − xI
  if (p === 0) p = TINY;
  if (p < 0) count++;
  for (let k = 0; k < off.length; k++) {
    p = -x - (off[k] * off[k]) / p;
    if (p === 0) p = TINY;
    if (p < 0) count++;
  }
  return count;
}

/** σ of the bidiagonal (d: n, e: n−1), descending. Entries' squares must not underflow (|·| ≥ 1e-150). */
export function bidiagonalSingularValues(d: number[], e: number[]): number[] {
  const n = d.length;
  const off: number[] = [];
  for (let i = 0; i < n; i++) {
    off.push(Math.abs(d[i]));
    if (i < n - 1) off.push(Math.abs(e[i]));
  }
  const upper = 2 * Math.max(...off, 0) + Number.MIN_VALUE; // ≥ σ₁ (Gershgorin)
  const out: number[] = [];
  for (let k = 1; k <= n; k++) {
    // the k-th smallest σ: the smallest x with #{σ < x} ≥ k
    let lo = 0, hi = upper;
    for (let it = 0; it < 4000; it++) {
      // arithmetic until lo > 0 (quartering hi reaches tiny σ fast), then geometric: relative precision
      const mid = lo > 0 ? Math.sqrt(lo) * Math.sqrt(hi) : hi / 4;
      if (mid <= lo || mid >= hi) break;
      if (countBelow(off, mid) - n >= k) hi = mid;
      else lo = mid;
      if (lo > 0 && hi - lo <= 2 ** -53 * lo) break;
      if (hi < 1e-300) { lo = 0; break; }
    }
    out.push(lo > 0 ? Math.sqrt(lo) * Math.sqrt(hi) : hi < 1e-300 ? 0 : hi);
  }
  return out.sort((a, b) => b - a);
}
