// Claims judging (src/claims) on synthetic results: verdicts follow the documented rules, missing pieces are 'not run'.
import { describe, expect, it } from 'vitest';
import { judgeClaims, formatClaimsTable, CLAIMS, type ClaimVerdict } from '../src/claims/index.js';
import type { ConditionSummary, ExperimentResults, Summary } from '../src/experiments/types.js';
import { protocolConfig } from './helpers/config.js';

/** A summary with mean m, a ±10% CI, median = m unless given. */
const S = (m: number, median = m): Summary => ({
  mean: m, std: m / 2, median, q1: m * 0.8, q3: m * 1.2, ciLow: m * 0.9, ciHigh: m * 1.1, n: 10, nDiverged: 0,
});

function exp(id: string, conds: Record<string, Record<string, number>>, over: Partial<ReturnType<typeof protocolConfig>> = {},
  series: Record<string, Record<string, number[]>> = {}): ExperimentResults {
  const summaries: Record<string, ConditionSummary> = {};
  for (const [c, ms] of Object.entries(conds)) {
    summaries[c] = { n: 10, nDiverged: 0, metrics: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, S(v)])) };
    if (series[c]) {
      summaries[c].series = Object.fromEntries(Object.entries(series[c]).map(([k, v]) => [k, {
        epochs: v.map((_, i) => i * 10), mean: v, std: v, median: v, q1: v, q3: v,
      }]));
    }
  }
  return {
    schemaVersion: 1, experiment: id, title: id, paperSection: '', engineVersion: 'test', config: protocolConfig(over),
    trials: [], summaries, timing: { wallMs: 0, workers: 1, startedAt: '', cellMs: {} },
  };
}

/** Results that match the paper's numbers exactly. */
function paperLike(): Record<string, ExperimentResults> {
  const d = (rowNormErr: number, kappaErr: number, gapErr: number) => ({ rowNormErr, colNormErr: rowNormErr, kappaErr, gapErr, effRankErr: 0.001 });
  return {
    exp1: exp('exp1', { 'd=32': d(0.13, 0.27, 0.03), 'd=64': d(0.13, 1, 0.05), 'd=128': d(0.13, 3, 0.08), 'd=256': d(0.13, 9, 0.1), 'd=512': d(0.13, 34.9, 0.13) },
      { dims: [32, 64, 128, 256, 512] }),
    exp2: exp('exp2', { sgd: { rowNormErr: 0.13, overallErr: 0.14, kappaErr: 0.87 }, adam: { rowNormErr: 0.59, overallErr: 0.6, kappaErr: 0.9 } }, { dims: [128] }),
    exp3: exp('exp3', { sgd: { gradRatio: 30 } }),
    exp4: exp('exp4', {
      sgd: { rowNormErr: 0.134, kappaErr: 1.23 }, multipliers: { rowNormErr: 0.044, kappaErr: 1.11 },
      specreg: { rowNormErr: 0.134, kappaErr: 0.29 }, svdcorr: { rowNormErr: 0.134 * 0.36, kappaErr: 1.23 * 0.68 },
    }),
    exp5: exp('exp5', { sgd: { rowNormErrMonoFrac: 1, kappaErrMonoFrac: 0.55 } }),
    exp6: exp('exp6', {
      'blockdiag/standard': { rowNormErr: 0.1 }, 'blockdiag/multipliers': { rowNormErr: 0.007 },
      'lowrank/standard': { rowNormErr: 0.1 }, 'lowrank/multipliers': { rowNormErr: 0.071 },
    }),
    exp7: exp('exp7', {
      depth1: { productKappa: 1510, targetKappa: 928, kappaErr: 0.24, overallErr: 0.05 },
      depth2: { productKappa: 242566, kappaErr: 653, overallErr: 0.22 },
      depth3: { productKappa: 4.8e6, kappaErr: 13167, overallErr: 0.26 },
      mlp: { kappaErr: 9.1, overallErr: 0.57 },
    }),
    exp8: exp('exp8', {
      'lr=0.001': { kappaErr: 0.9, rowNormErr: 0.9 }, 'lr=0.01': { kappaErr: 1.23, rowNormErr: 0.1337 }, 'lr=0.05': { kappaErr: 0.044, rowNormErr: 1e-4 },
      'wd=0': { kappaErr: 1.23 }, 'wd=0.0001': { kappaErr: 1.23 }, 'wd=0.001': { kappaErr: 1.22 }, 'wd=0.01': { kappaErr: 1.24 },
    }),
    exp9: exp('exp9', { sgd: { rowNormErr: 6.6e-5, kappaErr: 0.017 } }, { dims: [128], epochs: 1000 },
      { sgd: { kappaErr: [0.75, 0.1, 0.017], rowNormErr: [0.93, 0.01, 6.8e-5] } }),
  };
}

const byId = (vs: ClaimVerdict[]) => Object.fromEntries(vs.map((v) => [v.id, v]));

describe('judgeClaims', () => {
  it('covers C1 … C21 in order', () => {
    expect(CLAIMS.map((c) => c.id)).toEqual(Array.from({ length: 21 }, (_, i) => `C${i + 1}`));
  });

  it("the paper's own numbers are judged 'reproduced' everywhere", () => {
    const v = judgeClaims(paperLike());
    for (const x of v) expect(x.verdict, `${x.id}: ${x.reason}`).toBe('reproduced');
  });

  it('nothing run → every claim "not run", and the table says so', () => {
    const v = judgeClaims({});
    expect(v.every((x) => x.verdict === 'not run')).toBe(true);
    expect(formatClaimsTable(v)).toContain('0 reproduced, 0 same direction/different size, 0 not reproduced, 21 not run');
  });

  it('reference-like numbers: right direction, different size where the paper is far off', () => {
    const r = paperLike();
    r.exp1.summaries['d=512'].metrics.kappaErr = S(1.25, 0.81); // C3: grows with d, but 1.25 ≪ 34.9
    r.exp2.summaries.adam.metrics.rowNormErr = S(0.24); // C6: Adam still worse than SGD, by less
    const v = byId(judgeClaims(r));
    expect(v.C3.verdict).toBe('same direction, different size');
    expect(v.C3.reason).toMatch(/κ err 1.25 vs 34.9/);
    expect(v.C6.verdict).toBe('same direction, different size');
    expect(v.C1.verdict).toBe('reproduced');
  });

  it('a reversed direction is "not reproduced"', () => {
    const r = paperLike();
    r.exp2.summaries.adam.metrics.rowNormErr = S(0.1); // Adam better than SGD
    r.exp7.summaries.depth3.metrics.kappaErr = S(100); // κ error not increasing with depth
    r.exp5.summaries.sgd.metrics.kappaErrMonoFrac = S(0.99); // κ as smooth as the norms
    const v = byId(judgeClaims(r));
    expect(v.C6.verdict).toBe('not reproduced');
    expect(v.C13.verdict).toBe('not reproduced');
    expect(v.C21.verdict).toBe('not reproduced');
  });

  it('a missing condition is "not run", a differing setting is named in the reason', () => {
    const r = paperLike();
    delete r.exp1.summaries['d=512'];
    r.exp2.config.dims = [64];
    const v = byId(judgeClaims(r));
    expect(v.C3.verdict).toBe('not run');
    expect(v.C3.reason).toMatch(/no d=512/);
    expect(v.C5.reason).toMatch(/setting differs: exp2 ran d=64, paper d=128/);
  });

  it('the CI rule: a paper value inside our 95% CI passes even when the mean is far', () => {
    const r = paperLike();
    r.exp1.summaries['d=32'].metrics.kappaErr = { ...S(0.5), ciLow: 0.2, ciHigh: 0.9 };
    expect(byId(judgeClaims(r)).C2.verdict).toBe('reproduced');
    r.exp1.summaries['d=32'].metrics.kappaErr = { ...S(0.5), ciLow: 0.4, ciHigh: 0.6 };
    expect(byId(judgeClaims(r)).C2.verdict).toBe('same direction, different size');
  });

  it('does not modify the results', () => {
    const r = paperLike();
    const before = JSON.stringify(r);
    judgeClaims(r);
    expect(JSON.stringify(r)).toBe(before);
  });
});
