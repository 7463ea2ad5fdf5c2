// A reference oracle that does not trust float64: singular values of small matrices by one-sided (Hestenes) Jacobi
// in double-double arithmetic (~106-bit significands, unit roundoff u = 2^−106 ≈ 1.2e−32).
//
// Why Jacobi: its backward error is column-wise relative (Demmel & Veselić 1992), so besides the absolute bound
// |σ̂ᵢ − σᵢ| ≲ n·u·σ₁ (≈ 30 digits relative to σ₁ at n ≤ 32) the small σ of graded matrices come out to many digits of
// their own. Why double-double rather than BigInt rationals: an exact Sturm count on AᵀA needs 32×32 fraction-free
// eliminations on integers of thousands of bits per bisection step — minutes, not milliseconds. Every float64 input is
// exactly a double-double, so nothing is lost on the way in; the matrix is scaled by a power of two (exact) so that
// Dekker's splitting can neither overflow nor underflow.
import { toDense, type Dense, type MatrixLike } from './dense.js';

/** A double-double number hi + lo with |lo| ≤ ulp(hi)/2. */
export interface DD {
  hi: number;
  lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b), bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

export function ddAdd(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  let r = quickTwoSum(s.hi, s.lo + t.hi);
  r = quickTwoSum(r.hi, r.lo + t.lo);
  return r;
}

export function ddNeg(a: DD): DD {
  return { hi: -a.hi, lo: -a.lo };
}

export function ddSub(a: DD, b: DD): DD {
  return ddAdd(a, ddNeg(b));
}

export function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

export function ddDiv(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  let r = ddSub(a, ddMul(b, { hi: q1, lo: 0 }));
  const q2 = r.hi / b.hi;
  r = ddSub(r, ddMul(b, { hi: q2, lo: 0 }));
  const q3 = r.hi / b.hi;
  return ddAdd(quickTwoSum(q1, q2), { hi: q3, lo: 0 });
}

export function ddSqrt(a: DD): DD {
  if (a.hi <= 0) return { hi: 0, lo: 0 };
  // one Newton step from the float64 root doubles the correct digits
  const q = Math.sqrt(a.hi);
  const r = ddSub(a, twoProd(q, q));
  return quickTwoSum(q, r.hi / (2 * q));
}

/** v·2^k in two exact steps, since 2^k alone over/underflows for |k| > 1023. */
function mulPow2(v: number, k: number): number {
  const h = Math.trunc(k / 2);
  return v * 2 ** h * 2 ** (k - h);
}

export const dd = (x: number): DD => ({ hi: x, lo: 0 });

/** Exact value of a BigInt to double-double precision. */
export function ddFromBigInt(b: bigint): DD {
  const hi = Number(b);
  return { hi, lo: Number(b - BigInt(hi)) };
}

export interface ReferenceOptions {
  /** Sweep limit (default 80; the quadratic convergence of Jacobi needs ~10 at n = 32). */
  maxSweeps?: number;
}

/** The largest matrix dimension the oracle accepts; past it, use a float64 library and an error bound instead. */
export const REFERENCE_MAX_DIM = 32;

/**
 * Singular values of a small matrix (min(m, n) ≤ 32, max ≤ 64) in double-double, descending. Absolute accuracy
 * ~n·2^−106·σ₁; throws if Jacobi does not converge (never seen) rather than returning something unconverged.
 */
export function referenceSingularValuesDD(x: MatrixLike | Dense, opts: ReferenceOptions = {}): DD[] {
  const a0 = x instanceof Object && 'data' in x && x.data instanceof Float64Array ? (x as Dense) : toDense(x, 'reference oracle input');
  for (let i = 0; i < a0.data.length; i++) {
    if (!Number.isFinite(a0.data[i])) throw new Error(`reference oracle: entry ${a0.data[i]} at (${Math.floor(i / a0.cols)}, ${i % a0.cols}) is not finite`);
  }
  // work on columns of the tall orientation: G is m×n with m ≥ n
  const tall = a0.rows >= a0.cols;
  const m = tall ? a0.rows : a0.cols, n = tall ? a0.cols : a0.rows;
  if (n > REFERENCE_MAX_DIM || m > 2 * REFERENCE_MAX_DIM) {
    throw new Error(`reference oracle takes min(m, n) ≤ ${REFERENCE_MAX_DIM} and max(m, n) ≤ ${2 * REFERENCE_MAX_DIM}, got ${a0.rows}×${a0.cols}`);
  }
  let big = 0;
  for (const v of a0.data) big = Math.max(big, Math.abs(v));
  if (big === 0) return Array.from({ length: n }, () => dd(0));
  // scale max |a| into [1/2, 1): exact, and keeps Dekker's split (×2^27) and squares far from over/underflow
  const e = Math.floor(Math.log2(big)) + 1;
  const scale = (v: number) => mulPow2(v, -e);
  const hi: Float64Array[] = [], lo: Float64Array[] = [];
  let fro2 = 0;
  for (let j = 0; j < n; j++) {
    hi.push(new Float64Array(m));
    lo.push(new Float64Array(m));
    for (let i = 0; i < m; i++) {
      const v = scale(tall ? a0.data[i * a0.cols + j] : a0.data[j * a0.cols + i]);
      // below 2^−450·max an entry moves no σ by 1e−130·σ₁, but its square's low word would underflow and stall
      // convergence; so it is flushed (the price: relative accuracy only for σ above ~2^−400·σ₁)
      hi[j][i] = Math.abs(v) < 2 ** -450 ? 0 : v;
      fro2 += hi[j][i] ** 2;
    }
  }
  // a column this small is rounding noise of the others (it appears when A is rank-deficient): rotating it further
  // only chases that noise, and its σ is at the noise level whatever is done
  const noise2 = (16 * m * 2 ** -106) ** 2 * fro2;
  const dot = (p: number, q: number): DD => {
    let s: DD = dd(0);
    for (let i = 0; i < m; i++) s = ddAdd(s, ddMul({ hi: hi[p][i], lo: lo[p][i] }, { hi: hi[q][i], lo: lo[q][i] }));
    return s;
  };
  const tol = 4 * m * 2 ** -106;
  const maxSweeps = opts.maxSweeps ?? 80;
  let converged = false;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const alpha = dot(p, p), beta = dot(q, q), gamma = dot(p, q);
        if (gamma.hi === 0 || alpha.hi <= noise2 || beta.hi <= noise2) continue;
        const ab = ddSqrt(ddMul(alpha, beta));
        if (Math.abs(gamma.hi) <= tol * ab.hi) continue;
        converged = false;
        // rotation that zeroes the (p, q) entry of GᵀG: ζ = (β − α)/(2γ), t = sign(ζ)/(|ζ| + √(1 + ζ²))
        const zeta = ddDiv(ddSub(beta, alpha), ddMul(dd(2), gamma));
        const az = zeta.hi < 0 ? ddNeg(zeta) : zeta;
        let t = ddDiv(dd(1), ddAdd(az, ddSqrt(ddAdd(dd(1), ddMul(zeta, zeta)))));
        if (zeta.hi < 0) t = ddNeg(t);
        const c = ddDiv(dd(1), ddSqrt(ddAdd(dd(1), ddMul(t, t))));
        const s = ddMul(c, t);
        for (let i = 0; i < m; i++) {
          const gp = { hi: hi[p][i], lo: lo[p][i] }, gq = { hi: hi[q][i], lo: lo[q][i] };
          const np = ddSub(ddMul(c, gp), ddMul(s, gq));
          const nq = ddAdd(ddMul(s, gp), ddMul(c, gq));
          hi[p][i] = np.hi; lo[p][i] = np.lo;
          hi[q][i] = nq.hi; lo[q][i] = nq.lo;
        }
      }
  }
  if (!converged) throw new Error(`reference oracle: Jacobi did not converge in ${maxSweeps} sweeps on a ${a0.rows}×${a0.cols} matrix`);
  const back = (v: DD): DD => ({ hi: mulPow2(v.hi, e), lo: mulPow2(v.lo, e) });
  const out: DD[] = [];
  for (let j = 0; j < n; j++) out.push(back(ddSqrt(dot(j, j))));
  return out.sort((x, y) => y.hi - x.hi || y.lo - x.lo);
}

/** The same, rounded to float64: each σᵢ correctly rounded up to the oracle's ~30-digit accuracy. */
export function referenceSingularValues(x: MatrixLike | Dense, opts: ReferenceOptions = {}): number[] {
  return referenceSingularValuesDD(x, opts).map((v) => v.hi + v.lo);
}
