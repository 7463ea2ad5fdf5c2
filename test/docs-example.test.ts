import { describe, it } from 'vitest';
import fc from 'fast-check';
import { svdProperties } from '../src/testing/index.js';

// The code under test: a textbook one-sided Jacobi SVD (Hestenes), as you might write it yourself.
function mySvd(rows: number[][]): { s: number[]; U: number[][]; V: number[][] } {
  const m = rows.length, n = rows[0].length;
  if (m < n) {
    const t = mySvd(rows[0].map((_, j) => rows.map((r) => r[j])));
    return { s: t.s, U: t.V, V: t.U };
  }
  // scale by powers of two (exact) so that squaring entries can neither overflow nor underflow; in two factors,
  // since 2^1074 alone would overflow
  const e = Math.ceil(Math.log2(Math.max(...rows.flat().map(Math.abs)))) || 0;
  const [k1, k2] = Number.isFinite(e) ? [2 ** -Math.trunc(e / 2), 2 ** (Math.trunc(e / 2) - e)] : [1, 1];
  const G = rows.map((r) => r.map((x) => x * k1 * k2)); // its columns get orthogonalised
  const V = rows[0].map((_, i) => rows[0].map((_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let a = 0, b = 0, c = 0;
        for (const r of G) [a, b, c] = [a + r[p] * r[p], b + r[q] * r[q], c + r[p] * r[q]];
        if (Math.abs(c) <= 1e-15 * Math.sqrt(a * b)) continue;
        rotated = true;
        const z = (b - a) / (2 * c);
        const t = (z >= 0 ? 1 : -1) / (Math.abs(z) + Math.hypot(1, z));
        const cs = 1 / Math.hypot(1, t), sn = cs * t;
        for (const M of [G, V])
          for (const r of M) [r[p], r[q]] = [cs * r[p] - sn * r[q], sn * r[p] + cs * r[q]];
      }
    if (!rotated) break;
  }
  const s = G[0].map((_, j) => Math.hypot(...G.map((r) => r[j])));
  const order = s.map((_, j) => j).sort((i, j) => s[j] - s[i]);
  return {
    s: order.map((j) => s[j] / k1 / k2),
    U: G.map((r) => order.map((j) => (s[j] === 0 ? 0 : r[j] / s[j]))),
    V: V.map((r) => order.map((j) => r[j])),
  };
}

// The suite finds one gap in it: a zero σ leaves a zero column in U, so U is not orthonormal (it shrinks to
// A = [[0]]). A known gap stays visible with it.fails, which turns red the day it is fixed.
const KNOWN_GAPS = new Set(['svd.orthogonality']);

describe('mySvd', () => {
  for (const p of svdProperties(mySvd, { maxDim: 8 })) {
    (KNOWN_GAPS.has(p.name) ? it.fails : it)(p.name, () => fc.assert(p.property, { numRuns: 50 }));
  }
});
