// Seed 004's predictions (C22 onward) and the paper's question inside a transformer, judged from the results JSON
// of `mechanisms` and `transformer`. Self-contained on purpose: the claims framework is being rewritten, and the lead
// wires this module into it. Each check works on per-trial values (trials share nothing but the config), compares a
// mean with a 95% Student-t interval (n ≥ 2; with one trial every verdict is "inconclusive"), and is paired where two
// conditions of the same trial are compared (same seed, same teacher, same batches).
import type { ExperimentResults } from '../types.js';

export type Verdict = 'supported' | 'refuted' | 'inconclusive';

export interface TransformerClaim {
  id: string;
  text: string;
  ours: string;
  seed: string;
  verdict: Verdict;
  reason: string;
}

/** |α − seed| within this band counts as agreement: 2–3 × the seed's own across-layer std (0.10–0.18). */
export const ALPHA_BAND = 0.3;

function perTrial(r: ExperimentResults | undefined, condition: string, metric: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of r?.trials ?? []) {
    const c = t.result[condition];
    const x = c && !c.diverged ? c.metrics[metric] : undefined;
    if (typeof x === 'number' && Number.isFinite(x)) out.set(t.trial, x);
  }
  return out;
}

/** Per trial, the mean of a metric over several conditions (e.g. attention = q, k, v, attnOut). */
function meanOver(r: ExperimentResults | undefined, conditions: string[], metric: string): Map<number, number> {
  const maps = conditions.map((c) => perTrial(r, c, metric));
  const out = new Map<number, number>();
  for (const t of maps[0]?.keys() ?? []) {
    const xs = maps.map((m) => m.get(t));
    if (xs.every((x) => x !== undefined)) out.set(t, (xs as number[]).reduce((a, c) => a + c, 0) / xs.length);
  }
  return out;
}

function paired(a: Map<number, number>, b: Map<number, number>): number[] {
  return [...a.keys()].filter((t) => b.has(t)).sort((x, y) => x - y).map((t) => a.get(t)! - b.get(t)!);
}

/** Two-sided 97.5% Student-t quantiles for 1–10 degrees of freedom (beyond: a close approximation). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
const tQuantile = (df: number) => (df <= 10 ? T975[df - 1] : 1.96 + 2.5 / df);

/** Mean and its 95% t-interval (mean ± t·SE): with two trials the interval is wide, as it should be. */
function stats(xs: number[]): { n: number; mean: number; lo: number; hi: number } {
  const n = xs.length;
  const mean = n ? xs.reduce((a, c) => a + c, 0) / n : Number.NaN;
  if (n < 2) return { n, mean, lo: Number.NaN, hi: Number.NaN };
  const sd = Math.sqrt(xs.reduce((a, c) => a + (c - mean) ** 2, 0) / (n - 1));
  const h = tQuantile(n - 1) * sd / Math.sqrt(n);
  return { n, mean, lo: mean - h, hi: mean + h };
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const interval = (s: { n: number; mean: number; lo: number; hi: number }) =>
  s.n >= 2 ? `${f(s.mean)} [${f(s.lo)}, ${f(s.hi)}] (n = ${s.n})` : `${f(s.mean)} (n = ${s.n})`;

/** Agreement with a seed value within ±band: interval inside the band, outside it, or straddling its edge. */
function nearValue(xs: number[], target: number, band = ALPHA_BAND): { verdict: Verdict; reason: string; ours: string } {
  const s = stats(xs);
  const ours = interval(s);
  if (s.n === 0) return { verdict: 'inconclusive', reason: 'no finite values (missing results or every trial diverged)', ours };
  if (s.n < 2) return { verdict: 'inconclusive', reason: `one trial: no interval; point estimate ${f(s.mean)} vs ${target} ± ${band}`, ours };
  if (s.lo >= target - band && s.hi <= target + band) return { verdict: 'supported', reason: `95% t-interval lies inside ${target} ± ${band}`, ours };
  if (s.hi < target - band || s.lo > target + band) return { verdict: 'refuted', reason: `95% t-interval lies outside ${target} ± ${band}`, ours };
  return { verdict: 'inconclusive', reason: `95% t-interval straddles the edge of ${target} ± ${band}; more trials would decide`, ours };
}

/** One-sided: is the (paired) quantity below (sign −1) or above (+1) `ref`? */
function directional(xs: number[], sign: 1 | -1, ref = 0, what = 'difference'): { verdict: Verdict; reason: string; ours: string } {
  const s = stats(xs);
  const ours = interval(s);
  if (s.n < 2) return { verdict: 'inconclusive', reason: `${s.n} trial(s): no interval`, ours };
  const above = s.lo > ref, below = s.hi < ref;
  if ((sign > 0 && above) || (sign < 0 && below)) return { verdict: 'supported', reason: `${what} ${sign > 0 ? '>' : '<'} ${ref} with 95% t-interval`, ours };
  if ((sign > 0 && below) || (sign < 0 && above)) return { verdict: 'refuted', reason: `${what} ${sign > 0 ? '<' : '>'} ${ref} with 95% t-interval: the opposite direction`, ours };
  return { verdict: 'inconclusive', reason: `95% t-interval of the ${what} includes ${ref}`, ours };
}

const MLP = ['mlpUp', 'mlpDown'];
const ATTN = ['q', 'k', 'v', 'attnOut'];
const at = (cell: string, types: string[]) => types.map((t) => `${cell}/${t}`);

export function transformerClaims(mech: ExperimentResults | undefined, ts: ExperimentResults | undefined): TransformerClaim[] {
  const alpha = (cell: string, types: string[]) => [...meanOver(mech, at(cell, types), 'alpha').values()];
  const claim = (id: string, text: string, seed: string, j: { verdict: Verdict; reason: string; ours: string }): TransformerClaim => ({ id, text, seed, ...j });
  const out: TransformerClaim[] = [
    claim('C22', 'Pure MLP (no LayerNorm, residual or attention): dense-layer α ≈ 2', '2.18 ± 0.10', nearValue(alpha('mlp', MLP), 2.18)),
    claim('C23', 'LayerNorm pulls the MLP layers’ α down from ~2 toward ~1 (Thm 3, Cor 4): α(+LN) − α(MLP only) < 0, paired',
      '≈ −1', directional(paired(meanOver(mech, at('+ln', MLP), 'alpha'), meanOver(mech, at('mlp', MLP), 'alpha')), -1, 0, 'α(+LN) − α(MLP)')),
    claim('C24', 'Residual connections change the MLP layers’ α (Prop 5: they decorrelate the input covariance from the layer; no sign stated): α(+res) − α(+LN) ≠ 0, paired',
      'no number', (() => {
        const d = paired(meanOver(mech, at('+res', MLP), 'alpha'), meanOver(mech, at('+ln', MLP), 'alpha'));
        const s = stats(d);
        if (s.n < 2) return { verdict: 'inconclusive' as Verdict, reason: `${s.n} trial(s): no interval`, ours: interval(s) };
        const changes = s.lo > 0 || s.hi < 0;
        return { verdict: (changes ? 'supported' : 'inconclusive') as Verdict, reason: changes ? '95% t-interval excludes 0' : '95% t-interval includes 0: no detectable change', ours: interval(s) };
      })()),
    claim('C25', 'Transformer attention layers (Q, K, V, out): α ≈ 1.30', 'GPT-2 1.30 ± 0.15', nearValue(alpha('+attn', ATTN), 1.3)),
    claim('C26', 'Transformer MLP layers: α ≈ 1.00', 'GPT-2 1.00 ± 0.18', nearValue(alpha('+attn', MLP), 1.0)),
    claim('C27', 'Attention QKV: α ≈ 1.43', '1.43', nearValue(alpha('+attn', ['q', 'k', 'v']), 1.43)),
    claim('C28', 'Attention output projection: α ≈ 1.17', '1.17', nearValue(alpha('+attn', ['attnOut']), 1.17)),
    claim('C29', 'MLP up-projection: α ≈ 0.84', '0.84', nearValue(alpha('+attn', ['mlpUp']), 0.84)),
    claim('C30', 'MLP down-projection: α ≈ 1.15', '1.15', nearValue(alpha('+attn', ['mlpDown']), 1.15)),
    claim('C31', 'A softmax head with many classes pushes α above 2 (Prop 6): head α with 128 classes > 2', 'GPT-2 head 4.53',
      directional(alpha('vocab128', ['head']), 1, 2, 'head α (128 classes)')),
    claim('C32', 'More classes raise the head’s α: α_head(128 classes) − α_head(10 classes) > 0, paired', '0.90 (200 cl.) → 2.83 (1000 cl.)',
      directional(paired(meanOver(mech, ['vocab128/head'], 'alpha'), meanOver(mech, ['+attn/head'], 'alpha')), 1, 0, 'α difference')),
    claim('C33', 'Spectral transfer identity s = α·γ holds within 2% median error', 'median 1.0–1.9%', (() => {
      const errs: number[] = [];
      for (const t of mech?.trials ?? []) for (const [c, v] of Object.entries(t.result)) if (!c.endsWith('/all') && Number.isFinite(v.metrics.transferRelErr)) errs.push(v.metrics.transferRelErr);
      errs.sort((a, b) => a - b);
      const med = errs.length ? errs[Math.floor((errs.length - 1) / 2)] : Number.NaN;
      const ours = `median ${f(100 * med, 1)}% over ${errs.length} layer-type fits`;
      if (!errs.length) return { verdict: 'inconclusive' as Verdict, reason: 'no fits', ours };
      if (med <= 0.02) return { verdict: 'supported' as Verdict, reason: 'median ≤ 2%', ours };
      if (med > 0.05) return { verdict: 'refuted' as Verdict, reason: 'median > 5% (2.5× the claimed bound)', ours };
      return { verdict: 'inconclusive' as Verdict, reason: 'median between 2% and 5%', ours };
    })()),
    claim('C34', 'Curvature concentrates on about one direction per layer: curvature participation ratio (Σλ)²/Σλ² ≤ 2', 'Thm 9 (zeta bound)', (() => {
      const prs: number[] = [];
      for (const t of mech?.trials ?? []) for (const [c, v] of Object.entries(t.result)) if (!c.endsWith('/all') && Number.isFinite(v.metrics.curvaturePR)) prs.push(v.metrics.curvaturePR);
      prs.sort((a, b) => a - b);
      const med = prs.length ? prs[Math.floor((prs.length - 1) / 2)] : Number.NaN;
      const ours = `median ${f(med)} over ${prs.length} fits`;
      if (!prs.length) return { verdict: 'inconclusive' as Verdict, reason: 'no fits', ours };
      return med <= 2 ? { verdict: 'supported' as Verdict, reason: 'median ≤ 2', ours } : med > 3 ? { verdict: 'refuted' as Verdict, reason: 'median > 3', ours } : { verdict: 'inconclusive' as Verdict, reason: 'median in (2, 3]', ours };
    })()),
  ];
  // the paper's question inside attention: κ error exceeds the (permutation-invariant) row-norm error, paired per trial
  for (const opt of ['sgd', 'adam']) {
    const gap = paired(meanOver(ts, at(opt, ATTN), 'kappaErr'), meanOver(ts, at(opt, ATTN), 'rowNormSortedErr'));
    out.push(claim(opt === 'sgd' ? 'C35' : 'C36', `Inside attention (${opt.toUpperCase()}): norms are learned but shape is not — κ error − sorted row-norm error > 0, paired`,
      'paper: yes for dense layers', directional(gap, 1, 0, 'κ error − row-norm error')));
  }
  // …and whether training moved κ toward the teacher's at all: |log κ̂ − log κ*| after minus at init, paired
  for (const opt of ['sgd', 'adam']) {
    const d = paired(meanOver(ts, at(opt, ATTN), 'logKappaErr'), meanOver(ts, at(opt, ATTN), 'initLogKappaErr'));
    out.push(claim(opt === 'sgd' ? 'C37' : 'C38', `Inside attention (${opt.toUpperCase()}): training moves κ toward the teacher's — |log κ̂ − log κ*| after − at init < 0, paired`,
      'paper: κ error stays high', directional(d, -1, 0, 'change in |log κ̂ − log κ*|')));
  }
  return out;
}
