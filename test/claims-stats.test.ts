// The claims judge's exact tests (src/claims/tests.ts) against brute-force enumeration, known table values and, when
// python3 has scipy, scipy.stats.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  binomHalfUpper, bootstrapMedianCI, mannWhitney, mannWhitneyTrialsNeeded, medianRatio, signTest, signTestTrialsNeeded,
  wilcoxonSignedRank, type Signed,
} from '../src/claims/tests.js';
import { runNumpy } from './helpers/numpy.js';

const fromDiffs = (ds: number[]): Signed[] => ds.map((d) => ({ sign: Math.sign(d), mag: Math.abs(d) }));

/** W⁺ one-sided p-values by enumerating all 2ⁿ sign flips of the non-zero |d| with midranks (independent of the DP). */
function bruteWilcoxon(ds: number[]): { w: number; pg: number; pl: number } {
  const nz = ds.filter((d) => d !== 0);
  const abs = nz.map(Math.abs);
  const rank = abs.map((a) => {
    const below = abs.filter((b) => b < a).length, eq = abs.filter((b) => b === a).length;
    return below + (eq + 1) / 2;
  });
  const w = nz.reduce((s, d, i) => s + (d > 0 ? rank[i] : 0), 0);
  let ge = 0, le = 0;
  const N = 1 << nz.length;
  for (let mask = 0; mask < N; mask++) {
    let s = 0;
    for (let i = 0; i < nz.length; i++) if (mask & (1 << i)) s += rank[i];
    if (s >= w - 1e-9) ge++;
    if (s <= w + 1e-9) le++;
  }
  return { w, pg: ge / N, pl: le / N };
}

/** Mann–Whitney one-sided p-values by enumerating every split of the pooled values (midranks). */
function bruteMW(x: number[], y: number[]): { u: number; pg: number; pl: number } {
  const all = [...x, ...y];
  const rank = all.map((a) => all.filter((b) => b < a).length + (all.filter((b) => b === a).length + 1) / 2);
  const m = x.length, N = all.length;
  const rx = rank.slice(0, m).reduce((a, b) => a + b, 0);
  let ge = 0, le = 0, tot = 0;
  const rec = (start: number, left: number, sum: number) => {
    if (left === 0) {
      tot++;
      if (sum >= rx - 1e-9) ge++;
      if (sum <= rx + 1e-9) le++;
      return;
    }
    for (let i = start; i <= N - left; i++) rec(i + 1, left - 1, sum + rank[i]);
  };
  rec(0, m, 0);
  return { u: rx - (m * (m + 1)) / 2, pg: ge / tot, pl: le / tot };
}

// small integers make ties and zeros frequent
const diffs = fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 1, maxLength: 12 });

describe('exact sign test', () => {
  it('matches the binomial table: n = 10, k = 9 → two-sided p = 22/1024; k = 5 → 1', () => {
    expect(signTest(fromDiffs([1, 1, 1, 1, 1, 1, 1, 1, 1, -1])).p).toBeCloseTo(22 / 1024, 15);
    expect(signTest(fromDiffs([1, 1, 1, 1, 1, -1, -1, -1, -1, -1])).p).toBe(1);
    expect(binomHalfUpper(20, 15)).toBeCloseTo(21700 / 1048576, 15);
  });

  it('drops zeros and says how many', () => {
    const r = signTest(fromDiffs([0, 0, 1, 1, 1]));
    expect(r.n).toBe(3);
    expect(r.zeros).toBe(2);
    expect(r.pGreater).toBeCloseTo(1 / 8, 15);
  });
});

describe('exact Wilcoxon signed-rank', () => {
  it('matches exhaustive enumeration, with ties (midranks) and zeros (dropped)', () => {
    fc.assert(fc.property(diffs, (ds) => {
      const r = wilcoxonSignedRank(fromDiffs(ds));
      const b = bruteWilcoxon(ds);
      expect(r.statistic).toBeCloseTo(b.w, 12);
      expect(r.pGreater).toBeCloseTo(b.pg, 12);
      expect(r.pLess).toBeCloseTo(b.pl, 12);
    }), { numRuns: 200 });
  });

  it('matches the table: n = 10, W⁺ = 8 → P(W⁺ ≤ 8) = 25/1024', () => {
    // ranks 1..10; positives at ranks 1, 3, 4 → W⁺ = 8
    const ds = [1, -2, 3, 4, -5, -6, -7, -8, -9, -10];
    expect(wilcoxonSignedRank(fromDiffs(ds)).pLess).toBeCloseTo(25 / 1024, 15);
  });
});

describe('exact Mann–Whitney', () => {
  it('matches exhaustive enumeration of the splits, with ties', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(sample, sample, (x, y) => {
      const r = mannWhitney(x, y);
      const b = bruteMW(x, y);
      expect(r.statistic).toBeCloseTo(b.u, 12);
      expect(r.pGreater).toBeCloseTo(b.pg, 12);
      expect(r.pLess).toBeCloseTo(b.pl, 12);
    }), { numRuns: 200 });
  });
});

describe('trials needed (power of the exact sign test)', () => {
  /** Power of the two-sided exact sign test at α at N pairs when P(favour) = q, by plain summation. */
  function power(N: number, q: number, alpha = 0.05): number {
    const C = (n: number, k: number) => { let c = 1; for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1); return c; };
    let c = N + 1, tail = 0;
    for (let k = N; k >= 0; k--) { const t = C(N, k) / 2 ** N; if (tail + t > alpha / 2) break; tail += t; c = k; }
    let p = 0;
    for (let k = c; k <= N; k++) p += C(N, k) * q ** k * (1 - q) ** (N - k);
    return p;
  }

  it('is the first N with power ≥ 0.8, and none when the data do not lean the claimed way', () => {
    for (const q of [0.6, 0.7, 0.8, 0.9, 0.95]) {
      const N = signTestTrialsNeeded(q)!;
      expect(power(N, q)).toBeGreaterThanOrEqual(0.8);
      for (let n = 1; n < N; n++) expect(power(n, q)).toBeLessThan(0.8);
    }
    expect(signTestTrialsNeeded(0.5)).toBeNull();
    expect(signTestTrialsNeeded(0.3)).toBeNull();
    expect(signTestTrialsNeeded(0.51)).toBeNull(); // beyond MAX_TRIALS
  });

  it("Noether's Mann–Whitney sample size: θ = 0.7 → 33 per group", () => {
    // (1.95996 + 0.84162)² / (3 · 0.2²) = 65.35 total → 33 per group
    expect(mannWhitneyTrialsNeeded(0.7)).toBe(33);
    expect(mannWhitneyTrialsNeeded(0.5)).toBeNull();
  });
});

describe('median ratio and its bootstrap CI', () => {
  it('median of ratios on the log scale: the geometric mean of the middle two', () => {
    expect(medianRatio([1, 4])).toBe(2);
    expect(medianRatio([8, 1, 2])).toBe(2);
  });

  it('the CI is deterministic and independent of the order of the values', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 2, maxLength: 15 }), fc.integer(), (xs, seed) => {
      const shuffled = [...xs].sort((a, b) => (Math.sin(a * seed) < Math.sin(b * seed) ? -1 : 1));
      expect(bootstrapMedianCI(shuffled, true)).toEqual(bootstrapMedianCI(xs, true));
      const [lo, hi] = bootstrapMedianCI(xs, true);
      expect(lo).toBeLessThanOrEqual(medianRatio(xs) * (1 + 1e-12));
      expect(hi).toBeGreaterThanOrEqual(medianRatio(xs) * (1 - 1e-12));
    }), { numRuns: 50 });
  });
});

const scipyAvailable = (() => {
  const r = spawnSync('python3', ['-c', 'import scipy.stats'], { encoding: 'utf8' });
  return r.status === 0;
})();

describe.runIf(scipyAvailable)('against scipy.stats (tie-free samples, where scipy is exact)', () => {
  it('sign test = binomtest, Wilcoxon = wilcoxon(method="exact"), Mann–Whitney = mannwhitneyu(method="exact")', () => {
    const cases: { d: number[]; x: number[]; y: number[] }[] = [];
    for (let c = 0; c < 12; c++) {
      const n = 5 + c;
      // distinct magnitudes, mixed signs; distinct pooled values for Mann–Whitney
      const d = Array.from({ length: n }, (_, i) => (i + 1) * (((i * 7 + c) % 3) === 0 ? -1 : 1) + c * 0.001);
      const x = Array.from({ length: 4 + (c % 5) }, (_, i) => i * 1.37 + c * 0.11);
      const y = Array.from({ length: 3 + (c % 6) }, (_, i) => i * 1.91 + 0.5 + c * 0.07);
      cases.push({ d, x, y });
    }
    const script = `
import json, sys
from scipy import stats
out = []
for c in json.load(sys.stdin):
    d = c['d']; k = sum(1 for v in d if v > 0)
    out.append({
        'sign': stats.binomtest(k, len(d), 0.5).pvalue,
        'wil': stats.wilcoxon(d, method='exact').pvalue,
        'wilg': stats.wilcoxon(d, method='exact', alternative='greater').pvalue,
        'mw': stats.mannwhitneyu(c['x'], c['y'], method='exact').pvalue,
        'mwg': stats.mannwhitneyu(c['x'], c['y'], method='exact', alternative='greater').pvalue,
    })
print(json.dumps(out))
`;
    const ref = runNumpy<{ sign: number; wil: number; wilg: number; mw: number; mwg: number }[]>(script, cases);
    cases.forEach((c, i) => {
      expect(signTest(fromDiffs(c.d)).p).toBeCloseTo(ref[i].sign, 12);
      const w = wilcoxonSignedRank(fromDiffs(c.d));
      expect(w.p).toBeCloseTo(ref[i].wil, 12);
      expect(w.pGreater).toBeCloseTo(ref[i].wilg, 12);
      const m = mannWhitney(c.x, c.y);
      expect(m.p).toBeCloseTo(ref[i].mw, 12);
      expect(m.pGreater).toBeCloseTo(ref[i].mwg, 12);
    });
  });
});

describe.runIf(!scipyAvailable)('scipy comparison', () => {
  it('skipped: python3 with scipy not found', () => {
    console.warn('scipy comparison skipped: python3 with scipy not found');
  });
});

describe('paired on a log scale with exact zeros', () => {
  it('0/0 is no change (dropped), x→0 and 0→x are the largest magnitudes, negatives are refused', async () => {
    const { paired } = await import('../src/claims/rules.js');
    const t = paired('x', [0, 1, 2, 3], [0, 0, 4, 3.3], 'less');
    expect(t.n).toBe(3); // the 0/0 pair is a zero difference
    expect(t.note).toMatch(/1 zero difference/);
    // ranks: 3.3/3 → 1, 4/2 → 2, 1→0 → 3 (∞); W⁺ = 1 + 2
    expect(t.statistic).toBe(3);
    expect(() => paired('x', [-1], [1], 'less')).toThrow(/non-negative/);
  });
});
