// Structured decay (assembly/train/structured_decay.ts): the gradient of (λ/2)·Σ_{i∈S} σᵢ² over the top-k or
// bottom-k singular directions, by finite differences of the engine's singular values; k = d is plain weight decay;
// the band it acts on is the one asked for; bad k refused; the correctives run it.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { baseSpec, setupTrainer } from './helpers/train.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const d = 6;
const base = { ...baseSpec, d };

/** The regulariser's gradient = (gradient with regularisers) − (loss gradient) at random W. */
function decayGradient(lambda: number, k: number, seed: number): { p: Float64Array; g: Float64Array } {
  return engine.scope(() => {
    const t = setupTrainer(engine, { ...base, structDecayLambda: lambda, structDecayK: k }, seed);
    t.params.set(engine.rng(seed, 9).normalVector(d * d).toArray());
    t.drawBatch();
    t.gradient(false);
    const g0 = t.grad.toArray();
    t.gradient(true);
    const g1 = t.grad.toArray();
    return { p: t.params.toArray(), g: g1.map((x, i) => x - g0[i]) };
  });
}

const sv = (w: Float64Array) => engine.scope(() => engine.singularValues(engine.matrix(d, d, w)).toArray());

describe('structured decay', () => {
  it('adds the gradient of (λ/2)·Σ_{i∈S} σᵢ² for S = top k and bottom k (finite differences)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 2, noNaN: true }), fc.constantFrom(1, 2, 5, -1, -3), fc.integer({ min: 1, max: 1000 }), (lambda, k, seed) => {
        const { p, g } = decayGradient(lambda, k, seed);
        const band = (s: Float64Array) => (k > 0 ? Array.from(s.subarray(0, k)) : Array.from(s.subarray(d + k)));
        const pen = (w: Float64Array) => 0.5 * lambda * band(sv(w)).reduce((a, x) => a + x * x, 0);
        const h = 1e-6;
        for (let i = 0; i < d * d; i++) {
          const up = p.slice(), dn = p.slice();
          up[i] += h;
          dn[i] -= h;
          const fd = (pen(up) - pen(dn)) / (2 * h);
          expect(Math.abs(g[i] - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
        }
      }),
      { numRuns: 15 },
    );
  });

  it('k = d (or −d) is plain weight decay λ·W', () => {
    for (const k of [d, -d]) {
      const { p, g } = decayGradient(0.3, k, 5);
      g.forEach((x, i) => expect(Math.abs(x - 0.3 * p[i])).toBeLessThanOrEqual(1e-13));
    }
  });

  it('acts on its band only: top-k decay lowers σ₁ and leaves σ_min, bottom-k lowers σ_min and leaves σ₁', () => {
    const run = (lambda: number, k: number) => engine.scope(() => {
      const t = setupTrainer(engine, { ...base, lr: 0.05, structDecayLambda: lambda, structDecayK: k }, 2);
      t.run(60);
      return sv(t.weights().toArray());
    });
    const sgd = run(0, 1), top = run(0.5, 2), bottom = run(0.5, -2);
    // in band: a clear drop; out of band: the data term couples the directions a little, so the other end moves, but
    // by at most a fifth of the in-band change (a decay on the wrong band fails both)
    const inTop = 1 - top[0] / sgd[0], inBottom = 1 - bottom[d - 1] / sgd[d - 1];
    expect(inTop).toBeGreaterThan(0.05);
    expect(Math.abs(top[d - 1] / sgd[d - 1] - 1)).toBeLessThan(0.2 * inTop);
    expect(inBottom).toBeGreaterThan(0.05);
    expect(Math.abs(bottom[0] / sgd[0] - 1)).toBeLessThan(0.2 * inBottom);
  });

  it('refuses k = 0, |k| > d and non-integers, and non-linear models', () => {
    engine.scope(() => {
      for (const k of [0, d + 1, 1.5]) expect(() => setupTrainer(engine, { ...base, structDecayLambda: 0.1, structDecayK: k })).toThrow(/structured decay: k = /);
      expect(() => setupTrainer(engine, { ...base, model: 'deep', depth: 2, structDecayLambda: 0.1 })).toThrow(/structured decay apply to the linear model only/);
    });
  });
});
