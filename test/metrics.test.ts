// Component metrics (src/metrics) on matrices whose components are known in closed form.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import {
  componentErrors, componentErrorsFrom, components, effectiveRank, kappaOf, reference, scalarRelErr, spectralGap, vectorRelErr,
} from '../src/metrics/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const diag = (xs: number[]) => {
  const n = xs.length;
  const a = new Array(n * n).fill(0);
  xs.forEach((x, i) => (a[i * n + i] = x));
  return engine.matrix(n, n, a);
};

describe('components of known matrices', () => {
  it('diag(4, 2, 1, 0.5, 0.03): κ, effective rank, gap, norms', () => {
    engine.scope(() => {
      const c = components(engine, diag([1, 4, 0.03, 2, 0.5]));
      expect(Array.from(c.sv)).toEqual([4, 2, 1, 0.5, 0.03]);
      expect(c.kappa).toBeCloseTo(4 / 0.03, 10);
      expect(c.effRank).toBe(4); // σ > 0.01·σ₁ = 0.04 leaves out 0.03
      expect(c.gap).toBeCloseTo(0.5, 14);
      expect(Array.from(c.rowNorms)).toEqual([1, 4, 0.03, 2, 0.5]);
      expect(Array.from(c.colNorms)).toEqual([1, 4, 0.03, 2, 0.5]);
      expect(c.frob).toBeCloseTo(Math.sqrt(1 + 16 + 0.0009 + 4 + 0.25), 14);
    });
  });

  it('errors of diag(a) against diag(b) are the closed-form relative errors', () => {
    engine.scope(() => {
      const a = [3, 2, 1, 0.5], b = [2, 2, 1, 1];
      const ref = reference(engine, diag(b));
      const e = componentErrors(engine, diag(a), ref);
      const vec = (0.5 + 0 + 0 + 0.5) / 4;
      expect(e.rowNormErr).toBeCloseTo(vec, 14);
      expect(e.colNormErr).toBeCloseTo(vec, 14);
      expect(e.svErr).toBeCloseTo(vec, 14); // both spectra already sorted the same way
      expect(e.kappaErr).toBeCloseTo(Math.abs(6 - 2) / 2, 12);
      expect(e.logKappaErr).toBeCloseTo(Math.log(3), 12);
      expect(e.effRankErr).toBe(0);
      expect(e.gapErr).toBe(Infinity); // gap(b) = 0: a relative error against zero is infinite, as defined
      expect(e.frobErr).toBeCloseTo(Math.abs(Math.sqrt(14.25) - Math.sqrt(10)) / Math.sqrt(10), 12);
      expect(e.overallErr).toBeCloseTo(Math.sqrt(1 + 0.25) / Math.sqrt(10), 12);
      expect(e.kappa).toBeCloseTo(6, 12);
    });
  });

  it('a matrix against itself has all errors zero', () => {
    engine.scope(() => {
      const W = engine.rng(3).normalMatrix(12, 12);
      const e = componentErrors(engine, W, reference(engine, W));
      for (const [k, v] of Object.entries(e)) if (k !== 'kappa') expect(v).toBe(0);
    });
  });
});

describe('helpers', () => {
  const vec = fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1, maxLength: 20 });
  it('vectorRelErr is zero on equal vectors and invariant to a common scale', () => {
    fc.assert(
      fc.property(vec, vec, fc.double({ min: 0.01, max: 100, noNaN: true }), (a, b, s) => {
        const n = Math.min(a.length, b.length);
        const x = a.slice(0, n), y = b.slice(0, n);
        expect(vectorRelErr(x, x)).toBe(0);
        expect(vectorRelErr(x.map((v) => v * s), y.map((v) => v * s))).toBeCloseTo(vectorRelErr(x, y), 10);
      }),
      { seed: 1, numRuns: 200 },
    );
  });
  it('scalar helpers', () => {
    expect(scalarRelErr(3, 2)).toBe(0.5);
    expect(kappaOf([10, 5, 2])).toBe(5);
    expect(effectiveRank([1, 0.02, 0.01, 0.005])).toBe(2); // strict: 0.01 is not > 0.01·1
    expect(spectralGap([4, 3])).toBe(0.25);
  });
});

describe('errors against a rank-deficient reference (a low-rank target)', () => {
  const comp = (sv: number[], n = sv.length) => ({
    rowNorms: new Float64Array(n).fill(1), colNorms: new Float64Array(n).fill(1), sv: Float64Array.from(sv),
    kappa: sv[0] / sv[sv.length - 1], effRank: 0, gap: 0, frob: 1,
  });
  it('σ and κ errors are taken over the reference numerical rank: finite, and equal to the truncated formula', () => {
    const ref = comp([4, 2, 1, 0, 0]); // rank 3: exact zeros, as the bidiagonal SVD returns them
    const est = comp([4.4, 1.8, 1.1, 1e-3, 1e-4]);
    const e = componentErrorsFrom(est, ref, 0, Math.log);
    expect(e.svErr).toBeCloseTo((0.4 / 4 + 0.2 / 2 + 0.1 / 1) / 3, 14);
    expect(e.kappaErr).toBeCloseTo(Math.abs(4.4 / 1.1 - 4) / 4, 14);
    expect(e.logKappaErr).toBeCloseTo(Math.abs(Math.log(4.4 / 1.1) - Math.log(4)), 14);
    // rounding-level σ* (what Jacobi returned) count as zero too: no 1e14 errors
    const noisy = componentErrorsFrom(est, comp([4, 2, 1, 3e-16, 1e-17]), 0, Math.log);
    expect(noisy.svErr).toBeCloseTo(e.svErr, 14);
  });
  it('a full-rank reference keeps PROTOCOL.md’s definitions over every σ', () => {
    const ref = comp([4, 2, 1, 0.5]), est = comp([4, 2, 1, 1]);
    const e = componentErrorsFrom(est, ref, 0, Math.log);
    expect(e.svErr).toBeCloseTo(1 / 4, 14);
    expect(e.kappaErr).toBeCloseTo(Math.abs(4 - 8) / 8, 14);
  });
});
