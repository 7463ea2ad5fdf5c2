// A·P = Q·R, Householder QR with column pivoting (|r_ii| non-increasing), for m ≥ n. The kernel is the SVD's
// preconditioner (assembly/svd/householder_qr.ts), which works on G = Aᵀ so column operations are contiguous.
// Least squares min ‖A·x − b‖₂ reuses the same factorisation and is rank-revealing: columns whose |r_ii| falls
// below rcond·|r_11| are dropped (the "basic" solution, as MATLAB's backslash; x has zeros there).

import { axpy, dot, nrm2, transpose } from "../blas1";
import { householderQrPivoted, formQt } from "../svd/householder_qr";

/** q: m×n (thin Q, orthonormal columns; 0 to skip), r: n×n upper triangular, perm: n i32 (column j of A·P is column perm[j] of A). */
export function qrPivoted(m: i32, n: i32, a: usize, q: usize, r: usize, perm: usize): void {
  const g = heap.alloc((<usize>m * <usize>n) << 3);
  transpose(a, m, n, g);
  const tau = heap.alloc(<usize>n << 3);
  const work = heap.alloc(<usize>n << 4);
  householderQrPivoted(g, n, m, r, tau, perm, work);
  if (q != 0) {
    const qt = heap.alloc((<usize>m * <usize>n) << 3);
    formQt(g, n, m, tau, qt);
    transpose(qt, n, m, q);
    heap.free(qt);
  }
  heap.free(work);
  heap.free(tau);
  heap.free(g);
}

/**
 * min ‖A·X − B‖ column by column: a m×n (m ≥ n), b m×k, x n×k, resid k (‖b_c − A·x_c‖₂). rcond ≤ 0 selects
 * max(m, n)·ε. Returns the numerical rank.
 */
export function lstsqQr(m: i32, n: i32, k: i32, a: usize, b: usize, x: usize, rcond: f64, resid: usize): i32 {
  if (rcond <= 0.0) rcond = <f64>max(m, n) * f64.EPSILON;
  const g = heap.alloc((<usize>m * <usize>n) << 3);
  transpose(a, m, n, g);
  const r = heap.alloc((<usize>n * <usize>n) << 3);
  const tau = heap.alloc(<usize>n << 3);
  const perm = heap.alloc(<usize>n << 2);
  const work = heap.alloc(<usize>n << 4);
  householderQrPivoted(g, n, m, r, tau, perm, work);

  const r11 = abs(load<f64>(r));
  let rank = 0;
  while (rank < n && abs(load<f64>(r + ((<usize>rank * <usize>n + <usize>rank) << 3))) > rcond * r11) rank++;

  // columns of B as rows of Bᵀ, so applying the reflectors is contiguous
  const bt = heap.alloc((<usize>k * <usize>m) << 3);
  transpose(b, m, k, bt);
  const z = heap.alloc(<usize>max(rank, 1) << 3);
  memory.fill(x, 0, (<usize>n * <usize>k) << 3);
  for (let c = 0; c < k; c++) {
    const y = bt + ((<usize>c * <usize>m) << 3);
    // y ← Qᵀ·y = H_{n−1}⋯H_0·y
    for (let j = 0; j < n; j++) {
      const t = load<f64>(tau + (<usize>j << 3));
      if (t == 0.0) continue;
      const v = g + ((<usize>j * <usize>m + <usize>j) << 3); // v[0] = 1 implicitly
      const len = m - j;
      const yj = y + (<usize>j << 3);
      const wv = load<f64>(yj) + (len > 1 ? dot(len - 1, v + 8, yj + 8) : 0.0);
      const tw = t * wv;
      store<f64>(yj, load<f64>(yj) - tw);
      if (len > 1) axpy(len - 1, -tw, v + 8, yj + 8);
    }
    store<f64>(resid + (<usize>c << 3), m > rank ? nrm2(m - rank, y + (<usize>rank << 3)) : 0.0);
    // R11·z = (Qᵀb)[0..rank), back substitution along R's rows
    for (let i = rank - 1; i >= 0; i--) {
      const ri = r + ((<usize>i * <usize>n) << 3);
      let sum = load<f64>(y + (<usize>i << 3));
      for (let j = i + 1; j < rank; j++) sum -= load<f64>(ri + (<usize>j << 3)) * load<f64>(z + (<usize>j << 3));
      store<f64>(z + (<usize>i << 3), sum / load<f64>(ri + (<usize>i << 3)));
    }
    for (let i = 0; i < rank; i++) {
      const col = load<i32>(perm + (<usize>i << 2));
      store<f64>(x + ((<usize>col * <usize>k + <usize>c) << 3), load<f64>(z + (<usize>i << 3)));
    }
  }
  heap.free(z);
  heap.free(bt);
  heap.free(work);
  heap.free(perm);
  heap.free(tau);
  heap.free(r);
  heap.free(g);
  return rank;
}
