// Spectral-transfer steps (assembly/train/spectral_transfer.ts; seed 004 §7.3): φ against a plain-TS transcription,
// the step against an oracle built from a different decomposition (the eigen-decomposition of GᵀG, so φ is applied
// in the right basis only if the WASM step uses G's right AND left singular vectors correctly), the α = 0 and α = 1
// identities, invariance under orthogonal changes of input and output basis, the trainer's step, divergence.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { symmetricEigen } from '../src/curvature/symmetric_eigen.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import { dense, matmul, transpose, orthonormalFrom, orthogonalityError, type Dense } from '../src/testing/index.js';
import { wasmOf } from '../src/engine/internal.js';
import { baseSpec, setupTrainer } from './helpers/train.js';
import type { TrainSpec } from '../src/train/trainer.js';
import { H, type TrainExports } from '../src/train/layout.js';
import { DenseChain } from '../src/curvature/chain.js';
import { fitLogLog } from '../src/curvature/fit.js';

let engine: Engine;
let w: TrainExports;
beforeAll(async () => {
  engine = await Engine.load();
  w = wasmOf(engine) as unknown as TrainExports;
});

/** φ of spectral_transfer.ts in plain TS: s^(1−α)/max over kept, kept = s ≥ τ·s₁ and s > 0. */
function phiRef(s: number[], alpha: number, tau: number): number[] {
  const f = s.map((x) => (x > 0 && x >= tau * s[0] ? x ** (1 - alpha) : 0));
  const top = Math.max(...f);
  return top > 0 ? f.map((x) => x / top) : f.map(() => 0);
}

/** The step direction U·diag(φ)·Vᵀ from the eigen-decomposition GᵀG = V·diag(s²)·Vᵀ: U·diag(φ)·Vᵀ = G·V·diag(φ/s)·Vᵀ. */
function stepRef(g: Dense, alpha: number, tau: number): Dense {
  const d = g.cols;
  const { values, vectors } = symmetricEigen(d, matmul(transpose(g), g).data);
  const s = Array.from(values, (l) => Math.sqrt(Math.max(l, 0)));
  const phi = phiRef(s, alpha, tau);
  const M = dense(d, d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) if (phi[k] > 0) acc += vectors[i * d + k] * (phi[k] / s[k]) * vectors[j * d + k];
      M.data[i * d + j] = acc;
    }
  return matmul(g, M);
}

/** −Δp/lr of one spectralTransferApply call on G (d×d) from p = 0. */
function stepWasm(g: Dense, alpha: number, tau: number): Dense {
  const d = g.rows;
  return engine.scope(() => {
    const G = engine.matrix(d, d, g.data), P = engine.matrix(d, d);
    const s = engine.vector(d), U = engine.matrix(d, d), V = engine.matrix(d, d), US = engine.matrix(d, d);
    const st = w.spectralTransferApply(d, G.ptr, P.ptr, 1, alpha, tau, s.ptr, U.ptr, V.ptr, US.ptr);
    expect(st).toBeGreaterThanOrEqual(0);
    return dense(d, d, P.toArray().map((x) => -x));
  });
}

/** G with singular values spread over `decades` decades (distinct, so the oracle's eigen-basis is well defined). */
function spreadMatrix(d: number, seed: number, decades: number): Dense {
  return engine.scope(() => {
    const rng = engine.rng(seed);
    const Q1 = orthonormalFrom(dense(d, d, rng.normalMatrix(d, d).toArray()));
    const Q2 = orthonormalFrom(dense(d, d, rng.normalMatrix(d, d).toArray()));
    const S = dense(d, d);
    for (let k = 0; k < d; k++) S.data[k * d + k] = 10 ** (-decades * k / Math.max(1, d - 1)) * (1 + 0.1 * Math.sin(seed + k));
    return matmul(matmul(Q1, S), transpose(Q2));
  });
}

const maxAbsDiff = (a: Dense, b: Dense) => a.data.reduce((m, x, i) => Math.max(m, Math.abs(x - b.data[i])), 0);

describe('spectral-transfer weights φ', () => {
  it('equal s^(1−α)/max(kept) with s < τ·s₁ dropped (plain-TS transcription)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: -1, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (raw, alpha, tau) => {
          const s = [...raw].sort((a, b) => b - a);
          const d = s.length;
          const got = engine.scope(() => {
            const sv = engine.vector(d, s), phi = engine.vector(d);
            const kept = w.spectralTransferWeights(d, sv.ptr, phi.ptr, alpha, tau);
            expect(kept).toBe(s.filter((x) => x >= tau * s[0]).length);
            return phi.toArray();
          });
          const ref = phiRef(s, alpha, tau);
          got.forEach((x, k) => expect(Math.abs(x - ref[k])).toBeLessThanOrEqual(1e-12 * Math.max(1, ref[k])));
          expect(Math.max(...got)).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('are all zero for G = 0 (no step)', () => {
    engine.scope(() => {
      const sv = engine.vector(3), phi = engine.vector(3, [7, 7, 7]);
      expect(w.spectralTransferWeights(3, sv.ptr, phi.ptr, 2, 0.01)).toBe(0);
      expect(Array.from(phi.toArray())).toEqual([0, 0, 0]);
    });
  });
});

describe('spectral-transfer step U·diag(φ)·Vᵀ', () => {
  it('applies φ in G\'s singular basis (oracle from the eigen-decomposition of GᵀG), every α and τ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.nat(10_000), fc.constantFrom(0, 0.5, 1, 1.5, 2, -0.5), fc.constantFrom(0, 0.01, 0.2), (d, seed, alpha, tau) => {
        const g = spreadMatrix(d, seed, 2);
        const ours = stepWasm(g, alpha, tau), ref = stepRef(g, alpha, tau);
        expect(maxAbsDiff(ours, ref)).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 150 },
    );
  });

  it('α = 0 is the normalised gradient G/‖G‖₂, to rounding', () => {
    for (const seed of [1, 2, 3]) {
      const g = spreadMatrix(8, seed, 1.5);
      const s1 = engine.scope(() => engine.singularValues(engine.matrix(8, 8, g.data)).toArray()[0]);
      const ours = stepWasm(g, 0, 0);
      expect(maxAbsDiff(ours, dense(8, 8, g.data.map((x) => x / s1)))).toBeLessThanOrEqual(1e-14);
    }
  });

  it('α = 1 is the orthogonal polar factor of G (QᵀQ = I and QᵀG symmetric positive definite), to rounding', () => {
    for (const seed of [4, 5, 6]) {
      const g = spreadMatrix(10, seed, 3);
      const q = stepWasm(g, 1, 0);
      expect(orthogonalityError(q)).toBeLessThanOrEqual(1e-13);
      const qg = matmul(transpose(q), g);
      expect(maxAbsDiff(qg, transpose(qg))).toBeLessThanOrEqual(1e-13);
      const { values } = symmetricEigen(10, qg.data);
      expect(Math.min(...values)).toBeGreaterThan(0);
    }
  });

  it('is equivariant under orthogonal changes of input and output basis: step(Q₁GQ₂ᵀ) = Q₁·step(G)·Q₂ᵀ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.nat(10_000), fc.constantFrom(0, 1, 2, 0.7), (d, seed, alpha) => {
        const g = spreadMatrix(d, seed, 2);
        const [q1, q2] = engine.scope(() => {
          const rng = engine.rng(seed + 1);
          return [orthonormalFrom(dense(d, d, rng.normalMatrix(d, d).toArray())), orthonormalFrom(dense(d, d, rng.normalMatrix(d, d).toArray()))];
        });
        const rotated = stepWasm(matmul(matmul(q1, g), transpose(q2)), alpha, 0.01);
        const expected = matmul(matmul(q1, stepWasm(g, alpha, 0.01)), transpose(q2));
        expect(maxAbsDiff(rotated, expected)).toBeLessThanOrEqual(1e-10);
      }),
      { numRuns: 100 },
    );
  });
});

describe('spectral transfer in the trainer', () => {
  const spec: TrainSpec = { ...baseSpec, optimizer: 'st', lr: 0.05, stAlpha: 2, stTau: 0.01 };

  it('one step is W₀ − lr·step(g) for the gradient of the batch it drew (β = 0: G = g)', () => {
    for (const alpha of [0, 1, 2]) {
      engine.scope(() => {
        const t = setupTrainer(engine, { ...spec, stAlpha: alpha, beta1: 0 });
        const p0 = t.params.toArray();
        t.run(1, true);
        const g = dense(6, 6, t.grad.toArray());
        const ref = stepRef(g, alpha, 0.01);
        const p1 = t.params.toArray();
        p1.forEach((x, i) => expect(Math.abs(x - (p0[i] - 0.05 * ref.data[i]))).toBeLessThanOrEqual(1e-11));
      });
    }
  });

  it('with momentum the second step uses G = g₂ + β(βg₁ + g₂), Muon\'s Nesterov form', () => {
    engine.scope(() => {
      const beta = 0.9;
      const t = setupTrainer(engine, { ...spec, beta1: beta });
      t.run(1, true);
      const g1 = t.grad.toArray();
      t.run(2, true);
      const p1 = t.prev.toArray(), g2 = t.grad.toArray(), p2 = t.params.toArray();
      const G = dense(6, 6, g2.map((x, i) => x + beta * (beta * g1[i] + x)));
      const ref = stepRef(G, 2, 0.01);
      p2.forEach((x, i) => expect(Math.abs(x - (p1[i] - 0.05 * ref.data[i]))).toBeLessThanOrEqual(1e-11));
    });
  });

  it('refuses bad α, τ and multipliers with a CondlabError naming the value', () => {
    engine.scope(() => {
      expect(() => setupTrainer(engine, { ...spec, stTau: 1 })).toThrow(/τ = 1; must be a number in \[0, 1\)/);
      expect(() => setupTrainer(engine, { ...spec, stAlpha: Number.NaN })).toThrow(/α = NaN/);
      expect(() => setupTrainer(engine, { ...spec, multipliers: true })).toThrow(/does not combine with multipliers/);
    });
  });

  it('a diverging run is reported as diverged with its epoch and reason, never as metrics', () => {
    const exp = getExperiment('spectral');
    const cfg = resolveConfig(exp, 'quick', { dims: [8], epochs: 50, trials: 1, stLr: 1e300, stAlphas: [2] });
    const r = exp.runCell({ engine, config: cfg, cell: 'st=2', trial: 0 })['st=2'];
    expect(r.diverged).toBeDefined();
    expect(r.diverged!.epoch).toBeGreaterThan(0);
    expect(r.diverged!.reason).toMatch(/non-finite|SVD/);
    expect(r.metrics).toEqual({});
  });
});

describe('adaptive α', () => {
  const spec: TrainSpec = { ...baseSpec, d: 7, batch: 9, optimizer: 'st', lr: 0.05, stAlpha: 1, stTau: 0.1, stAdaptEvery: 3, stAdaptK: 5 };

  /** α fitted independently: SVD of g, curvature ⟨D, H·D⟩ by the dense chain's R-operator HVP at W, log-log slope. */
  function alphaRef(W: Float64Array, g: Float64Array, X: Float64Array, Y: Float64Array, d: number, B: number, K: number, tau: number): number {
    return engine.scope(() => {
      const chain = new DenseChain(engine, { dims: [d, d], activation: 'linear', loss: 'mse' }, engine.vector(d * d, W), engine.matrix(B, d, X), engine.matrix(B, d, Y));
      const grad = engine.vector(d * d);
      chain.gradient(grad);
      grad.toArray().forEach((x, i) => expect(Math.abs(x - g[i])).toBeLessThanOrEqual(1e-12)); // same loss scaling
      const { s, U, V } = engine.svd(engine.matrix(d, d, g));
      const sv = s.toArray(), u = U!.toArray(), v = V!.toArray();
      const ss: number[] = [], hs: number[] = [];
      const D = engine.vector(d * d), HD = engine.vector(d * d);
      for (let k = 0; k < Math.min(K, d) && sv[k] >= tau * sv[0]; k++) {
        const dd = D.data();
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) dd[i * d + j] = u[i * d + k] * v[j * d + k];
        chain.hvp(D, HD);
        const a = D.toArray(), b = HD.toArray();
        ss.push(sv[k]);
        hs.push(a.reduce((acc, x, i) => acc + x * b[i], 0));
      }
      chain.free();
      return fitLogLog(ss, hs).slope;
    });
  }

  it('measures α at steps 1, 1 + N, … as the log-log slope of exact curvature vs gradient singular value, clamped to [0, 2]', () => {
    engine.scope(() => {
      const t = setupTrainer(engine, spec, 11);
      let measured = 0;
      for (let step = 1; step <= 7; step++) {
        const before = t.stAlpha;
        t.run(step, true);
        const { X, Y } = t.batch();
        const after = t.stAlpha;
        if ((step - 1) % 3 === 0) {
          const ref = alphaRef(t.prev.toArray(), t.grad.toArray(), X, Y, 7, 9, 5, 0.1);
          expect(Math.abs(after.fit - ref)).toBeLessThanOrEqual(1e-9);
          expect(after.alpha).toBe(Math.min(2, Math.max(0, after.fit)));
          measured++;
        } else {
          expect(after).toEqual(before); // between measurements α is held
        }
      }
      expect(measured).toBe(3);
    });
  });

  it('a step taken right after a measurement uses the measured α', () => {
    engine.scope(() => {
      const t = setupTrainer(engine, { ...spec, beta1: 0 }, 11);
      const p0 = t.params.toArray();
      t.run(1, true);
      const alpha = t.stAlpha.alpha;
      expect(alpha).not.toBe(1);
      const ref = stepRef(dense(7, 7, t.grad.toArray()), alpha, 0.1);
      t.params.toArray().forEach((x, i) => expect(Math.abs(x - (p0[i] - 0.05 * ref.data[i]))).toBeLessThanOrEqual(1e-11));
    });
  });

  it('recovers a planted exponent exactly and clamps it to [0, 2] (XᵀX/B = diag(c), g = diag(s), c = s^a)', () => {
    const d = 6, B = 6;
    for (const [planted, used] of [[0.7, 0.7], [3, 2], [-1, 0], [1.9, 1.9]]) {
      engine.scope(() => {
        const t = setupTrainer(engine, { ...baseSpec, d, batch: B, optimizer: 'st', stTau: 0, stAdaptEvery: 1, stAdaptK: 8 }, 3);
        const mem = new Float64Array(engine.memory.buffer);
        const h = t.header.data();
        const x = h[H.X] / 8, g = h[H.GRAD] / 8;
        const s = [5, 3, 2, 1.5, 1, 0.5];
        for (let i = 0; i < d * d; i++) mem[x + i] = mem[g + i] = 0;
        for (let k = 0; k < d; k++) {
          mem[g + k * d + k] = s[k];
          mem[x + k * d + k] = Math.sqrt(B * s[k] ** planted);
        }
        expect(w.spectralTransferMeasure(t.header.ptr, t.grad.ptr)).toBeGreaterThanOrEqual(0);
        expect(Math.abs(t.stAlpha.fit - planted)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(t.stAlpha.alpha - used)).toBeLessThanOrEqual(1e-12);
      });
    }
  });

  it('refuses a bad period or K', () => {
    engine.scope(() => {
      expect(() => setupTrainer(engine, { ...spec, stAdaptEvery: 1.5 })).toThrow(/adapt every 1.5 steps/);
      expect(() => setupTrainer(engine, { ...spec, stAdaptK: 1 })).toThrow(/K = 1 directions/);
    });
  });
});

describe('the spectral experiment', () => {
  const exp = () => getExperiment('spectral');
  it('has SGD, Muon and one cell per α; paired (same target, W₀, batches); deterministic; leaks nothing', () => {
    const cfg = resolveConfig(exp(), 'quick', { dims: [8], epochs: 30, trials: 1, stAlphas: [0, 1, 2, 1] });
    expect(exp().cells(cfg)).toEqual(['sgd', 'muon', 'st=0', 'st=1', 'st=2', 'st=adaptive']);
    expect(exp().cells({ ...cfg, stAdaptEvery: 0 })).toEqual(['sgd', 'muon', 'st=0', 'st=1', 'st=2']);
    const before = engine.memoryStats().liveBlocks;
    const a = exp().runCell({ engine, config: cfg, cell: 'st=1', trial: 0 });
    const b = exp().runCell({ engine, config: cfg, cell: 'st=1', trial: 0 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(engine.memoryStats().liveBlocks).toBe(before);
    // exact polar step and Muon's Newton–Schulz approximation of it follow close but not identical paths
    const muon = exp().runCell({ engine, config: cfg, cell: 'muon', trial: 0 }).muon.metrics;
    expect(Math.abs(a['st=1'].metrics.overallErr - muon.overallErr)).toBeLessThan(0.5 * muon.overallErr);
    expect(a['st=1'].metrics.overallErr).not.toBe(muon.overallErr);
    const ad = exp().runCell({ engine, config: cfg, cell: 'st=adaptive', trial: 0 })['st=adaptive'].metrics;
    expect(ad.stAlpha).toBeGreaterThanOrEqual(0);
    expect(ad.stAlpha).toBeLessThanOrEqual(2);
    expect(Number.isFinite(ad.stAlphaFit)).toBe(true);
  });
});
