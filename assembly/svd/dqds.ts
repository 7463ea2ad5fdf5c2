// Singular values of an upper bidiagonal matrix by the dqds algorithm (Fernando & Parlett 1994; Parlett & Marques
// 2000, the method of LAPACK's dlasq1–6), to high relative accuracy: every step works on the squares qᵢ = dᵢ²,
// eᵢ = eᵢ² with the differential recurrence, which involves no subtraction of computed quantities apart from the
// shift itself, so each σ comes out with a relative error of a few dozen ulps whatever its size (as long as its
// square does not underflow). Shifts τ < λ_min keep the transform positive; a failed transform (a negative pivot)
// is retried with a smaller shift and finally with τ = 0, which cannot fail. Deflation at the bottom (one or two
// values at a time), splitting at zero couplings, and flipping (reversing a block whose top is much smaller than
// its bottom, so the small end is where dqds converges).

/** Relative deflation threshold: a coupling below TOL²·(the value) moves it by less than an ulp. */
const TOL: f64 = 100.0 * f64.EPSILON;
const TOL2: f64 = TOL * TOL;
/** Couplings eᵢ = bᵢ² at or below this count as zero: |bᵢ| ≤ 1e-145 on a matrix scaled to max|aᵢⱼ| < 1. */
const SPLIT: f64 = 1e-290;
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
    const t = f(q, i + 1) / qh;
    setF(e2, i, f(e, i) * t);
    d = d * t - tau;
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
  if (dmin == dn && hi > lo) {
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

/** λ of the 2×2 block (q1, e1, q2): the larger by its sum formula, the smaller as the product over it (exact-ish). */
function twoByTwo(q1: f64, e1: f64, q2: f64, out: usize, hi: i32, sigma: f64): void {
  const s = q1 + e1 + q2;
  // disc = s² − 4·q1·q2 = (q1 + e1 − q2)² + 4·e1·q2, as a hypot so nothing under/overflows
  const x = abs(q1 + e1 - q2), y = 2.0 * Math.sqrt(e1) * Math.sqrt(q2);
  const hi2 = max(x, y), lo2 = min(x, y);
  const root = hi2 == 0.0 ? 0.0 : hi2 * Math.sqrt(1.0 + (lo2 / hi2) * (lo2 / hi2));
  const big = 0.5 * (s + root);
  const small = big > 0.0 ? q1 * (q2 / big) : 0.0;
  setF(out, hi - 1, big + sigma);
  setF(out, hi, small + sigma);
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
  const stackLo = heap.alloc(<usize>n << 2), stackHi = heap.alloc(<usize>n << 2), stackSigma = heap.alloc(<usize>n << 3);
  for (let i = 0; i < n; i++) {
    const di = f(d, i);
    setF(q, i, di * di);
    const ei = i < n - 1 ? f(e, i) : 0.0;
    const e2i = ei * ei;
    setF(ee, i, e2i <= SPLIT ? 0.0 : e2i);
  }
  // the whole matrix is one block with no shift yet; blocks split off above it are stacked with their shift
  let top = 0;
  store<i32>(stackLo, 0); store<i32>(stackHi, n - 1); setF(stackSigma, 0, 0.0);
  top = 1;
  const maxIterations = 30 * n + 30;
  let status = 0;

  while (top > 0 && status == 0) {
    top--;
    let lo = load<i32>(stackLo + (<usize>top << 2));
    let hi = load<i32>(stackHi + (<usize>top << 2));
    let sigma = f(stackSigma, top);
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
        setF(stackSigma, top, sigma);
        top++;
        lo = start;
        fresh = true;
      }
      if (hi == lo) {
        setF(out, hi, f(q, hi) + sigma);
        hi--;
        continue;
      }
      // one value at the bottom has converged
      const eLast = f(ee, hi - 1);
      if (eLast <= TOL2 * (sigma + f(q, hi)) || eLast <= TOL2 * f(q, hi - 1)) {
        setF(out, hi, f(q, hi) + sigma);
        hi--;
        // the pivots of the last transform without its last row are those of the block that remains
        tau = hi > lo ? nextShift(lo, hi, q, ee, dmin1, dn1) : 0.0;
        dmin1 = dmin2; dn1 = dn2; dmin2 = 0.0; dn2 = 0.0; // a second deflation in a row falls back to smaller shifts
        continue;
      }
      // or a 2×2 block at the bottom has split off
      if (hi - lo == 1 || f(ee, hi - 2) <= TOL2 * (sigma + f(q, hi)) || f(ee, hi - 2) <= TOL2 * f(q, hi - 2)) {
        twoByTwo(f(q, hi - 1), eLast, f(q, hi), out, hi, sigma);
        hi -= 2;
        tau = hi > lo ? nextShift(lo, hi, q, ee, dmin2, dn2) : 0.0;
        dmin1 = 0.0; dmin2 = 0.0; dn1 = 0.0; dn2 = 0.0;
        continue;
      }
      if (fresh) {
        fresh = false;
        if (FLIP_BIAS * f(q, lo) < f(q, hi)) reverse(lo, hi, q, ee);
        tau = 0.0;
      }
      // the transform, with smaller shifts on failure
      let ok = transform(lo, hi, q, ee, q2, e2, tau);
      if (!ok) { tau *= 0.25; ok = transform(lo, hi, q, ee, q2, e2, tau); }
      if (!ok) { tau = 0.0; ok = transform(lo, hi, q, ee, q2, e2, tau); }
      if (!ok) { status = -1; break; }
      memory.copy(q + (<usize>lo << 3), q2 + (<usize>lo << 3), <usize>(hi - lo + 1) << 3);
      memory.copy(ee + (<usize>lo << 3), e2 + (<usize>lo << 3), <usize>(hi - lo) << 3);
      for (let i = lo; i < hi; i++) if (f(ee, i) <= SPLIT) setF(ee, i, 0.0);
      sigma += tau;
      if (++lastIterations > maxIterations) { status = -1; break; }
      tau = nextShift(lo, hi, q, ee, dmin, f(q, hi));
    }
  }
  for (let i = 0; i < n; i++) setF(out, i, Math.sqrt(max(0.0, f(out, i))));

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
