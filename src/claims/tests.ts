// The statistical tests the claims judge uses, all exact and all transcendental-free: p-values come from exact
// combinatorics (binomial sums, the exact null distribution of the Wilcoxon and Mann–Whitney statistics by dynamic
// programming) using only +, −, ×, ÷ and √ — each correctly rounded in every JS engine — in a fixed order, so a
// verdict is bit-identical in Node and the browser (the project keeps exp/log inside the .wasm; these need neither).
//
// Differences on a log scale (log b − log a) are never formed: their signs are those of b − a and their magnitudes
// order like max(b/a, a/b), and a median of log ratios is the log of the median ratio (√ of the two middle ratios
// for even n). So tests "on log κ error" run on ratios.
import { mulberry32 } from '../stats/prng.js';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED } from '../stats/summary.js';
import { powInt } from '../theory/detmath.js';

export const ALPHA = 0.05;
/** Power the "trials needed" figure aims for. */
export const POWER = 0.8;
/** Search limit for the trials-needed figure (beyond it: "more than this"). */
export const MAX_TRIALS = 1000;

const byNumber = (a: number, b: number) => a - b;

/** Exact binomial tail P(K ≥ k) for K ~ Bin(n, 1/2). */
export function binomHalfUpper(n: number, k: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // pmf(j) = C(n, j)/2ⁿ by the recurrence pmf(j+1) = pmf(j)·(n − j)/(j + 1), summed from the small end of the tail
  let pmf = powInt(0.5, n);
  const terms: number[] = [];
  for (let j = 0; j <= n; j++) {
    if (j >= k) terms.push(pmf);
    pmf = (pmf * (n - j)) / (j + 1);
  }
  let s = 0;
  for (let i = terms.length - 1; i >= 0; i--) s += terms[i];
  return Math.min(1, s);
}

/** Exact binomial pmf vector for Bin(n, p), 0 < p < 1. */
function binomPmf(n: number, p: number): Float64Array {
  const out = new Float64Array(n + 1);
  if (p <= 0) { out[0] = 1; return out; }
  if (p >= 1) { out[n] = 1; return out; }
  out[0] = powInt(1 - p, n);
  const odds = p / (1 - p);
  for (let j = 0; j < n; j++) out[j + 1] = (out[j] * (n - j) / (j + 1)) * odds;
  return out;
}

export type Alternative = 'greater' | 'less' | 'two-sided';

/** The outcome of a test of location/direction. `p` is two-sided; `pGreater`/`pLess` the one-sided p-values. */
export interface TestResult {
  test: string;
  /** Number of pairs / values entering the test (after zeros are dropped, for signed tests). */
  n: number;
  /** Dropped zero differences (signed tests). */
  zeros?: number;
  statistic: number;
  p: number;
  pGreater: number;
  pLess: number;
}

/** A signed observation for the signed tests: sign ∈ {−1, 0, 1} and a magnitude that orders like |difference|. */
export interface Signed {
  sign: number;
  mag: number;
}

const twoSided = (pg: number, pl: number) => Math.min(1, 2 * Math.min(pg, pl));

/**
 * Exact sign test: zeros are dropped (the usual convention), K = number of positive signs among the n left,
 * P(K ≥ k) and P(K ≤ k) under Bin(n, 1/2); two-sided p = 2·min, capped at 1.
 */
export function signTest(xs: readonly Signed[]): TestResult {
  const nz = xs.filter((x) => x.sign !== 0);
  const n = nz.length;
  const k = nz.filter((x) => x.sign > 0).length;
  const pg = binomHalfUpper(n, k), pl = binomHalfUpper(n, n - k);
  return { test: 'exact sign test', n, zeros: xs.length - n, statistic: k, p: twoSided(pg, pl), pGreater: pg, pLess: pl };
}

/** Midranks (1-based) of values, ties sharing the mean of their ranks, returned doubled so they are integers. */
function doubledMidranks(mags: readonly number[]): number[] {
  const idx = mags.map((_, i) => i).sort((a, b) => mags[a] - mags[b] || a - b);
  const out = new Array<number>(mags.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && mags[idx[j + 1]] === mags[idx[i]]) j++;
    // ranks i+1 … j+1 share (i + j + 2)/2; doubled: i + j + 2
    for (let t = i; t <= j; t++) out[idx[t]] = i + j + 2;
    i = j + 1;
  }
  return out;
}

/**
 * Exact Wilcoxon signed-rank test. Zeros are dropped (Wilcoxon's convention), tied magnitudes get midranks, and the
 * null distribution of W⁺ (sum of the ranks of the positive observations) is enumerated exactly over all 2ⁿ sign
 * assignments of *these* midranks — so ties are exact, not approximated. W⁺ is reported on the ordinary (not doubled)
 * rank scale. O(n³): fine for the n ≤ a few hundred that experiments have.
 */
export function wilcoxonSignedRank(xs: readonly Signed[]): TestResult {
  const nz = xs.filter((x) => x.sign !== 0);
  const n = nz.length;
  const r2 = doubledMidranks(nz.map((x) => x.mag));
  let w2 = 0;
  for (let i = 0; i < n; i++) if (nz[i].sign > 0) w2 += r2[i];
  const total = r2.reduce((a, b) => a + b, 0);
  // dp[s] = P(doubled W⁺ = s) after the first i ranks (each sign ±, probability ½)
  let dp = new Float64Array(total + 1);
  dp[0] = 1;
  for (let i = 0; i < n; i++) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= total; s++) {
      if (dp[s] === 0) continue;
      next[s] += 0.5 * dp[s];
      next[s + r2[i]] += 0.5 * dp[s];
    }
    dp = next;
  }
  let pg = 0, pl = 0;
  for (let s = total; s >= w2; s--) pg += dp[s];
  for (let s = 0; s <= w2; s++) pl += dp[s];
  return { test: 'exact Wilcoxon signed-rank', n, zeros: xs.length - n, statistic: w2 / 2, p: twoSided(pg, pl), pGreater: Math.min(1, pg), pLess: Math.min(1, pl) };
}

/**
 * Exact Mann–Whitney (Wilcoxon rank-sum) test for two independent samples: U = #{(x, y): x > y} + ½#{x = y}
 * (x from the first sample), null distribution by enumerating every split of the pooled midranks into groups of
 * sizes m and n (dynamic programming over the doubled rank sum), exact with ties. 'greater' = first sample larger.
 */
export function mannWhitney(x: readonly number[], y: readonly number[]): TestResult {
  const m = x.length, n = y.length;
  const r2 = doubledMidranks([...x, ...y]);
  let rx2 = 0;
  for (let i = 0; i < m; i++) rx2 += r2[i];
  const total = r2.reduce((a, b) => a + b, 0);
  // ways[k][s] = number of k-subsets of the first i pooled values with doubled rank sum s, normalised at the end
  const ways: Float64Array[] = Array.from({ length: m + 1 }, () => new Float64Array(total + 1));
  ways[0][0] = 1;
  let reach = 0; // largest rank sum reachable so far
  for (let i = 0; i < m + n; i++) {
    // 0/1 knapsack: k descending so that value i is used at most once
    for (let k = Math.min(i, m - 1); k >= 0; k--) {
      const row = ways[k], to = ways[k + 1];
      for (let s = reach; s >= 0; s--) if (row[s] !== 0) to[s + r2[i]] += row[s];
    }
    reach += r2[i];
  }
  const dist = ways[m];
  let all = 0;
  for (let s = 0; s <= total; s++) all += dist[s];
  let pg = 0, pl = 0;
  for (let s = total; s >= rx2; s--) pg += dist[s];
  for (let s = 0; s <= rx2; s++) pl += dist[s];
  const u = rx2 / 2 - (m * (m + 1)) / 2;
  return { test: 'exact Mann–Whitney', n: m + n, statistic: u, p: twoSided(pg / all, pl / all), pGreater: Math.min(1, pg / all), pLess: Math.min(1, pl / all) };
}

/**
 * The smallest number of pairs N ≤ MAX_TRIALS at which the exact two-sided sign test at level ALPHA has power ≥
 * POWER when each pair favours the claimed direction with probability `q` (the observed proportion); null when q ≤ ½
 * (more trials cannot favour the claim) or N would exceed MAX_TRIALS. Power is not monotone in N (the test is
 * discrete), so this is the first N that reaches it.
 */
export function signTestTrialsNeeded(q: number, alpha = ALPHA, power = POWER): number | null {
  if (!(q > 0.5)) return null;
  for (let N = 1; N <= MAX_TRIALS; N++) {
    // critical count c: smallest with P(K ≥ c | ½) ≤ α/2
    const h = binomPmf(N, 0.5);
    let tail = 0, c = N + 1;
    for (let k = N; k >= 0; k--) {
      if (tail + h[k] > alpha / 2) break;
      tail += h[k];
      c = k;
    }
    if (c > N) continue;
    const f = binomPmf(N, q);
    let pw = 0;
    for (let k = N; k >= c; k--) pw += f[k];
    if (pw >= power) return N;
  }
  return null;
}

/** z quantiles for the Noether sample size (two-sided α = 0.05, power 0.8): constants, so no erf is needed. */
const Z_ALPHA = 1.959963984540054;
const Z_POWER = 0.8416212335729143;

/**
 * Trials per group for the Mann–Whitney test to detect P(X > Y) = θ (the observed U/(mn)) with two-sided ALPHA and
 * POWER, by Noether's formula for equal groups: N_total = (z_α + z_β)² / (3(θ − ½)²). null when θ = ½ or > MAX_TRIALS.
 */
export function mannWhitneyTrialsNeeded(theta: number): number | null {
  const d = theta - 0.5;
  if (d === 0 || !Number.isFinite(d)) return null;
  const total = ((Z_ALPHA + Z_POWER) * (Z_ALPHA + Z_POWER)) / (3 * d * d);
  const per = Math.ceil(total / 2);
  return per > MAX_TRIALS ? null : per;
}

/** Median of positive ratios on the log scale: the middle ratio, or √ of the two middle ones (geometric mean). */
export function medianRatio(rs: readonly number[]): number {
  if (rs.length === 0) return Number.NaN;
  const s = [...rs].sort(byNumber);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : Math.sqrt(s[h - 1] * s[h]);
}

/** Plain median (mean of the two middle values for even n). */
export function medianOf(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort(byNumber);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Percentile bootstrap 95% CI of a median (log-scale median of ratios when `ratio`): resamples of the *sorted*
 * values with indices from the project's seeded mulberry32 (src/stats), so the interval is a pure function of the
 * multiset of values — permuting trials never moves it. The 2.5% and 97.5% points are order statistics of the
 * resampled medians (no interpolation, which on a log scale would need exp/log).
 */
export function bootstrapMedianCI(xs: readonly number[], ratio: boolean, resamples = BOOTSTRAP_RESAMPLES, seed = BOOTSTRAP_SEED): [number, number] {
  const n = xs.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const v = [...xs].sort(byNumber);
  const rand = mulberry32(seed);
  const meds = new Float64Array(resamples);
  // a resample of sorted values is sorted by its indices: count how often each index is drawn and walk the counts to
  // the middle order statistic(s) — O(n) per resample instead of a sort
  const count = new Int32Array(n);
  const h = n >> 1;
  for (let r = 0; r < resamples; r++) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[Math.floor(rand() * n)]++;
    let lowMid = Number.NaN, highMid = Number.NaN;
    for (let j = 0, seen = 0; j < n; j++) {
      const next = seen + count[j];
      if (seen <= h - 1 && h - 1 < next) lowMid = v[j];
      if (seen <= h && h < next) { highMid = v[j]; break; }
      seen = next;
    }
    meds[r] = n % 2 ? highMid : ratio ? Math.sqrt(lowMid * highMid) : (lowMid + highMid) / 2;
  }
  meds.sort();
  const lo = Math.floor(0.025 * (resamples - 1)), hi = Math.ceil(0.975 * (resamples - 1));
  return [meds[lo], meds[hi]];
}
