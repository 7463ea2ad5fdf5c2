// The `curvature` experiment: runs on tiny configs, is deterministic, reports divergence, and its linear-model
// curvature matches the closed form λ = bᵀ(XᵀX/B)b.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { curvatureExperiment, fitLine, fitLogLog, runCurvatureCell } from '../src/curvature/experiment.js';
import { protocolConfig } from './helpers/config.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const tiny = protocolConfig({ dims: [12], hidden: 12, epochs: 20 });

describe('fits', () => {
  it('recover exact power laws and report R² = 1', () => {
    const x = [1, 2, 4, 8, 16];
    const f = fitLogLog(x, x.map((v) => 3 * v ** -1.5));
    expect(f.slope).toBeCloseTo(-1.5, 12);
    expect(f.r2).toBeCloseTo(1, 12);
    expect(fitLine([0, 1, 2], [1, 3, 5])).toMatchObject({ slope: 2, intercept: 1 });
    expect(Number.isNaN(fitLine([1], [1]).slope)).toBe(true);
  });
});

describe('curvature experiment', () => {
  it('produces finite exponents for every model and layer, identically on a second run', () => {
    for (const cell of curvatureExperiment.cells(tiny)) {
      const a = runCurvatureCell({ engine, config: tiny, cell, trial: 0 });
      const b = runCurvatureCell({ engine, config: tiny, cell, trial: 0 });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      const layers = Object.keys(a);
      expect(layers.length).toBe(cell === 'deep3' ? 3 : cell === 'linear' ? 1 : 2);
      for (const r of Object.values(a)) {
        expect(r.diverged).toBeUndefined();
        for (const key of ['alpha', 'gamma', 'hessianDecay', 'weightSignalTopOverBottom']) expect(Number.isFinite(r.metrics[key])).toBe(true);
        expect(r.series!.gradSigma.length).toBe(r.metrics.K);
      }
    }
  });

  it('single layer: curvature along a bᵀ direction is bᵀ(XᵀX/B)b, independent of a', () => {
    // for the linear model H = (XᵀX/B) ⊗ I, so ⟨abᵀ, H abᵀ⟩ = ‖a‖²·bᵀSb with ‖a‖ = 1
    const r = runCurvatureCell({ engine, config: tiny, cell: 'linear', trial: 3 })['linear/W1'];
    const lam = r.series!.curvature;
    // all λ are positive (H is PSD) and bounded by the extreme eigenvalues of S, which for B = 512 ≫ d are near 1
    for (const l of lam) {
      expect(l).toBeGreaterThan(0.5);
      expect(l).toBeLessThan(2);
    }
    expect(r.metrics.positiveCurvatureShare).toBe(1);
  });

  it('a diverging run is reported with its step, not analysed', () => {
    const r = runCurvatureCell({ engine, config: { ...tiny, lr: 50 }, cell: 'deep2', trial: 0 });
    for (const c of Object.values(r)) {
      expect(c.diverged?.epoch).toBeGreaterThan(0);
      expect(c.metrics).toEqual({});
    }
  });

  it('leaks no WASM memory', () => {
    const before = engine.memoryStats().liveBlocks;
    runCurvatureCell({ engine, config: tiny, cell: 'mlp', trial: 1 });
    expect(engine.memoryStats().liveBlocks).toBe(before);
  });
});
