// The three shape correctives beyond the paper, inside the WASM trainer: singular-value multipliers (gradients
// against a plain-TS oracle and finite differences), the orthogonality regulariser (finite differences) and
// Parametric Singularity Smoothing (the map on the spectrum, vectors kept, singular W skipped).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import type { Trainer } from '../src/train/trainer.js';
import { baseSpec as base, setupTrainer } from './helpers/train.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

/** Plain-TS dense helpers (row-major n×n). */
const mul = (a: Float64Array, b: Float64Array, n: number, tA = false, tB = false): Float64Array => {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (tA ? a[k * n + i] : a[i * n + k]) * (tB ? b[j * n + k] : b[k * n + j]);
      out[i * n + j] = s;
    }
  return out;
};

/** ½·mean‖W x − y‖² and G = Rᵀ X / B for W (d×d) on batch X, Y (B×d). */
function lossAndG(W: Float64Array, X: Float64Array, Y: Float64Array, d: number, B: number): { loss: number; G: Float64Array } {
  const G = new Float64Array(d * d);
  let loss = 0;
  for (let b = 0; b < B; b++)
    for (let i = 0; i < d; i++) {
      let r = -Y[b * d + i];
      for (let k = 0; k < d; k++) r += W[i * d + k] * X[b * d + k];
      loss += r * r;
      for (let j = 0; j < d; j++) G[i * d + j] += (r * X[b * d + j]) / B;
    }
  return { loss: (0.5 * loss) / B, G };
}

/** svd of the d×d block W of a parameter vector, as plain arrays. */
function svdOf(p: Float64Array, d: number) {
  return engine.scope(() => {
    const r = engine.svd(engine.matrix(d, d, p.slice(0, d * d)));
    return { U: r.U!.toArray(), s: r.s.toArray(), V: r.V!.toArray() };
  });
}

/** U·diag(s ⊙ m)·Vᵀ */
function compose(U: Float64Array, s: Float64Array, m: Float64Array, V: Float64Array, d: number): Float64Array {
  const us = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) us[i * d + k] = U[i * d + k] * s[k] * m[k];
  return mul(us, V, d, false, true);
}

describe('singular-value multipliers', () => {
  const spec = { ...base, d: 7, batch: 9, svMultipliers: true, multLrFactor: 0.5 };

  /** A trainer moved off its start, with gains m set away from 1, and a fresh batch. */
  function prepared(seed: number, gains: number[]): Trainer {
    const t = setupTrainer(engine, spec, seed);
    t.run(3);
    const p = t.params.toArray();
    p.set(gains, spec.d * spec.d);
    t.params.set(p);
    t.drawBatch();
    return t;
  }

  it('W_eff = U·diag(σ ⊙ m)·Vᵀ, and the gradient is [G·V·diag(m)·Vᵀ | σᵢ·uᵢᵀGvᵢ] (plain-TS oracle)', () => {
    const d = spec.d, B = spec.batch;
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.2, max: 3, noNaN: true }), { minLength: d, maxLength: d }), fc.integer({ min: 1, max: 1000 }), (gains, seed) =>
        engine.scope(() => {
          const t = prepared(seed, gains);
          const p = t.params.toArray();
          const { U, s, V } = svdOf(p, d);
          const m = p.slice(d * d);
          const weff = compose(U, s, m, V, d);
          const got = t.weights().toArray();
          for (let i = 0; i < d * d; i++) expect(Math.abs(got[i] - weff[i])).toBeLessThan(1e-12);
          const { X, Y } = t.batch();
          const { loss, G } = lossAndG(weff, X, Y, d, B);
          expect(t.gradient(false)).toBeCloseTo(loss, 12);
          const g = t.grad.toArray();
          // ∂L/∂W with the basis held fixed
          const vm = new Float64Array(d * d);
          for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) vm[i * d + k] = V[i * d + k] * m[k];
          const gw = mul(mul(G, vm, d), V, d, false, true);
          for (let i = 0; i < d * d; i++) expect(Math.abs(g[i] - gw[i])).toBeLessThan(1e-12 * (1 + Math.abs(gw[i])));
          // ∂L/∂m: finite differences of the loss in m with (U, σ, V) fixed — exact, W_eff is linear in m
          const h = 1e-6;
          for (let k = 0; k < d; k++) {
            const up = m.slice(), dn = m.slice();
            up[k] += h;
            dn[k] -= h;
            const fd = (lossAndG(compose(U, s, up, V, d), X, Y, d, B).loss - lossAndG(compose(U, s, dn, V, d), X, Y, d, B).loss) / (2 * h);
            expect(Math.abs(g[d * d + k] - fd)).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
          }
        }),
      ),
      { numRuns: 15 },
    );
  });

  it('with uniform gains m = c·1 the W-gradient is the true gradient of L(c·W) (finite differences)', () => {
    engine.scope(() => {
      const d = spec.d, c = 1.7;
      const t = prepared(5, Array(d).fill(c));
      const { X, Y } = t.batch();
      const p = t.params.toArray();
      t.gradient(false);
      const g = t.grad.toArray();
      const L = (w: Float64Array) => lossAndG(w.map((x) => c * x), X, Y, d, spec.batch).loss;
      const h = 1e-6;
      for (let i = 0; i < d * d; i++) {
        const up = p.slice(0, d * d), dn = p.slice(0, d * d);
        up[i] += h;
        dn[i] -= h;
        const fd = (L(up) - L(dn)) / (2 * h);
        expect(Math.abs(g[i] - fd)).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
      }
    });
  });

  it('gains train at lr·multLrFactor, W at lr (one SGD step replayed)', () => {
    engine.scope(() => {
      const t = prepared(9, [1.1, 0.9, 1.3, 0.7, 1, 1.2, 0.8]);
      const p = t.params.toArray();
      // the next training step draws the next batch: take the gradient there on a twin
      const twin = prepared(9, [1.1, 0.9, 1.3, 0.7, 1, 1.2, 0.8]);
      twin.drawBatch();
      twin.gradient(false);
      const g = twin.grad.toArray();
      t.run(t.epoch + 1);
      const got = t.params.toArray();
      const d = spec.d;
      for (let i = 0; i < p.length; i++) {
        const lr = i < d * d ? spec.lr : spec.lr * spec.multLrFactor;
        expect(got[i]).toBeCloseTo(p[i] - lr * g[i], 13);
      }
    });
  });
});

describe('orthogonality regulariser', () => {
  it('adds the gradient of λ‖WᵀW − I‖²_F (finite differences), linear in λ', () => {
    const d = 6;
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 2, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (lambda, seed) =>
        engine.scope(() => {
          const t = setupTrainer(engine, { ...base, d, orthLambda: lambda }, seed);
          t.params.set(engine.rng(seed, 9).normalVector(d * d).toArray());
          t.drawBatch();
          t.gradient(false);
          const g0 = t.grad.toArray();
          t.gradient(true);
          const g1 = t.grad.toArray();
          const pen = (w: Float64Array) => {
            const a = mul(w, w, d, true, false);
            let s = 0;
            for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += (a[i * d + j] - (i === j ? 1 : 0)) ** 2;
            return lambda * s;
          };
          const p = t.params.toArray();
          const h = 1e-6;
          for (let i = 0; i < d * d; i++) {
            const up = p.slice(), dn = p.slice();
            up[i] += h;
            dn[i] -= h;
            const fd = (pen(up) - pen(dn)) / (2 * h);
            expect(Math.abs(g1[i] - g0[i] - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
          }
        }),
      ),
      { numRuns: 10 },
    );
  });

  it('is exactly inactive at λ = 0 (bit-identical to SGD)', () => {
    engine.scope(() => {
      const a = setupTrainer(engine, { ...base, d: 8, orthLambda: 0 }, 3);
      const b = setupTrainer(engine, { ...base, d: 8 }, 3);
      a.run(20);
      b.run(20);
      expect(Array.from(a.params.toArray())).toEqual(Array.from(b.params.toArray()));
    });
  });
});

describe('Parametric Singularity Smoothing', () => {
  it('maps log σ to (1 − α)·log σ + α·mean log σ, keeping the singular vectors (lr = 0, every epoch)', () => {
    const d = 6;
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (alpha, seed) =>
        engine.scope(() => {
          const t = setupTrainer(engine, { ...base, d, lr: 0, pssEvery: 1, pssStrength: alpha }, seed);
          t.params.set(engine.rng(seed, 9).normalVector(d * d).toArray());
          const { U, s, V } = svdOf(t.params.toArray(), d);
          t.run(1);
          const meanLog = s.reduce((a, x) => a + Math.log(x), 0) / d;
          const smooth = s.map((x) => Math.exp((1 - alpha) * Math.log(x) + alpha * meanLog));
          const want = compose(U, smooth, new Float64Array(d).fill(1), V, d);
          const got = t.params.toArray();
          for (let i = 0; i < d * d; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12 * (1 + Math.abs(want[i])));
          const after = svdOf(got, d).s;
          expect(after[0] / after[d - 1]).toBeCloseTo((s[0] / s[d - 1]) ** (1 - alpha), 8);
        }),
      ),
      { numRuns: 15 },
    );
  });

  it('runs only every pssEvery epochs and skips a singular W', () => {
    engine.scope(() => {
      const d = 5;
      const t = setupTrainer(engine, { ...base, d, lr: 0, pssEvery: 3, pssStrength: 0.5 }, 4);
      const p0 = t.params.toArray();
      t.run(2);
      expect(Array.from(t.params.toArray())).toEqual(Array.from(p0));
      t.run(3);
      expect(Array.from(t.params.toArray())).not.toEqual(Array.from(p0));
      const z = setupTrainer(engine, { ...base, d, lr: 0, init: 'zeros', pssEvery: 1, pssStrength: 0.5 }, 4);
      expect(z.run(2)).toBeUndefined();
      expect(z.params.toArray().every((x) => x === 0)).toBe(true);
    });
  });
});

describe('resources', () => {
  it('allocate nothing that outlives the scope', () => {
    const start = engine.memoryStats().liveBlocks;
    engine.scope(() => {
      setupTrainer(engine, { ...base, svMultipliers: true }).run(4);
      setupTrainer(engine, { ...base, orthLambda: 1e-2, pssEvery: 2 }).run(4);
    });
    expect(engine.memoryStats().liveBlocks).toBe(start);
  });
});
