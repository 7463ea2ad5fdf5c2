// The `correctives` experiment (hybrid, Muon) and the Muon step inside the WASM trainer.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

describe('correctives experiment', () => {
  const exp = () => getExperiment('correctives');
  const cfg = () => resolveConfig(exp(), 'quick', { dims: [16], epochs: 100, trials: 1 });

  it('runs every corrective with finite metrics, deterministically, leaking nothing', () => {
    const before = engine.memoryStats().liveBlocks;
    const a = exp().runCell({ engine, config: cfg(), cell: 'all', trial: 0 });
    const b = exp().runCell({ engine, config: cfg(), cell: 'all', trial: 0 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(a)).toEqual(['sgd', 'multipliers', 'specreg', 'svdcorr', 'hybrid', 'muon', 'svmult', 'orthreg', 'pss', 'st', 'sdtop', 'sdbottom']);
    for (const r of Object.values(a)) for (const v of Object.values(r.metrics)) expect(Number.isFinite(v)).toBe(true);
    expect(engine.memoryStats().liveBlocks).toBe(before);
  });

  it('hybrid has the multipliers (same W_eff parametrisation) and the regulariser both active', () => {
    const r = exp().runCell({ engine, config: cfg(), cell: 'all', trial: 1 });
    // multipliers change the norm error; the regulariser changes the trajectory on top of them
    expect(r.hybrid.metrics.rowNormErr).toBeLessThan(r.sgd.metrics.rowNormErr);
    expect(r.hybrid.metrics.kappaErr).not.toBe(r.multipliers.metrics.kappaErr);
  });

  it('Muon equalises the step across singular directions, so norms converge far faster than with SGD', () => {
    for (const trial of [0, 1, 2]) {
      const r = exp().runCell({ engine, config: cfg(), cell: 'all', trial });
      expect(r.muon.metrics.rowNormErr).toBeLessThan(0.5 * r.sgd.metrics.rowNormErr);
    }
  });
});
