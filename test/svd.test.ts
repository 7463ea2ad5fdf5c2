// Property tests of the one-sided Jacobi SVD (assembly/svd/). Tolerances are c·ε·n with a small c from backward
// error analysis of Jacobi (Demmel & Veselić 1992), never tuned until green.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { anyMatrix, graded, orthonormal, randomMatrix, type TestMatrix } from '../src/testing/index.js';
import {
  EPS, dense, diag, frobenius, matmul, orthogonalityError, sub, transpose, type Dense,
} from '../src/testing/index.js';
import { numpyAvailable, runNumpy } from './helpers/numpy.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

interface DenseSvd {
  U: Dense;
  s: number[];
  V: Dense;
  sweeps: number;
}

function svdOf(a: Dense, vectors = true): DenseSvd {
  return engine.scope(() => {
    const A = engine.matrix(a.rows, a.cols, a.data);
    const r = engine.svd(A, { vectors });
    const k = Math.min(a.rows, a.cols);
    return {
      U: vectors ? dense(a.rows, k, r.U!.toArray()) : dense(0, 0),
      s: Array.from(r.s.toArray()),
      V: vectors ? dense(a.cols, k, r.V!.toArray()) : dense(0, 0),
      sweeps: r.sweeps,
    };
  });
}

const svals = (a: Dense) => svdOf(a, false).s;
const maxDim = (a: Dense) => Math.max(a.rows, a.cols);
/** c in the c·ε·n bounds: Jacobi's backward error is a modest multiple of ε per sweep. */
const C = 8;

describe('SVD invariants (fast-check)', () => {
  it('reconstructs A: ‖A − UΣVᵀ‖_F ≤ c·ε·n·‖A‖_F, and U, V have orthonormal columns', () => {
    fc.assert(
      fc.property(anyMatrix(), ({ a }) => {
        const { U, s, V } = svdOf(a);
        const k = s.length;
        const back = matmul(matmul(U, diag(k, k, s)), transpose(V));
        const normA = frobenius(a);
        const bound = C * EPS * maxDim(a);
        expect(frobenius(sub(a, back))).toBeLessThanOrEqual(bound * normA);
        // orthogonality to 16·n·ε: the solved-J path accepts J up to ORTH_TOL = 16·p·ε (assembly/svd/svd.ts,
        // docs/numerics.md); 8·n·ε was tighter than that promise (FC_SEED=948166371: a 24×24 graded-rows matrix at
        // 8.01·n·ε, the same on 0.4.0)
        expect(orthogonalityError(U)).toBeLessThanOrEqual(2 * bound);
        expect(orthogonalityError(V)).toBeLessThanOrEqual(2 * bound);
      }),
      { numRuns: 300 },
    );
  });

  it('singular values are non-negative and sorted descending; values-only mode agrees bit for bit', () => {
    fc.assert(
      fc.property(anyMatrix(), ({ a }) => {
        const full = svdOf(a).s;
        const only = svals(a);
        expect(only).toEqual(full);
        for (let i = 0; i < full.length; i++) {
          expect(full[i]).toBeGreaterThanOrEqual(0);
          if (i > 0) expect(full[i]).toBeLessThanOrEqual(full[i - 1]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('σ(A) = σ(Aᵀ) = σ(QA) for orthogonal Q, to c·ε·n·σ₁', () => {
    fc.assert(
      fc.property(
        anyMatrix().chain((lm) => fc.tuple(fc.constant(lm), orthonormal(lm.a.rows))),
        ([{ a }, q]) => {
          const s = svals(a);
          const st = svals(transpose(a));
          const sq = svals(matmul(q, a));
          // plus a subnormal floor: below 2^-1022 every operation (in QA too) rounds to an absolute MIN_VALUE
          const tol = C * EPS * maxDim(a) * (s[0] || 0) + 64 * maxDim(a) * Number.MIN_VALUE;
          for (let i = 0; i < s.length; i++) {
            expect(Math.abs(st[i] - s[i])).toBeLessThanOrEqual(tol);
            expect(Math.abs(sq[i] - s[i])).toBeLessThanOrEqual(tol);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('σ(cA) = |c|·σ(A) (exactly for c a power of two); κ(cA) = κ(A)', () => {
    fc.assert(
      fc.property(
        anyMatrix(),
        fc.integer({ min: -40, max: 40 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.boolean(),
        ({ a }, e, c, negate) => {
          const s = svals(a);
          const p2 = (negate ? -1 : 1) * 2 ** e;
          const scaled = a.data.map((x) => x * p2);
          const sp = svals(dense(a.rows, a.cols, scaled));
          const normal = (x: number) => x === 0 || Math.abs(x) >= 2 ** -1022;
          if (p2 > 0 && [...a.data, ...scaled, ...s, ...sp].every(normal)) {
            // the engine scales by a power of two internally, so with no subnormals this holds bit for bit
            // (not for negation: Householder's sign choice at an exact zero pivot breaks the ± symmetry of rounding)
            expect(sp).toEqual(s.map((x) => x * Math.abs(p2)));
          } else {
            // subnormals carry fewer bits: equal up to the rounding of the subnormal range
            const tiny = 8 * Number.MIN_VALUE * Math.max(1, Math.abs(p2));
            s.forEach((x, i) => expect(Math.abs(sp[i] - x * Math.abs(p2))).toBeLessThanOrEqual(C * EPS * maxDim(a) * sp[0] + tiny));
          }
          const sc = svals(dense(a.rows, a.cols, a.data.map((x) => x * c)));
          const tol = C * EPS * maxDim(a);
          for (let i = 0; i < s.length; i++) expect(Math.abs(sc[i] - c * s[i])).toBeLessThanOrEqual(tol * c * s[0] + 8 * Number.MIN_VALUE * c);
          const k = s.length;
          if (s[k - 1] > 1e-6 * s[0] && s[k - 1] > 1e-250) {
            const kappa = s[0] / s[k - 1];
            const kappaC = sc[0] / sc[k - 1];
            expect(Math.abs(kappaC - kappa) / kappa).toBeLessThanOrEqual(tol * kappa * 4);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('‖A‖_F² = Σσᵢ², and σ₁ bounds every row and column norm', () => {
    fc.assert(
      fc.property(anyMatrix(), ({ a }) => {
        const s = svals(a);
        const f = frobenius(a);
        if (f === 0) {
          expect(s.every((x) => x === 0)).toBe(true);
          return;
        }
        const sumSq = s.reduce((acc, x) => acc + (x / f) ** 2, 0);
        const tol = C * EPS * maxDim(a);
        expect(Math.abs(sumSq - 1)).toBeLessThanOrEqual(2 * tol);
        for (let i = 0; i < a.rows; i++) {
          let r = 0;
          for (let j = 0; j < a.cols; j++) r += (a.data[i * a.cols + j] / f) ** 2;
          expect(Math.sqrt(r) * f).toBeLessThanOrEqual(s[0] * (1 + tol));
        }
        for (let j = 0; j < a.cols; j++) {
          let c = 0;
          for (let i = 0; i < a.rows; i++) c += (a.data[i * a.cols + j] / f) ** 2;
          expect(Math.sqrt(c) * f).toBeLessThanOrEqual(s[0] * (1 + tol));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rank-r products B·C give min(m,n) − r singular values at rounding level', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 2, max: 24 }), fc.integer({ min: 2, max: 24 }))
          .chain(([m, n]) =>
            fc.integer({ min: 1, max: Math.min(m, n) - 1 }).chain((r) =>
              fc.tuple(fc.constant(r), randomMatrix(m, r), randomMatrix(r, n)),
            ),
          ),
        ([r, b, c]) => {
          const a = matmul(b, c);
          const s = svals(a);
          const tol = C * EPS * maxDim(a) * (s[0] || 0);
          for (let i = r; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(tol);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('SVD relative accuracy on graded matrices (σ spanning 12 decades)', () => {
  // A = P·diag(σ₀)·V₀ᵀ (row-graded) or V₀·diag(σ₀)·P (column-graded), P a signed permutation: each entry of A is
  // one rounding away from exact, so A's own σ are σ₀ to a few ulps·n and a relatively accurate SVD must find them.
  // (A dense U₀·diag(σ₀)·V₀ᵀ cannot test this: rounding A's entries alone moves σ_min by ε·σ₁, i.e. 1e-4 relative.)
  // (the generator lives in condlab/testing: graded(), σ from 1 down to exactly 1e-12, log-spaced with jitter)
  const gradedCase = fc.oneof(
    graded({ side: 'row', minDecades: 12, maxDecades: 12, maxDim: 24 }),
    graded({ side: 'column', minDecades: 12, maxDecades: 12, maxDim: 24 }),
  ) as fc.Arbitrary<TestMatrix & { sigma: number[] }>;

  it('every σᵢ to relative error ≤ 1e-10', () => {
    fc.assert(
      fc.property(gradedCase, ({ a, sigma }) => {
        const s = svals(a);
        for (let i = 0; i < s.length; i++) expect(Math.abs(s[i] - sigma[i]) / sigma[i]).toBeLessThanOrEqual(1e-10);
        const full = svdOf(a);
        for (let i = 0; i < s.length; i++) expect(Math.abs(full.s[i] - sigma[i]) / sigma[i]).toBeLessThanOrEqual(1e-10);
      }),
      { numRuns: 150 },
    );
  });

  it.skipIf(!numpyAvailable())('is at least as accurate as numpy (LAPACK gesdd) for σ_min', () => {
    const cases = fc.sample(gradedCase, { numRuns: 12, seed: 7 }).filter((c) => c.a.rows >= 8);
    const np = runNumpy<number[][]>(
      'import sys, json, numpy as np\n' +
        'cases = json.load(sys.stdin)\n' +
        'print(json.dumps([np.linalg.svd(np.array(c["a"]).reshape(c["n"], c["n"]), compute_uv=False).tolist() for c in cases]))',
      cases.map((c) => ({ a: Array.from(c.a.data), n: c.a.rows })),
    );
    cases.forEach((c, idx) => {
      const n = c.a.rows;
      const ours = Math.abs(svals(c.a)[n - 1] - c.sigma[n - 1]) / c.sigma[n - 1];
      const theirs = Math.abs(np[idx][n - 1] - c.sigma[n - 1]) / c.sigma[n - 1];
      expect(ours).toBeLessThanOrEqual(Math.max(theirs, 1e-12));
    });
  });
});

describe('SVD against numpy on fixed matrices', () => {
  const fixed = [
    [3, 3], [7, 4], [4, 7], [33, 33], [64, 20], [20, 64], [100, 100],
  ].map(([m, n], idx) => {
    // a fixed, seed-free pattern so the matrices are the same on every machine
    const a = dense(m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a.data[i * n + j] = Math.sin(1 + i * 1.7 + j * 0.37 + idx) + (i === j ? 0.5 : 0);
    return a;
  });

  it.skipIf(!numpyAvailable())('singular values agree with numpy to c·ε·n·σ₁', () => {
    const np = runNumpy<number[][]>(
      'import sys, json, numpy as np\n' +
        'cs = json.load(sys.stdin)\n' +
        'print(json.dumps([np.linalg.svd(np.array(c["a"]).reshape(c["m"], c["n"]), compute_uv=False).tolist() for c in cs]))',
      fixed.map((a) => ({ a: Array.from(a.data), m: a.rows, n: a.cols })),
    );
    fixed.forEach((a, idx) => {
      const s = svdOf(a).s;
      const tol = C * EPS * maxDim(a) * s[0];
      s.forEach((x, i) => expect(Math.abs(x - np[idx][i])).toBeLessThanOrEqual(tol));
    });
  });

  it.runIf(!numpyAvailable())('skips the numpy comparison: python3 with numpy is not available', () => {
    console.warn('numpy comparison skipped: python3 with numpy not found');
  });
});

describe('SVD edge cases and errors', () => {
  it('handles the zero matrix, 1×1, 1×n and m×1', () => {
    const z = svdOf(dense(3, 5));
    expect(z.s).toEqual([0, 0, 0]);
    expect(orthogonalityError(z.U)).toBe(0);
    expect(orthogonalityError(z.V)).toBe(0);
    expect(svdOf(dense(1, 1, [-3])).s).toEqual([3]);
    expect(svdOf(dense(1, 4, [3, 0, 4, 0])).s[0]).toBeCloseTo(5, 14);
    expect(svdOf(dense(4, 1, [0, 3, 0, -4])).s[0]).toBeCloseTo(5, 14);
  });

  it('keeps U and V orthonormal when most singular values are zero (regression: basis completion ran out of candidates)', () => {
    // the 23×24 counterexample fast-check found (FC_SEED=125310380): rank 8, 15 zero singular values
    const nonzeros: [number, number][] = [[177, -0.7071067811839169], [181, 1.9380015558929063e-06], [182, -0.9999999999999983], [188, 3.7143008243034544e-17], [224, 1.1278467190888925e-11], [228, 0.6430439703344571], [332, 0.9711389825091961], [343, 0.5683614644630656], [398, 0.7532681505132766], [416, -7.149843733144263e-12], [421, -1.2642540634334185e-06], [463, -0.9999999999999991], [465, 0.6102994103514012], [475, -0.9999999999999989], [492, 0.9999999999999967], [499, 0.8107003840221165], [500, -0.9999999999999999], [511, -0.9999511108030055], [512, 2.604206090374558e-10]];
    const a = dense(23, 24);
    for (const [i, v] of nonzeros) a.data[i] = v;
    for (const m of [a, transpose(a)]) {
      const { U, V } = svdOf(m);
      expect(orthogonalityError(U)).toBeLessThanOrEqual(C * EPS * 24);
      expect(orthogonalityError(V)).toBeLessThanOrEqual(C * EPS * 24);
    }
  });

  it('rejects non-finite entries, naming the entry', () => {
    const A = engine.matrix(2, 2, [1, 2, 3, 4]);
    A.data()[3] = Number.NaN;
    expect(() => engine.svd(A)).toThrow(/non-finite entry NaN at \(1, 1\).*finite/);
    A.free();
  });

  it('ends in a clear error carrying the residual when the sweep limit is hit', () => {
    const a = fc.sample(randomMatrix(30, 30), { numRuns: 1, seed: 3 })[0];
    const A = engine.matrix(30, 30, a.data);
    let caught: unknown;
    try {
      engine.svd(A, { maxSweeps: 1 });
    } catch (e) {
      caught = e;
    }
    expect(String(caught)).toMatch(/did not converge in 1 sweeps.*= \d\.\d+e[-+]\d+/);
    expect((caught as { code: string }).code).toBe('no-convergence');
    expect((caught as { details: { residual: number } }).details.residual).toBeGreaterThan(0);
    A.free();
    expect(() => engine.svd(engine.matrix(2, 2), { maxSweeps: 0 })).toThrow(/maxSweeps must be an integer from 1 to 1000, got 0/);
  });

  it('rejects a freed handle', () => {
    const A = engine.matrix(2, 2, [1, 0, 0, 1]);
    A.free();
    expect(() => engine.svd(A)).toThrow(/freed/);
  });
});

describe('Jacobi with a tiny row at a small angle to a long one', () => {
  it('converges (ζ no longer overflows to ∞, which made t = 0 and stalled every sweep) and keeps σ_min relatively accurate', async () => {
    const engine = await Engine.load();
    // fast-check's counterexample (condlab/testing's svd.reference suite): σ = 4.0075e-4 and 1.4225e-300
    const A = engine.matrix(2, 2, [-1.4225093241900607e-300, 0, -3.1401849173675493e-16, 0.0004007540779786191]);
    for (const opts of [{}, { vectors: false }] as const) {
      const r = engine.svd(A, opts);
      expect(r.sweeps).toBeLessThanOrEqual(3);
      const s = r.s.toArray();
      // |det| = σ₁σ₂ exactly for 2×2: σ₂ = |a₁₁a₂₂|/σ₁
      expect(Math.abs(s[1] - (1.4225093241900607e-300 * 0.0004007540779786191) / s[0]) / s[1]).toBeLessThanOrEqual(1e-14);
    }
  });
});
