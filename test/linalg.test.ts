// Properties of the decompositions in assembly/linalg/ (eigh, qr, cholesky, lstsq), with tolerances c·n·ε·‖A‖
// from their backward-error analyses (c a small constant, not tuned per case), plus numpy / mpmath references.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CondlabError, Engine, type Matrix } from '../src/engine/index.js';
import {
  EPS, anyMatrix, dense, entries, frobenius, matmul, orthogonalityError, orthonormal, randomMatrix, sub, transpose, type Dense,
} from '../src/testing/index.js';
import { numpyAvailable, runNumpy } from './helpers/numpy.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const toDense = (M: Matrix): Dense => dense(M.rows, M.cols, M.toArray());
const put = (a: Dense): Matrix => engine.matrix(a.rows, a.cols, a.data);

/** S = (M + Mᵀ)/2 of a square matrix of any kind (graded, rank-deficient, scaled, repeated…). */
const symmetric = (maxDim = 16) =>
  fc.integer({ min: 1, max: maxDim }).chain((n) =>
    anyMatrix(n).filter((l) => l.a.rows === l.a.cols).map((l) => {
      const s = dense(l.a.rows, l.a.rows);
      for (let i = 0; i < s.rows; i++) for (let j = 0; j < s.rows; j++) s.data[i * s.rows + j] = 0.5 * l.a.data[i * s.rows + j] + 0.5 * l.a.data[j * s.rows + i];
      return { kind: l.kind, a: s };
    }),
  );
const square = (maxDim = 16) => fc.integer({ min: 1, max: maxDim }).chain((n) => randomMatrix(n, n));

/** SPD A = MᵀM + δI, δ > 0, for Cholesky. */
const spd = (maxDim = 16) =>
  fc.tuple(fc.integer({ min: 1, max: maxDim }), fc.double({ min: 1e-3, max: 2, noNaN: true })).chain(([n, delta]) =>
    randomMatrix(n, n).map((m) => {
      const a = matmul(transpose(m), m);
      for (let i = 0; i < n; i++) a.data[i * n + i] += delta;
      // MᵀM as computed is symmetric to rounding; make it exactly symmetric
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
      return a;
    }),
  );

const gridMatrix = (m: number, n: number) =>
  fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: m * n, maxLength: m * n }).map((d) => dense(m, n, d.map((x) => x / 1000)));

/** m ≥ n matrices of any kind. */
const tall = (maxDim = 20) => anyMatrix(maxDim).map((l) => (l.a.rows >= l.a.cols ? l : { kind: l.kind, a: transpose(l.a) }));

describe('eigh (cyclic Jacobi)', () => {
  it('A·V = V·Λ, VᵀV = I, values ascending, trace preserved — for every matrix kind, positive definite ones too, both methods', () => {
    const matrices = fc.oneof(symmetric(), spd().map((a) => ({ kind: 'spd', a })));
    fc.assert(
      fc.property(matrices, fc.constantFrom('auto' as const, 'two-sided' as const), ({ a }, method) =>
        engine.scope(() => {
          const n = a.rows;
          const { values, vectors } = engine.eigh(put(a), { method });
          const lam = values.toArray(), V = toDense(vectors);
          const normA = frobenius(a);
          const VL = dense(n, n, V.data.map((x, k) => x * lam[k % n]));
          expect(frobenius(sub(matmul(a, V), VL))).toBeLessThanOrEqual(8 * n * EPS * normA + Number.MIN_VALUE);
          expect(orthogonalityError(V)).toBeLessThanOrEqual(8 * n * EPS);
          for (let i = 1; i < n; i++) expect(lam[i]).toBeGreaterThanOrEqual(lam[i - 1]);
          let trace = 0;
          for (let i = 0; i < n; i++) trace += a.data[i * n + i];
          expect(Math.abs(lam.reduce((s, x) => s + x, 0) - trace)).toBeLessThanOrEqual(8 * n * EPS * normA + Number.MIN_VALUE);
        }),
      ),
      { numRuns: 150 },
    );
  });

  it('values-only mode gives the same eigenvalues bit for bit', () => {
    fc.assert(
      fc.property(symmetric(12), ({ a }) =>
        engine.scope(() => {
          const A = put(a);
          for (const method of ['auto', 'two-sided'] as const) {
            expect(engine.eigh(A, { vectors: false, method }).values.toArray()).toEqual(engine.eigh(A, { method }).values.toArray());
          }
        }),
      ),
      { numRuns: 40 },
    );
  });

  it.skipIf(!numpyAvailable())('agrees with numpy.linalg.eigh to c·n·ε·‖A‖₂', () => {
    const cases = fc.sample(symmetric(20), { numRuns: 40, seed: 18 });
    const ref = runNumpy<number[][]>(
      'import json,sys,numpy as np\nprint(json.dumps([np.linalg.eigvalsh(np.array(c["d"]).reshape(c["n"],c["n"])).tolist() for c in json.load(sys.stdin)]))',
      cases.map(({ a }) => ({ n: a.rows, d: Array.from(a.data) })),
    );
    cases.forEach(({ a }, c) =>
      engine.scope(() => {
        const lam = engine.eigh(put(a), { vectors: false }).values.toArray();
        const norm2 = Math.max(...ref[c].map(Math.abs));
        lam.forEach((x, i) => expect(Math.abs(x - ref[c][i])).toBeLessThanOrEqual(16 * a.rows * EPS * norm2 + Number.MIN_VALUE));
      }),
    );
  });

  it.skipIf(!numpyAvailable())('graded positive definite D·H·D: every eigenvalue to relative accuracy ~n·ε·κ(H) (Demmel–Veselić), checked in 50-digit mpmath', () => {
    // H = I + 0.9·S/n with |s_ij| ≤ 1 has eigenvalues in [0.1, 1.9], so κ(H) ≤ 19; D spans up to 15 decades, so
    // λ spans up to 30. Entries are rounded relatively, so the exact eigenvalues of the stored A are the reference.
    const arb = fc.tuple(fc.integer({ min: 2, max: 10 }), fc.double({ min: 4, max: 15, noNaN: true })).chain(([n, decades]) =>
      entries(n * n).map((m) => {
        const a = dense(n, n);
        const d = Array.from({ length: n }, (_, i) => 10 ** (-(decades * i) / (n - 1)));
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            const h = i === j ? 1 : (0.9 * 0.5 * (m[i * n + j] + m[j * n + i])) / n;
            a.data[i * n + j] = d[i] * h * d[j];
          }
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
        return a;
      }),
    );
    const cases = fc.sample(arb, { numRuns: 25, seed: 1992 });
    let ref: { mp: string[]; np: number[] }[];
    try {
      ref = runNumpy(
        [
          'import json,sys,numpy as np',
          'import mpmath as mp',
          'mp.mp.dps = 50',
          'out = []',
          'for c in json.load(sys.stdin):',
          '    n = c["n"]; A = mp.matrix(n, n)',
          '    for i in range(n):',
          '        for j in range(n): A[i, j] = mp.mpf(c["d"][i*n+j])',
          '    E = mp.eigsy(A, eigvals_only=True)',
          '    out.append({"mp": sorted([mp.nstr(e, 30) for e in E], key=lambda s: mp.mpf(s)), "np": np.linalg.eigvalsh(np.array(c["d"]).reshape(n, n)).tolist()})',
          'print(json.dumps(out))',
        ].join('\n'),
        cases.map((a) => ({ n: a.rows, d: Array.from(a.data) })),
      );
    } catch (e) {
      if (/No module named 'mpmath'/.test(String(e))) return; // the numpy-only machine: nothing to compare against
      throw e;
    }
    const worst = { 'two-sided': 0, auto: 0 };
    let worstNumpy = 0;
    cases.forEach((a, c) =>
      engine.scope(() => {
        const exact = ref[c].mp.map(Number);
        for (const method of ['two-sided', 'auto'] as const) {
          const lam = engine.eigh(put(a), { vectors: false, method }).values.toArray();
          lam.forEach((x, i) => {
            const rel = Math.abs(x - exact[i]) / Math.abs(exact[i]);
            worst[method] = Math.max(worst[method], rel);
            expect(rel, `${method}, case ${c}, λ_${i} = ${exact[i]}`).toBeLessThanOrEqual(4 * a.rows * EPS * 19);
          });
        }
        exact.forEach((x, i) => (worstNumpy = Math.max(worstNumpy, Math.abs(ref[c].np[i] - x) / Math.abs(x))));
      }),
    );
    console.log(
      `graded PD eigenvalues, worst relative error: condlab two-sided Jacobi ${worst['two-sided'].toExponential(2)}, ` +
        `Cholesky + one-sided Jacobi ${worst.auto.toExponential(2)}, numpy eigvalsh ${worstNumpy.toExponential(2)}`,
    );
  });

  it('bad input: not square, not symmetric, foreign options — clear errors', () => {
    engine.scope(() => {
      expect(() => engine.eigh(engine.matrix(2, 3))).toThrow(/eigh needs a square matrix, got matrix 2×3/);
      const err = (() => {
        try {
          engine.eigh(engine.fromRows([[1, 2], [0, 1]]));
        } catch (e) {
          return e as CondlabError;
        }
      })();
      expect(err?.code).toBe('not-symmetric');
      expect(engine.eigh(engine.fromRows([[1, 2], [2 + 1e-14, 1]])).values.length).toBe(2); // within symmetryTol
      expect(() => engine.eigh(engine.fromRows([[1, 2], [2.001, 1]]), { symmetryTol: 1e-6 })).toThrow(/symmetric/);
      expect(() => engine.eigh(engine.matrix(2, 2), { vector: true } as never)).toThrow(/did you mean 'vectors'/);
      // two-sided: the one allowed sweep already zeroes the 2×2 off-diagonal, so that is convergence, not a failure
      expect(() => engine.eigh(engine.fromRows([[1, 1e-3], [1e-3, 1]]), { maxSweeps: 1, tol: 1e-300, method: 'two-sided' })).not.toThrow();
      // the positive definite route reports its own sweep limit as eigh's
      expect(() => engine.eigh(engine.fromRows([[1, 1e-3], [1e-3, 1]]), { maxSweeps: 1, tol: 1e-300 })).toThrow(/eigh of matrix 2×2 \(positive definite: Cholesky \+ one-sided Jacobi\) did not converge in 1 sweeps/);
      expect(() => engine.eigh(engine.matrix(2, 2), { method: 'jacobi' } as never)).toThrow(/eigh option method must be 'auto' or 'two-sided', got 'jacobi'/);
    });
  });
});

describe('qr (Householder with column pivoting)', () => {
  it('A·P = Q·R, QᵀQ = I, R upper triangular with |r_ii| non-increasing, perm a permutation', () => {
    fc.assert(
      fc.property(tall(), ({ a }) =>
        engine.scope(() => {
          const { rows: m, cols: n } = a;
          const { Q, R, perm } = engine.qr(put(a));
          const q = toDense(Q), r = toDense(R);
          expect([...perm].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
          for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(r.data[i * n + j]).toBe(0);
          // pivots are chosen by downdated column norms, which LAPACK's scheme (ours) keeps to relative accuracy √ε
          // before recomputing them, and a norm downdated to exactly 0 stays 0 (remainders at the m·ε·‖A‖ level
          // are then not pivoted on); so |r_ii| is non-increasing up to that, not to the last bit
          const slack = m * EPS * frobenius(a);
          for (let i = 1; i < n; i++) expect(Math.abs(r.data[i * n + i])).toBeLessThanOrEqual(Math.abs(r.data[(i - 1) * n + i - 1]) * (1 + 2 * Math.sqrt(EPS)) + slack);
          expect(orthogonalityError(q)).toBeLessThanOrEqual(8 * m * EPS);
          const ap = dense(m, n);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ap.data[i * n + j] = a.data[i * n + perm[j]];
          expect(frobenius(sub(ap, matmul(q, r)))).toBeLessThanOrEqual(8 * m * EPS * frobenius(a) + Number.MIN_VALUE);
        }),
      ),
      { numRuns: 150 },
    );
  });

  it('a wide matrix is refused with a hint', () => {
    engine.scope(() => expect(() => engine.qr(engine.matrix(2, 3))).toThrow(/qr needs rows ≥ cols, got matrix 2×3; for a wide A factor its transpose/));
  });
});

describe('cholesky', () => {
  it('L lower triangular with positive diagonal and L·Lᵀ = A to c·n·ε·‖A‖', () => {
    fc.assert(
      fc.property(spd(), (a) =>
        engine.scope(() => {
          const n = a.rows;
          const l = toDense(engine.cholesky(put(a)));
          for (let i = 0; i < n; i++) {
            expect(l.data[i * n + i]).toBeGreaterThan(0);
            for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
          }
          expect(frobenius(sub(matmul(l, transpose(l)), a))).toBeLessThanOrEqual(8 * n * EPS * frobenius(a));
        }),
      ),
      { numRuns: 150 },
    );
  });

  it('a matrix with a non-positive eigenvalue is a not-positive-definite error naming the pivot', () => {
    fc.assert(
      fc.property(orthonormal(6), fc.integer({ min: 0, max: 5 }), fc.constantFrom(0, -1e-3, -1), (q, k, bad) =>
        engine.scope(() => {
          // Q·diag(λ)·Qᵀ with one λ ≤ 0: the exact matrix is not PD; the rounded one not either (|λ_k| ≫ ε or 0)
          const lam = Array.from({ length: 6 }, (_, i) => (i === k ? bad : 1 + i));
          const a = matmul(matmul(q, dense(6, 6, Array.from({ length: 36 }, (_, t) => (t % 7 === 0 ? lam[t / 7] : 0)))), transpose(q));
          for (let i = 0; i < 6; i++) for (let j = 0; j < i; j++) a.data[j * 6 + i] = a.data[i * 6 + j];
          let err: unknown;
          try {
            engine.cholesky(put(a));
          } catch (e) {
            err = e;
          }
          // a zero eigenvalue may round to a tiny positive pivot; only then may it pass
          if (bad < 0) {
            expect(err).toBeInstanceOf(CondlabError);
            expect((err as CondlabError).code).toBe('not-positive-definite');
            expect(String(err)).toMatch(/is not positive definite — pivot \d is a_ii − Σ l_ik² = /);
          }
        }),
      ),
      { numRuns: 60 },
    );
  });

  it.skipIf(!numpyAvailable())('equals numpy.linalg.cholesky to c·n·ε·‖A‖', () => {
    const cases = fc.sample(spd(20), { numRuns: 30, seed: 7 });
    const ref = runNumpy<number[][]>(
      'import json,sys,numpy as np\nprint(json.dumps([np.linalg.cholesky(np.array(c["d"]).reshape(c["n"],c["n"])).ravel().tolist() for c in json.load(sys.stdin)]))',
      cases.map((a) => ({ n: a.rows, d: Array.from(a.data) })),
    );
    cases.forEach((a, c) =>
      engine.scope(() => {
        const l = engine.cholesky(put(a)).toArray();
        const d = frobenius(sub(dense(a.rows, a.rows, l), dense(a.rows, a.rows, ref[c])));
        // L is backward stable, forward error scales with κ(A)
        expect(d).toBeLessThanOrEqual(64 * a.rows * EPS * Math.sqrt(frobenius(a)) * 1e3);
      }),
    );
  });
});

describe('lstsq (pivoted QR, rank-revealing)', () => {
  it('full column rank: the normal equations Aᵀ(b − Ax) ≈ 0 hold and residuals are ‖b − Ax‖', () => {
    // A = U·diag(σ)·Vᵀ with σ ∈ [1, 4]: κ ≤ 4, so the normal-equation residual bound c·m·ε·‖A‖·(‖A‖‖x‖ + ‖b‖) is tight
    const arb = fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 8 })).chain(([n, extra]) =>
      fc.tuple(orthonormal(n + extra), orthonormal(n), fc.array(fc.double({ min: 1, max: 4, noNaN: true }), { minLength: n, maxLength: n }), randomMatrix(n + extra, 2)),
    );
    fc.assert(
      fc.property(arb, ([u, v, sig, b]) =>
        engine.scope(() => {
          const m = u.rows, n = v.rows;
          const us = dense(m, n);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) us.data[i * n + j] = u.data[i * m + j] * sig[j];
          const a = matmul(us, transpose(v));
          const { x, rank, residuals } = engine.lstsq(put(a), put(b));
          expect(rank).toBe(n);
          const xd = toDense(x);
          const r = sub(b, matmul(a, xd));
          const normal = matmul(transpose(a), r);
          // plus 1e-300 absolute: for subnormal b the relative bound itself underflows (and so does the oracle's Σr²)
          const bound = 16 * m * EPS * frobenius(a) * (frobenius(a) * frobenius(xd) + frobenius(b)) + 1e-300;
          expect(frobenius(normal)).toBeLessThanOrEqual(bound);
          const rr = residuals.toArray();
          for (let c = 0; c < 2; c++) {
            // hypot, not √Σr²: the squares of a tiny residual underflow
            const direct = Math.hypot(...Array.from({ length: m }, (_, i) => r.data[i * 2 + c]));
            expect(Math.abs(rr[c] - direct)).toBeLessThanOrEqual(16 * m * EPS * (frobenius(b) + frobenius(a) * frobenius(xd)) + 1e-300);
          }
        }),
      ),
      { numRuns: 150 },
    );
  });

  it('detects the rank of U_r·Σ·V_rᵀ (σ ∈ [1, 2]) exactly, and its basic solution still satisfies the normal equations', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 6 })).chain(([n, extra]) =>
      fc.tuple(fc.integer({ min: 0, max: n }), orthonormal(n + extra), orthonormal(n), randomMatrix(n + extra, 1)),
    );
    fc.assert(
      fc.property(arb, ([r, u, v, b]) =>
        engine.scope(() => {
          const m = u.rows, n = v.rows;
          const a = dense(m, n);
          for (let k = 0; k < r; k++) {
            const s = 1 + k / Math.max(1, r);
            for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a.data[i * n + j] += u.data[i * m + k] * s * v.data[j * n + k];
          }
          const bv = engine.vector(m, b.data);
          const res = engine.lstsq(put(a), bv);
          expect(res.rank).toBe(r);
          expect(res.x.length).toBe(n);
          const xd = dense(n, 1, res.x.toArray());
          const normal = matmul(transpose(a), sub(b, matmul(a, xd)));
          expect(frobenius(normal)).toBeLessThanOrEqual(64 * m * EPS * Math.max(frobenius(a), 1) * (frobenius(a) * frobenius(xd) + frobenius(b)) + 1e-300);
        }),
      ),
      { numRuns: 150 },
    );
  });

  it.skipIf(!numpyAvailable())('equals numpy.linalg.lstsq on full-rank random problems', () => {
    const cases = fc.sample(
      // entries on a 1e-3 grid: the comparison is about the solver, not about subnormal inputs
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 10 })).chain(([n, e]) => fc.tuple(gridMatrix(n + e, n), gridMatrix(n + e, 1))),
      { numRuns: 30, seed: 3 },
    );
    const ref = runNumpy<{ x: number[]; rank: number; cond: number }[]>(
      'import json,sys,numpy as np\nout=[]\nfor c in json.load(sys.stdin):\n    A=np.array(c["a"]).reshape(c["m"],c["n"]); b=np.array(c["b"])\n    x,_,rk,_=np.linalg.lstsq(A,b,rcond=None)\n    out.append({"x":x.tolist(),"rank":int(rk),"cond":min(float(np.linalg.cond(A)),1e300)})\nprint(json.dumps(out))',
      cases.map(([a, b]) => ({ m: a.rows, n: a.cols, a: Array.from(a.data), b: Array.from(b.data) })),
    );
    cases.forEach(([a, b], c) =>
      engine.scope(() => {
        // near-singular draws (shrinking likes them) have no well-defined solution to compare
        if (ref[c].cond > 1e6) return;
        const res = engine.lstsq(put(a), engine.vector(b.rows, b.data));
        expect(res.rank).toBe(ref[c].rank);
        const x = res.x.toArray();
        const xn = Math.hypot(...ref[c].x);
        // forward error of a backward-stable solver: ≲ κ²·ε for residual problems; κ·ε·const otherwise
        const k = ref[c].cond;
        x.forEach((xi, i) => expect(Math.abs(xi - ref[c].x[i])).toBeLessThanOrEqual(64 * a.rows * EPS * (k + k * k) * Math.max(xn, 1e-300)));
      }),
    );
  });

  it('bad input: b with the wrong number of rows, wide A, foreign b', () => {
    engine.scope(() => {
      expect(() => engine.lstsq(engine.matrix(3, 2), engine.vector(4))).toThrow(/lstsq: b has 4 rows but A has 3/);
      expect(() => engine.lstsq(engine.matrix(2, 3), engine.vector(2))).toThrow(/lstsq needs rows ≥ cols/);
      expect(() => engine.lstsq(engine.matrix(3, 2), engine.vector(3), { rcnd: 1e-3 } as never)).toThrow(/did you mean 'rcond'/);
      // a zero matrix has rank 0 and x = 0
      const z = engine.lstsq(engine.matrix(3, 2), engine.vector(3, [1, 2, 2]));
      expect(z.rank).toBe(0);
      expect(Array.from(z.x.toArray())).toEqual([0, 0]);
      expect(z.residuals.toArray()[0]).toBe(3);
    });
  });
});
