// Property tests of the blocked f64 GEMM (assembly/gemm/). The oracle is a plain-TS triple loop; tolerances come
// from the standard bound |fl(x·y) − x·y| ≤ γₖ·|x|·|y| (Higham, Accuracy and Stability, §3.1), never tuned.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CondlabError, Engine } from '../src/engine/index.js';
import { wasmOf } from '../src/engine/internal.js';

// Block sizes of assembly/gemm (kept in sync by hand: the shapes below straddle them on purpose).
const MR = 4, NR = 4, MC = 96, KC = 256, NC = 2048;
/** Unit roundoff u = 2⁻⁵³; bounds below use ε = 2u. */
const EPS = Number.EPSILON;
/** Subnormal spacing: each rounding in the gradual-underflow range may be off by up to this (absolutely). */
const ETA = Number.MIN_VALUE;

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

// ---- matrices in plain TS ---------------------------------------------------------------------------------------

/** A stored row-major matrix with row stride `ld` ≥ cols; the padding is part of the buffer. */
interface Stored {
  rows: number;
  cols: number;
  ld: number;
  data: Float64Array;
}

/** How entries are drawn. Everything comes from fast-check, including the seed of the filler. */
interface Recipe {
  seed: number;
  scale: number;
  zeroFraction: number;
  /** Small integers make every product and sum exact. */
  integers: boolean;
  /** Per-entry binary exponent spread, to mix magnitudes inside one matrix. */
  spread: number;
}

const recipeArb: fc.Arbitrary<Recipe> = fc.record({
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  scale: fc.constantFrom(1, 1, 1, 1e-150, 1e-10, 1e10, 1e140),
  zeroFraction: fc.constantFrom(0, 0, 0, 0.3, 0.9, 1),
  integers: fc.boolean(),
  spread: fc.constantFrom(0, 0, 20),
});

/** mulberry32: a deterministic filler driven by a fast-check seed, so a failing case replays exactly. */
function filler(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stored(rows: number, cols: number, pad: number, r: Recipe, padValue = 7.25e33): Stored {
  const ld = cols + pad;
  const data = new Float64Array(rows * ld).fill(padValue);
  const next = filler(r.seed);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const z = next(), u = next(), e = next();
      let v = z < r.zeroFraction ? 0 : r.integers ? Math.floor(u * 9) - 4 : 2 * u - 1;
      if (r.spread) v *= 2 ** Math.round((e - 0.5) * r.spread);
      data[i * ld + j] = v * r.scale;
    }
  }
  return { rows, cols, ld, data };
}

const opAt = (x: Stored, trans: boolean, i: number, p: number) => (trans ? x.data[p * x.ld + i] : x.data[i * x.ld + p]);

/**
 * The oracle, plus the entrywise error bound of the comparison. Both our result and the oracle are within
 * γ_{k+2}·(|α|·|op(A)||op(B)| + |β||C|) of the exact value, so their difference is within twice that;
 * ε(k+2) with ε = 2u is that twice-γ (to first order), and η(k+2) covers roundings in the subnormal range.
 */
function reference(
  tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
  A: Stored, B: Stored, beta: number, C: Stored,
): { want: Float64Array; tol: Float64Array } {
  const want = new Float64Array(m * n), tol = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, abs = 0;
      for (let p = 0; p < k; p++) {
        const x = opAt(A, tA, i, p) * opAt(B, tB, p, j);
        s += x;
        abs += Math.abs(x);
      }
      const c = beta === 0 ? 0 : C.data[i * C.ld + j];
      want[i * n + j] = alpha * s + beta * c;
      tol[i * n + j] = (k + 2) * (EPS * (Math.abs(alpha) * abs + Math.abs(beta * c)) + 2 * ETA);
    }
  }
  return { want, tol };
}

/** Copies stored matrices into WASM, runs the raw export with their strides, and returns C's whole buffer. */
function wasmGemm(
  tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
  A: Stored, B: Stored, beta: number, C: Stored,
): Float64Array {
  return engine.scope(() => {
    const a = engine.vector(A.data.length, A.data);
    const b = engine.vector(B.data.length, B.data);
    const c = engine.vector(C.data.length);
    c.data().set(C.data); // `vector(len, data)` rejects NaN; the raw copy lets β = 0 see NaN garbage
    wasmOf(engine).gemm(+tA, +tB, m, n, k, alpha, a.ptr, A.ld, b.ptr, B.ld, beta, c.ptr, C.ld);
    return c.toArray();
  });
}

function expectClose(got: Float64Array, C: Stored, want: Float64Array, tol: Float64Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const g = got[i * C.ld + j], w = want[i * n + j];
      if (!(Math.abs(g - w) <= tol[i * n + j])) {
        throw new Error(`C(${i}, ${j}) = ${g}, reference ${w}, |diff| ${Math.abs(g - w)} > tol ${tol[i * n + j]}`);
      }
    }
    // the padding of C (row stride ldc > n) must come back untouched
    for (let j = n; j < C.ld; j++) {
      if (!Object.is(got[i * C.ld + j], C.data[i * C.ld + j])) throw new Error(`C padding (${i}, ${j}) was written`);
    }
  }
}

// ---- shapes -----------------------------------------------------------------------------------------------------

type Shape = [m: number, n: number, k: number];

const small = fc.integer({ min: 1, max: 70 });
const tiny = fc.integer({ min: 1, max: 12 });
const around = (b: number) => fc.constantFrom(b - 1, b, b + 1);
const shapeArb: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(small, small, small) },
  // tall-skinny, wide-flat, k = 1 and other degenerate-but-legal shapes
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(1, 2, 3, 5, 200), fc.constantFrom(1, 2, 3, 5, 200), fc.constantFrom(1, 2, 7)) },
  // one side straddles a cache block (MC, KC, NC) or sits at a tile edge, the others stay cheap
  { weight: 2, arbitrary: fc.tuple(around(MC), tiny, fc.integer({ min: 1, max: 40 })) },
  { weight: 2, arbitrary: fc.tuple(tiny, tiny, around(KC)) },
  { weight: 1, arbitrary: fc.tuple(around(MC), fc.integer({ min: 1, max: 9 }), around(KC)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(1, 3), around(NC), fc.integer({ min: 1, max: 5 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(MR - 1, MR, MR + 1), fc.constantFrom(NR - 1, NR, NR + 1), small) },
  // a few larger ones through every loop level
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: 200 }), fc.integer({ min: 60, max: 130 }), fc.integer({ min: 250, max: 300 })) },
);

// Scalars of modest size: a random double is often ~1e-300, which would scale every error below the tolerance.
const scalar = fc.integer({ min: -3000, max: 3000 }).map((x) => x / 1000);
const alphaArb = fc.oneof(fc.constantFrom(1, -1, 0, 0.5), scalar);
const betaArb = fc.oneof(fc.constantFrom(0, 0, 1, -0.25), scalar);
const padArb = fc.constantFrom(0, 0, 0, 1, 5);

// ---- properties -------------------------------------------------------------------------------------------------

describe('gemm: C ← α·op(A)·op(B) + β·C', () => {
  it('matches the naive reference for every op combination, α, β and row stride', () => {
    fc.assert(
      fc.property(
        shapeArb, fc.boolean(), fc.boolean(), alphaArb, betaArb, recipeArb, recipeArb, recipeArb,
        fc.tuple(padArb, padArb, padArb),
        ([m, n, k], tA, tB, alpha, beta, ra, rb, rc, [padA, padB, padC]) => {
          const A = tA ? stored(k, m, padA, ra) : stored(m, k, padA, ra);
          const B = tB ? stored(n, k, padB, rb) : stored(k, n, padB, rb);
          // β = 0 must overwrite: fill C with NaN so any read of it shows up
          const C = beta === 0 ? stored(m, n, padC, rc, NaN) : stored(m, n, padC, rc);
          if (beta === 0) C.data.fill(NaN);
          const { want, tol } = reference(tA, tB, m, n, k, alpha, A, B, beta, C);
          expectClose(wasmGemm(tA, tB, m, n, k, alpha, A, B, beta, C), C, want, tol, m, n);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('matches the reference on tiny shapes with every entry drawn (shrinks to a minimal case)', () => {
    const entries = (len: number) =>
      fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
        minLength: len, maxLength: len,
      });
    const caseArb = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }))
      .chain(([m, n, k]) => fc.record({
        m: fc.constant(m), n: fc.constant(n), k: fc.constant(k),
        tA: fc.boolean(), tB: fc.boolean(), alpha: alphaArb, beta: betaArb,
        a: entries(m * k), b: entries(k * n), c: entries(m * n),
      }));
    fc.assert(
      fc.property(caseArb, ({ m, n, k, tA, tB, alpha, beta, a, b, c }) => {
        const A: Stored = tA ? { rows: k, cols: m, ld: m, data: Float64Array.from(a) } : { rows: m, cols: k, ld: k, data: Float64Array.from(a) };
        const B: Stored = tB ? { rows: n, cols: k, ld: k, data: Float64Array.from(b) } : { rows: k, cols: n, ld: n, data: Float64Array.from(b) };
        const C: Stored = { rows: m, cols: n, ld: n, data: beta === 0 ? new Float64Array(m * n).fill(NaN) : Float64Array.from(c) };
        const { want, tol } = reference(tA, tB, m, n, k, alpha, A, B, beta, C);
        expectClose(wasmGemm(tA, tB, m, n, k, alpha, A, B, beta, C), C, want, tol, m, n);
      }),
      { numRuns: 300 },
    );
  });

  it('op flags equal explicit transposition, bit for bit', () => {
    // Every entry is summed over p in the same order whatever the packing, so transposing storage and flipping
    // the flag must give identical bits; a transpose-packing bug changes values, not just roundings.
    fc.assert(
      fc.property(shapeArb, fc.boolean(), fc.boolean(), recipeArb, recipeArb, ([m, n, k], tA, tB, ra, rb) => {
        const A = stored(m, k, 0, ra), B = stored(k, n, 0, rb);
        const At = transposed(A), Bt = transposed(B);
        const C: Stored = { rows: m, cols: n, ld: n, data: new Float64Array(m * n) };
        const plain = wasmGemm(false, false, m, n, k, 1, A, B, 0, C);
        const flagged = wasmGemm(tA, tB, m, n, k, 1, tA ? At : A, tB ? Bt : B, 0, C);
        expect(bitsEqual(plain, flagged)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('(AB)ᵀ = BᵀAᵀ exactly', () => {
    fc.assert(
      fc.property(shapeArb, recipeArb, recipeArb, ([m, n, k], ra, rb) => {
        const A = stored(m, k, 0, ra), B = stored(k, n, 0, rb);
        const AB = wasmGemm(false, false, m, n, k, 1, A, B, 0, { rows: m, cols: n, ld: n, data: new Float64Array(m * n) });
        const BtAt = wasmGemm(true, true, n, m, k, 1, B, A, 0, { rows: n, cols: m, ld: m, data: new Float64Array(m * n) });
        const ABt = transposed({ rows: m, cols: n, ld: n, data: AB });
        expect(bitsEqual(ABt.data, BtAt)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('(AB)C ≈ A(BC) within the bound of two chained products', () => {
    // |fl((AB)C) − ABC| ≤ (γ_q + γ_p)·|A||B||C| + O(u²), likewise for A(BC); ε(p+q+2) bounds the difference.
    const dims = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(MR - 1, MR + 1, MC + 1, 120));
    fc.assert(
      fc.property(dims, dims, dims, dims, recipeArb, recipeArb, recipeArb, (m, p, q, n, ra, rb, rc) => {
        const unit = (r: Recipe): Recipe => ({ ...r, scale: 1, spread: 0 }); // keep |A||B||C| far from overflow
        const A = stored(m, p, 0, unit(ra)), B = stored(p, q, 0, unit(rb)), Cm = stored(q, n, 0, unit(rc));
        const zero = (r: number, c: number): Stored => ({ rows: r, cols: c, ld: c, data: new Float64Array(r * c) });
        const AB = { rows: m, cols: q, ld: q, data: wasmGemm(false, false, m, q, p, 1, A, B, 0, zero(m, q)) };
        const BC = { rows: p, cols: n, ld: n, data: wasmGemm(false, false, p, n, q, 1, B, Cm, 0, zero(p, n)) };
        const left = wasmGemm(false, false, m, n, q, 1, AB, Cm, 0, zero(m, n));
        const right = wasmGemm(false, false, m, n, p, 1, A, BC, 0, zero(m, n));
        const absA = absOf(A), absB = absOf(B), absC = absOf(Cm);
        const bound = naive(naive(absA, absB), absC);
        for (let i = 0; i < m * n; i++) {
          const tol = (p + q + 2) * EPS * bound.data[i] + 4 * (p + q) * ETA;
          if (!(Math.abs(left[i] - right[i]) <= tol)) throw new Error(`entry ${i}: ${left[i]} vs ${right[i]}, tol ${tol}`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('known answers: exact integer products, 1×1, k = 1 outer product, α = 0 with β scaling', () => {
    const e = engine;
    e.scope(() => {
      const A = e.fromRows([[1, 2, 3], [4, 5, 6]]);
      const B = e.fromRows([[7, 8], [9, 10], [11, 12]]);
      expect(e.matmul(A, B).toRows()).toEqual([[58, 64], [139, 154]]);
      expect(e.matmul(A, A, { transB: true }).toRows()).toEqual([[14, 32], [32, 77]]);
      expect(e.matmul(A, A, { transA: true }).toRows()).toEqual([[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
      expect(e.matmul(e.fromRows([[3]]), e.fromRows([[-2.5]])).toRows()).toEqual([[-7.5]]);
      const outer = e.matmul(e.matrix(5, 1, [1, 2, 3, 4, 5]), e.matrix(1, 6, [1, -1, 2, -2, 0, 10]));
      expect(outer.row(4)).toEqual(Float64Array.from([5, -5, 10, -10, 0, 50]));
      const C = e.fromRows([[1, -2], [3, 4]]);
      e.gemm(C, A, B, { alpha: 0, beta: -2 });
      expect(C.toRows()).toEqual([[-2, 4], [-6, -8]]);
      C.data().fill(NaN);
      e.gemm(C, A, B, { alpha: 0, beta: 0 });
      expect(C.toRows()).toEqual([[0, 0], [0, 0]]);
    });
  });

  it('allocates nothing the engine counts, and frees its inputs cleanly', () => {
    const before = engine.memoryStats().liveBlocks;
    engine.scope(() => {
      const A = engine.matrix(300, 270), B = engine.matrix(270, 2100), C = engine.matrix(300, 2100);
      // every loop level runs (k > KC, m > MC, n > NC); B's columns differ so a misplaced block shows
      A.data().fill(1);
      B.data().forEach((_, i, d) => (d[i] = ((i % 2100) % 5) - 2));
      const inside = engine.memoryStats().liveBlocks;
      engine.gemm(C, A, B);
      expect(engine.memoryStats().liveBlocks).toBe(inside);
      for (const [i, j] of [[0, 0], [299, 2099], [150, 2048], [97, 2047], [3, 2049]]) expect(C.get(i, j)).toBe(270 * ((j % 5) - 2));
    });
    expect(engine.memoryStats().liveBlocks).toBe(before);
  });
});

describe('Engine.gemm shape checks', () => {
  it('rejects every disagreeing shape with a shape-mismatch error, for all op combinations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }),
        fc.boolean(), fc.boolean(), fc.constantFrom('k', 'rows', 'cols'), fc.integer({ min: 1, max: 3 }),
        (m, n, k, tA, tB, which, off) => {
          engine.scope(() => {
            const kb = which === 'k' ? k + off : k;
            const A = tA ? engine.matrix(k, m) : engine.matrix(m, k);
            const B = tB ? engine.matrix(n, kb) : engine.matrix(kb, n);
            const C = engine.matrix(which === 'rows' ? m + off : m, which === 'cols' ? n + off : n);
            let err: unknown;
            try {
              engine.gemm(C, A, B, { transA: tA, transB: tB });
            } catch (e) {
              err = e;
            }
            expect(err).toBeInstanceOf(CondlabError);
            expect((err as CondlabError).code).toBe('shape-mismatch');
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('matmul agrees with gemm into a fresh matrix for all op combinations', () => {
    fc.assert(
      fc.property(shapeArb.filter(([m, n, k]) => m * n * k <= 2e5), fc.boolean(), fc.boolean(), recipeArb, recipeArb, ([m, n, k], tA, tB, ra, rb) => {
        engine.scope(() => {
          const a = tA ? stored(k, m, 0, ra) : stored(m, k, 0, ra), b = tB ? stored(n, k, 0, rb) : stored(k, n, 0, rb);
          const A = engine.matrix(a.rows, a.cols, a.data), B = engine.matrix(b.rows, b.cols, b.data);
          const got = engine.matmul(A, B, { transA: tA, transB: tB }).toArray();
          const raw = wasmGemm(tA, tB, m, n, k, 1, a, b, 0, { rows: m, cols: n, ld: n, data: new Float64Array(m * n) });
          expect(bitsEqual(got, raw)).toBe(true);
        });
      }),
      { numRuns: 40 },
    );
  });
});

// ---- small plain-TS helpers -------------------------------------------------------------------------------------

function transposed(x: Stored): Stored {
  const data = new Float64Array(x.rows * x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) data[j * x.rows + i] = x.data[i * x.ld + j];
  return { rows: x.cols, cols: x.rows, ld: x.rows, data };
}

function absOf(x: Stored): Stored {
  return { ...x, data: x.data.map(Math.abs) };
}

function naive(x: Stored, y: Stored): Stored {
  const data = new Float64Array(x.rows * y.cols);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < y.cols; j++) {
      let s = 0;
      for (let p = 0; p < x.cols; p++) s += x.data[i * x.ld + p] * y.data[p * y.ld + j];
      data[i * y.cols + j] = s;
    }
  }
  return { rows: x.rows, cols: y.cols, ld: y.cols, data };
}

function bitsEqual(x: Float64Array, y: Float64Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}
