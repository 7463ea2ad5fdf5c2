// Property tests of the values-only SVD (method 'bidiag': Householder bidiagonalisation + dqds, assembly/svd/).
// What any backward-stable SVD must satisfy, with tolerances c·n·ε·σ₁ (c = 8, from the error analysis of Householder
// reductions, never tuned until green); shapes up to 100 so the 32-wide panels, their fused passes and the trailing
// GEMM are all exercised; dqds alone against an independent plain-TS oracle (bisection on the Golub–Kahan matrix).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { CondlabError, Engine } from '../src/engine/index.js';
import {
  EPS, anyMatrix, dense, frobenius, matmul, orthonormal, randomMatrix, transpose, type Dense,
} from '../src/testing/index.js';
import { wasmOf } from '../src/engine/internal.js';
import { numpyAvailable, runNumpy } from './helpers/numpy.js';
import { bidiagonalSingularValues } from './helpers/bidiagonal-oracle.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const C = 8;
/** FC_END_ON_FAILURE=1 skips shrinking (for runs against deliberately broken kernels, where shrinking 100×100
 *  counterexamples would take minutes); normal runs shrink. */
const run = (numRuns: number) => ({ numRuns, endOnFailure: !!process.env.FC_END_ON_FAILURE });
const maxDim = (a: Dense) => Math.max(a.rows, a.cols);

function bidiag(a: Dense): number[] {
  return engine.scope(() => Array.from(engine.svd(engine.matrix(a.rows, a.cols, a.data), { vectors: false, method: 'bidiag' }).s.toArray()));
}

function jacobi(a: Dense): number[] {
  return engine.scope(() => Array.from(engine.svd(engine.matrix(a.rows, a.cols, a.data), { vectors: false }).s.toArray()));
}

function maxAbsDiff(x: number[], y: number[]): number {
  expect(x.length).toBe(y.length);
  return Math.max(0, ...x.map((v, i) => Math.abs(v - y[i])));
}

/** Small shapes of every kind, and larger ones that cross the 32-column panels (33, 64, 65, …, 100). */
const small = anyMatrix(24);
const large = anyMatrix(100).filter(({ a }) => Math.min(a.rows, a.cols) > 32 || maxDim(a) > 64);

describe('bidiag SVD: properties of any backward-stable method (fast-check)', () => {
  for (const [label, arb, runs] of [['up to 24×24', small, 300], ['33 to 100', large, 30]] as const) {
    it(`${label}: σ non-negative, descending; ‖A‖_F² = Σσᵢ² to c·n·ε·‖A‖_F²`, () => {
      fc.assert(
        fc.property(arb, ({ a }) => {
          const s = bidiag(a);
          expect(s.length).toBe(Math.min(a.rows, a.cols));
          for (let i = 0; i < s.length; i++) {
            expect(s[i]).toBeGreaterThanOrEqual(0);
            if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
          }
          const f = frobenius(a);
          const sumSq = Math.hypot(...s); // hypot: no overflow at 2^900
          expect(Math.abs(sumSq - f)).toBeLessThanOrEqual(C * EPS * maxDim(a) * f);
        }),
        run(runs),
      );
    });

    it(`${label}: agrees with Jacobi to c·n·ε·σ₁`, () => {
      fc.assert(
        fc.property(arb, ({ a }) => {
          const s = bidiag(a);
          const j = jacobi(a);
          expect(maxAbsDiff(s, j)).toBeLessThanOrEqual(C * EPS * maxDim(a) * (j[0] || 0));
        }),
        run(runs),
      );
    });
  }

  it('σ(A) = σ(Aᵀ) = σ(QA) for orthogonal Q, to c·n·ε·σ₁', () => {
    fc.assert(
      fc.property(
        anyMatrix(48).chain((lm) => fc.tuple(fc.constant(lm), orthonormal(lm.a.rows))),
        ([{ a }, q]) => {
          const s = bidiag(a);
          const tol = C * EPS * maxDim(a) * (s[0] || 0);
          expect(maxAbsDiff(bidiag(transpose(a)), s)).toBeLessThanOrEqual(tol);
          // forming Q·A rounds each entry absolutely by up to 2⁻¹⁰⁷⁵ in the subnormal range, where c·n·ε·σ₁
          // underflows to 0 (found by fast-check: a 5×4 matrix of entries ~1e-323 differed by one subnormal ulp)
          expect(maxAbsDiff(bidiag(matmul(q, a)), s)).toBeLessThanOrEqual(tol + C * maxDim(a) * Number.MIN_VALUE);
        },
      ),
      run(150),
    );
  });

  it('σ(cA) = |c|·σ(A): bit for bit for c = 2^k (the scaling is exact), to c·n·ε·σ₁ for any c of either sign', () => {
    fc.assert(
      fc.property(
        anyMatrix(40),
        fc.integer({ min: -400, max: 400 }),
        fc.boolean(),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        ({ a }, e, negate, c) => {
          const s = bidiag(a);
          const p2 = 2 ** e;
          const peak = Math.max(0, ...a.data.map(Math.abs));
          fc.pre(peak * 2 ** Math.max(e, 10) < 1e307); // the scaled matrices must stay finite
          const scaled = bidiag(dense(a.rows, a.cols, a.data.map((x) => x * p2)));
          // exact while neither the entries nor σ leave the normal range (a sign flip is not bit-exact: a reflector
          // for an exact-zero pivot picks the same sign either way)
          const normal = (x: number) => x === 0 || (Math.abs(x) >= 2 ** -1022 && Math.abs(x) * 2 ** Math.abs(e) < 2 ** 1023);
          // an entry that underflows to 0 when scaled is not exact either (FC_SEED=949281441: 1.3e-303·2^−69 = 0)
          const exact = (x: number) => normal(x) && (x === 0 || (x * p2 !== 0 && normal(x * p2)));
          if (a.data.every(exact) && s.every(normal)) expect(scaled).toEqual(s.map((x) => x * p2));
          if (negate) c = -c;
          const sc = bidiag(dense(a.rows, a.cols, a.data.map((x) => x * c)));
          // entries in the subnormal range round when scaled by a c that is not a power of two
          const entryNoise = Math.sqrt(a.rows * a.cols) * 2 ** -1074;
          // and a σ in the subnormal range is itself rounded to that grid (half a step), which |c| magnifies:
          // 33×2 with two entries ±5e−324 has σ₁ = √2·2^−1074, stored as 2^−1074 (FC_SEED=927142817)
          const sigmaGrid = Math.abs(c) * 2 ** -1074;
          expect(maxAbsDiff(sc, s.map((x) => x * Math.abs(c)))).toBeLessThanOrEqual(C * EPS * maxDim(a) * Math.abs(c) * (s[0] || 0) + entryNoise + sigmaGrid);
        },
      ),
      run(200),
    );
  });

  it('rank-r products B·C give min(m,n) − r singular values at ~ε·σ₁', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 2, max: 70 }), fc.integer({ min: 2, max: 70 })).chain(([m, n]) =>
          fc.integer({ min: 1, max: Math.min(m, n) - 1 }).chain((r) => fc.tuple(fc.constant(r), randomMatrix(m, r), randomMatrix(r, n))),
        ),
        ([r, b, c]) => {
          const a = matmul(b, c);
          const s = bidiag(a);
          const tol = C * EPS * maxDim(a) * s[0];
          for (let i = r; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(tol);
          // and the rank is not underestimated: where Jacobi sees σ_r well above the noise, so does bidiag
          if (jacobi(a)[r - 1] > 100 * tol) expect(s[r - 1]).toBeGreaterThan(tol);
        },
      ),
      run(150),
    );
  });

  it('extreme scales (1e±150 and beyond, subnormal entries) neither overflow nor underflow to a wrong answer', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })).chain(([m, n]) => randomMatrix(m, n)),
        fc.constantFrom(1e150, 1e-150, 1e300, 1e-300, 2 ** -1060),
        (a, scale) => {
          const ref = bidiag(a);
          const scaledA = a.data.map((x) => x * scale);
          const s = bidiag(dense(a.rows, a.cols, scaledA));
          for (const x of s) expect(Number.isFinite(x)).toBe(true);
          // scaled entries that land in the subnormal range carry an absolute error of up to 2^-1075 each
          const entryNoise = Math.sqrt(a.rows * a.cols) * 2 ** -1074;
          const bound = C * EPS * maxDim(a) * scale * (ref[0] || 0) + entryNoise;
          expect(maxAbsDiff(s, ref.map((x) => x * scale))).toBeLessThanOrEqual(bound);
        },
      ),
      run(100),
    );
  });
});

describe('bidiag SVD against numpy (LAPACK gesdd) on fixed matrices', () => {
  const shapes = [[3, 3], [33, 33], [64, 64], [65, 65], [100, 37], [37, 100], [130, 70], [70, 130], [200, 20], [257, 257]];
  const fixed = shapes.map(([m, n], idx) => dense(m, n, Array.from({ length: m * n }, (_, k) => Math.sin(1 + k * 0.7 + idx) * Math.cos(k * 0.013))));
  it.skipIf(!numpyAvailable())('σ agree with numpy to c·n·ε·σ₁', () => {
    const np = runNumpy<number[][]>(
      'import sys, json, numpy as np\n' +
        'cases = json.load(sys.stdin)\n' +
        'print(json.dumps([np.linalg.svd(np.array(c["a"]).reshape(c["m"], c["n"]), compute_uv=False).tolist() for c in cases]))',
      fixed.map((a) => ({ a: Array.from(a.data), m: a.rows, n: a.cols })),
    );
    fixed.forEach((a, i) => {
      const s = bidiag(a);
      expect(maxAbsDiff(s, np[i])).toBeLessThanOrEqual(C * EPS * maxDim(a) * np[i][0]);
    });
  });
});

describe('dqds against an independent oracle (bisection on the Golub–Kahan tridiagonal, plain TS)', () => {
  /** Bidiagonals whose entries span up to 90 decades: dqds must get every σ to relative accuracy. */
  const bidiagonal = fc.integer({ min: 1, max: 40 }).chain((n) =>
    fc.tuple(
      fc.array(fc.tuple(fc.double({ min: 0.1, max: 1, noNaN: true }), fc.integer({ min: -90, max: 0 }), fc.boolean()), { minLength: n, maxLength: n }),
      fc.array(fc.tuple(fc.double({ min: 0.1, max: 1, noNaN: true }), fc.integer({ min: -90, max: 0 }), fc.boolean()), { minLength: n - 1, maxLength: n - 1 }),
      fc.constantFrom('graded-down', 'graded-up', 'wild', 'flat'),
    ).map(([dd, ee, shape]) => {
      const val = ([m, e, neg]: [number, number, boolean], i: number) => {
        const dec = shape === 'flat' ? 0 : shape === 'wild' ? e : shape === 'graded-down' ? (-60 * i) / n : (-60 * (n - i)) / n;
        return (neg ? -1 : 1) * m * 10 ** dec;
      };
      return { d: dd.map(val), e: ee.map(val) };
    }),
  );

  function dqds(d: number[], e: number[]): number[] {
    return engine.scope(() => {
      const n = d.length;
      const D = engine.vector(n, d), E = engine.vector(Math.max(n - 1, 1), n > 1 ? e : [0]), out = engine.vector(n);
      expect(wasmOf(engine).dqdsSingularValues(n, D.ptr, E.ptr, out.ptr)).toBe(0);
      return Array.from(out.toArray()).sort((x, y) => y - x);
    });
  }

  it('every σᵢ to relative error ≤ c·n·ε, however graded the bidiagonal', () => {
    fc.assert(
      fc.property(bidiagonal, ({ d, e }) => {
        const s = dqds(d, e);
        const ref = bidiagonalSingularValues(d, e);
        // relative accuracy for σ down to 1e-140·σ₁; below that only absolutely (a known limit, see docs/numerics.md)
        for (let i = 0; i < s.length; i++) expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(C * EPS * d.length * ref[i] + 1e-140 * ref[0]);
        // and the work stays O(n) transforms
        expect(wasmOf(engine).dqdsLastIterations()).toBeLessThanOrEqual(20 * d.length + 20);
      }),
      run(300),
    );
  });

  /** Exactly repeated, clustered and graded-cluster bidiagonals: diagonals drawn from a few levels (each level
   *  nudged by a few ulps or not at all), couplings at or near the rounding level of the level they couple. The
   *  smallest pivot is then a tie decided by rounding, which is where the shift strategy stalled. */
  const clustered = fc.integer({ min: 2, max: 30 }).chain((n) =>
    fc.tuple(
      fc.array(fc.constantFrom(1, 0.5, 1e-3, 1e-8), { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 }), fc.boolean()), { minLength: n, maxLength: n }),
      fc.array(fc.tuple(fc.double({ min: 0.1, max: 4, noNaN: true }), fc.integer({ min: -20, max: -13 }), fc.boolean()), { minLength: n - 1, maxLength: n - 1 }),
    ).map(([levels, dd, ee]) => {
      const d = dd.map(([k, ulps, neg]) => (neg ? -1 : 1) * levels[k % levels.length] * (1 + ulps * EPS));
      const e = ee.map(([m, dec, neg], i) => (neg ? -1 : 1) * m * 10 ** dec * Math.max(Math.abs(d[i]), Math.abs(d[i + 1])));
      return { d, e };
    }),
  );

  /** dqds' status (0 converged, < 0 gave up) and its σ, descending. */
  function dqdsStatus(d: number[], e: number[]): { status: number; s: number[] } {
    return engine.scope(() => {
      const n = d.length;
      const D = engine.vector(n, d), E = engine.vector(Math.max(n - 1, 1), n > 1 ? e : [0]), out = engine.vector(n);
      const status = wasmOf(engine).dqdsSingularValues(n, D.ptr, E.ptr, out.ptr);
      return { status, s: Array.from(out.toArray()).sort((x, y) => y - x) };
    });
  }

  it('exactly repeated / clustered / graded-cluster bidiagonals: every σᵢ relatively accurate (dqds, or its Jacobi fallback)', () => {
    fc.assert(
      fc.property(clustered, ({ d, e }) => {
        const ref = bidiagonalSingularValues(d, e);
        const { status, s: fromDqds } = dqdsStatus(d, e);
        // dqds converges on most of these; tight clusters coupled at ~1e-14 (d = (1, 1, 1), e = (1e-14, 1e-15),
        // FC_SEED=927142817) still exhaust its 30n + 30 transforms, because dlasq4's cluster shifts are not
        // implemented (docs/numerics.md): then the public path's Jacobi fallback must give the same accuracy
        const s = status === 0 ? fromDqds : engine.scope(() => Array.from(engine.singularValues(engine.matrix(d.length, d.length, Array.from({ length: d.length * d.length }, (_, k) => {
          const i = Math.floor(k / d.length), j = k % d.length;
          return j === i ? d[i] : j === i + 1 ? e[i] : 0;
        })), { method: 'bidiag' }).toArray()));
        for (let i = 0; i < s.length; i++) expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(C * EPS * d.length * ref[i]);
      }),
      run(300),
    );
  });

  it('regressions found by this oracle: a tiny value above a large one, clusters coupled at 1e-15, a zero pivot', () => {
    const cases: [number[], number[]][] = [
      // deflating on the last value alone dropped a 1e-17 coupling that carries σ ≈ 1e-17 (σ_min ≈ 3.5e-28)
      [[0.1, 0.1, 0.1, 1e-22, 1e-22, 0.1], [0.1, 0.1, 0.1, 1e-17, 0.1]],
      [[1e-22, 1e-22, 0.1], [1e-17, 0.1]],
      // 2×2 blocks of equal values coupled at 1e-15: TOL = 100ε lost 1e-14 relative
      [[0.1, 0.1, 0.1, 0.1, 1e-22, 1e-3, 1e-2, 1e-22, 0.1, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1, 0.1, 1e-15, 1e-3, 0.1, 1e-15, 1e-15, 0.1]],
      // a pivot chain through three tiny diagonals (σ_min ≈ 5e-234: checked absolutely, the rest relatively)
      [[0.1, 1e-60, 1e-87, 1e-88], [0.1, 0.1, 0.1]],
      [[0.11135562632075947, 0.1], [0.1]],
    ];
    for (const [d, e] of cases) {
      const s = dqds(d, e);
      const ref = bidiagonalSingularValues(d, e);
      for (let i = 0; i < s.length; i++) expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(C * EPS * d.length * ref[i] + 1e-140 * ref[0]);
    }
  });

  it('zeros on the diagonal or the superdiagonal give exact zeros / exact splits', () => {
    expect(dqds([0, 0, 0], [0, 0])).toEqual([0, 0, 0]);
    expect(dqds([3, 0, 2], [0, 0])).toEqual([3, 2, 0]);
    const s = dqds([1, 0, 1], [1, 1]); // singular: one σ is exactly representable as 0 at rounding level
    expect(s[2]).toBeLessThanOrEqual(EPS);
    const ref = bidiagonalSingularValues([1, 0, 1], [1, 1]);
    for (let i = 0; i < 2; i++) expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(8 * EPS * ref[i]);
  });
});

describe('svd method option', () => {
  it('rejects an unknown method, naming it and the allowed ones', () => {
    const A = engine.matrix(2, 2, [1, 2, 3, 4]);
    expect(() => engine.svd(A, { method: 'qr' as never })).toThrow(CondlabError);
    expect(() => engine.svd(A, { method: 'qr' as never })).toThrow(/method must be 'jacobi' or 'bidiag', got 'qr'/);
    expect(() => engine.singularValues(A, { method: 7 as never })).toThrow(/got 7/);
    A.free();
  });

  it("'bidiag' is values only: asking for vectors, tol or maxSweeps is a clear error", () => {
    const A = engine.matrix(2, 2, [1, 2, 3, 4]);
    expect(() => engine.svd(A, { method: 'bidiag' })).toThrow(/values only: pass \{ vectors: false \}/);
    expect(() => engine.svd(A, { method: 'bidiag', vectors: false, tol: 1e-10 })).toThrow(/options of method 'jacobi'/);
    expect(engine.singularValues(A, { method: 'bidiag' }).length).toBe(2);
    A.free();
  });

  it('handles the zero matrix, 1×1, 1×n and m×1', () => {
    const z = engine.matrix(3, 5);
    expect(Array.from(engine.singularValues(z, { method: 'bidiag' }).toArray())).toEqual([0, 0, 0]);
    expect(Array.from(engine.singularValues(engine.matrix(1, 1, [-3]), { method: 'bidiag' }).toArray())).toEqual([3]);
    expect(bidiag(dense(1, 4, [3, 0, 4, 0]))).toEqual([5]);
    expect(bidiag(dense(4, 1, [0, 3, 0, 4]))).toEqual([5]);
    z.free();
  });
});

describe('bidiag: exactly repeated σ converge in dqds itself', () => {
  it('σ does not depend on what was computed before (no pivot state carried between blocks or calls)', () => {
    // repeated σ make blocks that deflate before their first transform; their shift came from the previous
    // block's (or call's) pivots, which changed the path and the last bits. The fixture is the 30×38 matrix
    // fast-check found (σ(1·A) ≠ σ(A) bit for bit); random repeated-spectrum matrices hit it about 1 in 3000.
    const fx = JSON.parse(readFileSync(new URL('./fixtures/dqds-history.json', import.meta.url), 'utf8')) as { rows: number; cols: number; data: number[] };
    const A = dense(fx.rows, fx.cols, Float64Array.from(fx.data));
    const first = bidiag(A);
    expect(bidiag(A)).toEqual(first);
    bidiag(dense(5, 5, Float64Array.from({ length: 25 }, (_, k) => Math.sin(k + 1))));
    expect(bidiag(A)).toEqual(first);
  });

  it('takes ≤ 4.3 transforms per value on the bidiagonals of Gaussian matrices (dlasq4 cases 2–3 shifts; 4.5–4.7 without)', () => {
    const w = wasmOf(engine);
    for (const n of [64, 128, 256]) {
      engine.scope(() => {
        const A = engine.rng(n).normalMatrix(n, n);
        const d = engine.vector(n), e = engine.vector(n), s = engine.vector(n);
        w.bidiagonalize(n, n, A.ptr, d.ptr, e.ptr);
        expect(w.dqdsSingularValues(n, d.ptr, e.ptr, s.ptr)).toBe(0);
        expect(w.dqdsLastIterations()).toBeLessThanOrEqual(4.3 * n);
      });
    }
  });

  it('a 3×9 matrix with σ = 0.5, 0.5, 0.5 (a conformance-bench counterexample) returns its σ without the Jacobi fallback', () => {
    const rows = [
      [0.3490218949105342, 0.18222631614196555, 0.29052338971485575, 0, 0, 0.01013725705250538, -0.000002650666935913356, 0, 0.10232635349412078],
      [-0.19814477092417904, 0.4557660566444736, -0.04871459406055567, 0, 0, 0.02535428345273864, 0.0000015048219050769798, 0, -3.1850301627761002e-18],
      [-0.29315133619649336, -0.09110204672067335, 0.33740788194414595, 0, 0, -0.005068010401402933, 0.0000022263547513947447, 0, 0.20467766765598697],
    ];
    engine.scope(() => {
      const s = engine.singularValues(engine.fromRows(rows), { method: 'bidiag' }).toArray();
      expect(s.length).toBe(3);
      for (const x of s) expect(Math.abs(x - 0.5)).toBeLessThanOrEqual(8 * 9 * EPS * 0.5);
      // and dqds converged itself (status 0: no fallback), in a handful of transforms (the stall used all 120)
      const A = engine.fromRows(rows), out = engine.vector(3);
      expect(wasmOf(engine).svdValues(3, 9, A.ptr, out.ptr)).toBe(0);
      expect(wasmOf(engine).dqdsLastIterations()).toBeLessThanOrEqual(20);
      expect(Array.from(out.toArray())).toEqual(Array.from(s));
    });
  });
});
