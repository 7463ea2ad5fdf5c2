// One-sided (Hestenes) Jacobi on the rows of a p×len matrix W: rotate pairs of rows until every pair is
// numerically orthogonal, |wᵢ·wⱼ| ≤ tol·‖wᵢ‖‖wⱼ‖. Rows are contiguous, so every inner loop is a unit-stride
// f64x2 SIMD pass. The relative test (not an absolute one) is what keeps tiny rows — small singular values —
// accurate to a few ulps of themselves rather than of σ₁ (Demmel–Veselić 1992).

import { dot, dotWide, nrm2 } from "../blas1";
import { swapRows, swapF64 } from "./householder_qr";

/** Largest |wᵢ·wⱼ|/(‖wᵢ‖‖wⱼ‖) seen in the last sweep: the residual reported when the sweep limit is hit. */
let lastResidual: f64 = 0.0;
let lastSweeps: i32 = 0;

export function svdLastResidual(): f64 {
  return lastResidual;
}

export function svdLastSweeps(): i32 {
  return lastSweeps;
}

// @ts-ignore: decorator
@inline function row(w: usize, i: i32, len: i32): usize {
  return w + ((<usize>i * <usize>len) << 3);
}

/** [x; y] ← [c·x − s·y; s·x + c·y] over n entries. */
// @ts-ignore: decorator
@inline function rotate(n: i32, x: usize, y: usize, c: f64, s: f64): void {
  const cv = f64x2.splat(c), sv = f64x2.splat(s);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const off = <usize>k << 3;
    const xv = v128.load(x + off), yv = v128.load(y + off);
    v128.store(x + off, f64x2.sub(f64x2.mul(cv, xv), f64x2.mul(sv, yv)));
    v128.store(y + off, f64x2.add(f64x2.mul(sv, xv), f64x2.mul(cv, yv)));
  }
  if (k < n) {
    const off = <usize>k << 3;
    const xv = load<f64>(x + off), yv = load<f64>(y + off);
    store<f64>(x + off, c * xv - s * yv);
    store<f64>(y + off, s * xv + c * yv);
  }
}

/**
 * Orthogonalises the rows of W (p×len) in place. When `jt` ≠ 0 (p×p, start as I) the same rotations are applied
 * to its rows, so on return W = Jᵀ·W₀ with Jᵀ = jt. `d` (p f64) is scratch for cached row norms.
 * Row-cyclic order with de Rijk's pivoting (the longest remaining row goes first), which sorts the output nearly
 * descending and speeds convergence. Returns the number of sweeps, or −1 if `maxSweeps` were not enough.
 * `wide` takes the inner products by dotWide (the right-basis path, whose sweeps are almost all dot products);
 * the QRCP path keeps dot, so its results are unchanged.
 */
export function jacobiSweeps(w: usize, p: i32, len: i32, jt: usize, d: usize, tol: f64, maxSweeps: i32, wide: bool = false): i32 {
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    // exact norms at the start of every sweep: the cached updates below drift by a few ulps per rotation.
    // Norms, not squared norms, so rows down to 1e-300 neither underflow nor lose their orthogonality test.
    for (let i = 0; i < p; i++) store<f64>(d + (<usize>i << 3), nrm2(len, row(w, i, len)));
    let rotations = 0;
    let residual = 0.0;
    for (let i = 0; i < p - 1; i++) {
      // de Rijk: bring the longest of rows i..p−1 to position i
      let best = i;
      let bestD = load<f64>(d + (<usize>i << 3));
      for (let j = i + 1; j < p; j++) {
        const dj = load<f64>(d + (<usize>j << 3));
        if (dj > bestD) { bestD = dj; best = j; }
      }
      if (best != i) {
        swapRows(w, i, best, len);
        if (jt != 0) swapRows(jt, i, best, p);
        swapF64(d, i, best);
      }
      const wi = row(w, i, len);
      for (let j = i + 1; j < p; j++) {
        const di = load<f64>(d + (<usize>i << 3));
        const dj = load<f64>(d + (<usize>j << 3));
        if (!(di > NULL_NORM) || !(dj > NULL_NORM)) continue; // a null row is orthogonal to everything
        const wj = row(w, j, len);
        // cosine of the angle between the rows; the scaled form avoids underflow of the product of tiny rows
        const cosine = di > SAFE_NORM && dj > SAFE_NORM ? (wide ? dotWide(len, wi, wj) : dot(len, wi, wj)) / di / dj : scaledCosine(len, wi, wj, di, dj);
        const rel = abs(cosine);
        if (rel > residual) residual = rel;
        if (!(rel > tol)) continue;
        // Rutishauser's rotation: the smaller root of t² + 2ζt − 1 = 0 with ζ = (‖wⱼ‖² − ‖wᵢ‖²)/(2 wᵢ·wⱼ)
        const ratio = dj / di;
        const diff = ratio - 1.0 / ratio;
        const zeta = diff / (2.0 * cosine);
        let t: f64;
        // ζ overflows for a tiny row against a long one at a small angle (‖wⱼ‖/‖wᵢ‖ ≈ 3e-297, cosine 8e-13: a 2×2
        // with σ = 4e-4, 1.4e-300 then never converged, t = 0.5/∞ = 0); t = 1/(2ζ) = cosine/diff needs no ζ
        if (!isFinite(zeta)) t = cosine / diff;
        else if (abs(zeta) > 1e150) t = 0.5 / zeta;
        else t = (zeta >= 0.0 ? 1.0 : -1.0) / (abs(zeta) + Math.sqrt(1.0 + zeta * zeta));
        const c = 1.0 / Math.sqrt(1.0 + t * t);
        const s = t * c;
        rotate(len, wi, wj, c, s);
        if (jt != 0) rotate(p, row(jt, i, p), row(jt, j, p), c, s);
        rotations++;
        // ‖wᵢ'‖² = ‖wᵢ‖² − t·wᵢ·wⱼ and ‖wⱼ'‖² = ‖wⱼ‖² + t·wᵢ·wⱼ, as factors; when a norm shrinks a lot the update
        // has cancelled, so that norm is recomputed exactly
        const fi = 1.0 - t * cosine * ratio;
        const fj = 1.0 + t * cosine / ratio;
        store<f64>(d + (<usize>i << 3), fi > 0.25 ? di * Math.sqrt(fi) : nrm2(len, wi));
        store<f64>(d + (<usize>j << 3), fj > 0.25 ? dj * Math.sqrt(fj) : nrm2(len, wj));
      }
    }
    lastResidual = residual;
    lastSweeps = sweep;
    if (rotations == 0) return sweep;
  }
  return -1;
}

/** Rows shorter than this (after the driver scales max|aᵢⱼ| below 1) count as null: σ below 1e-300·σ₁. */
const NULL_NORM: f64 = 1e-300;
/** Above this, wᵢ·wⱼ cannot underflow. */
const SAFE_NORM: f64 = 1e-140;

/** Σₖ (wᵢₖ/‖wᵢ‖)(wⱼₖ/‖wⱼ‖), the slow path for tiny rows. */
function scaledCosine(n: i32, x: usize, y: usize, dx: f64, dy: f64): f64 {
  const ix = 1.0 / dx, iy = 1.0 / dy;
  let s = 0.0;
  for (let k = 0; k < n; k++) s += (load<f64>(x + (<usize>k << 3)) * ix) * (load<f64>(y + (<usize>k << 3)) * iy);
  return s;
}
