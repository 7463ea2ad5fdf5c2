// Cholesky A = L·Lᵀ of a symmetric positive definite matrix, row by row (Cholesky–Banachiewicz): every inner
// product runs along two rows of L, so all loads are contiguous. Reads the lower triangle of A only.

import { dot } from "../blas1";

let lastPivot: f64 = 0.0;

/** The value of the failing pivot a_ii − Σ l_ik² (≤ 0 or NaN) after cholesky returned an index ≥ 0. */
export function choleskyLastPivot(): f64 {
  return lastPivot;
}

/**
 * a: n×n row-major (lower triangle read); l: n×n row-major, lower triangular on return (upper part zero).
 * Returns −1 on success, or the index i at which the pivot was not positive (A is not positive definite).
 */
export function cholesky(n: i32, a: usize, l: usize): i32 {
  memory.fill(l, 0, (<usize>n * <usize>n) << 3);
  for (let i = 0; i < n; i++) {
    const li = l + ((<usize>i * <usize>n) << 3);
    for (let j = 0; j <= i; j++) {
      const lj = l + ((<usize>j * <usize>n) << 3);
      const sum = load<f64>(a + ((<usize>i * <usize>n + <usize>j) << 3)) - (j > 0 ? dot(j, li, lj) : 0.0);
      if (i == j) {
        if (!(sum > 0.0)) {
          lastPivot = sum;
          return i;
        }
        store<f64>(li + (<usize>i << 3), Math.sqrt(sum));
      } else {
        store<f64>(li + (<usize>j << 3), sum / load<f64>(lj + (<usize>j << 3)));
      }
    }
  }
  return -1;
}
