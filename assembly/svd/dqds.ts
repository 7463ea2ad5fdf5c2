// Singular values of an upper bidiagonal matrix by the dqds algorithm (Fernando & Parlett 1994; Parlett & Marques
// 2000, the method of LAPACK's dlasq1–6), to high relative accuracy: every step works on the squares qᵢ = dᵢ²,
// eᵢ = eᵢ² with the differential recurrence, which involves no subtraction of computed quantities apart from the
// shift itself, so each σ comes out with a relative error of a few dozen ulps whatever its size (as long as its
// square does not underflow). Shifts τ < λ_min keep the transform positive; a failed transform (a negative pivot)
// is retried with a smaller shift and finally with τ = 0, which cannot fail. Deflation at the bottom (one or two
// values at a time), splitting at zero couplings, and flipping (reversing a block whose top is much smaller than
// its bottom, so the small end is where dqds converges).

import { binaryExponent } from "./svd";

/** Relative deflation threshold: dropping a coupling e ≤ TOL²·λ moves λ by at most √(q·e) ≤ TOL·λ even when the
 *  bottom value is still in a cluster (a first-order effect there, not second), so TOL is ε, not 100ε: with 100ε,
 *  clusters of near-equal values coupled at 1e-15 lost 1e-14 relative (caught by the oracle test). */
const TOL: f64 = f64.EPSILON;
const TOL2: f64 = TOL * TOL;
/** Couplings eᵢ = bᵢ² at or below this count as zero: only exact zeros (and squares that underflowed to 0). */
const SPLIT: f64 = 0.0;
/** q_{i+1}/q̂ stays below 1/RATIO_SAFE = 1e290: no overflow. */
const RATIO_SAFE: f64 = 1e-290;
/** A last pivot at most this factor above the smallest still gets the converging-bottom shift. */
const NEAR_TIE: f64 = 1.001;
/** Flip a block when its first q is this much smaller than its last (the choice of LAPACK's dlasq2). */
const FLIP_BIAS: f64 = 1.5;

// pivots of the last successful transform
let dmin: f64 = 0.0; // over the whole block
let dmin1: f64 = 0.0; // without the last pivot
let dmin2: f64 = 0.0; // without the last two
let dn1: f64 = 0.0; // the second last pivot: the bottom one once the last value has deflated
let dn2: f64 = 0.0; // the third last
let lastIterations: i32 = 0;

/** dqds transforms performed by the last call (for tests that bound the work). */
export function dqdsLastIterations(): i32 {
  return lastIterations;
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
 * One dqds step with shift τ on q[lo..hi], e[lo..hi): writes the transformed arrays to q2, e2 (so a failure leaves
 * the input intact). Returns false when a pivot goes negative (τ ≥ λ_min) or is not finite.
 */
function transform(lo: i32, hi: i32, q: usize, e: usize, q2: usize, e2: usize, tau: f64): bool {
  let d = f(q, lo) - tau;
  if (!(d >= 0.0)) return false;
  if (hi - lo == 1) dn1 = d;
  else if (hi - lo == 2) dn2 = d;
  let mn = d, mn1 = d, mn2 = d;
  for (let i = lo; i < hi; i++) {
    const qh = d + f(e, i);
    setF(q2, i, qh);
    // normally t = q_{i+1}/q̂, then e·t and d·t (both ≤ q_{i+1}); when t itself would overflow (a zero pivot,
    // d = 0 of a singular B, followed by a tiny coupling) the ratios e/q̂ and d/q̂ (≤ 1) are formed first instead.
    // The guarded form is not used always: d/q̂ can underflow where (q_{i+1}/q̂)·d does not (dlasq5/6 do the same).
    // q̂ = 0 cannot happen: zero couplings are split off first.
    const qn = f(q, i + 1);
    if (qh >= RATIO_SAFE * qn) {
      const t = qn / qh;
      setF(e2, i, f(e, i) * t);
      d = d * t - tau;
    } else {
      setF(e2, i, qn * (f(e, i) / qh));
      d = qn * (d / qh) - tau;
    }
    if (!(d >= 0.0) || !isFinite(d)) return false;
    // d is the pivot of row i+1
    if (i + 1 == hi - 1) dn1 = d;
    else if (i + 1 == hi - 2) dn2 = d;
    if (i + 1 <= hi - 2) mn2 = min(mn2, d);
    if (i + 1 <= hi - 1) mn1 = min(mn1, d);
    mn = min(mn, d);
  }
  setF(q2, hi, d);
  dmin = mn;
  dmin1 = hi - lo >= 1 ? mn1 : mn;
  dmin2 = hi - lo >= 2 ? mn2 : mn1;
  return true;
}

/**
 * The next shift after a successful transform: when the smallest pivot is the last one, the bottom value is
 * converging and τ = d_n·(1 − √a)/(1 + a) (a sums the products of the ratios eₖ/qₖ up from the bottom, a measure of
 * how strongly the last row is still coupled) is just below it; otherwise a quarter of the smallest pivot.
 */
function nextShift(lo: i32, hi: i32, q: usize, e: usize, dmin: f64, dn: f64): f64 {
  // a last pivot within NEAR_TIE of the smallest counts as the bottom converging: with (nearly) equal values which
  // pivot is smallest is a tie decided by rounding, and τ = dmin/4 then gains only a factor 4/3 a step (the 3×9
  // σ = 0.5, 0.5, 0.5 case ran out of iterations that way). τ is formed from dmin, so it stays below every pivot.
  if (dn <= NEAR_TIE * dmin && hi > lo) {
    dn = dmin;
    let b = f(e, hi - 1) / f(q, hi - 1);
    if (!(b <= 1.0)) return 0.25 * dmin;
    let a = b;
    for (let k = hi - 2; k >= lo; k--) {
      const prev = b;
      b *= f(e, k) / f(q, k);
      a += b;
      if (100.0 * max(b, prev) < a || a > 0.563) break;
    }
    a *= 1.05;
    if (a < 0.563) return dn * (1.0 - Math.sqrt(a)) / (1.0 + a);
  }
  return 0.25 * dmin;
}

/**
 * The shift after a transform with no deflation since it (LAPACK dlasq4's cases 2 and 3): when the last two pivots
 * are both the smallest of what is above them, the bottom value is converging and the one above it too, and a
 * Newton-like correction from the bottom 2×2 — b₁ = √(qₙ·eₙ₋₁), b₂ = √(qₙ₋₁·eₙ₋₂), a₂ = qₙ₋₁ + eₙ₋₁, the gaps
 * estimated from dmin₂ — gives τ much closer to λ_min than nextShift's bound, so the bottom coupling falls
 * cubically rather than quadratically. Any other pattern of pivots: nextShift. A τ that proves too large fails the
 * transform, which is retried with τ/4 (the caller).
 */
function shiftAfterTransform(lo: i32, hi: i32, q: usize, e: usize): f64 {
  const dn = f(q, hi);
  if (hi - lo >= 2 && dn <= NEAR_TIE * dmin && dmin1 == dn1 && dmin > 0.0) {
    const b1 = Math.sqrt(f(q, hi)) * Math.sqrt(f(e, hi - 1));
    const b2 = Math.sqrt(f(q, hi - 1)) * Math.sqrt(f(e, hi - 2));
    const a2 = f(q, hi - 1) + f(e, hi - 1);
    const gap2 = dmin2 - a2 - 0.25 * dmin2;
    const gap1 = gap2 > 0.0 && gap2 > b2 ? a2 - dmin - (b2 / gap2) * b2 : a2 - dmin - (b1 + b2);
    if (gap1 > 0.0 && gap1 > b1) return max(dmin - (b1 / gap1) * b1, 0.5 * dmin);
    let s = 0.0;
    if (dmin > b1) s = dmin - b1;
    if (a2 > b1 + b2) s = min(s, a2 - (b1 + b2));
    return max(s, dmin / 3.0);
  }
  return nextShift(lo, hi, q, e, dmin, dn);
}

/** The smaller λ of the 2×2 block (q1, e1, q2): q1·q2 over the larger, ≤ min(q1, q2). */
function smallOfTwo(q1: f64, e1: f64, q2: f64): f64 {
  const s = q1 + e1 + q2;
  return s > 0.0 ? q1 * (q2 / s) : 0.0; // within a factor 2 of it (the larger λ is in [s/2, s])
}

/** λ of the 2×2 block (q1, e1, q2): the larger by its sum formula, the smaller as the product over it (exact-ish). */
function twoByTwo(q1: f64, e1: f64, q2: f64, out: usize, hi: i32, sigma: f64, desig: f64): void {
  const s = q1 + e1 + q2;
  // disc = s² − 4·q1·q2 = (q1 + e1 − q2)² + 4·e1·q2, as a hypot so nothing under/overflows
  const x = abs(q1 + e1 - q2), y = 2.0 * Math.sqrt(e1) * Math.sqrt(q2);
  const hi2 = max(x, y), lo2 = min(x, y);
  const root = hi2 == 0.0 ? 0.0 : hi2 * Math.sqrt(1.0 + (lo2 / hi2) * (lo2 / hi2));
  const big = 0.5 * (s + root);
  const small = big > 0.0 ? q1 * (q2 / big) : 0.0;
  setF(out, hi - 1, (big + desig) + sigma);
  setF(out, hi, (small + desig) + sigma);
}

/**
 * Singular values of the n×n upper bidiagonal with diagonal d (n) and superdiagonal e (n−1), unsorted, into out.
 * Returns 0, or −1 if the iteration limit (30 transforms per value) was reached.
 */
export function dqdsSingularValues(n: i32, d: usize, e: usize, out: usize): i32 {
  lastIterations = 0;
  if (n < 1) return 0;
  const q = heap.alloc(<usize>n << 3), ee = heap.alloc(<usize>n << 3);
  const q2 = heap.alloc(<usize>n << 3), e2 = heap.alloc(<usize>n << 3);
  const stackLo = heap.alloc(<usize>n << 2), stackHi = heap.alloc(<usize>n << 2), stackSigma = heap.alloc(<usize>(2 * n) << 3);
  // scale (exactly, by a power of two) so the largest entry is near 2^480: squares then reach 2^960 at most, and
  // values down to ~1e-290·σ₁ keep squares in the normal range, so they keep their relative accuracy
  let big = 0.0;
  for (let i = 0; i < n; i++) {
    big = max(big, abs(f(d, i)));
    if (i < n - 1) big = max(big, abs(f(e, i)));
  }
  if (big == 0.0) {
    memory.fill(out, 0, <usize>n << 3);
    heap.free(stackSigma); heap.free(stackHi); heap.free(stackLo);
    heap.free(e2); heap.free(q2); heap.free(ee); heap.free(q);
    return 0;
  }
  const ex = 480 - binaryExponent(big);
  const up = NativeMath.scalbn(1.0, ex >> 1), up2 = NativeMath.scalbn(1.0, ex - (ex >> 1)); // two normal factors
  for (let i = 0; i < n; i++) {
    const di = f(d, i) * up * up2;
    setF(q, i, di * di);
    const ei = i < n - 1 ? f(e, i) * up * up2 : 0.0;
    const e2i = ei * ei;
    setF(ee, i, e2i <= SPLIT ? 0.0 : e2i);
  }
  // the whole matrix is one block with no shift yet; blocks split off above it are stacked with their shift
  let top = 0;
  store<i32>(stackLo, 0); store<i32>(stackHi, n - 1); setF(stackSigma, 0, 0.0); setF(stackSigma, 1, 0.0);
  top = 1;
  const maxIterations = 30 * n + 30;
  let status = 0;

  while (top > 0 && status == 0) {
    top--;
    let lo = load<i32>(stackLo + (<usize>top << 2));
    let hi = load<i32>(stackHi + (<usize>top << 2));
    // the accumulated shift, as an unevaluated sum sigma + desig: dozens of shifts summed plainly would cost
    // dozens of ulps of every value (LAPACK's dlasq3 keeps the same compensation)
    let sigma = f(stackSigma, 2 * top);
    let desig = f(stackSigma, 2 * top + 1);
    let fresh = true; // a new block: check the flip, start with τ = 0
    let tau = 0.0;
    while (hi >= lo) {
      // split at a zero coupling: the part above waits on the stack with the same shift
      let start = hi;
      while (start > lo && f(ee, start - 1) > SPLIT) start--;
      if (start > lo) {
        setF(ee, start - 1, 0.0);
        store<i32>(stackLo + (<usize>top << 2), lo);
        store<i32>(stackHi + (<usize>top << 2), start - 1);
        setF(stackSigma, 2 * top, sigma);
        setF(stackSigma, 2 * top + 1, desig);
        top++;
        lo = start;
        fresh = true;
      }
      if (hi == lo) {
        setF(out, hi, (f(q, hi) + desig) + sigma);
        hi--;
        continue;
      }
      // a new block: put its small end at the bottom before testing for deflation, and start with τ = 0
      if (fresh) {
        fresh = false;
        if (FLIP_BIAS * f(q, lo) < f(q, hi)) reverse(lo, hi, q, ee);
        tau = 0.0;
        // no transform of this block yet: a deflation before its first one must not shift by pivots left over from
        // another block or an earlier call (they made σ depend on what was computed before — found by the
        // σ(1·A) = σ(A) bit-for-bit property on a matrix with repeated σ)
        dmin = 0.0; dmin1 = 0.0; dmin2 = 0.0; dn1 = 0.0; dn2 = 0.0;
      }
      // one value at the bottom has converged. Dropping the coupling bₙ₋₁ = √eₙ₋₁ moves every σ of the block by
      // up to bₙ₋₁, so it is compared with the smaller of the two values it couples (LAPACK compares with the last
      // one only, which a tiny qₙ₋₁ above a large qₙ defeats: the oracle test found it)
      const eLast = f(ee, hi - 1);
      if (eLast <= TOL2 * (sigma + min(f(q, hi), f(q, hi - 1)))) {
        setF(out, hi, (f(q, hi) + desig) + sigma);
        hi--;
        // the pivots of the last transform without its last row are those of the block that remains
        tau = hi > lo ? nextShift(lo, hi, q, ee, dmin1, dn1) : 0.0;
        dmin1 = dmin2; dn1 = dn2; dmin2 = 0.0; dn2 = 0.0; // a second deflation in a row falls back to smaller shifts
        continue;
      }
      // or a 2×2 block at the bottom has split off
      if (hi - lo == 1 || f(ee, hi - 2) <= TOL2 * (sigma + min(f(q, hi - 2), smallOfTwo(f(q, hi - 1), eLast, f(q, hi))))) {
        twoByTwo(f(q, hi - 1), eLast, f(q, hi), out, hi, sigma, desig);
        hi -= 2;
        tau = hi > lo ? nextShift(lo, hi, q, ee, dmin2, dn2) : 0.0;
        dmin1 = 0.0; dmin2 = 0.0; dn1 = 0.0; dn2 = 0.0;
        continue;
      }
      // the transform, with smaller shifts on failure
      let ok = transform(lo, hi, q, ee, q2, e2, tau);
      if (!ok) { tau *= 0.25; ok = transform(lo, hi, q, ee, q2, e2, tau); }
      if (!ok) { tau = 0.0; ok = transform(lo, hi, q, ee, q2, e2, tau); }
      if (!ok) { status = -1; break; }
      memory.copy(q + (<usize>lo << 3), q2 + (<usize>lo << 3), <usize>(hi - lo + 1) << 3);
      memory.copy(ee + (<usize>lo << 3), e2 + (<usize>lo << 3), <usize>(hi - lo) << 3);
      for (let i = lo; i < hi; i++) if (f(ee, i) <= SPLIT) setF(ee, i, 0.0);
      // TwoSum: sigma + desig + tau exactly as a new unevaluated pair
      const sum = sigma + tau;
      const bv = sum - sigma;
      desig += (sigma - (sum - bv)) + (tau - bv);
      sigma = sum;
      if (++lastIterations > maxIterations) { status = -1; break; }
      tau = shiftAfterTransform(lo, hi, q, ee);
    }
  }
  const down = NativeMath.scalbn(1.0, -(ex >> 1)), down2 = NativeMath.scalbn(1.0, -(ex - (ex >> 1)));
  for (let i = 0; i < n; i++) setF(out, i, Math.sqrt(max(0.0, f(out, i))) * down * down2);

  heap.free(stackSigma); heap.free(stackHi); heap.free(stackLo);
  heap.free(e2); heap.free(q2); heap.free(ee); heap.free(q);
  return status;
}

/** Reverses the block: the bidiagonal read from the other corner has the same singular values. */
function reverse(lo: i32, hi: i32, q: usize, e: usize): void {
  for (let i = lo, j = hi; i < j; i++, j--) {
    const t = f(q, i); setF(q, i, f(q, j)); setF(q, j, t);
  }
  for (let i = lo, j = hi - 1; i < j; i++, j--) {
    const t = f(e, i); setF(e, i, f(e, j)); setF(e, j, t);
  }
}
