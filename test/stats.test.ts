// Across-trial statistics (src/stats): known answers (checked against numpy) and properties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bootstrapCI, iqr, mean, median, quantile, std, summarise, summariseSeries } from '../src/stats/index.js';

describe('known answers', () => {
  it('mean, population std, numpy-style quartiles', () => {
    const xs = [1, 2, 3, 4, 10];
    expect(mean(xs)).toBe(4);
    expect(std(xs)).toBeCloseTo(Math.sqrt((9 + 4 + 1 + 0 + 36) / 5), 14); // ddof 0
    expect(median(xs)).toBe(3);
    expect(quantile(xs, 0.25)).toBe(2); // numpy.percentile(xs, 25) = 2.0
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75); // numpy: 1.75
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.25);
  });

  it('agrees with numpy on unsorted data (np.mean, np.std, np.percentile([25, 50, 75]))', () => {
    const xs = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(mean(xs)).toBe(3.875);
    expect(std(xs)).toBeCloseTo(2.5708704751503917, 14);
    expect([quantile(xs, 0.25), median(xs), quantile(xs, 0.75)]).toEqual([1.75, 3.5, 5.25]);
    expect(iqr(xs)).toBe(3.5);
    // heavy-tailed, like condition-number errors
    const ys = [0.13, 0.29, 1.25, 0.81, 34.9, 0.02, 7.5];
    expect(mean(ys)).toBeCloseTo(6.414285714285714, 13);
    expect(std(ys)).toBeCloseTo(11.883833985885262, 12);
    expect(quantile(ys, 0.25)).toBeCloseTo(0.21, 14);
    expect(median(ys)).toBe(0.81);
    expect(quantile(ys, 0.75)).toBeCloseTo(4.375, 14);
  });

  it('empty input and out-of-range q give NaN, not an exception', () => {
    expect(mean([])).toBeNaN();
    expect(std([])).toBeNaN();
    expect(median([])).toBeNaN();
    expect(quantile([1, 2], 1.5)).toBeNaN();
    expect(bootstrapCI([])).toEqual([NaN, NaN]);
    const s = summarise([], 3);
    expect(s.n).toBe(0);
    expect(s.nDiverged).toBe(3);
    expect(s.mean).toBeNaN();
  });

  it('diverged and non-finite values are counted, never averaged', () => {
    const s = summarise([1, Number.NaN, 3, Infinity, null], 2);
    expect(s.mean).toBe(2);
    expect(s.n).toBe(2);
    expect(s.nDiverged).toBe(5);
  });

  it('the bootstrap CI is deterministic and degenerate for one value', () => {
    expect(bootstrapCI([1, 5, 2, 8])).toEqual(bootstrapCI([1, 5, 2, 8]));
    expect(bootstrapCI([7])).toEqual([7, 7]);
    expect(bootstrapCI([2, 2, 2])).toEqual([2, 2]);
  });

  it('the bootstrap CI of a large sample is close to mean ± 1.96·σ/√n', () => {
    // deterministic, roughly normal data: a sum of 12 uniforms from a fixed LCG
    let state = 12345;
    const u = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
    const xs = Array.from({ length: 400 }, () => Array.from({ length: 12 }, u).reduce((a, b) => a + b) - 6);
    const [lo, hi] = bootstrapCI(xs);
    const half = (1.96 * std(xs)) / Math.sqrt(xs.length);
    expect((hi - lo) / 2).toBeGreaterThan(0.85 * half);
    expect((hi - lo) / 2).toBeLessThan(1.15 * half);
    expect(Math.abs((lo + hi) / 2 - mean(xs))).toBeLessThan(0.15 * half);
  });

  it('series are summarised element-wise; shorter series and non-finite entries drop out of their indices', () => {
    const s = summariseSeries([[1, 2, 3], [3, NaN, 5], [5, 6]], [10, 20, 30]);
    expect(s.epochs).toEqual([10, 20, 30]);
    expect(s.mean).toEqual([3, 4, 4]);
    expect(s.median).toEqual([3, 4, 4]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(s.q1).toEqual([2, 3, 3.5]);
    expect(s.q3).toEqual([4, 5, 4.5]);
  });
});

describe('properties', () => {
  const value = fc.double({ min: -1e6, max: 1e6, noNaN: true });
  const sample = fc.array(value, { minLength: 2, maxLength: 40 });

  it('the whole summary is bit-for-bit invariant to the order of the trials (±0 included)', () => {
    const withZeros = fc.array(fc.oneof(value, fc.constantFrom(0, -0)), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(withZeros.chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length }))), ([xs, shuffled]) => {
        const a = summarise(shuffled), b = summarise(xs);
        for (const k of Object.keys(a) as (keyof typeof a)[]) expect(Object.is(a[k], b[k]), k).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('shift and scale equivariant (mean, std, median, quartiles, CI)', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), (xs, a, b) => {
        const s = summarise(xs);
        const t = summarise(xs.map((x) => a + b * x));
        const tol = 1e-9 * (Math.abs(a) + b * Math.max(...xs.map(Math.abs))) + 1e-9;
        for (const k of ['mean', 'median', 'q1', 'q3', 'ciLow', 'ciHigh'] as const) {
          expect(Math.abs(t[k] - (a + b * s[k]))).toBeLessThanOrEqual(tol * 10);
        }
        expect(Math.abs(t.std - b * s.std)).toBeLessThanOrEqual(tol * 10);
        // a negative scale swaps the quartiles and the CI ends
        const r = summarise(xs.map((x) => -x));
        expect(Math.abs(r.q1 + s.q3)).toBeLessThanOrEqual(tol * 10);
        expect(Math.abs(r.median + s.median)).toBeLessThanOrEqual(tol * 10);
      }),
    );
  });

  it('min ≤ q1 ≤ median ≤ q3 ≤ max, std ≥ 0, and the CI brackets the mean for non-constant data', () => {
    fc.assert(
      fc.property(sample, (xs) => {
        const s = summarise(xs);
        expect(Math.min(...xs)).toBeLessThanOrEqual(s.q1);
        expect(s.q1).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.q3);
        expect(s.q3).toBeLessThanOrEqual(Math.max(...xs));
        expect(s.std).toBeGreaterThanOrEqual(0);
        expect(s.ciLow).toBeLessThanOrEqual(s.ciHigh);
        expect(s.ciLow).toBeLessThanOrEqual(s.mean + 1e-9 * Math.abs(s.mean));
        expect(s.ciHigh).toBeGreaterThanOrEqual(s.mean - 1e-9 * Math.abs(s.mean));
        expect(s.n).toBe(xs.length);
      }),
    );
  });

  it('adding diverged trials (NaN, ±Infinity) changes nothing but nDiverged', () => {
    fc.assert(
      fc.property(sample, fc.array(fc.constantFrom(NaN, Infinity, -Infinity), { maxLength: 5 }), fc.nat(5), (xs, bad, k) => {
        const s = summarise(xs, k);
        const t = summarise([...bad, ...xs], k);
        expect({ ...t, nDiverged: 0 }).toEqual({ ...s, nDiverged: 0 });
        expect(t.nDiverged).toBe(k + bad.length);
      }),
    );
  });

  it('quantile agrees with the numpy definition written out directly', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const s = [...xs].sort((a, b) => a - b);
        const h = (s.length - 1) * q;
        const want = s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
        expect(quantile(xs, q)).toBe(want);
      }),
    );
  });
});
