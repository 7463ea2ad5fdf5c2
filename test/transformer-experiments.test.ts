// The `transformer` and `mechanisms` experiments on tiny configs (shape of the results, determinism, the fits'
// definitions); their claims (C22–C38) are judged in test/claims-transformer.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { resolveConfig } from '../src/experiments/index.js';
import { transformerExperiment, mechanismsExperiment } from '../src/experiments/transformer/index.js';
import type { RunConfig } from '../src/experiments/types.js';

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
