// Representative spectra (src/experiments/spectra.ts): the stored σ̂ equal an independent (Jacobi) SVD of the
// trained weights re-trained here, σ* equal the target's, trajectory endpoints equal the final metrics, trial 1 stores
// none, the gap is the log ratio, and the figures have one marker per stored value.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { exp4 } from '../src/experiments/exp4.js';
import { resolveConfig } from '../src/experiments/defaults.js';
import { baseSeed, linearTeacher, methodSpec, trainStreams, trialTarget } from '../src/experiments/common.js';
import { Trainer } from '../src/train/trainer.js';
import { spectrumEpochs } from '../src/experiments/spectra.js';
import { spectraFigures, spectrumGap } from '../src/report/spectra_figures.js';
import { assembleResults } from '../src/runner/assemble.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const config = () => resolveConfig(exp4, 'quick', { dims: [6], epochs: 12, trials: 2, batch: 8 });

describe('representative spectra', () => {
  it('stores σ̂ = an independent SVD of the trained W, σ* = the target, endpoints = final metrics', () => {
    const cfg = config();
    const r0 = exp4.runCell({ engine, config: cfg, cell: 'all', trial: 0 });
    const r1 = exp4.runCell({ engine, config: cfg, cell: 'all', trial: 1 });
    for (const [m, res] of Object.entries(r0)) {
      const sp = res.spectra!.W;
      expect(r1[m].spectra).toBeUndefined();
      const { star, sv } = engine.scope(() => {
        const ref = trialTarget(engine, cfg, 0, 6);
        const t = Trainer.create(engine, methodSpec(cfg, 6, m as 'sgd'), linearTeacher(ref), trainStreams(engine, baseSeed(cfg, 0)));
        t.run(cfg.epochs);
        return { star: Array.from(ref.c.sv), sv: Array.from(engine.svd(t.weights()).s.toArray()) };
      });
      expect(sp.target).toEqual(star);
      sp.trained.forEach((s, i) => expect(Math.abs(s - sv[i])).toBeLessThan(1e-12 * sv[0]));
      expect(sp.epochs).toEqual(spectrumEpochs(cfg.epochs));
      expect(sp.epochs[sp.epochs.length - 1]).toBe(cfg.epochs);
      expect(sp.sigma1[sp.sigma1.length - 1]).toBe(sp.trained[0]);
      expect(sp.sigmaMin[sp.sigmaMin.length - 1]).toBe(sp.trained[5]);
      expect(sp.sigma1[sp.sigma1.length - 1] / sp.sigmaMin[sp.sigmaMin.length - 1]).toBeCloseTo(res.metrics.kappa, 10);
    }
  });

  it('gap = ln(σ̂/σ*) per index', () => {
    const g = spectrumGap([4, 1, 0.5], [2, 1, 1]);
    expect(g[0]).toBeCloseTo(Math.log(2), 14);
    expect(g[1]).toBe(0);
    expect(g[2]).toBeCloseTo(-Math.log(2), 14);
  });

  it('figures: one titled marker per stored value', async () => {
    const cfg = config();
    const recs = [0, 1].map((trial) => ({ trial, cell: 'all', seed: baseSeed(cfg, trial), result: exp4.runCell({ engine, config: cfg, cell: 'all', trial }) }));
    const r = assembleResults(exp4, cfg, recs, { wallMs: 0, workers: 1, startedAt: '', cellMs: {} });
    const figs = await spectraFigures(r);
    expect(figs.map((f) => f.id)).toEqual(['spectra', 'spectrum-gap', 'sigma-trajectory']);
    const marks = (svg: string) => (svg.match(/<title>/g) ?? []).length;
    const n = 4; // conditions; one shared target
    expect(marks(figs[0].svg)).toBe((n + 1) * 6);
    expect(marks(figs[1].svg)).toBe(n * 6);
    expect(marks(figs[2].svg)).toBe(n * 2 * spectrumEpochs(cfg.epochs).length);
    for (const f of figs) expect(f.svg).toMatch(/normalised index|epoch/);
  });
});
