// condlab's WASM trainer against the plain numpy implementation of PROTOCOL.md (bench/reference/protocol.py), fed
// the very numbers condlab's streams produce (target, W₀'s normals, every X and ε): the two independent
// implementations of every single-layer method must then agree to rounding. Skips without python3 + numpy.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Engine } from '../src/engine/index.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import { trialTarget } from '../src/experiments/common.js';
import type { RunConfig } from '../src/experiments/types.js';
import { numpyAvailable } from './helpers/numpy.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const METRICS = ['rowNormErr', 'colNormErr', 'svErr', 'kappaErr', 'gapErr', 'frobErr', 'overallErr'];

function streams(cfg: RunConfig, trial: number, d: number) {
  return engine.scope(() => {
    const ws = Array.from(trialTarget(engine, cfg, trial, d).W.toArray());
    const rng = engine.rng(cfg.seed + cfg.seedStride * trial, 1);
    const z0 = Array.from(rng.normalMatrix(d, d).toArray());
    const X: number[][] = [], E: number[][] = [];
    for (let t = 0; t < cfg.epochs; t++) {
      X.push(Array.from(rng.normalMatrix(cfg.batch, d).toArray()));
      E.push(Array.from(rng.normalMatrix(cfg.batch, d, 0, cfg.noise).toArray()));
    }
    return { ws, z0, X, E };
  });
}

describe.skipIf(!numpyAvailable())('replay against the numpy reference implementation', () => {
  it('SGD, multipliers, spectral regularisation, SVD correction, Adam and weight decay agree to rounding', () => {
    const d = 16, trial = 2;
    const base = { dims: [d], epochs: 60, batch: 32 } as Partial<RunConfig>;
    const cases: { method: string; opt: string; wd: number; ours: Record<string, number>; cfg: RunConfig }[] = [];
    const exp4 = getExperiment('exp4');
    const cfg4 = resolveConfig(exp4, 'paper', base);
    const r4 = exp4.runCell({ engine, config: cfg4, cell: 'all', trial });
    for (const [name, method] of [['sgd', 'sgd'], ['multipliers', 'multipliers'], ['specreg', 'spectral'], ['svdcorr', 'svdcorr']]) {
      cases.push({ method, opt: 'sgd', wd: 0, ours: r4[name].metrics, cfg: cfg4 });
    }
    const exp2 = getExperiment('exp2');
    const cfg2 = resolveConfig(exp2, 'paper', base);
    const r2 = exp2.runCell({ engine, config: cfg2, cell: exp2.cells(cfg2)[0], trial });
    cases.push({ method: 'sgd', opt: 'adam', wd: 0, ours: r2.adam.metrics, cfg: cfg2 });
    const cfgWd = resolveConfig(exp4, 'paper', { ...base, weightDecay: 0.01 });
    cases.push({ method: 'sgd', opt: 'sgd', wd: 0.01, ours: exp4.runCell({ engine, config: cfgWd, cell: 'all', trial }).sgd.metrics, cfg: cfgWd });

    const specs = cases.map((c) => ({
      d, batch: c.cfg.batch, epochs: c.cfg.epochs, lr: c.cfg.lr, noise: c.cfg.noise, method: c.method, opt: c.opt, wd: c.wd,
      ...streams(c.cfg, trial, d),
    }));
    const r = spawnSync('python3', ['bench/reference/protocol.py', '--replay'], {
      input: JSON.stringify(specs), encoding: 'utf8', maxBuffer: 1 << 28,
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as Record<string, number>[];
    cases.forEach((c, i) => {
      for (const m of METRICS) {
        const a = c.ours[m], b = theirs[i][m];
        expect(Math.abs(a - b), `${c.method}/${c.opt}/wd=${c.wd} ${m}: ours ${a}, numpy ${b}`).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(b)));
      }
    });
  });
});
