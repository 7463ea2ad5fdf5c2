// Muon's Newton–Schulz orthogonalisation (assembly/optim/newton_schulz.ts) against a plain-TS transcription and
// its defining property: every singular value lands in a narrow band around 1.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { dense, matmul, transpose, frobenius, type Dense } from '../src/testing/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

function nsReference(g: Dense, steps: number): Dense {
  const wide = g.rows <= g.cols;
  let x = wide ? dense(g.rows, g.cols, g.data) : transpose(g);
  const f = frobenius(x);
  x = dense(x.rows, x.cols, x.data.map((v) => v / f));
  for (let s = 0; s < steps; s++) {
    const a = matmul(x, transpose(x));
    const a2 = matmul(a, a);
    const b = dense(a.rows, a.cols, a.data.map((v, i) => -4.775 * v + 2.0315 * a2.data[i]));
    const bx = matmul(b, x);
    x = dense(x.rows, x.cols, x.data.map((v, i) => 3.4445 * v + bx.data[i]));
  }
  return wide ? x : transpose(x);
}

const shapes = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }));

describe('Newton–Schulz', () => {
  it('equals the plain-TS iteration', () => {
    fc.assert(
      fc.property(shapes.chain(([m, n]) => fc.tuple(fc.constant(m), fc.constant(n), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: m * n, maxLength: m * n }))), ([m, n, data]) => {
        const g = dense(m, n, data);
        fc.pre(frobenius(g) > 1e-100);
        const ours = engine.scope(() => engine.newtonSchulz(engine.matrix(m, n, data)).toArray());
        const ref = nsReference(g, 5);
        ours.forEach((v, i) => expect(Math.abs(v - ref.data[i])).toBeLessThanOrEqual(1e-12));
      }),
      { numRuns: 200 },
    );
  });

  it('maps the singular values of moderately conditioned G into [0.6, 1.25]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 24 }), fc.integer({ min: 2, max: 24 }), fc.nat(10_000), (m, n, seed) => {
        engine.scope(() => {
          const rng = engine.rng(seed);
          // singular values spread over one decade
          const G = rng.normalMatrix(m, n);
          const { U, V } = engine.svd(G);
          const k = Math.min(m, n);
          const u = U!.toArray(), v = V!.toArray();
          const spread = engine.matrix(m, n);
          const sd = spread.data();
          for (let c = 0; c < k; c++) {
            const s = 10 ** (-c / Math.max(1, k - 1));
            for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sd[i * n + j] += u[i * k + c] * s * v[j * k + c];
          }
          const sv = engine.singularValues(engine.newtonSchulz(spread)).toArray();
          for (const s of sv) {
            expect(s).toBeGreaterThan(0.6);
            expect(s).toBeLessThan(1.25);
          }
        });
      }),
      { numRuns: 100 },
    );
  });

  it('returns zero for zero input and rejects bad steps', () => {
    engine.scope(() => {
      expect(Array.from(engine.newtonSchulz(engine.matrix(2, 3)).toArray())).toEqual([0, 0, 0, 0, 0, 0]);
      expect(() => engine.newtonSchulz(engine.matrix(2, 2), 0)).toThrow(/steps must be an integer from 1 to 100, got 0/);
    });
  });
});
