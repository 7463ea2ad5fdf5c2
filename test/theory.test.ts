// The closed-form SGD predictions (src/theory/) against a Monte Carlo simulation of the same recursion in plain TS,
// driven by the engine's generator: E‖W_t − W*‖² must match within sampling error.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { expectedSquaredError, noiseFloor, secondMomentFactor } from '../src/theory/linear_sgd.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

/** Plain SGD on the single-layer model, returning ‖W_t − W*‖_F² at each requested t. */
function simulate(d: number, batch: number, lr: number, noise: number, steps: number, seed: number): number[] {
  return engine.scope(() => {
    const rng = engine.rng(seed);
    const E = Array.from({ length: d * d }, () => rng.normal()); // E_0 = W_0 − W*, ‖E_0‖² ≈ d²
    const out: number[] = [];
    for (let t = 0; t < steps; t++) {
      const X = Array.from({ length: batch * d }, () => rng.normal());
      const N = Array.from({ length: batch * d }, () => noise * rng.normal());
      // residual R = X Eᵀ − N  (B×d), gradient G = Rᵀ X / B
      const G = new Float64Array(d * d);
      for (let b = 0; b < batch; b++)
        for (let i = 0; i < d; i++) {
          let r = -N[b * d + i];
          for (let k = 0; k < d; k++) r += X[b * d + k] * E[i * d + k];
          for (let j = 0; j < d; j++) G[i * d + j] += (r * X[b * d + j]) / batch;
        }
      for (let i = 0; i < d * d; i++) E[i] -= lr * G[i];
      out.push(E.reduce((s, x) => s + x * x, 0));
    }
    return out;
  });
}

describe('closed-form SGD second moment', () => {
  it('matches Monte Carlo E‖W_t − W*‖² (400 runs) at several t, within 4 standard errors', () => {
    const d = 6, batch = 4, lr = 0.2, noise = 0.5, steps = 40, runs = 400;
    const s = { lr, batch, d, noise };
    const sims = Array.from({ length: runs }, (_, r) => simulate(d, batch, lr, noise, steps, 1000 + r));
    for (const t of [1, 5, 20, 40]) {
      const xs = sims.map((run) => run[t - 1]);
      const mean = xs.reduce((a, b) => a + b, 0) / runs;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1));
      // E_0 entries are N(0,1): E‖E_0‖² = d², and the recursion is linear in it
      const predicted = expectedSquaredError(s, t, d * d);
      expect(Math.abs(mean - predicted)).toBeLessThanOrEqual(4 * (sd / Math.sqrt(runs)) + 1e-12);
    }
  });

  it('the noise floor vanishes without label noise and SGD diverges in mean square when ρ ≥ 1', () => {
    expect(noiseFloor({ lr: 0.01, batch: 64, d: 128, noise: 0 })).toBe(0);
    const floor = noiseFloor({ lr: 0.01, batch: 64, d: 128, noise: 0.01 });
    expect(floor).toBeCloseTo((0.01 * 1e-4 * 128 * 128) / (128 - 0.01 * 193), 15);
    expect(secondMomentFactor({ lr: 1.5, batch: 4, d: 64, noise: 0 })).toBeGreaterThan(1);
    expect(noiseFloor({ lr: 1.5, batch: 4, d: 64, noise: 0.01 })).toBe(Infinity);
    expect(() => secondMomentFactor({ lr: -1, batch: 4, d: 4, noise: 0 })).toThrow(/lr must be a positive finite number, got -1/);
  });
});
