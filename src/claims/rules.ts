// The judging rules, stated once and applied to every claim (C1–C21 and any claims a future experiment registers).
//
// DIRECTION — every qualitative statement ("Adam is worse", "κ error grows with depth", "unchanged") is a test on
// per-trial values:
//   paired      conditions that share targets and batches (correctives, optimizers, weight decay, lr, depth, a metric
//               against another of the same run): exact Wilcoxon signed-rank on the per-trial log ratio b/a (zeros
//               dropped, midranks for ties, exact null distribution), the exact sign test beside it; estimate = the
//               median paired ratio with a seeded bootstrap 95% CI;
//   unpaired    independent conditions (different d, different teachers): exact Mann–Whitney; estimate = ratio of
//               medians;
//   threshold   one sample against a fixed value: the paired test with a = the threshold;
//   equivalent  "unchanged"/"flat" (paired): two one-sided exact sign tests (TOST) that the median ratio lies inside
//               [1/M, M]; unpaired "flat" across conditions: the bootstrap CIs of the means must lie inside the band.
// A direction *passes* when p < ALPHA in the claimed direction, is *contradicted* when p < ALPHA the other way (for
// equivalence: the ratio is significantly outside the band), and is otherwise *inconclusive*, with the trials that
// the exact sign test (Noether's formula for Mann–Whitney) says would decide it at the observed proportion with 80%
// power.
//
// SIZE — our number against the paper's, by kind of quantity (SIZE_RULE):
//   kappa      κ, κ errors, ratios of them, gradient ratios, spectral gap errors (heavy-tailed): the MEDIAN over
//              trials, within a factor 2 of the paper's value (|log ours − log paper| ≤ log 2);
//   norm       norm, Frobenius and overall errors (light-tailed): the MEAN, within a factor 1.25;
//   count      errors of integer counts that are mostly exactly 0 (effective rank): the MEAN (the median is 0), factor 2;
//   reduction  percentage reductions (1 − after/before, from the median paired ratio for κ-type quantities, the
//              ratio of means for norms): within ±15 percentage points;
//   exponent   fitted power-law exponents (seed 004's curvature exponent α, which can sit near or below 0, so a
//              factor band means nothing): the MEDIAN, within ±0.3 absolute (2–3× the seed's own across-layer std,
//              0.10–0.18). Directions on exponents use the linear scale (paired differences), never log ratios.
// The band is fixed around the paper's value: our own CI or spread never widens it. A paper range [lo, hi] passes
// when ours lies in [lo/F, hi·F]; a paper ceiling ("~0.001") when ours ≤ paper·F.
//
// VERDICT — any direction contradicted → 'not reproduced'; else any inconclusive → 'inconclusive'; else any size
// off → 'same direction, different size'; else 'reproduced'. Absent experiments/conditions → 'not run'.
import { bootstrapCI, mean } from '../stats/summary.js';
import {
  ALPHA, bootstrapMedianCI, mannWhitney, mannWhitneyTrialsNeeded, medianOf, medianRatio, signTest, signTestTrialsNeeded,
  wilcoxonSignedRank, type Signed,
} from './tests.js';
import type { View } from './view.js';

export { ALPHA };

export type Verdict = 'reproduced' | 'same direction, different size' | 'inconclusive' | 'not reproduced' | 'not run';
export type Outcome = 'pass' | 'inconclusive' | 'contradicted';
export type Claim = 'less' | 'greater';

/** One direction test, as it appears in the JSON output. */
export interface DirectionTest {
  label: string;
  test: string;
  n: number;
  statistic: number;
  p: number;
  /** What `estimate` is: 'median ratio b/a', 'median difference', 'ratio of medians', … */
  estimateOf: string;
  estimate: number;
  ci: [number, number];
  outcome: Outcome;
  /** For an inconclusive test: the trials that would decide it (null: none up to MAX_TRIALS, or the data lean the other way). */
  trialsNeeded?: number | null;
  /** Secondary facts, e.g. the sign test beside the Wilcoxon. */
  note?: string;
}

export type Quantity = 'kappa' | 'norm' | 'count' | 'reduction' | 'exponent';

export const SIZE_RULE: Record<Quantity, { statistic: 'median' | 'mean'; factor?: number; pp?: number; abs?: number }> = {
  kappa: { statistic: 'median', factor: 2 },
  norm: { statistic: 'mean', factor: 1.25 },
  count: { statistic: 'mean', factor: 2 },
  reduction: { statistic: 'median', pp: 15 },
  exponent: { statistic: 'median', abs: 0.3 },
};

export interface SizeCheck {
  label: string;
  quantity: Quantity;
  ours: number;
  paper: number;
  /** A paper range instead of a point. */
  lo?: number;
  hi?: number;
  /** The paper value is a ceiling ("~0.001", "near zero"). */
  ceiling?: boolean;
}

export interface SizeResult extends SizeCheck {
  statistic: 'median' | 'mean';
  /** The accepted interval for `ours`. */
  band: [number, number];
  ok: boolean;
}

export function sizeBand(c: SizeCheck): [number, number] {
  const r = SIZE_RULE[c.quantity];
  if (c.quantity === 'reduction') return [c.paper - r.pp!, c.paper + r.pp!];
  if (r.abs !== undefined) {
    const A = r.abs;
    if (c.lo !== undefined || c.hi !== undefined) return [(c.lo ?? -Infinity) - A, (c.hi ?? Infinity) + A];
    if (c.ceiling) return [-Infinity, c.paper + A];
    return [c.paper - A, c.paper + A];
  }
  const F = r.factor!;
  if (c.lo !== undefined || c.hi !== undefined) return [(c.lo ?? 0) / F, (c.hi ?? Infinity) * F];
  if (c.ceiling) return [-Infinity, c.paper * F];
  return [c.paper / F, c.paper * F];
}

export function judgeSize(c: SizeCheck): SizeResult {
  const band = sizeBand(c);
  const ok = Number.isFinite(c.ours) && c.ours >= band[0] && c.ours <= band[1];
  return { ...c, statistic: SIZE_RULE[c.quantity].statistic, band, ok };
}

/** The size statistic of a quantity's per-trial values: the median for κ-type, the mean otherwise. */
export function stat(values: readonly number[], q: Exclude<Quantity, 'reduction'>): number {
  return SIZE_RULE[q].statistic === 'median' ? medianOf(values) : mean(values);
}

/** Percentage reduction from a ratio after/before. */
export const reductionPct = (ratio: number): number => 100 * (1 - ratio);

// ---- direction tests ----

function decide(pClaim: number, pOther: number): Outcome {
  if (pClaim < ALPHA / 2 && pClaim <= pOther) return 'pass';
  if (pOther < ALPHA / 2 && pOther < pClaim) return 'contradicted';
  return 'inconclusive';
}

/** b/a with the log-scale limits at exact zeros: 0/0 → 1 (no change), x/0 → ∞, 0/x → 0. */
function ratioOf(ai: number, bi: number): number {
  if (!(ai >= 0 && bi >= 0)) throw new RangeError(`log-scale comparison needs non-negative values, got ${ai} and ${bi}`);
  return ai === 0 ? (bi === 0 ? 1 : Infinity) : bi / ai;
}

function signedLog(a: readonly number[], b: readonly number[]): Signed[] {
  return a.map((ai, i) => {
    const r = ratioOf(ai, b[i]);
    // |log r| orders like max(r, 1/r); an exact zero on one side is the largest possible magnitude
    return { sign: r > 1 ? 1 : r < 1 ? -1 : 0, mag: r === 0 ? Infinity : r >= 1 ? r : 1 / r };
  });
}

function signedLinear(a: readonly number[], b: readonly number[]): Signed[] {
  return a.map((ai, i) => {
    const d = b[i] - ai;
    return { sign: Math.sign(d), mag: Math.abs(d) };
  });
}

/**
 * Paired test that b is `claim` than a (per trial, same targets and batches). scale 'log': on log(b/a) — for
 * positive quantities, κ errors above all; 'linear': on b − a (quantities that can be 0, fractions).
 */
export function paired(label: string, a: readonly number[], b: readonly number[], claim: Claim, scale: 'log' | 'linear' = 'log'): DirectionTest {
  if (a.length !== b.length) throw new RangeError('paired samples differ in length');
  const xs = scale === 'log' ? signedLog(a, b) : signedLinear(a, b);
  const w = wilcoxonSignedRank(xs);
  const s = signTest(xs);
  const [pClaim, pOther] = claim === 'less' ? [w.pLess, w.pGreater] : [w.pGreater, w.pLess];
  const outcome = w.n === 0 ? 'inconclusive' : decide(pClaim, pOther);
  const nz = s.n;
  const favour = claim === 'less' ? nz - s.statistic : s.statistic;
  const diffs = scale === 'log' ? b.map((bi, i) => ratioOf(a[i], bi)) : b.map((bi, i) => bi - a[i]);
  const estimate = scale === 'log' ? medianRatio(diffs) : medianOf(diffs);
  const ci = bootstrapMedianCI(diffs, scale === 'log');
  const t: DirectionTest = {
    label, test: `exact Wilcoxon signed-rank on ${scale === 'log' ? 'log ratio' : 'difference'} (paired)`,
    n: w.n, statistic: w.statistic, p: w.p,
    estimateOf: scale === 'log' ? 'median paired ratio' : 'median paired difference', estimate, ci, outcome,
    note: `sign test ${favour}/${nz} in the claimed direction, p = ${fmtP(s.p)}${w.zeros ? `; ${w.zeros} zero difference(s) dropped` : ''}`,
  };
  if (outcome === 'inconclusive') t.trialsNeeded = signTestTrialsNeeded(nz ? favour / nz : 0);
  return t;
}

/** One-sample test that the values are `claim` than a fixed threshold (the paired test against a constant). */
export function threshold(label: string, xs: readonly number[], value: number, claim: Claim, scale: 'log' | 'linear' = 'log'): DirectionTest {
  const t = paired(label, xs.map(() => value), xs, claim, scale);
  return { ...t, test: t.test.replace('(paired)', `(one sample vs ${fmt(value)})`), estimateOf: scale === 'log' ? 'median ratio to threshold' : 'median difference to threshold' };
}

/** Unpaired test that b is `claim` than a (independent conditions): exact Mann–Whitney; estimate = median_b/median_a. */
export function unpaired(label: string, a: readonly number[], b: readonly number[], claim: Claim): DirectionTest {
  const u = mannWhitney(b, a);
  const [pClaim, pOther] = claim === 'less' ? [u.pLess, u.pGreater] : [u.pGreater, u.pLess];
  const outcome = decide(pClaim, pOther);
  const estimate = medianOf(b) / medianOf(a);
  const ca = bootstrapMedianCI(a, false), cb = bootstrapMedianCI(b, false);
  const t: DirectionTest = {
    label, test: 'exact Mann–Whitney (unpaired)', n: u.n, statistic: u.statistic, p: u.p,
    estimateOf: 'ratio of medians b/a', estimate, ci: [cb[0] / ca[1], cb[1] / ca[0]], outcome,
    note: `P(b > a) = ${fmt(u.statistic / (a.length * b.length))}; CI from the two medians' bootstrap CIs`,
  };
  if (outcome === 'inconclusive') {
    const theta = u.statistic / (a.length * b.length);
    const inFavour = claim === 'greater' ? theta > 0.5 : theta < 0.5;
    t.trialsNeeded = inFavour ? mannWhitneyTrialsNeeded(theta) : null;
  }
  return t;
}

/**
 * Paired equivalence: "b is unchanged from a" ⇔ the median ratio b/a lies in [1/M, M]. Two one-sided exact sign tests
 * (TOST, each at ALPHA): #(b/a > 1/M) and #(b/a < M). Both significant → pass; the median significantly outside
 * the band (a one-sided sign test at ALPHA the other way) → contradicted; else inconclusive.
 */
export function equivalent(label: string, a: readonly number[], b: readonly number[], M: number): DirectionTest {
  const r = b.map((bi, i) => bi / a[i]);
  const lowSide = signTest(r.map((x) => ({ sign: Math.sign(x - 1 / M), mag: 0 })));
  const highSide = signTest(r.map((x) => ({ sign: Math.sign(x - M), mag: 0 })));
  const pLow = lowSide.pGreater, pHigh = highSide.pLess; // evidence that the median is above 1/M, below M
  const pOut = Math.min(lowSide.pLess, highSide.pGreater); // evidence that it is outside
  const p = Math.max(pLow, pHigh);
  const outcome: Outcome = p < ALPHA ? 'pass' : pOut < ALPHA ? 'contradicted' : 'inconclusive';
  const t: DirectionTest = {
    label, test: `TOST, two one-sided exact sign tests, band ×/÷ ${fmt(M)} (paired)`, n: r.length,
    statistic: Math.min(lowSide.statistic, highSide.n - highSide.statistic), p,
    estimateOf: 'median paired ratio', estimate: medianRatio(r), ci: bootstrapMedianCI(r, true), outcome,
    note: `${r.filter((x) => x > 1 / M && x < M).length}/${r.length} trials inside the band`,
  };
  if (outcome === 'inconclusive') {
    const q = Math.min(lowSide.n ? lowSide.statistic / lowSide.n : 0, highSide.n ? (highSide.n - highSide.statistic) / highSide.n : 0);
    t.trialsNeeded = signTestTrialsNeeded(q, 2 * ALPHA);
  }
  return t;
}

/**
 * Unpaired "flat" across conditions of light-tailed quantities: the bootstrap 95% CIs of the means (src/stats) must all
 * lie inside a band of width M (max CI high / min CI low ≤ M) → pass; even the CIs' near ends further apart than M
 * → contradicted; else inconclusive, with the trials at which the CIs (shrinking as 1/√n) would fit.
 */
export function flat(label: string, groups: readonly (readonly number[])[], M: number): DirectionTest {
  const s = groups.map((g) => ({ m: mean(g), ci: bootstrapCI(g), n: g.length }));
  const hiAll = Math.max(...s.map((x) => x.ci[1])), loAll = Math.min(...s.map((x) => x.ci[0]));
  const nearHi = Math.min(...s.map((x) => x.ci[1])), nearLo = Math.max(...s.map((x) => x.ci[0]));
  const ratio = hiAll / loAll;
  const outcome: Outcome = ratio <= M ? 'pass' : nearLo / nearHi > M ? 'contradicted' : 'inconclusive';
  const means = s.map((x) => x.m);
  const t: DirectionTest = {
    label, test: `bootstrap 95% CIs of the means inside a band of ×${fmt(M)} (unpaired)`, n: s.reduce((a, x) => a + x.n, 0),
    statistic: ratio, p: Number.NaN, estimateOf: 'max/min of the means', estimate: Math.max(...means) / Math.min(...means),
    ci: [loAll, hiAll], outcome, note: `CI envelope ${fmt(loAll)}…${fmt(hiAll)}`,
  };
  if (outcome === 'inconclusive') {
    // CIs shrink by a factor k = √(n/n′); find k with (maxMean + k·hHi)/(minMean − k·hLo) ≤ M
    const iMax = means.indexOf(Math.max(...means)), iMin = means.indexOf(Math.min(...means));
    const hHi = s[iMax].ci[1] - s[iMax].m, hLo = s[iMin].m - s[iMin].ci[0];
    const k = (M * s[iMin].m - s[iMax].m) / (hHi + M * hLo);
    const n0 = Math.min(...s.map((x) => x.n));
    t.trialsNeeded = k > 0 ? Math.ceil(n0 / (k * k)) : null;
  }
  return t;
}

// ---- claims ----

export interface Judgement {
  directions: DirectionTest[];
  sizes: SizeCheck[];
  /** Our value(s), formatted for the table. */
  ours: string;
  values: Record<string, number>;
}

/** A claim: what the paper says, and how to judge it from results (throw Missing → 'not run'). */
export interface ClaimDef {
  id: string;
  /** The experiment whose results the claim is read from (the report groups claims by it). */
  experiment: string;
  claim: string;
  paper: string;
  reference: string;
  judge(v: View): Judgement;
}

export interface ClaimVerdict {
  id: string;
  experiment: string;
  claim: string;
  paper: string;
  reference: string;
  ours: string;
  verdict: Verdict;
  /** One line: the deciding test and why. */
  reason: string;
  /** The deciding test's name, n, statistic, p and CI (null when not run). */
  test: string | null;
  n: number | null;
  statistic: number | null;
  p: number | null;
  ci: [number, number] | null;
  /** Trials a power calculation says would decide an inconclusive claim (null: none up to the limit / not applicable). */
  trialsNeeded: number | null;
  directions: DirectionTest[];
  sizes: SizeResult[];
  values: Record<string, number>;
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return x.toExponential(2);
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(3).replace(/\.?0+$/, '') || '0';
}

export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p < 1e-3 ? p.toExponential(1) : p.toFixed(3);
}

export const pct = (x: number) => `${x.toFixed(0)}%`;

const bandText = (b: [number, number]) => (b[0] === -Infinity ? `ceiling ${fmt(b[1])}` : `band ${fmt(b[0])}…${fmt(b[1])}`);

function describe(t: DirectionTest): string {
  const p = Number.isFinite(t.p) ? `, p = ${fmtP(t.p)}` : '';
  return `${t.label}: ${t.estimateOf} ${fmt(t.estimate)} [${fmt(t.ci[0])}, ${fmt(t.ci[1])}]${p}, n = ${t.n}`;
}

/** Combines a judgement into the verdict (the VERDICT rule above). */
export function verdictOf(def: Pick<ClaimDef, 'id' | 'experiment' | 'claim' | 'paper' | 'reference'>, j: Judgement, notes: string[]): ClaimVerdict {
  const sizes = j.sizes.map(judgeSize);
  const contra = j.directions.filter((t) => t.outcome === 'contradicted');
  const inconc = j.directions.filter((t) => t.outcome === 'inconclusive');
  const failed = sizes.filter((s) => !s.ok);
  const worstP = (ts: DirectionTest[]) => ts.reduce((w, t) => (!w || (Number.isFinite(t.p) && !(t.p <= w.p)) ? t : w), undefined as DirectionTest | undefined);
  let verdict: Verdict;
  let decider: DirectionTest | undefined;
  let reason: string;
  if (contra.length) {
    verdict = 'not reproduced';
    decider = contra[0];
    reason = `contradicted — ${describe(decider)}`;
  } else if (inconc.length) {
    verdict = 'inconclusive';
    decider = worstP(inconc)!;
    const need = inconc.map((t) => t.trialsNeeded);
    const n = need.includes(null) ? null : Math.max(...(need as number[]));
    reason = `not distinguishable from noise at this n — ${describe(decider)}; ` +
      (n === null ? 'more trials would not help at the observed effect (the trials do not lean the claimed way, or > 1000 needed)' : `~${n} trials would decide it (80% power at the observed effect)`);
  } else {
    decider = worstP(j.directions);
    verdict = failed.length ? 'same direction, different size' : 'reproduced';
    const dir = decider ? describe(decider) : 'no direction test';
    reason = failed.length
      ? `${dir}; size off: ${failed.map((s) => `${s.label} ${fmt(s.ours)} vs ${fmt(s.paper)} (${bandText(s.band)})`).join(', ')}`
      : dir;
  }
  if (notes.length) reason += ` (setting differs: ${notes.join('; ')})`;
  const trialsNeeded = verdict === 'inconclusive'
    ? (inconc.some((t) => t.trialsNeeded == null) ? null : Math.max(...inconc.map((t) => t.trialsNeeded as number)))
    : null;
  return {
    ...def, ours: j.ours, verdict, reason,
    test: decider?.test ?? null, n: decider?.n ?? null, statistic: decider?.statistic ?? null,
    p: decider && Number.isFinite(decider.p) ? decider.p : null, ci: decider?.ci ?? null, trialsNeeded,
    directions: j.directions, sizes, values: j.values,
  };
}

/** "median m (mean x)" for κ-type values, "mean x" for light-tailed ones: the size statistic first. */
export function show(values: readonly number[], q: Exclude<Quantity, 'reduction'>): string {
  return SIZE_RULE[q].statistic === 'median' ? `${fmt(medianOf(values))} (mean ${fmt(mean(values))})` : fmt(mean(values));
}

/**
 * The median of |log κ̂ − log κ*| (the metric `logKappaErr`, computed with the engine's deterministic log) for a
 * condition, when the results have it — reported beside κ-error sizes; the paper gives no value to compare it to.
 */
export function logKappaMedian(v: View, exp: string, cond: string): Record<string, number> {
  try {
    return { [`logKappaErrMedian_${cond}`]: medianOf(v.values(exp, cond, 'logKappaErr')) };
  } catch {
    return {};
  }
}
