// The ablation experiments (src/experiments/ablations/) on d = 8: a cell per grid value, conditions paired (every
// cell of a trial, in every ablation, sees the same W*, W₀ draw and batches), the ablated knob actually reaching the
// trainer, lr·epochs held fixed in abl-lrtime, divergence reported per condition and never averaged, identical JSON
// with 0 and 2 workers, and a figure per ablation in the report.
import { beforeAll, describe, expect, it } from 'vitest';
// imported before figures.ts on purpose: the two modules refer to each other, and either load order must work
import { ABLATION_SPECS, axisFor } from '../src/report/ablation_figures.js';
import { figuresFor } from '../src/report/figures.js';
import { Engine } from '../src/engine/index.js';
import { CondlabError } from '../src/engine/errors.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import { ablationExperiments, epochsAtFixedSamples, epochsAtFixedTime } from '../src/experiments/ablations/index.js';
import type { CellResult, RunConfig } from '../src/experiments/types.js';
import { runExperiment } from '../src/runner/index.js';
import { withoutTiming } from '../src/runner/assemble.js';
import { linearSpec, runLinear, trialTarget } from '../src/experiments/common.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const IDS = ['abl-init', 'abl-noise', 'abl-scale', 'abl-multlr', 'abl-specreg', 'abl-lrtime', 'abl-batch'];

const tiny = (id: string, over: Partial<RunConfig> = {}): RunConfig =>
  resolveConfig(getExperiment(id), 'quick', { dims: [8], batch: 8, epochs: 40, trials: 1, ...over });

/** Every cell of one trial, in process. */
function run(id: string, config: RunConfig, trial = 0): CellResult {
  const exp = getExperiment(id);
  const out: CellResult = {};
  for (const cell of exp.cells(config)) Object.assign(out, exp.runCell({ engine, config, cell, trial }));
  return out;
}

const KEYS = ['rowNormErr', 'colNormErr', 'kappaErr', 'overallErr', 'finalLoss'] as const;
const metricsOf = (r: CellResult, c: string) => KEYS.map((k) => r[c].metrics[k]);

describe('ablation experiments: registry and cells', () => {
  it('are registered (in `run all`) with quick and paper presets at d = 64', () => {
    expect(ablationExperiments.map((e) => e.id)).toEqual(IDS);
    for (const e of ablationExperiments) {
      expect(getExperiment(e.id)).toBe(e);
      expect(resolveConfig(e, 'paper')).toMatchObject({ dims: [64], trials: 10, epochs: 200, lr: 0.01 });
      expect(resolveConfig(e, 'quick').dims).toEqual([64]);
    }
  });

  it('have one cell per grid value (repeats dropped), plain SGD beside multipliers and the regulariser', () => {
    const cells = (id: string, over: Partial<RunConfig>) => getExperiment(id).cells(tiny(id, over));
    expect(cells('abl-init', {})).toEqual(['init=zeros', 'init=gauss', 'init=xavier']);
    expect(cells('abl-noise', { noises: [0, 0.1, 0.1] })).toEqual(['noise=0', 'noise=0.1']);
    expect(cells('abl-scale', { targetScales: [0.1, 1, 10] })).toEqual(['scale=0.1', 'scale=1', 'scale=10']);
    expect(cells('abl-multlr', { multLrFactors: [0.01, 1] })).toEqual(['sgd', 'multlr=0.01', 'multlr=1']);
    expect(cells('abl-specreg', { specLambdas: [1e-4, 0.1], specClips: [1, 2, 3] }))
      .toEqual(['sgd', ...['0.0001', '0.1'].flatMap((l) => [1, 2, 3].map((c) => `lambda=${l},clip=${c}`))]);
    expect(cells('abl-lrtime', { lrs: [0.005, 0.02] })).toEqual(['lr=0.005', 'lr=0.02']);
    // the paper grids are the config's defaults
    expect(getExperiment('abl-specreg').cells(resolveConfig(getExperiment('abl-specreg'), 'paper'))).toHaveLength(1 + 4 * 3);
  });

  it('cost cells by their work: epochs, the regulariser\'s per-step SVD, d', () => {
    const e = getExperiment('abl-lrtime');
    const lt = resolveConfig(e, 'paper');
    expect(e.cellCost!(lt, 'lr=0.001') / e.cellCost!(lt, 'lr=0.01')).toBeGreaterThan(8); // 2000 vs 200 epochs
    const sr = tiny('abl-specreg', { dims: [64], batch: 64, specLambdas: [1e-3], specClips: [1] });
    const s = getExperiment('abl-specreg');
    expect(s.cellCost!(sr, 'lambda=0.001,clip=1') / s.cellCost!(sr, 'sgd')).toBeGreaterThan(5);
    const i = getExperiment('abl-init');
    expect(i.cellCost!(tiny('abl-init', { dims: [128] }), 'init=zeros')).toBeGreaterThan(3 * i.cellCost!(tiny('abl-init', { dims: [64] }), 'init=zeros'));
  });
});

describe('ablation experiments: paired conditions, the knob reaches the trainer', () => {
  it('the reference condition of every ablation is the same run: same W*, W₀ and batches', () => {
    const over = { noise: 0.01, initStd: 0.02, init: 'gauss' as const, lr: 0.01, targetScale: 1 };
    const ref = {
      'abl-init': 'init=gauss', 'abl-noise': 'noise=0.01', 'abl-scale': 'scale=1', 'abl-multlr': 'sgd', 'abl-specreg': 'sgd', 'abl-lrtime': 'lr=0.01',
      'abl-batch': 'B=8,steps',
    } as const;
    const got = IDS.map((id) => {
      const r = run(id, tiny(id, { ...over, multLrFactors: [0.1], specLambdas: [1e-3], specClips: [1], lrs: [0.01], batches: [8] }), 1);
      return metricsOf(r, ref[id as keyof typeof ref]);
    });
    for (const g of got.slice(1)) expect(g).toEqual(got[0]);
    // … and another trial is another target
    expect(metricsOf(run('abl-init', tiny('abl-init', over), 0), 'init=gauss')).not.toEqual(got[0]);
  });

  it('abl-init: zeros / gauss / xavier scale the same W₀ draw', () => {
    const d = 8;
    const r = run('abl-init', tiny('abl-init', { epochs: 5 }));
    const err = ['zeros', 'gauss', 'xavier'].map((k) => r[`init=${k}`].metrics.overallErr);
    expect(new Set(err).size).toBe(3);
    // Xavier N(0, 2/(d + d)) is the Gaussian init with initStd = 1/√d on the same draw
    const g = run('abl-init', tiny('abl-init', { epochs: 5, inits: ['gauss'], initStd: 1 / Math.sqrt(d) }))['init=gauss'].metrics;
    for (const k of KEYS) expect(r['init=xavier'].metrics[k]).toBeCloseTo(g[k], 10);
    // with lr = 0 nothing moves: W = 0 gives overall error exactly 1
    const z = run('abl-init', tiny('abl-init', { lr: 0, inits: ['zeros', 'gauss'] }));
    expect(z['init=zeros'].metrics.overallErr).toBe(1);
    expect(z['init=gauss'].metrics.overallErr).not.toBe(1);
  });

  it('abl-noise: the noise reaches Y, on the same inputs (tiny noise ≈ no noise, trained)', () => {
    const still = run('abl-noise', tiny('abl-noise', { lr: 0, noises: [0, 0.5] }));
    expect(still['noise=0'].metrics.overallErr).toBe(still['noise=0.5'].metrics.overallErr); // same W*, W₀
    expect(still['noise=0'].metrics.finalLoss).not.toBe(still['noise=0.5'].metrics.finalLoss);
    const r = run('abl-noise', tiny('abl-noise', { noises: [0, 1e-9, 0.3] }));
    for (const k of ['rowNormErr', 'kappaErr', 'overallErr']) {
      expect(Math.abs(r['noise=0'].metrics[k] - r['noise=1e-9'].metrics[k])).toBeLessThan(1e-6);
      expect(Math.abs(r['noise=0'].metrics[k] - r['noise=0.3'].metrics[k])).toBeGreaterThan(1e-4);
    }
  });

  it('abl-scale: relative errors are scale-free with zero init and no noise; the absolute init breaks it', () => {
    // W − W* evolves linearly and equivariantly in s
    const r = run('abl-scale', tiny('abl-scale', { init: 'zeros', noise: 0, targetScales: [0.5, 4] }));
    const a = r['scale=0.5'].metrics, b = r['scale=4'].metrics;
    for (const m of ['rowNormErr', 'colNormErr', 'kappaErr', 'overallErr']) expect(Math.abs(a[m] - b[m])).toBeLessThan(1e-9 * (1 + a[m]));
    expect(b.finalLoss / a.finalLoss).toBeCloseTo(64, 6); // the absolute loss scales with s²
    // with the protocol's absolute init std the leftover init matters more on a smaller target
    const g = run('abl-scale', tiny('abl-scale', { noise: 0, targetScales: [0.1, 10] }));
    expect(g['scale=0.1'].metrics.overallErr).toBeGreaterThan(g['scale=10'].metrics.overallErr * 1.01);
  });

  it('abl-multlr: f = 0 is plain SGD, f = 1 learns the norms faster', () => {
    const r = run('abl-multlr', tiny('abl-multlr', { multLrFactors: [0, 1] }));
    for (const k of KEYS) expect(r['multlr=0'].metrics[k]).toBeCloseTo(r.sgd.metrics[k], 12);
    expect(r['multlr=1'].metrics.rowNormErr).toBeLessThan(r.sgd.metrics.rowNormErr);
  });

  it('abl-specreg: λ = 0 is plain SGD, λ > 0 and the clip change κ', () => {
    const r = run('abl-specreg', tiny('abl-specreg', { specLambdas: [0, 0.1], specClips: [0.01, 10] }));
    expect(metricsOf(r, 'lambda=0,clip=10')).toEqual(metricsOf(r, 'sgd'));
    const k = ['sgd', 'lambda=0.1,clip=0.01', 'lambda=0.1,clip=10'].map((c) => r[c].metrics.kappa);
    expect(new Set(k).size).toBe(3);
  });

  it('abl-batch: fixed steps and fixed samples per B, the batch reaches the trainer, the closed form per cell', () => {
    const config = tiny('abl-batch', { epochs: 40, batch: 8, batches: [4, 8, 32, 8] });
    expect(getExperiment('abl-batch').cells(config)).toEqual(['B=4,steps', 'B=4,samples', 'B=8,steps', 'B=8,samples', 'B=32,steps', 'B=32,samples']);
    expect([4, 8, 32, 3].map((B) => epochsAtFixedSamples(config, B))).toEqual([80, 40, 10, 107]);
    const r = run('abl-batch', config);
    expect(['B=4,samples', 'B=8,samples', 'B=32,samples'].map((c) => r[c].metrics.samples)).toEqual([320, 320, 320]);
    expect(['B=4,steps', 'B=32,steps'].map((c) => r[c].metrics.epochs)).toEqual([40, 40]);
    expect(metricsOf(r, 'B=8,steps')).toEqual(metricsOf(r, 'B=8,samples'));
    const direct = (batch: number, epochs: number) => engine.scope(() =>
      runLinear({ engine, config: { ...config, epochs }, cell: 'x', trial: 0 }, trialTarget(engine, config, 0, 8), linearSpec(config, 8, { batch })).metrics);
    expect(r['B=32,samples'].metrics.overallErr).toBe(direct(32, 10).overallErr);
    expect(r['B=32,steps'].metrics.overallErr).toBe(direct(32, 40).overallErr);
    expect(r['B=32,steps'].metrics.overallErr).not.toBe(direct(8, 40).overallErr);
    // the closed form is per cell: at fixed steps the mean path is the same and only the η²(d+1)/B fluctuation
    // term moves (overall error falls with B); at fixed samples fewer steps leave more of W₀ − W*
    const p = (c: string) => r[c].metrics.predOverallErr;
    expect(p('B=4,steps')).toBeGreaterThan(p('B=32,steps'));
    expect(p('B=32,samples')).toBeGreaterThan(p('B=4,samples'));
    for (const c of Object.keys(r)) expect(Math.abs(r[c].metrics.rowNormErr / r[c].metrics.predRowNormErr - 1)).toBeLessThan(0.1);
    expect(() => epochsAtFixedSamples(config, 1.5)).toThrow(CondlabError);
  });

  it('abl-lrtime: lr·epochs held fixed, the cell really runs its epochs', () => {
    const config = tiny('abl-lrtime', { lr: 0.01, epochs: 40, lrs: [0.005, 0.02, 0.04] });
    expect(config.lrs.map((lr) => epochsAtFixedTime(config, lr))).toEqual([80, 20, 10]);
    const r = run('abl-lrtime', config);
    expect(['lr=0.005', 'lr=0.02', 'lr=0.04'].map((c) => r[c].metrics.epochs)).toEqual([80, 20, 10]);
    // the same spec trained directly for 10 and for 40 epochs: the cell matches the first only
    const direct = (epochs: number) => engine.scope(() =>
      runLinear({ engine, config: { ...config, epochs }, cell: 'x', trial: 0 }, trialTarget(engine, config, 0, 8), linearSpec(config, 8, { lr: 0.04 })).metrics);
    expect(r['lr=0.04'].metrics.overallErr).toBe(direct(10).overallErr);
    expect(r['lr=0.04'].metrics.overallErr).not.toBe(direct(40).overallErr);
    // at fixed lr·t the norm errors stay close ((1 − lr)^t ≈ e^{−lr·t}), at fixed epochs they would not
    expect(Math.abs(r['lr=0.005'].metrics.rowNormErr - r['lr=0.04'].metrics.rowNormErr)).toBeLessThan(0.1);
    expect(() => epochsAtFixedTime(config, 0)).toThrow(CondlabError);
    expect(() => getExperiment('abl-lrtime').cells({ ...config, lrs: [0.01, 0] })).toThrow(/lr > 0/);
  });
});

describe('ablation experiments through the runner', () => {
  it('report a diverging grid value as diverged, not averaged in', async () => {
    const exp = getExperiment('abl-multlr');
    const config = tiny('abl-multlr', { lr: 0.5, epochs: 300, trials: 2, multLrFactors: [0.1, 40] });
    const { results } = await runExperiment(exp, config, { workers: 0, engine });
    const bad = results.summaries['multlr=40'];
    expect(bad).toMatchObject({ n: 0, nDiverged: 2, metrics: {} });
    for (const t of results.trials.filter((x) => x.cell === 'multlr=40')) {
      expect(t.result['multlr=40'].diverged!.epoch).toBeGreaterThan(0);
      expect(t.result['multlr=40'].metrics).toEqual({});
    }
    expect(results.summaries.sgd).toMatchObject({ n: 2, nDiverged: 0 });
    expect(results.summaries.sgd.metrics.rowNormErr.n).toBe(2);
    // the figure names it and still draws the others
    const figs = await figuresFor(results, 'std');
    expect(figs.map((f) => f.id)).toEqual(['multlr']);
    expect(figs[0].title).toContain('diverged: multlr=40 in 2 of 2 trials');
  });

  it('give identical JSON with 0 and 2 workers', async () => {
    const cases: [string, Partial<RunConfig>][] = [['abl-lrtime', { lrs: [0.01, 0.02, 0.04] }], ['abl-specreg', { specLambdas: [1e-2], specClips: [0.1, 1] }]];
    for (const [id, over] of cases) {
      const exp = getExperiment(id);
      const config = tiny(id, { trials: 2, ...over });
      const a = await runExperiment(exp, config, { workers: 0, engine });
      const b = await runExperiment(exp, config, { workers: 2, engine });
      expect(JSON.stringify(withoutTiming(b.results))).toBe(JSON.stringify(withoutTiming(a.results)));
    }
  });

  it('every ablation gets its figures in the report (via figures.ts\'s SPECS)', async () => {
    expect(Object.keys(ABLATION_SPECS)).toEqual(IDS);
    const expected: Record<string, string[]> = {
      'abl-init': ['init'], 'abl-noise': ['noise'], 'abl-scale': ['scale'], 'abl-multlr': ['multlr'],
      'abl-specreg': ['specreg-kappa', 'specreg-logkappa', 'specreg-row'], 'abl-lrtime': ['lrtime'],
      'abl-batch': ['batch-steps', 'batch-samples'],
    };
    for (const id of IDS) {
      const config = tiny(id, { epochs: 10, trials: 2, specLambdas: [1e-3, 1e-2], specClips: [1, 10], batches: [4, 16] });
      const { results } = await runExperiment(getExperiment(id), config, { workers: 0, engine });
      for (const mode of ['std', 'iqr'] as const) {
        const figs = await figuresFor(results, mode);
        expect(figs.map((f) => f.id), `${id} ${mode}`).toEqual(expected[id]);
        for (const f of figs) expect(f.svg).toContain('<svg');
      }
    }
    expect(axisFor([0.1, 1, 10])).toBe('log');
    expect(axisFor([0, 0.01, 0.1])).toBe('point');
    expect(axisFor([1, 2])).toBe('linear');
  });
});
