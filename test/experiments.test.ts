// Every experiment's runCell on a tiny configuration: the conditions and metrics it promises, determinism,
// shared targets/batches across cells, and the registry.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { paperExperiments as experiments, getExperiment, resolveConfig, DEFAULT_CONFIG } from '../src/experiments/index.js';
import type { RunConfig } from '../src/experiments/types.js';
import { COMPONENT_METRICS } from '../src/metrics/index.js';
import { protocolConfig } from './helpers/config.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const tiny = (over: Partial<RunConfig> = {}): RunConfig =>
  protocolConfig({ dims: [8, 16], epochs: 30, trials: 1, hidden: 8, evalEvery: 5, lrs: [0.001, 0.01, 0.05], weightDecays: [0, 1e-2], ...over });

const expected: Record<string, (cfg: RunConfig) => string[]> = {
  exp1: (c) => c.dims.map((d) => `d=${d}`),
  exp2: () => ['sgd', 'adam'],
  exp3: () => ['sgd', 'spectrum'],
  exp4: () => ['sgd', 'multipliers', 'specreg', 'svdcorr'],
  exp5: () => ['sgd'],
  exp6: () => ['heterogeneous', 'lowrank', 'blockdiag'].flatMap((t) => [`${t}/standard`, `${t}/multipliers`]),
  exp7: (c) => [...c.depths.map((L) => `depth${L}`), 'mlp'],
  exp8: (c) => [...c.lrs.map((x) => `lr=${x}`), ...c.weightDecays.map((x) => `wd=${x}`)],
  exp9: () => ['sgd'],
};

describe('registry', () => {
  it('holds exp1 … exp9 with both presets', () => {
    expect(experiments.map((e) => e.id)).toEqual(['exp1', 'exp2', 'exp3', 'exp4', 'exp5', 'exp6', 'exp7', 'exp8', 'exp9']);
    for (const e of experiments) {
      expect(getExperiment(e.id)).toBe(e);
      expect(Object.keys(e.presets).sort()).toEqual(['paper', 'quick']);
    }
    expect(() => getExperiment('exp10')).toThrow(/unknown experiment/);
  });

  it('paper presets carry PROTOCOL.md settings', () => {
    const p = (id: string) => resolveConfig(getExperiment(id), 'paper');
    expect(p('exp1').dims).toEqual([32, 64, 128, 256, 512]);
    expect(p('exp1').trials).toBe(15);
    expect(p('exp2').dims[0]).toBe(128);
    expect(p('exp9')).toMatchObject({ dims: [128], epochs: 1000, trials: 10 });
    expect(p('exp7')).toMatchObject({ dims: [64], trials: 10, hidden: 64, epochs: 200 });
    expect(DEFAULT_CONFIG).toMatchObject({ lr: 0.01, adamLr: 1e-3, batch: 64, noise: 0.01, initStd: 0.02, seed: 42, seedStride: 100 });
  });
});

describe('runCell on a tiny config', () => {
  for (const exp of experiments) {
    it(`${exp.id}: every condition with finite component metrics, deterministic`, () => {
      const cfg = resolveConfig(exp, 'quick', tiny());
      Object.assign(cfg, tiny()); // the tiny sizes win over the preset
      const run = () => {
        const out: Record<string, unknown> = {};
        for (const cell of exp.cells(cfg)) Object.assign(out, exp.runCell({ engine, config: cfg, cell, trial: 1 }));
        return out as Record<string, { metrics: Record<string, number>; series?: Record<string, number[]>; seriesEpochs?: number[]; diverged?: unknown }>;
      };
      const before = engine.memoryStats().liveBlocks;
      const a = run();
      expect(engine.memoryStats().liveBlocks).toBe(before);
      expect(Object.keys(a)).toEqual(expected[exp.id](cfg));
      for (const [cond, r] of Object.entries(a)) {
        expect(r.diverged).toBeUndefined();
        if (cond === 'spectrum' || cond === 'mlp') continue;
        for (const m of COMPONENT_METRICS) {
          if (cond.startsWith('lowrank/') && (m === 'kappaErr' || m === 'logKappaErr')) continue; // κ(W*) is numerically ∞
          expect(Number.isFinite(r.metrics[m]), `${cond}.${m} = ${r.metrics[m]}`).toBe(true);
        }
        if (r.series) for (const s of Object.values(r.series)) expect(s.length).toBe(r.seriesEpochs!.length);
      }
      expect(JSON.stringify(run())).toBe(JSON.stringify(a));
    });
  }

  it('exp3 records the gradient signal per singular value and σ trajectories', () => {
    const cfg = tiny({ dims: [8] });
    const r = getExperiment('exp3').runCell({ engine, config: cfg, cell: 'all', trial: 0 });
    expect(r.sgd.seriesEpochs).toEqual([5, 10, 15, 20, 25, 30]);
    expect(r.spectrum.series!.gradSignal).toHaveLength(8);
    expect(r.sgd.metrics.gradRatio).toBeGreaterThan(0);
    const s = r.sgd.series!;
    for (let i = 0; i < s.sigma1.length; i++) expect(s.sigma1[i]).toBeGreaterThanOrEqual(s.sigmaMin[i]);
  });

  it('cells of one trial share the target: exp8 lr=0.01 equals exp1 at the same d and wd=0', () => {
    const cfg = tiny({ dims: [8], lrs: [0.01], weightDecays: [0] });
    const e8 = getExperiment('exp8');
    const a = e8.runCell({ engine, config: cfg, cell: 'lr=0.01', trial: 2 })['lr=0.01'];
    const b = e8.runCell({ engine, config: cfg, cell: 'wd=0', trial: 2 })['wd=0'];
    const c = getExperiment('exp1').runCell({ engine, config: cfg, cell: 'd=8', trial: 2 })['d=8'];
    expect(a.metrics.rowNormErr).toBe(b.metrics.rowNormErr);
    expect(a.metrics.kappaErr).toBe(c.metrics.kappaErr);
    expect(a.metrics.overallErr).toBe(c.metrics.overallErr);
  });

  it('a diverging condition reports its epoch and no metrics', () => {
    // |1 − lr·λ(XᵀX/B)| is up to ~9 per step: the loss overflows after ~160 epochs (non-finite is the only criterion)
    const cfg = tiny({ dims: [16], lrs: [10], weightDecays: [], epochs: 300 });
    const r = getExperiment('exp8').runCell({ engine, config: cfg, cell: 'lr=10', trial: 0 })['lr=10'];
    expect(r.diverged!.epoch).toBeGreaterThan(0);
    expect(r.diverged!.epoch).toBeLessThan(300);
    expect(r.metrics).toEqual({});
  });
});
