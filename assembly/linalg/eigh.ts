// Symmetric eigendecomposition A = V·diag(λ)·Vᵀ by cyclic two-sided Jacobi (row-cyclic order).
//
// Why Jacobi and not tridiagonalisation + QR/divide-and-conquer: with the *relative* stopping test
// |a_pq| ≤ tol·√|a_pp|·√|a_qq| (rotations are skipped, not just counted, below it), Jacobi computes every eigenvalue
// of a positive definite A = D·H·D to relative error O(ε·κ(H)) however badly D grades it (Demmel & Veselić,
// "Jacobi's method is more accurate than QR", SIAM J. Matrix Anal. Appl. 13, 1992); tridiagonalisation loses the
// small eigenvalues of graded matrices to absolute error ε‖A‖.
//
// Storage: A in full n×n row-major scratch; rotating rows p and q is contiguous (SIMD), columns are then copied
// from the rows by symmetry. Eigenvectors accumulate as Vᵀ (rows), so they are contiguous too.

import { maxAbs } from "../blas1";
import { binaryExponent, scaleByPowerOfTwo } from "../svd/svd";
import { argsortDesc } from "../svd/sort";

let lastResidual: f64 = 0.0;

/** max over pairs of |a_pq|/(√|a_pp|·√|a_qq|) when the last eighJacobi call hit its sweep limit. */
export function eighLastResidual(): f64 {
  return lastResidual;
}

// @ts-ignore: decorator
@inline function at(a: usize, i: i32, j: i32, n: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>j) << 3);
}

/** rows x, y ← c·x − s·y, s·x + c·y over n entries. */
function rotateRows(n: i32, x: usize, y: usize, c: f64, s: f64): void {
  const cv = f64x2.splat(c), sv = f64x2.splat(s);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const off = <usize>k << 3;
    const a = v128.load(x + off), b = v128.load(y + off);
    v128.store(x + off, f64x2.sub(f64x2.mul(cv, a), f64x2.mul(sv, b)));
    v128.store(y + off, f64x2.add(f64x2.mul(sv, a), f64x2.mul(cv, b)));
  }
  if (k < n) {
    const off = <usize>k << 3;
    const a = load<f64>(x + off), b = load<f64>(y + off);
    store<f64>(x + off, c * a - s * b);
    store<f64>(y + off, s * a + c * b);
  }
}

/** max |a_ij − a_ji| over the n×n row-major a. */
export function symmetryGap(n: i32, a: usize): f64 {
  let gap = 0.0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) gap = max(gap, abs(load<f64>(at(a, i, j, n)) - load<f64>(at(a, j, i, n))));
  return gap;
}

/**
 * a: n×n symmetric row-major (not modified; the average of a_ij and a_ji is used); w: n eigenvalues, ascending;
 * v: n×n row-major, column j the unit eigenvector of w[j] (only when wantVectors ≠ 0). tol ≤ 0 selects n·ε;
 * maxSweeps ≤ 0 selects 60. Returns the sweep count, −1 when the sweep limit was hit (see eighLastResidual).
 */
export function eighJacobi(n: i32, a: usize, w: usize, v: usize, wantVectors: i32, tol: f64, maxSweeps: i32): i32 {
  if (tol <= 0.0) tol = <f64>n * f64.EPSILON;
  if (maxSweeps <= 0) maxSweeps = 60;
  const nn = <usize>n * <usize>n;
  const s = heap.alloc(max<usize>(nn, 1) << 3);
  for (let i = 0; i < n; i++) {
    store<f64>(at(s, i, i, n), load<f64>(at(a, i, i, n)));
    for (let j = i + 1; j < n; j++) {
      const x = 0.5 * load<f64>(at(a, i, j, n)) + 0.5 * load<f64>(at(a, j, i, n));
      store<f64>(at(s, i, j, n), x);
      store<f64>(at(s, j, i, n), x);
    }
  }
  // exact power-of-two scaling to max|a| ∈ [0.5, 1): θ² and the products below cannot overflow
  const amax = maxAbs(<i32>nn, s);
  const e = amax == 0.0 ? 0 : binaryExponent(amax);
  scaleByPowerOfTwo(<i32>nn, s, -e);
  const vt = wantVectors ? heap.alloc(max<usize>(nn, 1) << 3) : 0;
  if (wantVectors) {
    memory.fill(vt, 0, nn << 3);
    for (let i = 0; i < n; i++) store<f64>(at(vt, i, i, n), 1.0);
  }

  let sweeps = 0;
  let converged = n < 2;
  while (!converged && sweeps < maxSweeps) {
    sweeps++;
    let rotations = 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = load<f64>(at(s, p, q, n));
        if (apq == 0.0) continue;
        const app = load<f64>(at(s, p, p, n)), aqq = load<f64>(at(s, q, q, n));
        // √ separately: the product of two tiny diagonals of a graded matrix would underflow
        if (abs(apq) <= tol * Math.sqrt(abs(app)) * Math.sqrt(abs(aqq))) continue;
        rotations++;
        // Rutishauser: t = tan φ, the smaller root of t² + 2θt − 1 = 0
        const theta = (aqq - app) / (2.0 * apq);
        const t = abs(theta) > 1e150
          ? 0.5 / theta
          : (theta >= 0.0 ? 1.0 : -1.0) / (abs(theta) + Math.sqrt(1.0 + theta * theta));
        const c = 1.0 / Math.sqrt(1.0 + t * t);
        const sn = t * c;
        const rp = at(s, p, 0, n), rq = at(s, q, 0, n);
        rotateRows(n, rp, rq, c, sn);
        // the 2×2 block exactly as the rotation defines it, then columns p and q from rows p and q by symmetry
        store<f64>(at(s, p, p, n), app - t * apq);
        store<f64>(at(s, q, q, n), aqq + t * apq);
        store<f64>(at(s, p, q, n), 0.0);
        store<f64>(at(s, q, p, n), 0.0);
        for (let k = 0; k < n; k++) {
          if (k == p || k == q) continue;
          store<f64>(at(s, k, p, n), load<f64>(rp + (<usize>k << 3)));
          store<f64>(at(s, k, q, n), load<f64>(rq + (<usize>k << 3)));
        }
        if (wantVectors) rotateRows(n, at(vt, p, 0, n), at(vt, q, 0, n), c, sn);
      }
    }
    if (rotations == 0) converged = true;
  }

  if (!converged) {
    // the last allowed sweep may itself have finished the job
    let r = 0.0;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const d = Math.sqrt(abs(load<f64>(at(s, p, p, n)))) * Math.sqrt(abs(load<f64>(at(s, q, q, n))));
        const x = abs(load<f64>(at(s, p, q, n)));
        r = max(r, d > 0.0 ? x / d : (x > 0.0 ? Infinity : 0.0));
      }
    lastResidual = r;
    converged = r <= tol;
  }
  if (!converged) {
    heap.free(s);
    if (wantVectors) heap.free(vt);
    return -1;
  }

  // ascending: sort descending by −λ
  const keys = heap.alloc(<usize>max(n, 1) << 3);
  const ord = heap.alloc(<usize>max(n, 1) << 2);
  for (let i = 0; i < n; i++) store<f64>(keys + (<usize>i << 3), -load<f64>(at(s, i, i, n)));
  argsortDesc(keys, ord, n);
  for (let j = 0; j < n; j++) {
    const src = load<i32>(ord + (<usize>j << 2));
    store<f64>(w + (<usize>j << 3), load<f64>(at(s, src, src, n)));
    if (wantVectors) for (let i = 0; i < n; i++) store<f64>(at(v, i, j, n), load<f64>(at(vt, src, i, n)));
  }
  scaleByPowerOfTwo(n, w, e);
  heap.free(keys);
  heap.free(ord);
  heap.free(s);
  if (wantVectors) heap.free(vt);
  return sweeps;
}
