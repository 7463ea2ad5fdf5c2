// The training core (assembly/train, src/train): gradients against plain-TS oracles and finite differences, the
// optimisers against plain-TS replays of the same batches, determinism, shared batches, divergence, correctives.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import type { Trainer, TrainSpec } from '../src/train/trainer.js';
import { heterogeneousTarget } from '../src/train/targets.js';
import { baseSpec, setupTrainer } from './helpers/train.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const base = baseSpec;
const setup = (spec: TrainSpec, seed = 7, mlpHidden = 0): Trainer => setupTrainer(engine, spec, seed, mlpHidden);

// ---- plain-TS oracles ------------------------------------------------------------------------------------------

/** y = layers[L-1]·act(…act(layers[0]·x)) for each row x of X (B×d0); layers as [rows, cols, data]. */
function forward(layers: { r: number; c: number; w: Float64Array }[], X: Float64Array, B: number, relu: boolean): Float64Array {
  let A = X, width = layers[0].c;
  layers.forEach((L, l) => {
    const out = new Float64Array(B * L.r);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < L.r; i++) {
        let s = 0;
        for (let j = 0; j < width; j++) s += L.w[i * L.c + j] * A[b * width + j];
        out[b * L.r + i] = relu && l < layers.length - 1 ? Math.max(s, 0) : s;
      }
    A = out;
    width = L.r;
  });
  return A;
}

function mseLoss(F: Float64Array, Y: Float64Array, B: number): number {
  let s = 0;
  for (let i = 0; i < F.length; i++) s += (F[i] - Y[i]) ** 2;
  return (0.5 * s) / B;
}

/** Loss of a parameter vector p under the trainer's model (multipliers: p = [W | r | c]). */
function oracleLoss(t: Trainer, p: Float64Array, X: Float64Array, Y: Float64Array): number {
  const { d, batch: B } = t.spec;
  if (t.spec.model === 'linear' && t.spec.multipliers) {
    const w = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) w[i * d + j] = p[d * d + i] * p[i * d + j] * p[d * d + d + j];
    return mseLoss(forward([{ r: d, c: d, w }], X, B, false), Y, B);
  }
  let off = 0;
  const layers = t.shapes.map(([r, c]) => {
    const w = p.slice(off, off + r * c);
    off += r * c;
    return { r, c, w };
  });
  return mseLoss(forward(layers, X, B, t.spec.model === 'mlp'), Y, B);
}

/** Central differences at `count` coordinates drawn from a seeded fast-check sample. */
function checkFiniteDifferences(t: Trainer, count = 16, h = 1e-6): void {
  const { X, Y } = t.batch();
  const p = t.params.toArray();
  const loss = t.gradient(false);
  expect(loss).toBeCloseTo(oracleLoss(t, p, X, Y), 12);
  const g = t.grad.toArray();
  const idx = fc.sample(fc.integer({ min: 0, max: p.length - 1 }), { numRuns: count, seed: 3 });
  for (const i of idx) {
    const q = p.slice();
    q[i] = p[i] + h;
    const up = oracleLoss(t, q, X, Y);
    q[i] = p[i] - h;
    const dn = oracleLoss(t, q, X, Y);
    const fd = (up - dn) / (2 * h);
    expect(Math.abs(fd - g[i])).toBeLessThan(1e-6 * (1 + Math.abs(g[i])));
  }
}

describe('batches', () => {
  it('follow PROTOCOL.md order: W₀ (d²), then per step X then ε, Y = X·W*ᵀ + ε', () => {
    engine.scope(() => {
      const t = setup(base, 11);
      t.drawBatch();
      const { X, Y } = t.batch();
      const { d, batch: B } = base;
      const W = heterogeneousTarget(engine, engine.rng(11, 0), d, d).toArray();
      const replay = engine.rng(11, 1);
      const z0 = replay.normalVector(d * d).toArray();
      const x = replay.normalVector(B * d).toArray();
      const eps = replay.normalVector(B * d, 0, base.noise).toArray();
      expect(Array.from(t.params.toArray())).toEqual(Array.from(z0, (z) => z * base.initStd));
      expect(Array.from(X)).toEqual(Array.from(x));
      for (let b = 0; b < B; b++)
        for (let i = 0; i < d; i++) {
          let s = eps[b * d + i];
          for (let j = 0; j < d; j++) s += x[b * d + j] * W[i * d + j];
          expect(Y[b * d + i]).toBeCloseTo(s, 13);
        }
    });
  });

  it('are the same for every condition of a trial (SGD, Adam, multipliers, deep, MLP)', () => {
    engine.scope(() => {
      const specs: [TrainSpec, number][] = [
        [base, 0], [{ ...base, optimizer: 'adam', lr: 1e-3 }, 0], [{ ...base, multipliers: true, multLrFactor: 0.1 }, 0],
        [{ ...base, model: 'deep', depth: 3 }, 0], [{ ...base, model: 'mlp', hidden: 6 }, 6], [{ ...base, model: 'mlp', hidden: 4 }, 4],
      ];
      const xs = specs.map(([s, h]) => {
        const t = setup(s, 5, h);
        t.run(7);
        return Array.from(t.batch().X);
      });
      for (const x of xs) expect(x).toEqual(xs[0]);
    });
  });
});

describe('gradients', () => {
  it('linear: matches (X Wᵀ − Y)ᵀ X / B exactly up to rounding', () => {
    engine.scope(() => {
      const t = setup({ ...base, d: 9, batch: 13 }, 21);
      t.drawBatch();
      const { X, Y } = t.batch();
      const d = 9, B = 13, w = t.params.toArray();
      t.gradient(false);
      const g = t.grad.toArray();
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let b = 0; b < B; b++) {
            let r = -Y[b * d + i];
            for (let k = 0; k < d; k++) r += X[b * d + k] * w[i * d + k];
            s += r * X[b * d + j];
          }
          expect(g[i * d + j]).toBeCloseTo(s / B, 13);
        }
    });
  });

  const cases: [string, TrainSpec, number][] = [
    ['linear', base, 0],
    ['multipliers', { ...base, multipliers: true, multLrFactor: 0.1 }, 0],
    ['deep linear L = 2', { ...base, model: 'deep', depth: 2 }, 0],
    ['deep linear L = 3', { ...base, model: 'deep', depth: 3 }, 0],
    ['ReLU MLP', { ...base, model: 'mlp', hidden: 7 }, 5],
  ];
  for (const [name, spec, hidden] of cases) {
    it(`${name}: matches central finite differences of a plain-TS loss`, () => {
      engine.scope(() => {
        const t = setup(spec, 31, hidden);
        t.run(3); // move off the initial point (multipliers away from 1)
        t.drawBatch();
        checkFiniteDifferences(t);
      });
    });
  }

  it('spectral regulariser: adds the analytic gradient of λ(log κ − log κ*)² (finite differences), clipped in norm', () => {
    engine.scope(() => {
      const d = 5, lambda = 0.3;
      const t = setup({ ...base, d, specLambda: lambda, specClip: 1e9 }, 41);
      const W = heterogeneousTarget(engine, engine.rng(41, 0), d, d);
      const sStar = engine.singularValues(W).toArray();
      const logKStar = Math.log(sStar[0] / sStar[d - 1]);
      t.params.set(engine.rng(99).normalVector(d * d).toArray());
      t.drawBatch();
      t.gradient(false);
      const g0 = t.grad.toArray();
      t.gradient(true);
      const g1 = t.grad.toArray();
      const reg = (p: Float64Array) =>
        engine.scope(() => {
          const s = engine.singularValues(engine.matrix(d, d, p)).toArray();
          return lambda * (Math.log(s[0] / s[d - 1]) - logKStar) ** 2;
        });
      const p = t.params.toArray();
      const h = 1e-6;
      let norm2 = 0;
      for (let i = 0; i < d * d; i++) {
        const q = p.slice();
        q[i] += h;
        const up = reg(q);
        q[i] -= 2 * h;
        const fd = (up - reg(q)) / (2 * h);
        expect(Math.abs(g1[i] - g0[i] - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
        norm2 += (g1[i] - g0[i]) ** 2;
      }
      expect(Math.sqrt(norm2)).toBeCloseTo(t.lastSpecNorm, 10);

      // clipped: the added term has Frobenius norm exactly specClip
      const clip = Math.sqrt(norm2) / 4;
      const tc = setup({ ...base, d, specLambda: lambda, specClip: clip }, 41);
      tc.params.set(p);
      tc.drawBatch();
      tc.gradient(false);
      const c0 = tc.grad.toArray();
      tc.gradient(true);
      const c1 = tc.grad.toArray();
      let n2 = 0;
      for (let i = 0; i < d * d; i++) {
        n2 += (c1[i] - c0[i]) ** 2;
        expect(c1[i] - c0[i]).toBeCloseTo((g1[i] - g0[i]) / 4, 12);
      }
      expect(Math.sqrt(n2)).toBeCloseTo(clip, 12);
    });
  });
});

describe('optimisers (replayed in plain TS on the same batches)', () => {
  const replay = (spec: TrainSpec, steps: number) =>
    engine.scope(() => {
      const t = setup(spec, 51);
      const oracle = setup(spec, 51); // same streams: used only to draw the same batches
      let p = t.params.toArray();
      const n = p.length, nMain = spec.multipliers ? spec.d * spec.d : n;
      const m = new Float64Array(n), v = new Float64Array(n);
      const [b1, b2, eps] = [0.9, 0.999, 1e-8];
      for (let s = 1; s <= steps; s++) {
        oracle.drawBatch();
        oracle.params.set(p);
        oracle.gradient(false); // the gradient itself is checked above; here the update rule is under test
        const g = oracle.grad.toArray();
        for (let i = 0; i < nMain; i++) g[i] += spec.weightDecay * p[i];
        const q = p.slice();
        for (let i = 0; i < n; i++) {
          const lr = i < nMain ? spec.lr : spec.lr * (spec.multLrFactor ?? 0.1);
          if (spec.optimizer === 'adam') {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            q[i] = p[i] - (lr * (m[i] / (1 - b1 ** s))) / (Math.sqrt(v[i] / (1 - b2 ** s)) + eps);
          } else q[i] = p[i] - lr * g[i];
        }
        p = q;
      }
      expect(t.run(steps)).toBeUndefined();
      const got = t.params.toArray();
      for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(p[i], 13);
    });

  it('SGD', () => replay(base, 6));
  it('SGD + weight decay', () => replay({ ...base, weightDecay: 0.1 }, 6));
  it('Adam (bias-corrected)', () => replay({ ...base, optimizer: 'adam', lr: 1e-2 }, 6));
  it('Adam + weight decay', () => replay({ ...base, optimizer: 'adam', lr: 1e-2, weightDecay: 0.05 }, 6));
  it('SGD with multipliers (r, c at lr × multLrFactor)', () => replay({ ...base, multipliers: true, multLrFactor: 0.1 }, 6));
});

describe('runs', () => {
  it('are bit-identical for the same seed', () => {
    for (const spec of [base, { ...base, optimizer: 'adam' as const, lr: 1e-3 }, { ...base, model: 'deep' as const, depth: 2 }]) {
      const once = () => engine.scope(() => {
        const t = setup({ ...spec, d: 16, batch: 8 }, 61);
        t.run(40);
        return Array.from(t.params.toArray());
      });
      expect(once()).toEqual(once());
    }
  });

  it('one call for many epochs equals many calls of one epoch', () => {
    const run = (chunks: number[]) => engine.scope(() => {
      const t = setup({ ...base, optimizer: 'adam', lr: 1e-2 }, 62);
      for (const e of chunks) t.run(e);
      return Array.from(t.params.toArray());
    });
    expect(run([10])).toEqual(run([1, 2, 3, 7, 10]));
  });

  it('plain SGD (the fused step): keepPrev changes nothing, leaves W before the last step and its full gradient', () => {
    const spec = { ...base, weightDecay: 0.05 };
    const run = (chunks: number[], keep: boolean) => engine.scope(() => {
      const t = setup(spec, 63);
      for (const e of chunks) t.run(e, keep);
      return { p: Array.from(t.params.toArray()), prev: Array.from(t.prev.toArray()), g: Array.from(t.grad.toArray()) };
    });
    const plain = run([9], false), kept = run([2, 5, 9], true);
    expect(kept.p).toEqual(plain.p); // the trajectory does not depend on where the caller split it
    // the gradient left by the last step is (∇loss + wd·W) at the W it left in prev, and W = prev − lr·g
    const g = engine.scope(() => {
      const t = setup(spec, 63);
      t.run(8);
      t.drawBatch();
      t.gradient(true);
      expect(Array.from(t.params.toArray())).toEqual(kept.prev);
      return Array.from(t.grad.toArray());
    });
    for (let i = 0; i < g.length; i++) {
      expect(kept.g[i]).toBeCloseTo(g[i], 13);
      expect(kept.p[i]).toBeCloseTo(kept.prev[i] - spec.lr * g[i], 13);
    }
  });

  it('report divergence at lr = 10 with its epoch and stop there', () => {
    engine.scope(() => {
      const t = setup({ ...base, d: 16, batch: 16, lr: 10 }, 71);
      const stop = t.run(200);
      expect(stop).toBeDefined();
      expect(stop!.epoch).toBeGreaterThan(1);
      expect(stop!.epoch).toBeLessThan(200);
      expect(stop!.reason).toMatch(/non-finite/);
      expect(t.run(300)).toBe(stop); // stays stopped
    });
  });

  it('SVD correction moves every σ a fraction rate toward σ* (lr = 0, every epoch)', () => {
    engine.scope(() => {
      const d = 6, rate = 0.25;
      const t = setup({ ...base, d, lr: 0, svdCorrEvery: 1, svdCorrRate: rate }, 81);
      const before = engine.singularValues(t.weights()).toArray();
      const sStar = engine.singularValues(heterogeneousTarget(engine, engine.rng(81, 0), d, d)).toArray();
      t.run(1);
      const after = engine.singularValues(t.weights()).toArray();
      for (let i = 0; i < d; i++) expect(after[i]).toBeCloseTo(before[i] + rate * (sStar[i] - before[i]), 12);
      // rate 0 must give W back: U and V stay paired with the right σ (singular values alone cannot show that)
      const t0 = setup({ ...base, d, lr: 0, svdCorrEvery: 1, svdCorrRate: 0 }, 81);
      const w0 = t0.weights().toArray();
      t0.run(1);
      const w1 = t0.weights().toArray();
      for (let i = 0; i < w0.length; i++) expect(Math.abs(w1[i] - w0[i])).toBeLessThan(1e-14);
    });
  });

  it('allocate nothing that outlives the scope', () => {
    const start = engine.memoryStats().liveBlocks;
    engine.scope(() => {
      setup({ ...base, model: 'mlp', hidden: 5 }, 1, 5).run(3);
      setup({ ...base, specLambda: 1e-3, svdCorrEvery: 2 }).run(4);
    });
    expect(engine.memoryStats().liveBlocks).toBe(start);
  });
});
