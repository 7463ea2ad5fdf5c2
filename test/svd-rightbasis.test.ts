// The right-basis path of the Jacobi SVD with vectors (assembly/svd/right_basis.ts, svd.ts flags bit 3; the
// engine's default for qualifying inputs): V₀ = eigenvectors of AᵀA, plain one-sided Jacobi on A·V₀ with the
// rotations applied to V₀ᵀ. Any orthogonal V₀ would give a correct SVD, only slowly — so the sweep bound is what
// shows V₀ is an accurate eigenbasis (it fails with V₀ = I and with the ζ/2 angle mutation), and the fallback tests
// show graded inputs keep the QRCP path and its relative accuracy. Tolerances are c·ε·n bounds as in svd.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { internals } from '../src/engine/internal.js';
import type { CondlabExports } from '../src/engine/exports.js';
import { graded, type TestMatrix } from '../src/testing/index.js';
import { EPS, orthogonalityError, dense } from '../src/testing/index.js';
import { numpyAvailable, runNumpy } from './helpers/numpy.js';

let engine: Engine;
let wasm: CondlabExports;
beforeAll(async () => {
  engine = await Engine.load();
  wasm = internals(engine).wasm;
});

interface Run {
  s: Float64Array;
  U: Float64Array;
  V: Float64Array;
  sweeps: number;
  /** svdLastPath(): 1 = right basis, 0 = QRCP, −k = right basis rejected for reason k */
  path: number;
}

function run(m: number, n: number, a: Float64Array, rightBasis = true): Run {
  return engine.scope(() => {
    const A = engine.matrix(m, n, a);
    const r = engine.svd(A, { rightBasis });
    const path = wasm.svdLastPath();
    return { s: r.s.toArray(), U: r.U.toArray(), V: r.V.toArray(), sweeps: r.sweeps, path };
  });
}

const gaussian = (m: number, n: number, seed: number) => engine.scope(() => engine.rng(seed, m, n).normalMatrix(m, n).toArray());

/** Shapes for the right-basis path (k = min(m, n) ≥ 32), up to 3:1. */
const shape = fc.integer({ min: 32, max: 112 }).chain((k) =>
  fc.tuple(fc.constant(k), fc.integer({ min: k, max: 3 * k }), fc.boolean(), fc.nat(1e6)),
);

/** max_ij |(A·V − U·Σ)_ij| / σ₁. */
function residual(m: number, n: number, a: Float64Array, r: Run): number {
  const k = Math.min(m, n);
  let e = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      let t = 0;
      for (let l = 0; l < n; l++) t += a[i * n + l] * r.V[l * k + j];
      e = Math.max(e, Math.abs(t - r.U[i * k + j] * r.s[j]));
    }
  }
  return e / r.s[0];
}

describe('right-basis path (fast-check, Gaussian A, k = 32…112, max(m, n) ≤ 3k)', () => {
  // Measured: 2–3 sweeps (4 at n = 512), against 8–10 on the QRCP path. Breaks seen to fail this: V₀ = I (8–10
  // sweeps, i.e. plain Jacobi), and ζ/2 in jacobi_sweep.ts's rotation angle (dozens of sweeps).
  it('takes the right-basis path and converges in ≤ 4 sweeps', () => {
    fc.assert(
      fc.property(shape, ([k, q, wide, seed]) => {
        const [m, n] = wide ? [k, q] : [q, k];
        const r = run(m, n, gaussian(m, n, seed));
        expect(r.path).toBe(1);
        expect(r.sweeps).toBeLessThanOrEqual(4);
      }),
      { numRuns: 8 },
    );
  });

  // Breaks seen to fail these: no Gram–Schmidt inside clusters in inverseIteration with the Newton–Schulz step
  // and the orthogonality check disabled (V far from orthogonal; with the step, Gaussian inputs are repaired — the
  // repeated-σ test below catches that break alone); the rotations not applied to V₀ᵀ (V = V₀).
  it('U, V orthonormal to 4·√max(m, n)·ε and ‖A·V − U·Σ‖_max ≤ c·max(m, n)·ε·σ₁', () => {
    fc.assert(
      fc.property(shape, ([k, q, wide, seed]) => {
        const [m, n] = wide ? [k, q] : [q, k];
        const a = gaussian(m, n, seed);
        const r = run(m, n, a);
        expect(r.path).toBe(1);
        const bound = 4 * Math.sqrt(Math.max(m, n)) * EPS; // measured: 3–23 ε up to 512×512 (~√n·ε)
        expect(orthogonalityError(dense(m, k, r.U))).toBeLessThanOrEqual(bound);
        expect(orthogonalityError(dense(n, k, r.V))).toBeLessThanOrEqual(bound);
        expect(residual(m, n, a, r)).toBeLessThanOrEqual(2 * Math.max(m, n) * EPS);
      }),
      { numRuns: 8 },
    );
  });

  // Break seen to fail this: σ not rescaled by the power of two (scaleByPowerOfTwo(…, e) dropped in
  // rightBasisJacobi). Relative, not only c·n·ε·σ₁: these inputs pass the grading test, σ_min/σ₁ ≥ 1e-5.
  it('σ agree with the QRCP path to relative √max(m, n)·ε·σ₁/σᵢ·c', () => {
    fc.assert(
      fc.property(shape, ([k, q, wide, seed]) => {
        const [m, n] = wide ? [k, q] : [q, k];
        const a = gaussian(m, n, seed);
        const r = run(m, n, a);
        const ref = run(m, n, a, false);
        expect(ref.path).toBe(0);
        for (let i = 0; i < k; i++) {
          const bound = 8 * Math.sqrt(q) * EPS * (r.s[0] / ref.s[i] + 1);
          expect(Math.abs(r.s[i] - ref.s[i]) / ref.s[i]).toBeLessThanOrEqual(bound);
          if (i > 0) expect(r.s[i]).toBeLessThanOrEqual(r.s[i - 1]);
        }
      }),
      { numRuns: 8 },
    );
  });
});

describe('exact scaling', () => {
  // The driver scales by a power of two before anything else, so 2^e·A must give 2^e·σ and the same U, V bit for bit
  // (the grading test and every threshold downstream are relative). Break seen to fail this: the final rescale
  // dropped (σ of the scaled matrix returned).
  it('svd(2^e·A) = 2^e·σ(A) with identical U, V, for e = ±600, ±1000 (Gaussian, right-basis path)', () => {
    fc.assert(
      fc.property(shape, fc.constantFrom(600, -600, 1000, -1000), ([k, q, wide, seed], e) => {
        const [m, n] = wide ? [k, q] : [q, k];
        const a = gaussian(m, n, seed);
        const base = run(m, n, a);
        const c = 2 ** e;
        const r = run(m, n, a.map((x) => x * c));
        expect(r.path).toBe(1);
        expect(Array.from(r.s)).toEqual(Array.from(base.s, (x) => x * c));
        expect(Array.from(r.U)).toEqual(Array.from(base.U));
        expect(Array.from(r.V)).toEqual(Array.from(base.V));
      }),
      { numRuns: 4 },
    );
  });
});

describe('repeated singular values', () => {
  // A = Q·diag(σ)·Wᵀ with σ taking only two values (64 times 1, 32 times 2): TᵀT has two eigenvalues, each of high
  // multiplicity, so inverse iteration sees two clusters of identical λ. Break seen to fail this: no Gram–Schmidt
  // inside clusters (the vectors of a cluster come out nearly parallel, V₀ is rejected, path −3).
  it('96×96 with σ ∈ {1, 2}: right-basis path, σ to c·n·ε, U, V orthonormal, A·V = U·Σ', () => {
    const n = 96;
    const a = engine.scope(() => {
      const Q = engine.svd(engine.rng(21).normalMatrix(n, n), { rightBasis: false }).U.toArray();
      const W = engine.svd(engine.rng(22).normalMatrix(n, n), { rightBasis: false }).V.toArray();
      const out = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let t = 0;
          for (let l = 0; l < n; l++) t += Q[i * n + l] * (l < 64 ? 1 : 2) * W[j * n + l];
          out[i * n + j] = t;
        }
      }
      return out;
    });
    const r = run(n, n, a);
    expect(r.path).toBe(1);
    r.s.forEach((x, i) => expect(Math.abs(x - (i < 32 ? 2 : 1))).toBeLessThanOrEqual(8 * n * EPS));
    expect(orthogonalityError(dense(n, n, r.U))).toBeLessThanOrEqual(2 * n * EPS);
    expect(orthogonalityError(dense(n, n, r.V))).toBeLessThanOrEqual(2 * n * EPS);
    expect(residual(n, n, a, r)).toBeLessThanOrEqual(2 * n * EPS);
  });
});

describe('graded inputs keep the QRCP path and its relative accuracy', () => {
  // A = P·diag(σ₀)·V₀ᵀ or V₀·diag(σ₀)·P (σ₀ known to ulps; see svd.test.ts). Over ≥ 6 decades σ_min/σ₁ < 1e-5, so
  // the grading test sends them to the QRCP path: the result must be bit-identical to rightBasis: false and every σ
  // relatively accurate. Break seen to fail this: GRADE_RATIO = 0 — by the path and bit-identity assertions only:
  // measured with the test disabled, the right-basis σ of these inputs (and of B·D, D·B, D·B·D-graded Gaussians up
  // to κ ~ 1e9, rows/columns permuted) stayed at ~1e-14 relative; beyond ~8 decades TᵀT's Cholesky fails anyway.
  const strong = fc.oneof(
    graded({ side: 'row', minDecades: 6, maxDecades: 12, minDim: 32, maxDim: 56 }),
    graded({ side: 'column', minDecades: 6, maxDecades: 12, minDim: 32, maxDim: 56 }),
  ) as fc.Arbitrary<TestMatrix & { sigma: number[] }>;

  it('σ_min/σ₁ ≤ 1e-6: QRCP path, bit-identical to rightBasis: false, every σᵢ to relative 1e-10', () => {
    fc.assert(
      fc.property(strong, ({ a, sigma }) => {
        const r = run(a.rows, a.cols, a.data);
        expect(r.path).toBeLessThan(1);
        const ref = run(a.rows, a.cols, a.data, false);
        expect(Array.from(r.s)).toEqual(Array.from(ref.s));
        expect(Array.from(r.V)).toEqual(Array.from(ref.V));
        for (let i = 0; i < sigma.length; i++) expect(Math.abs(r.s[i] - sigma[i]) / sigma[i]).toBeLessThanOrEqual(1e-10);
      }),
      { numRuns: 20 },
    );
  });

  // Mild grading (≤ 4 decades) passes the test and takes the right-basis path; its relative error is then bounded
  // by ~√q·ε·σ₁/σ_min ≤ 1e-10 for these sizes. Break seen to fail this: GRADE_RATIO = 1e-3 (path ≠ 1).
  const mild = fc.oneof(
    graded({ side: 'row', minDecades: 1, maxDecades: 4, minDim: 32, maxDim: 56 }),
    graded({ side: 'column', minDecades: 1, maxDecades: 4, minDim: 32, maxDim: 56 }),
  ) as fc.Arbitrary<TestMatrix & { sigma: number[] }>;

  it('σ_min/σ₁ ≥ 1e-4: right-basis path, every σᵢ to relative 1e-10', () => {
    fc.assert(
      fc.property(mild, ({ a, sigma }) => {
        const r = run(a.rows, a.cols, a.data);
        expect(r.path).toBe(1);
        for (let i = 0; i < sigma.length; i++) expect(Math.abs(r.s[i] - sigma[i]) / sigma[i]).toBeLessThanOrEqual(1e-10);
      }),
      { numRuns: 20 },
    );
  });

  it('small and rank-deficient inputs take the QRCP path; tall ones do not', () => {
    expect(run(31, 31, gaussian(31, 31, 1)).path).toBe(0); // k < 32
    expect(run(700, 70, gaussian(700, 70, 2)).path).toBe(1); // 10:1, well conditioned
    const rankDeficient = engine.scope(() => engine.matmul(engine.rng(3).normalMatrix(64, 20), engine.rng(4).normalMatrix(20, 64)).toArray());
    expect(run(64, 64, rankDeficient).path).toBeLessThan(0); // tried, rejected: TᵀT has no Cholesky factor
  });
});

describe('right-basis path against numpy', () => {
  it.skipIf(!numpyAvailable())('σ agree with LAPACK gesdd to c·max(m, n)·ε·σ₁ (Gaussian 96×64, 64×120, 128×128)', () => {
    const cases = [[96, 64, 11], [64, 120, 12], [128, 128, 13]].map(([m, n, seed]) => ({ m, n, a: gaussian(m, n, seed) }));
    const np = runNumpy<number[][]>(
      'import sys, json, numpy as np\n' +
        'cs = json.load(sys.stdin)\n' +
        'print(json.dumps([np.linalg.svd(np.array(c["a"]).reshape(c["m"], c["n"]), compute_uv=False).tolist() for c in cs]))',
      cases.map((c) => ({ m: c.m, n: c.n, a: Array.from(c.a) })),
    );
    cases.forEach((c, idx) => {
      const r = run(c.m, c.n, c.a);
      expect(r.path).toBe(1);
      const tol = 8 * EPS * Math.max(c.m, c.n) * r.s[0];
      r.s.forEach((x, i) => expect(Math.abs(x - np[idx][i])).toBeLessThanOrEqual(tol));
    });
  });

  it.runIf(!numpyAvailable())('skips the numpy comparison: python3 with numpy is not available', () => {
    console.warn('numpy comparison skipped: python3 with numpy not found');
  });
});

describe('σ of a fixed matrix on the right-basis path, bit for bit', () => {
  const hex = (x: number) => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x);
    return b.getBigUint64(0).toString(16).padStart(16, '0');
  };
  // normalMatrix(40, 36) from seed 20261202 (the generator is pinned by test/rng.test.ts). Any change to the
  // tridiagonalisation, dqds, inverse iteration, back-transform, Newton–Schulz step or the sweeps moves these bits
  // (re-derived for 0.5.0's dqds shifts, which moved several by 1–2 ulps).
  it('normalMatrix(40, 36), seed 20261202: 2 sweeps', () => {
    const a = engine.scope(() => engine.rng(20261202).normalMatrix(40, 36).toArray());
    const r = run(40, 36, a);
    expect(r.path).toBe(1);
    expect(r.sweeps).toBe(2);
    expect(Array.from(r.s, hex)).toEqual([
      '402834e243c99df4', '4026dd9c13036126', '4024d254453cd3cd', '40240b2500798d97', '40236478e04e49ad', '4022ba8d01302b91',
      '402240f3c432ee7b', '4020e921ee5cde74', '402076302608ca48', '40202d6493195fb5', '401e7a1b24265119', '401d3b31e0d61f84',
      '401bc585172047c2', '401a90e92e9d78b1', '4018e1700778fe38', '401749b1a1679b96', '40163c3dd059c459', '4013ee280a045ee5',
      '4013b2d1f6ae2fcb', '4012d9e43a6d5d55', '4012a34f70d1b21c', '4011286c83df0fa4', '4010fefb8c4a0d74', '400da4fd94ed0ac9',
      '400ae1dd3b9289ff', '40084af72bf3d09e', '400648451798c120', '400480769f0d11cf', '4001f11bfe8f795e', '4001ac15eb60012e',
      '3ff83369f5c6fc9a', '3ff615b23e394f8b', '3ff26b857fafb9cb', '3ff0a598041455ea', '3fe847fd8ba4208e', '3fe2a61bbc4d8e8f',
    ]);
  });
});
