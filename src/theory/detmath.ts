// Deterministic scalar math for the closed-form predictions that land in results JSON. Results must be bit-identical
// in Node and Chromium, and V8's Math.pow / Math.exp / `**` differ in the last bit between versions. Everything here
// uses only +, −, ×, ÷, Math.sqrt, Math.round and comparisons — each correctly rounded (or exact) under IEEE 754 in
// every JS engine — in a fixed order, so the same inputs give the same bits everywhere.

/** x^n for an integer n ≥ 0 by binary exponentiation (the same multiplications everywhere); n = ∞ gives the limit. */
export function powInt(x: number, n: number): number {
  if (n === Infinity) return Math.abs(x) < 1 ? 0 : x === 1 ? 1 : x > 1 ? Infinity : NaN;
  checkExponent(n);
  let result = 1;
  let base = x;
  let k = n;
  while (k > 0) {
    if (k % 2 === 1) result *= base;
    k = Math.floor(k / 2);
    if (k > 0) base *= base;
  }
  return result;
}

/**
 * D(r₁, r₂, t) = Σ_{s=0}^{t−1} r₁^{t−1−s}·r₂^s = (r₁^t − r₂^t)/(r₁ − r₂), the response after t steps of the
 * recursion x' = r₁·x + r₂^s. Computed by binary splitting — D(2a) = D(a)(r₁^a + r₂^a), D(a + 1) = r₁·D(a) + r₂^a —
 * which never subtracts, so it stays accurate when r₁ ≈ r₂ (and is exact at r₁ = r₂: t·r^{t−1}).
 * t = ∞: the limit, (r₁^∞ − r₂^∞)/(r₁ − r₂) with r^∞ = 0 for |r| < 1 and 1 for r = 1.
 */
export function geomConv(r1: number, r2: number, t: number): number {
  if (t === Infinity) {
    const p = powInt(r1, Infinity), q = powInt(r2, Infinity);
    if (r1 === r2) return p === 0 ? 0 : Infinity;
    return (p - q) / (r1 - r2);
  }
  checkExponent(t);
  let P = 1, Q = 1, D = 0;
  for (let bit = highestBit(t); bit >= 1; bit = Math.floor(bit / 2)) {
    // a → 2a
    D = D * (P + Q);
    P *= P;
    Q *= Q;
    if (Math.floor(t / bit) % 2 === 1) {
      // a → a + 1
      D = r1 * D + Q;
      P *= r1;
      Q *= r2;
    }
  }
  return D;
}

function highestBit(t: number): number {
  let b = 1;
  while (b * 2 <= t) b *= 2;
  return t === 0 ? 0 : b;
}

function checkExponent(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`exponent must be an integer ≥ 0 or Infinity, got ${n}`);
}

/** An upper-triangular (or any) square matrix to an integer power t ≥ 0 by squaring; row-major n×n. */
export function matPowInt(M: ArrayLike<number>, n: number, t: number): Float64Array {
  checkExponent(t);
  let result: Float64Array = identity(n);
  let base: Float64Array = Float64Array.from(M);
  let k = t;
  while (k > 0) {
    if (k % 2 === 1) result = matMul(result, base, n);
    k = Math.floor(k / 2);
    if (k > 0) base = matMul(base, base, n);
  }
  return result;
}

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

function matMul(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[i * n + k] * B[k * n + j];
      C[i * n + j] = s;
    }
  return C;
}

// Cody–Waite split of ln 2 (fdlibm): LN2_HI has trailing zero bits, so k·LN2_HI is exact for |k| < 2^20.
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;

/** e^x with basic arithmetic only: x = k·ln 2 + r, |r| ≤ ln2/2, a degree-16 Taylor polynomial for e^r, times 2^k. */
export function detExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.78) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  // Horner: Σ_{n ≤ 16} r^n / n!  (|r| ≤ 0.347: the first omitted term is < 1e-21)
  let p = 1;
  for (let n = 16; n >= 1; n--) p = 1 + (p * r) / n;
  // × 2^k one factor at a time: exact while the result stays normal
  let y = p;
  if (k >= 0) for (let i = 0; i < k; i++) y *= 2;
  else for (let i = 0; i < -k; i++) y *= 0.5;
  return y;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) = (2/√π)·e^{−x²}·Σ_{n≥0} 2ⁿx^{2n+1}/(1·3·…·(2n+1)): a series of positive terms (no cancellation), exact to a
 * few ulp; |x| ≥ 6 gives ±1 (erfc(6) ≈ 2e-17).
 */
export function detErf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const x2 = ax * ax;
  let term = ax, sum = ax;
  for (let n = 1; n < 400; n++) {
    term = (term * 2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const v = TWO_OVER_SQRT_PI * detExp(-x2) * sum;
  const out = v > 1 ? 1 : v;
  return x < 0 ? -out : out;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const SQRT2 = Math.sqrt(2);

/** E|X| for X ~ N(m, τ²) (folded normal): τ√(2/π)·e^{−m²/2τ²} + m·erf(m/(τ√2)); τ = 0 gives |m|. */
export function foldedNormalMean(m: number, tau: number): number {
  if (!(tau > 0)) return Math.abs(m);
  const z = m / tau;
  return tau * SQRT_2_OVER_PI * detExp(-0.5 * z * z) + m * detErf(z / SQRT2);
}
