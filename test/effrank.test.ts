// abl-effrank: effective-rank errors at thresholds 0.001 and 0.1 beside PROTOCOL.md's 0.01, stored with every
// run's final metrics (src/metrics/components.ts) and tabulated from results without retraining (src/report/effrank.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { componentErrors, effRankThresholdErrors, reference, EFFRANK_THRESHOLDS } from '../src/metrics/components.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import { runExperiment } from '../src/runner/index.js';
import { effRankMarkdown, effRankRows } from '../src/report/effrank.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const diag = (xs: number[]) => {
  const n = xs.length;
  const a = new Array(n * n).fill(0);
  xs.forEach((x, i) => (a[i * n + i] = x));
  return engine.matrix(n, n, a);
};

describe('effective-rank thresholds', () => {
  it('count σ_i > rel·σ₁ at each threshold: a spectrum whose rank differs at all three', () => {
    expect([...EFFRANK_THRESHOLDS]).toEqual([0.001, 0.1]);
    // target ranks 4 / 3 / 2 at 0.001 / 0.01 / 0.1; trained 3 / 3 / 1
    const target = [1, 0.5, 0.05, 0.005, 0.0001];
    const trained = [1, 0.09, 0.02, 0.0009, 0.0001];
    expect(effRankThresholdErrors(trained, target)).toEqual({ 'effRankErr@0.001': 1 / 4, 'effRankErr@0.1': 1 / 2 });
    engine.scope(() => {
      const m = componentErrors(engine, diag(trained), reference(engine, diag(target)), true);
      expect(m.effRankErr).toBe(0); // 3 vs 3 at 0.01
      expect(m['effRankErr@0.001']).toBe(0.25);
      expect(m['effRankErr@0.1']).toBe(0.5);
      expect(Object.keys(componentErrors(engine, diag(trained), reference(engine, diag(target))))).not.toContain('effRankErr@0.1');
    });
  });

  it('every single-layer and Exp 7 run stores them; the table reads them back from results without retraining', async () => {
    const all: Record<string, any> = {};
    for (const id of ['exp4', 'exp7']) {
      const exp = getExperiment(id);
      const config = resolveConfig(exp, 'quick', { dims: [8], epochs: 20, trials: 2, batch: 8, hidden: 8 });
      all[id] = (await runExperiment(exp, config, { workers: 0, engine })).results;
    }
    const rows = effRankRows(all);
    expect(rows.map((r) => `${r.experiment}/${r.condition}`)).toEqual(expect.arrayContaining(['exp4/sgd', 'exp4/specreg', 'exp7/depth2']));
    for (const r of rows) {
      expect(r.n).toBe(2);
      r.medians.forEach((m) => expect(Number.isFinite(m)).toBe(true));
      expect(r.medians[1]).toBe(all[r.experiment].summaries[r.condition].metrics.effRankErr.median);
      expect(r.medians[2]).toBe(all[r.experiment].summaries[r.condition].metrics['effRankErr@0.1'].median);
    }
    const md = effRankMarkdown(rows);
    expect(md.split('\n')).toHaveLength(rows.length + 2);
    // results written before the thresholds existed: the extra columns show as missing, never as 0
    const old = { x: { summaries: { sgd: { metrics: { effRankErr: { median: 0.5, n: 3 } } } } } } as any;
    expect(effRankMarkdown(effRankRows(old))).toContain('| x | sgd | — | 0.5 | — | 3 |');
  });
});
