// fast-check arbitraries for matrices: random, scaled, graded, rank-deficient, repeated singular values, zeros.
// Everything is drawn from arbitraries (no Math.random), so a failure shrinks and replays from its seed.
import fc from 'fast-check';
import { dense, diag, matmul, orthonormalFrom, transpose, type Dense } from './dense.js';

export const unit = fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true });

export function entries(count: number): fc.Arbitrary<number[]> {
  return fc.array(unit, { minLength: count, maxLength: count });
}

export const smallDim = fc.integer({ min: 1, max: 24 });

export function randomMatrix(m: number, n: number): fc.Arbitrary<Dense> {
  return entries(m * n).map((d) => dense(m, n, d));
}

/** Orthonormal k×k matrix (a random seed matrix made well-conditioned by adding 2I before Gram–Schmidt). */
export function orthonormal(k: number): fc.Arbitrary<Dense> {
  return entries(k * k).map((d) => {
    const s = dense(k, k, d);
    for (let i = 0; i < k; i++) s.data[i * k + i] += 2 * (i % 2 === 0 ? 1 : -1);
    return orthonormalFrom(s);
  });
}

export type MatrixKind = 'random' | 'scaled' | 'gradedRows' | 'gradedCols' | 'rankDeficient' | 'zeroLines' | 'repeated';

export interface LabelledMatrix {
  kind: MatrixKind;
  a: Dense;
}

function kindArb(kind: MatrixKind, m: number, n: number): fc.Arbitrary<LabelledMatrix> {
  const k = Math.min(m, n);
  switch (kind) {
    case 'random':
      return randomMatrix(m, n).map((a) => ({ kind, a }));
    case 'scaled':
      return fc.tuple(randomMatrix(m, n), fc.integer({ min: -900, max: 900 })).map(([a, e]) => {
        const s = 2 ** e;
        return { kind, a: dense(m, n, a.data.map((x) => x * s)) };
      });
    case 'gradedRows':
    case 'gradedCols':
      return fc.tuple(randomMatrix(m, n), fc.double({ min: 0, max: 12, noNaN: true })).map(([a, decades]) => {
        const out = dense(m, n, a.data);
        const lines = kind === 'gradedRows' ? m : n;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            const line = kind === 'gradedRows' ? i : j;
            out.data[i * n + j] *= 10 ** (-(decades * line) / Math.max(1, lines - 1));
          }
        return { kind, a: out };
      });
    case 'rankDeficient':
      return fc
        .integer({ min: 0, max: Math.max(0, k - 1) })
        .chain((r) => fc.tuple(fc.constant(r), randomMatrix(m, Math.max(r, 1)), randomMatrix(Math.max(r, 1), n)))
        .map(([r, b, c]) => ({ kind, a: r === 0 ? dense(m, n) : matmul(b, c) }));
    case 'zeroLines':
      return fc
        .tuple(randomMatrix(m, n), fc.array(fc.boolean(), { minLength: m, maxLength: m }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
        .map(([a, zr, zc]) => {
          const out = dense(m, n, a.data);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (zr[i] || zc[j]) out.data[i * n + j] = 0;
          return { kind, a: out };
        });
    case 'repeated':
      // U₀·diag(σ)·V₀ᵀ with σ taking only two distinct values
      return fc
        .tuple(orthonormal(m), orthonormal(n), fc.integer({ min: 0, max: k }))
        .map(([u0, v0, split]) => {
          const sig = Array.from({ length: k }, (_, i) => (i < split ? 3 : 0.5));
          return { kind, a: matmul(matmul(u0, diag(m, n, sig)), transpose(v0)) };
        });
  }
}

const KINDS: MatrixKind[] = ['random', 'scaled', 'gradedRows', 'gradedCols', 'rankDeficient', 'zeroLines', 'repeated'];

/** Any of the kinds, at shapes from 1×1 to 24×24 including 1×n, m×1 and very unequal ones. */
export function anyMatrix(maxDim = 24): fc.Arbitrary<LabelledMatrix> {
  return fc
    .tuple(fc.integer({ min: 1, max: maxDim }), fc.integer({ min: 1, max: maxDim }), fc.constantFrom(...KINDS))
    .chain(([m, n, kind]) => kindArb(kind, m, n));
}
