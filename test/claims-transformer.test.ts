// Claims C22–C41 (mechanisms, transformer, fmnist) judged by the shared rules, on constructed per-trial results:
// each verdict path — a real effect → reproduced, wrong size → same direction/different size, noise → inconclusive
// with the trials needed, an opposite effect → not reproduced, absent experiment → not run.
import { describe, expect, it } from 'vitest';
import { judgeClaims, sizeBand, judgeSize, CLAIMS, type ClaimVerdict } from '../src/claims/index.js';
import type { ExperimentResults } from '../src/experiments/types.js';

const N = 8;
/** Spread between trials (large) that pairing removes: trial t gets + SPREAD[t]. */
const SPREAD = [0, 0.31, -0.22, 0.14, -0.4, 0.27, -0.09, 0.2];
/** Small alternating noise with zero mean, so "noise" data lean neither way. */
const NOISE = [0.05, -0.05, 0.04, -0.04, 0.03, -0.03, 0.02, -0.02];

type Conds = Record<string, Record<string, number[]>>;
function results(id: string, conds: Conds, n = N): ExperimentResults {
  const trials = Array.from({ length: n }, (_, t) => ({
    trial: t, cell: 'all', seed: t,
    result: Object.fromEntries(Object.entries(conds).map(([c, ms]) => [c, { metrics: Object.fromEntries(Object.entries(ms).map(([m, xs]) => [m, xs[t]])) }])),
  }));
  return { experiment: id, config: { preset: 'paper' }, trials, summaries: {} } as unknown as ExperimentResults;
}

const at = (x: number, spread = SPREAD) => spread.map((s) => x + s);
const ids = ['C22', 'C23', 'C24', 'C25', 'C26', 'C27', 'C28', 'C29', 'C30', 'C31', 'C32', 'C33', 'C34'];
const defs = CLAIMS.filter((c) => ids.includes(c.id) || ['C35', 'C36', 'C37', 'C38', 'C39', 'C40', 'C41', 'C42', 'C43', 'C44', 'C45'].includes(c.id));
const judge = (r: Record<string, ExperimentResults>): Record<string, ClaimVerdict> => Object.fromEntries(judgeClaims(r, defs).map((v) => [v.id, v]));

/** Mechanisms results where every seed-004 prediction holds: α per ablation and layer type as the seed says. */
function seedLike(over: Partial<Record<string, number[]>> = {}): ExperimentResults {
  const alpha: Record<string, number[]> = {
    'mlp/mlpUp': at(2.18, NOISE), 'mlp/mlpDown': at(2.18, NOISE), 'mlp/head': at(1.5),
    '+ln/mlpUp': at(1.1), '+ln/mlpDown': at(1.1), '+res/mlpUp': at(1.4), '+res/mlpDown': at(1.4),
    '+attn/q': at(1.43, NOISE), '+attn/k': at(1.43, NOISE), '+attn/v': at(1.43, NOISE), '+attn/attnOut': at(1.17, NOISE),
    '+attn/mlpUp': at(0.84, NOISE), '+attn/mlpDown': at(1.15, NOISE), '+attn/head': at(0.9), 'vocab128/head': at(2.83, NOISE),
    ...over,
  } as Record<string, number[]>;
  const conds: Conds = {};
  for (const [c, a] of Object.entries(alpha)) conds[c] = { alpha: a, transferRelErr: at(0.015, NOISE.map((x) => x / 20)), curvaturePR: at(1.3, NOISE) };
  return results('mechanisms', conds);
}

describe('sizes of exponents', () => {
  it("the 'exponent' kind is an absolute ±0.3 band around the paper's value, never a factor", () => {
    expect(sizeBand({ label: '', quantity: 'exponent', ours: 0, paper: 2.18 })).toEqual([2.18 - 0.3, 2.18 + 0.3]);
    expect(sizeBand({ label: '', quantity: 'exponent', ours: 0, paper: 0.1 })[0]).toBeCloseTo(-0.2, 12); // a factor band would be [0.05, 0.2]
    expect(sizeBand({ label: '', quantity: 'exponent', ours: 0, paper: 2, ceiling: true })).toEqual([-Infinity, 2.3]);
    expect(judgeSize({ label: '', quantity: 'exponent', ours: 2.47, paper: 2.18 }).ok).toBe(true);
    expect(judgeSize({ label: '', quantity: 'exponent', ours: 2.49, paper: 2.18 }).ok).toBe(false);
    expect(judgeSize({ label: '', quantity: 'exponent', ours: 2.18, paper: 2.18 }).statistic).toBe('median');
  });
});

describe('mechanisms claims (C22–C34)', () => {
  it("seed 004's own numbers are reproduced everywhere; C24 and every size claim with them", () => {
    const v = judge({ mechanisms: seedLike() });
    for (const id of ids) expect(v[id].verdict, `${id}: ${v[id].reason}`).toBe('reproduced');
    expect(v.C22.sizes[0]).toMatchObject({ quantity: 'exponent', statistic: 'median' });
  });

  it('"α ≈ seed value" is judged on the median against the fixed band: off by 0.4 → different size', () => {
    const v = judge({ mechanisms: seedLike({ 'mlp/mlpUp': at(1.78, NOISE), 'mlp/mlpDown': at(1.78, NOISE) }) });
    expect(v.C22.verdict).toBe('same direction, different size');
    expect(v.C22.reason).toMatch(/band 1\.88…2\.48/);
    // one wild trial moves the mean by 0.5 but not the median
    const wild = at(2.18, NOISE); wild[3] = 6;
    expect(judge({ mechanisms: seedLike({ 'mlp/mlpUp': wild, 'mlp/mlpDown': wild }) }).C22.verdict).toBe('reproduced');
    // attention's α is the per-trial mean over Q, K, V and out: an output projection at 2.5 pulls it to 1.70
    const off = judge({ mechanisms: seedLike({ '+attn/attnOut': at(2.5, NOISE) }) });
    expect(off.C25.verdict).toBe('same direction, different size');
    expect(off.C25.sizes[0].ours).toBeCloseTo((3 * 1.43 + 2.5) / 4, 2);
  });

  it('LayerNorm lowering α (C23) is paired: a 0.05 drop in every trial passes although the trials spread by 0.7', () => {
    const v = judge({ mechanisms: seedLike({ 'mlp/mlpUp': at(2.0), 'mlp/mlpDown': at(2.0), '+ln/mlpUp': at(1.95), '+ln/mlpDown': at(1.95) }) });
    expect(v.C23).toMatchObject({ verdict: 'reproduced', n: N });
    expect(v.C23.test).toMatch(/Wilcoxon signed-rank on difference \(paired\)/);
    const up = judge({ mechanisms: seedLike({ '+ln/mlpUp': at(2.5), '+ln/mlpDown': at(2.5) }) });
    expect(up.C23.verdict).toBe('not reproduced');
    const noise = judge({ mechanisms: seedLike({ 'mlp/mlpUp': at(2), 'mlp/mlpDown': at(2), '+ln/mlpUp': at(2, SPREAD.map((s, i) => s + NOISE[i])), '+ln/mlpDown': at(2, SPREAD.map((s, i) => s + NOISE[i])) }) });
    expect(noise.C23.verdict).toBe('inconclusive');
  });

  it('"residuals change α" (C24) is two-sided: either sign passes, noise is inconclusive, never "not reproduced"', () => {
    const up = judge({ mechanisms: seedLike({ '+res/mlpUp': at(1.3), '+res/mlpDown': at(1.3) }) });
    const down = judge({ mechanisms: seedLike({ '+res/mlpUp': at(0.9), '+res/mlpDown': at(0.9) }) });
    expect(up.C24.verdict).toBe('reproduced');
    expect(down.C24.verdict).toBe('reproduced');
    const same = SPREAD.map((s, i) => 1.1 + s + NOISE[i]);
    const noise = judge({ mechanisms: seedLike({ '+res/mlpUp': same, '+res/mlpDown': same }) });
    expect(noise.C24.verdict).toBe('inconclusive');
    expect(noise.C24.test).toMatch(/two-sided/);
  });

  it('the softmax head (C31 threshold, C32 paired) and the transfer identity (C33 threshold + size)', () => {
    expect(judge({ mechanisms: seedLike({ 'vocab128/head': at(1.78, NOISE) }) }).C31.verdict).toBe('not reproduced');
    expect(judge({ mechanisms: seedLike({ 'vocab128/head': at(0.5) }) }).C32.verdict).toBe('not reproduced');
    const err = (x: number) => {
      const r = seedLike();
      for (const t of r.trials) for (const c of Object.values(t.result)) c.metrics.transferRelErr = x * (1 + NOISE[t.trial]);
      return judge({ mechanisms: r }).C33;
    };
    expect(err(0.015).verdict).toBe('reproduced');
    expect(err(0.003).verdict).toBe('same direction, different size'); // below 2%, but 0.3% is outside 0.5–3.8%
    expect(err(0.058).verdict).toBe('not reproduced');
  });

  it('one trial is inconclusive, not a verdict; an absent experiment or ablation is not run', () => {
    const one = results('mechanisms', { 'mlp/mlpUp': { alpha: [2] }, 'mlp/mlpDown': { alpha: [2] }, '+ln/mlpUp': { alpha: [1] }, '+ln/mlpDown': { alpha: [1] } }, 1);
    const v = judge({ mechanisms: one });
    expect(v.C23.verdict).toBe('inconclusive');
    expect(v.C25.verdict).toBe('not run');
    expect(judge({}).C22.verdict).toBe('not run');
  });
});

describe('transformer claims (C35–C38)', () => {
  const ATTN = ['q', 'k', 'v', 'attnOut'];
  function ts(kappa: number[], row: number[], after: number[], init: number[]): ExperimentResults {
    const conds: Conds = {};
    for (const opt of ['sgd', 'adam']) for (const t of ATTN) conds[`${opt}/${t}`] = { kappaErr: kappa, rowNormSortedErr: row, logKappaErr: after, initLogKappaErr: init };
    return results('transformer', conds);
  }
  const pos = (x: number) => SPREAD.map((s) => x * Math.exp(s));

  it('κ error above the row-norm error (log-ratio paired), and training lowering |log κ̂ − log κ*|', () => {
    const v = judge({ transformer: ts(pos(0.8), pos(0.12), pos(1.5), pos(2)) });
    for (const id of ['C35', 'C36', 'C37', 'C38']) expect(v[id].verdict, id).toBe('reproduced');
    expect(v.C35.test).toMatch(/log ratio/);
    const w = judge({ transformer: ts(pos(0.1), pos(0.12), pos(2.5), pos(2)) });
    expect(w.C35.verdict).toBe('not reproduced');
    expect(w.C37.verdict).toBe('not reproduced');
    const noisy = SPREAD.map((s, i) => 2 * Math.exp(s + 5 * NOISE[i]));
    const n = judge({ transformer: ts(pos(0.8), pos(0.12), noisy, pos(2)) });
    expect(n.C37.verdict).toBe('inconclusive');
    expect(n.C37.reason).toMatch(/trials|more trials/);
  });
});

describe('spectral-transfer member claim (C42)', () => {
  const kl = (x: number) => SPREAD.map((s) => x * Math.exp(s));
  const ts = (st1: number[], st2: number[]) => results('transformer', { 'st=1/stream': { excessLoss: st1 }, 'st=2/stream': { excessLoss: st2 } });
  it('st=1 below st=2 on paired excess loss → reproduced; above → not reproduced; no st cells → not run', () => {
    expect(judge({ transformer: ts(kl(0.08), kl(0.13)) }).C42.verdict).toBe('reproduced');
    expect(judge({ transformer: ts(kl(0.13), kl(0.08)) }).C42.verdict).toBe('not reproduced');
    expect(judge({ transformer: results('transformer', { 'sgd/stream': { excessLoss: kl(0.1) } }) }).C42.verdict).toBe('not run');
  });
});

describe('per-layer spectral-transfer claims (C43 fmnist, C44–C45 spectral-chains)', () => {
  const v = (x: number) => SPREAD.map((s) => x * Math.exp(s));
  it('C43: st=2 above Adam on paired test accuracy → reproduced; below → not reproduced; no st=2 cell → not run', () => {
    const fm = (adam: number[], sn: number[]) => results('fmnist', { adam: { testAcc: adam }, 'st=2': { testAcc: sn } });
    expect(judge({ fmnist: fm(v(0.8), v(0.84)) }).C43.verdict).toBe('reproduced');
    expect(judge({ fmnist: fm(v(0.84), v(0.8)) }).C43.verdict).toBe('not reproduced');
    expect(judge({ fmnist: results('fmnist', { adam: { testAcc: v(0.8) } }) }).C43.verdict).toBe('not run');
  });
  it('C44/C45: lower paired function error of the MLP student (st=2 vs SGD; adaptive vs st=2)', () => {
    const sc = (sgd: number, sn: number, ad: number) =>
      results('spectral-chains', { 'mlp/sgd': { overallErr: v(sgd) }, 'mlp/st=2': { overallErr: v(sn) }, 'mlp/st=adaptive': { overallErr: v(ad) } });
    const a = judge({ 'spectral-chains': sc(0.6, 0.4, 0.3) });
    expect([a.C44.verdict, a.C45.verdict]).toEqual(['reproduced', 'reproduced']);
    const b = judge({ 'spectral-chains': sc(0.4, 0.6, 0.8) });
    expect([b.C44.verdict, b.C45.verdict]).toEqual(['not reproduced', 'not reproduced']);
    expect(judge({}).C44.verdict).toBe('not run');
  });
});

describe('fmnist claims (C39–C41)', () => {
  const acc = (x: number, d = NOISE.map((e) => e / 10)) => d.map((e) => x + e);
  function fm(sgdAcc: number[], specAcc: number[], specKappa = 0.5): ExperimentResults {
    const k = (f: number) => ({ kappa1: SPREAD.map((s) => f * 3 * Math.exp(s)), kappa2: SPREAD.map((s) => f * 5 * Math.exp(s)), kappa3: SPREAD.map((s) => f * 2 * Math.exp(s)) });
    return results('fmnist', { sgd: { testAcc: sgdAcc, ...k(1) }, spec: { testAcc: specAcc, ...k(specKappa) } });
  }

  it('accuracy ≥ 85% (threshold), κ lowered in every layer (paired), accuracy unchanged (TOST ×/÷ 1.01)', () => {
    const v = judge({ fmnist: fm(acc(0.862), acc(0.861)) });
    for (const id of ['C39', 'C40', 'C41']) expect(v[id].verdict, `${id}: ${v[id].reason}`).toBe('reproduced');
    expect(v.C40.directions).toHaveLength(3);
    expect(v.C41.test).toMatch(/TOST/);
  });

  it('each fails the other way: below 85%, κ raised in one layer, accuracy 3 pp lower', () => {
    const low = judge({ fmnist: fm(acc(0.8), acc(0.77)) });
    expect(low.C39.verdict).toBe('not reproduced');
    expect(low.C41.verdict).toBe('not reproduced');
    const r = fm(acc(0.862), acc(0.862));
    for (const t of r.trials) t.result.spec.metrics.kappa2 = 2 * t.result.sgd.metrics.kappa2;
    expect(judge({ fmnist: r }).C40.verdict).toBe('not reproduced');
  });

  it('three seeds cannot decide a paired test: inconclusive with the trials needed', () => {
    const three = results('fmnist', { sgd: { testAcc: [0.862, 0.861, 0.861], kappa1: [3, 3, 3] }, spec: { testAcc: [0.862, 0.864, 0.855], kappa1: [2, 2, 2] } }, 3);
    const v = judge({ fmnist: three });
    expect(v.C39.verdict).toBe('inconclusive');
    expect(v.C40).toMatchObject({ verdict: 'inconclusive', trialsNeeded: 6 });
  });
});
