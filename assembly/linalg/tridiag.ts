// Householder tridiagonalisation of a symmetric matrix, G = Q·T·Qᵀ (LAPACK dsytd2, unblocked): the first stage of
// a fast symmetric eigensolver, meant to give the Jacobi SVD a right basis V₀ from the eigenvectors of AᵀA
// (issue 19 part 2; docs/numerics.md). Row-major with full symmetric storage, so the symmetric matrix–vector
// product and the rank-2 update both run along contiguous rows.

import { axpy, dot, dotWide, nrm2, scal } from "../blas1";
import { hypot, copysign } from "../svd/scalar";

// @ts-ignore: decorator
@inline function row(a: usize, i: i32, n: i32): usize {
  return a + ((<usize>i * <usize>n) << 3);
}

/**
 * a: n×n symmetric, row-major, full storage (overwritten: row k keeps reflector k as a[k][k+1..n) with an implicit
 * leading 1). d: n diagonal entries of T; e: n−1 off-diagonal entries; tau: n−1 reflector scalars (H_k =
 * I − τ_k·v_k·v_kᵀ acts on indices k+1..n−1); work: n f64. The caller scales a so that its entries are far from
 * overflow and underflow (the SVD driver's power-of-two scaling does). Returns −2 for n < 1, else 0.
 */
export function tridiagonalize(n: i32, a: usize, d: usize, e: usize, tau: usize, work: usize): i32 {
  if (n < 1) return -2;
  // The trailing block is streamed once per step, not twice: the rank-2 update of step k updates row k+1 first,
  // builds reflector k+1 from it, and then, as each further row is updated, takes that row's product with
  // v_{k+1} while it is in cache — the symmetric mat-vec of step k+1 (the rows it needs are exactly the updated
  // ones). w and w2 swap roles between steps.
  let w = work;
  let w2 = heap.alloc(<usize>max(n, 1) << 3);
  const w2Start = w2;
  let built = false; // reflector k was built by step k−1
  let ready = false; // and w = τ_k·B·v_k was computed there too
  for (let k = 0; k + 2 < n; k++) {
    const m = n - k - 1; // size of the trailing block
    const x = row(a, k, n) + (<usize>(k + 1) << 3);
    const t = built ? load<f64>(tau + (<usize>k << 3)) : buildReflector(a, n, k, d, e, tau);
    built = false;
    if (t == 0.0) { ready = false; continue; }
    // B ← H·B·H with B the trailing block: p = τ·B·v, w = p − (τ/2)(pᵀv)·v, B ← B − v·wᵀ − w·vᵀ
    const b0 = row(a, k + 1, n) + (<usize>(k + 1) << 3);
    if (!ready) for (let i = 0; i < m; i++) store<f64>(w + (<usize>i << 3), t * dotWide(m, b0 + ((<usize>i * <usize>n) << 3), x));
    ready = false;
    axpy(m, -0.5 * t * dot(m, w, x), x, w);
    rank2Row(m, -load<f64>(x), w, -load<f64>(w), x, b0);
    const fuse = k + 3 < n;
    let t2 = 0.0;
    if (fuse) {
      t2 = buildReflector(a, n, k + 1, d, e, tau);
      built = true;
    }
    const x2 = b0 + 8; // v_{k+1}: row k+1 from column k+2
    for (let i = 1; i < m; i++) {
      const bi = b0 + ((<usize>i * <usize>n) << 3);
      rank2Row(m, -load<f64>(x + (<usize>i << 3)), w, -load<f64>(w + (<usize>i << 3)), x, bi);
      if (t2 != 0.0) store<f64>(w2 + (<usize>(i - 1) << 3), t2 * dotWide(m - 1, bi + 8, x2));
    }
    if (t2 != 0.0) {
      const tmp = w; w = w2; w2 = tmp;
      ready = true;
    }
  }
  heap.free(w2Start);
  if (n >= 2) {
    store<f64>(d + (<usize>(n - 2) << 3), load<f64>(row(a, n - 2, n) + (<usize>(n - 2) << 3)));
    store<f64>(e + (<usize>(n - 2) << 3), load<f64>(row(a, n - 2, n) + (<usize>(n - 1) << 3)));
    store<f64>(tau + (<usize>(n - 2) << 3), 0.0);
  }
  store<f64>(d + (<usize>(n - 1) << 3), load<f64>(row(a, n - 1, n) + (<usize>(n - 1) << 3)));
  return 0;
}

/**
 * q ← Q = H_0·H_1·…·H_{n−3} (n×n row-major) from tridiagonalize's reflectors (a, tau), so that G = Q·T·Qᵀ.
 * Unblocked, right to left, each reflector applied to the rows it touches; work: n f64.
 */
export function tridiagFormQ(n: i32, a: usize, tau: usize, q: usize, work: usize): void {
  memory.fill(q, 0, (<usize>n * <usize>n) << 3);
  for (let i = 0; i < n; i++) store<f64>(row(q, i, n) + (<usize>i << 3), 1.0);
  for (let k = n - 3; k >= 0; k--) {
    const t = load<f64>(tau + (<usize>k << 3));
    if (t == 0.0) continue;
    const m = n - k - 1;
    const v = row(a, k, n) + (<usize>(k + 1) << 3);
    const q0 = row(q, k + 1, n) + (<usize>(k + 1) << 3);
    // y = vᵀ·Q₂₂ (a combination of Q₂₂'s rows), then Q₂₂ ← Q₂₂ − τ·v·y
    memory.fill(work, 0, <usize>m << 3);
    for (let i = 0; i < m; i++) axpy(m, load<f64>(v + (<usize>i << 3)), q0 + ((<usize>i * <usize>n) << 3), work);
    for (let i = 0; i < m; i++) axpy(m, -t * load<f64>(v + (<usize>i << 3)), work, q0 + ((<usize>i * <usize>n) << 3));
  }
}

/**
 * Householder reflector k from row k of a (entries k+1..n−1): stores d[k], e[k], τ_k, overwrites the row with v_k
 * (leading 1 explicit) and returns τ_k (0 when the row is already reduced).
 */
function buildReflector(a: usize, n: i32, k: i32, d: usize, e: usize, tau: usize): f64 {
  const m = n - k - 1;
  const x = row(a, k, n) + (<usize>(k + 1) << 3);
  const alpha = load<f64>(x);
  const xnorm = nrm2(m - 1, x + 8);
  store<f64>(d + (<usize>k << 3), load<f64>(row(a, k, n) + (<usize>k << 3)));
  if (xnorm == 0.0) {
    store<f64>(tau + (<usize>k << 3), 0.0);
    store<f64>(e + (<usize>k << 3), alpha);
    store<f64>(x, 1.0);
    return 0.0;
  }
  const beta = -copysign(hypot(alpha, xnorm), alpha);
  const t = (beta - alpha) / beta;
  scal(m - 1, 1.0 / (alpha - beta), x + 8);
  store<f64>(x, 1.0);
  store<f64>(tau + (<usize>k << 3), t);
  store<f64>(e + (<usize>k << 3), beta);
  return t;
}

/** y ← y + α·u + β·v (one pass over y). */
function rank2Row(n: i32, alpha: f64, u: usize, beta: f64, v: usize, y: usize): void {
  const av = f64x2.splat(alpha), bv = f64x2.splat(beta);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = <usize>k << 3;
    v128.store(y + o, f64x2.add(f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(u + o))), f64x2.mul(bv, v128.load(v + o))));
  }
  if (k < n) {
    const o = <usize>k << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(u + o) + beta * load<f64>(v + o));
  }
}
