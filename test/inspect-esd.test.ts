// WeightWatcher's per-layer metrics in `condlab inspect` (src/inspect/spectral.ts): the ESD power-law α on matrices
// built with a known power-law spectrum, α-weighted and the log spectral norm on the λ = σ²/N convention, and the
// MP soft rank on Gaussian matrices (≈1) and spiked ones (≪1).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { analyseTensor, esdMetrics, inspectSummary, type MatrixReport } from '../src/inspect/index.js';
import { mulberry32 } from '../src/stats/prng.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

/** Applies k random Householder reflections from the left to the n×c row-major matrix A (in place). */
function reflect(A: Float64Array, n: number, c: number, k: number, r: () => number) {
  for (let t = 0; t < k; t++) {
    const v = Array.from({ length: n }, () => r() - 0.5);
    const vv = v.reduce((a, x) => a + x * x, 0);
    for (let j = 0; j < c; j++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += v[i] * A[i * c + j];
      const f = (2 * d) / vv;
      for (let i = 0; i < n; i++) A[i * c + j] -= f * v[i];
    }
  }
}

/** An N×M matrix U·diag(σ)·Vᵀ (U, V products of random reflections) with the given singular values. */
function withSpectrum(N: number, M: number, sigma: number[], seed: number): Float64Array {
  const r = mulberry32(seed);
  const A = new Float64Array(N * M);
  sigma.forEach((s, i) => (A[i * M + i] = s));
  reflect(A, N, M, 4, r);
  // right side: reflect the transpose
  const T = new Float64Array(M * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) T[j * N + i] = A[i * M + j];
  reflect(T, M, N, 4, r);
  for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) A[i * M + j] = T[j * N + i];
  return A;
}

const analyse = (rows: number, cols: number, data: Float64Array) => analyseTensor(engine, { name: 'W', shape: [rows, cols], dtype: 'F64', data }) as MatrixReport;

describe('ESD metrics', () => {
  it('recovers α of a matrix whose eigenvalues σᵢ²/N are power-law distributed (within 4 standard errors)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1.8, max: 5, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (alpha, seed) => {
        const N = 300, M = 200;
        const r = mulberry32(seed);
        // λ ~ Pareto(α, λ_min = 0.5) by inversion; σ = √(N·λ)
        const lambda = Array.from({ length: M }, () => 0.5 * (1 - r()) ** (-1 / (alpha - 1))).sort((a, b) => b - a);
        const m = analyse(N, M, withSpectrum(N, M, lambda.map((l) => Math.sqrt(N * l)), seed));
        expect(m.alpha).not.toBeNull();
        const se = (m.alpha! - 1) / Math.sqrt(m.alphaTail);
        expect(Math.abs(m.alpha! - alpha)).toBeLessThan(4 * se + 0.1);
        expect(m.alphaXmin!).toBeGreaterThanOrEqual(0.5 * (1 - 1e-9));
        // α-weighted and the log spectral norm use λ_max = σ₁²/N (N the larger side)
        expect(m.logSpectralNorm).toBeCloseTo(Math.log10(lambda[0]), 9);
        expect(m.alphaWeighted!).toBeCloseTo(m.alpha! * Math.log10(lambda[0]), 9);
      }),
      { numRuns: 6 },
    );
  });

  it('with a non-power-law bulk below the tail, λ_min is chosen by KS distance and α is still recovered', () => {
    const N = 300, M = 240, alpha = 2.5;
    const r = mulberry32(17);
    const bulk = Array.from({ length: 120 }, () => 0.02 + 0.4 * r());
    const tail = Array.from({ length: 120 }, () => 0.5 * (1 - r()) ** (-1 / (alpha - 1)));
    const lambda = [...bulk, ...tail].sort((a, b) => b - a);
    const m = analyse(N, M, withSpectrum(N, M, lambda.map((l) => Math.sqrt(N * l)), 17));
    expect(m.alphaXmin!).toBeGreaterThan(0.4);
    expect(Math.abs(m.alpha! - alpha)).toBeLessThan(4 * ((m.alpha! - 1) / Math.sqrt(m.alphaTail)) + 0.1);
  });

  it('the transposed matrix gives the same metrics (N is the larger side either way)', () => {
    const sigma = Array.from({ length: 40 }, (_, i) => 10 / (i + 1));
    const A = withSpectrum(60, 40, sigma, 3);
    const T = new Float64Array(40 * 60);
    for (let i = 0; i < 60; i++) for (let j = 0; j < 40; j++) T[j * 60 + i] = A[i * 40 + j];
    const a = analyse(60, 40, A), b = analyse(40, 60, T);
    for (const k of ['alpha', 'alphaWeighted', 'logSpectralNorm', 'mpSoftRank'] as const) expect(b[k]).toBeCloseTo(a[k] as number, 9);
  });

  it('MP soft rank: ≈1 for a Gaussian matrix, (1 + 1/√Q)² for equal singular values, small for a spike', () => {
    const r = mulberry32(5);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const N = 400, M = 200;
    const G = Float64Array.from({ length: N * M }, gauss);
    const g = analyse(N, M, G);
    expect(g.mpSoftRank).toBeGreaterThan(0.9);
    expect(g.mpSoftRank).toBeLessThan(1.1);
    // all σ equal: λ_max = mean eigenvalue, so the ratio is the MP edge factor itself
    const flat = esdMetrics(Array(10).fill(3), 40, 10, Math.log, Math.exp);
    expect(flat.mpSoftRank).toBeCloseTo((1 + 1 / Math.sqrt(4)) ** 2, 12);
    expect(flat.logSpectralNorm).toBeCloseTo(Math.log10(9 / 40), 12);
    // one entry far above the bulk
    const spiked = G.slice();
    spiked[0] += 200; // σ₁ ≈ 200 against a bulk edge √N + √M ≈ 34
    expect(analyse(N, M, spiked).mpSoftRank).toBeLessThan(0.2);
    // too few eigenvalues for a fit: α is null, not a number made up from 3 points
    const small = esdMetrics([3, 2, 1], 3, 3, Math.log, Math.exp);
    expect([small.alpha, small.alphaWeighted]).toEqual([null, null]);
  });

  it('summary: means over layers with α, medians of κ, counts of ill-conditioned layers', () => {
    const mk = (alpha: number | null, kappa: number): MatrixReport =>
      ({ alpha, kappa, alphaWeighted: alpha === null ? null : 2 * alpha, logSpectralNorm: 1, stableRank: 4, mpSoftRank: 0.5, effectiveRank: 3 }) as MatrixReport;
    const s = inspectSummary([mk(2, 10), mk(4, 1e3), mk(null, Infinity)]);
    expect(s.layers).toBe(3);
    expect(s.alphaLayers).toBe(2);
    expect(s.alpha).toBe(3);
    expect(s.alphaWeighted).toBe(6);
    expect(s.medianKappa).toBe(1e3);
    expect(s.kappaAbove100).toBe(2);
    expect(s.singular).toBe(1);
  });
});
