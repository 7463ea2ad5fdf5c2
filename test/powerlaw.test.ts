// The ESD power-law fit (src/metrics/powerlaw.ts) on samples with a known exponent, with and without a non-power-law
// bulk below the true x_min — the case where choosing x_min by KS distance matters.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { esdAlpha, fitPowerLaw, powerLawAlpha, powerLawKs } from '../src/metrics/powerlaw.js';
import { mulberry32 } from '../src/stats/prng.js';

/** n draws from p(x) ∝ x^(−α) on [xmin, ∞) by inversion: x = xmin·(1 − u)^(−1/(α−1)). */
function sample(n: number, alpha: number, xmin: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => xmin * (1 - r()) ** (-1 / (alpha - 1)));
}

describe('power-law fit', () => {
  it('recovers the exponent of pure power-law samples within 4 standard errors', () => {
    fc.assert(
      fc.property(fc.double({ min: 1.5, max: 5, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (alpha, seed) => {
        const xs = sample(1000, alpha, 1, seed);
        const fit = fitPowerLaw(xs);
        expect(Math.abs(fit.alpha - alpha)).toBeLessThan(4 * fit.sigma + 0.05);
        expect(fit.ks).toBeLessThan(0.1);
      }),
      { numRuns: 25 },
    );
  });

  it('chooses x_min by KS distance: a uniform bulk below the tail does not bias α', () => {
    const r = mulberry32(7);
    const bulk = Array.from({ length: 1500 }, () => 0.05 + 0.9 * r());
    const tail = sample(1500, 2.5, 1, 11);
    const fit = fitPowerLaw([...bulk, ...tail]);
    expect(fit.xmin).toBeGreaterThan(0.9);
    expect(fit.xmin).toBeLessThan(1.3);
    expect(Math.abs(fit.alpha - 2.5)).toBeLessThan(0.2);
    // fitting the whole sample (x_min = smallest value) would be far off — the reason for the KS choice
    const sorted = [...bulk, ...tail].sort((a, b) => a - b);
    expect(Math.abs(powerLawAlpha(sorted, 0) - 2.5)).toBeGreaterThan(0.5);
  });

  it('matches the closed-form MLE and KS on a hand example', () => {
    const xs = [1, 2, 4, 8];
    const a = powerLawAlpha(xs, 0);
    expect(a).toBeCloseTo(1 + 4 / (Math.log(2) + Math.log(4) + Math.log(8)), 12);
    // P(x) = 1 − x^(1−a); empirical CDF steps at 1/4, 2/4, 3/4, 1
    const P = xs.map((x) => 1 - x ** (1 - a));
    const d = Math.max(...P.flatMap((p, i) => [Math.abs((i + 1) / 4 - p), Math.abs(i / 4 - p)]));
    expect(powerLawKs(xs, 0, a)).toBeCloseTo(d, 14);
    // and the fit over all candidates agrees with the per-candidate functions
    const ys = sample(40, 2.2, 1, 3).sort((p, q) => p - q);
    const fit = fitPowerLaw(ys, { minTail: 5 });
    const k = ys.indexOf(fit.xmin);
    expect(fit.alpha).toBeCloseTo(powerLawAlpha(ys, k), 10);
    expect(fit.ks).toBeCloseTo(powerLawKs(ys, k, fit.alpha), 10);
    for (let j = 0; j <= ys.length - 5; j++) expect(powerLawKs(ys, j, powerLawAlpha(ys, j))).toBeGreaterThanOrEqual(fit.ks - 1e-12);
  });

  it('ignores non-positive values, needs minTail points, and fits σ² for a matrix ESD', () => {
    expect(Number.isNaN(fitPowerLaw([1, 2, 3]).alpha)).toBe(true);
    const xs = sample(500, 3, 2, 5);
    expect(fitPowerLaw([...xs, 0, -1, Number.NaN]).alpha).toBe(fitPowerLaw(xs).alpha);
    const sv = xs.map(Math.sqrt);
    expect(esdAlpha(sv).alpha).toBeCloseTo(fitPowerLaw(sv.map((s) => s * s)).alpha, 12);
  });
});
