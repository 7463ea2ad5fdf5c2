// Across-trial statistics as PROTOCOL.md defines them: mean, population std (ddof 0), median and quartiles (linear
// interpolation between order statistics, numpy's default), and a percentile bootstrap 95% CI of the mean from a
// seeded generator, so the same values always give the same interval. Non-finite values never enter: they belong to
// diverged trials, which are counted instead.
import type { SeriesSummary, Summary } from '../experiments/types.js';
import { mulberry32 } from './prng.js';

/** A total order on non-NaN numbers (−0 before +0), so sorting never depends on the input order. */
const ascending = (a: number, b: number): number => a - b || (Object.is(b, -0) ? 1 : 0) - (Object.is(a, -0) ? 1 : 0);

/**
 * Arithmetic mean. The values are summed in ascending order, so the result is bit-for-bit independent of the order
 * the trials arrive in (floating-point addition is not associative).
 */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort(ascending);
  let s = 0;
  for (const x of sorted) s += x;
  return s / xs.length;
}

/** Population standard deviation (ddof = 0). */
export function std(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/**
 * q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics — numpy's default ('linear', type 7 of
 * Hyndman & Fan): with the values sorted as x₀ ≤ … ≤ x_{n−1}, position h = (n − 1)·q, result
 * x_⌊h⌋ + (h − ⌊h⌋)(x_⌈h⌉ − x_⌊h⌋). So quartiles of [1, 2, 3, 4] are 1.75 and 3.25, as numpy.percentile gives.
 */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
  const s = [...xs].sort(ascending);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Interquartile range q3 − q1 (same quartile definition). */
export const iqr = (xs: readonly number[]): number => quantile(xs, 0.75) - quantile(xs, 0.25);


export const BOOTSTRAP_RESAMPLES = 2000;

export const BOOTSTRAP_SEED = 0x5eed;

/**
 * Percentile bootstrap 95% CI of the mean: `resamples` resamples with replacement of the sorted values (indices
 * from a mulberry32 generator with a fixed seed, so the interval is a pure function of the multiset of values), then
 * the 2.5% and 97.5% quantiles (same interpolation as above) of the resampled means. One value gives [it, it].
 */
export function bootstrapCI(xs: readonly number[], resamples = BOOTSTRAP_RESAMPLES, seed = BOOTSTRAP_SEED): [number, number] {
  const n = xs.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  if (n === 1) return [xs[0], xs[0]];
  // resample the sorted values, so that the interval does not depend on the order of the trials either
  const v = [...xs].sort(ascending);
  const rand = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[Math.floor(rand() * n)];
    means[r] = s / n;
  }
  means.sort();
  const at = (q: number) => {
    const pos = (resamples - 1) * q;
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    return means[lo] + (means[hi] - means[lo]) * (pos - lo);
  };
  return [at(0.025), at(0.975)];
}

/** Summary of one metric over the trials that did not diverge; non-finite values are counted with the diverged. */
export function summarise(values: readonly (number | null)[], nDiverged = 0): Summary {
  const finite = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  const extra = values.length - finite.length;
  const [ciLow, ciHigh] = bootstrapCI(finite);
  return {
    mean: mean(finite),
    std: std(finite),
    median: median(finite),
    q1: quantile(finite, 0.25),
    q3: quantile(finite, 0.75),
    ciLow,
    ciHigh,
    n: finite.length,
    nDiverged: nDiverged + extra,
  };
}

/** Element-wise summary of equal-length series (shorter ones contribute to the indices they have). */
export function summariseSeries(series: readonly (readonly (number | null)[])[], epochs: readonly number[]): SeriesSummary {
  const len = Math.max(0, ...series.map((s) => s.length));
  const out: SeriesSummary = { epochs: epochs.slice(0, len), mean: [], std: [], median: [], q1: [], q3: [] };
  for (let i = 0; i < len; i++) {
    const col = series.map((s) => s[i]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    out.mean.push(mean(col));
    out.std.push(std(col));
    out.median.push(median(col));
    out.q1.push(quantile(col, 0.25));
    out.q3.push(quantile(col, 0.75));
  }
  return out;
}
