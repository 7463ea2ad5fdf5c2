// The `transformer` and `mechanisms` experiments on tiny configs (shape of the results, determinism, the fits'
// definitions) and the claims module's verdict logic on hand-made results.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { resolveConfig } from '../src/experiments/index.js';
import { transformerExperiment, mechanismsExperiment } from '../src/experiments/transformer/index.js';
import { transformerClaims } from '../src/experiments/transformer/claims.js';
import type { ExperimentResults, RunConfig } from '../src/experiments/types.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const tiny = (e: typeof transformerExperiment, o: Partial<RunConfig> = {}) => resolveConfig(e, 'quick', { dims: [8], hidden: 8, epochs: 10, batch: 4, ...o });

describe('transformer experiment', () => {
  it('reports every layer type for both optimisers, finite, and identically on a rerun', () => {
    const config = tiny(transformerExperiment);
    const run = (cell: string) => transformerExperiment.runCell({ engine, config, cell, trial: 0 });
    for (const cell of transformerExperiment.cells(config)) {
      const a = run(cell), b = run(cell);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(Object.keys(a).sort()).toEqual(['attnOut', 'head', 'k', 'mlpDown', 'mlpUp', 'ov', 'q', 'qk', 'stream', 'v'].map((t) => `${cell}/${t}`).sort());
      for (const [c, r] of Object.entries(a)) {
        expect(r.diverged).toBeUndefined();
        for (const [k, x] of Object.entries(r.metrics)) expect(Number.isFinite(x), `${c} ${k}`).toBe(true);
      }
      expect(a[`${cell}/stream`].metrics.excessLoss).toBeGreaterThan(-1e-12);
    }
  });

  it('reports divergence instead of numbers when the learning rate blows up', () => {
    const config = tiny(transformerExperiment, { lr: 1e6 });
    const r = transformerExperiment.runCell({ engine, config, cell: 'sgd', trial: 0 });
    expect(r['sgd/q'].diverged?.epoch).toBeGreaterThan(0);
    expect(r['sgd/q'].metrics).toEqual({});
  });
});

describe('mechanisms experiment', () => {
  it('fits α, γ and s per layer type, with the transfer error as defined, deterministically', () => {
    const config = tiny(mechanismsExperiment, { epochs: 5 });
    for (const cell of ['mlp', '+attn']) {
      const a = mechanismsExperiment.runCell({ engine, config, cell, trial: 0 });
      const b = mechanismsExperiment.runCell({ engine, config, cell, trial: 0 });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      const types = Object.keys(a).map((c) => c.split('/')[1]).sort();
      expect(types).toEqual(cell === 'mlp' ? ['head', 'mlpDown', 'mlpUp'] : ['attnOut', 'head', 'k', 'mlpDown', 'mlpUp', 'q', 'v']);
      const head = a[`${cell}/head`];
      expect(head.metrics.K).toBeLessThanOrEqual(10); // 10-class head: top 10 directions
      for (const [c, r] of Object.entries(a)) {
        const m = r.metrics;
        expect(Number.isFinite(m.alpha), c).toBe(true);
        expect(m.gamma).toBeGreaterThan(0); // singular values descend
        // per-layer mean of |s − αγ|/|s|: with one block of each type it is the formula itself
        if (c.endsWith('/head')) expect(m.transferRelErr).toBeCloseTo(Math.abs(m.hessianDecay - m.alpha * m.gamma) / Math.abs(m.hessianDecay), 12);
        expect(m.curvaturePR).toBeGreaterThanOrEqual(1);
        expect(r.series!.gradSigma.length).toBe(r.series!.curvature.length);
      }
    }
  });
});

/** Hand-made results: per trial, α for the given cell/type conditions (other metrics absent). */
function fakeMech(values: Record<string, number[]>): ExperimentResults {
  const n = Math.max(...Object.values(values).map((v) => v.length));
  const trials = Array.from({ length: n }, (_, t) => ({
    trial: t, cell: 'all', seed: t,
    result: Object.fromEntries(Object.entries(values).map(([c, xs]) => [c, { metrics: { alpha: xs[t], transferRelErr: 0.01, curvaturePR: 1.5 } }])),
  }));
  return { trials } as unknown as ExperimentResults;
}

describe('transformer claims', () => {
  const mlp = (up: number[], down: number[] = up) => ({ 'mlp/mlpUp': up, 'mlp/mlpDown': down });
  const c = (res: ExperimentResults, id: string) => transformerClaims(res, undefined).find((x) => x.id === id)!;

  it('judges "α ≈ seed value" by whether mean ± 2 SE sits inside, outside or across the ±0.3 band', () => {
    expect(c(fakeMech(mlp([2.1, 2.2, 2.15])), 'C22').verdict).toBe('supported');
    expect(c(fakeMech(mlp([1.0, 1.1, 0.9])), 'C22').verdict).toBe('refuted');
    expect(c(fakeMech(mlp([2.6, 2.65, 2.7])), 'C22').verdict).toBe('refuted'); // 0.47 above: outside the band
    expect(c(fakeMech(mlp([2.0, 2.8, 2.4])), 'C22').verdict).toBe('inconclusive');
    expect(c(fakeMech(mlp([2.18])), 'C22')).toMatchObject({ verdict: 'inconclusive', reason: expect.stringMatching(/one trial/) });
    expect(c(fakeMech({}), 'C22').verdict).toBe('inconclusive');
  });

  it('pairs trials for directional claims: LayerNorm lowering α is supported, refuted or inconclusive', () => {
    const withLn = (ln: number[]) => fakeMech({ ...mlp([2.0, 2.1, 2.2]), '+ln/mlpUp': ln, '+ln/mlpDown': ln });
    expect(c(withLn([1.2, 1.3, 1.4]), 'C23').verdict).toBe('supported');
    expect(c(withLn([2.5, 2.6, 2.7]), 'C23').verdict).toBe('refuted');
    // unpaired the two would overlap; paired, every trial drops by 0.05 exactly → supported
    expect(c(withLn([1.95, 2.05, 2.15]), 'C23').verdict).toBe('supported');
    expect(c(withLn([2.1, 2.0, 2.2]), 'C23').verdict).toBe('inconclusive');
  });

  it('judges the transfer identity by the median error over all fits', () => {
    const r = fakeMech(mlp([2, 2]));
    expect(c(r, 'C33').verdict).toBe('supported');
    for (const t of r.trials) for (const v of Object.values(t.result)) v.metrics.transferRelErr = 0.2;
    expect(c(r, 'C33').verdict).toBe('refuted');
  });
});
