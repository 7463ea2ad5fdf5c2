// Claims C22–C34: seed 004's curvature-exponent predictions, read from the `mechanisms` ablations. Judged by the
// rules of src/claims/rules.ts: "α ≈ seed value" is an 'exponent' size (median over trials, ±0.3 absolute);
// directions between ablations of one trial (same seed, teacher and batches) are exact paired Wilcoxon tests on α
// differences (linear scale: α is an exponent, not a positive scale quantity).
import { type ClaimDef, type DirectionTest, fmt, paired, stat, threshold } from '../claims/rules.js';
import { Missing, View } from '../claims/view.js';

const EXP = 'mechanisms';
const MLP = ['mlpUp', 'mlpDown'];
const ATTN = ['q', 'k', 'v', 'attnOut'];
const REF = 'seed 004';

/** trial → the mean of a metric over layer types of one ablation (e.g. attention = q, k, v, attnOut), in trial order. */
export function meanOverTypes(v: View, exp: string, cell: string, types: readonly string[], metric: string): Map<number, number> {
  const maps = types.map((t) => v.byTrial(exp, `${cell}/${t}`, metric));
  const out = new Map<number, number>();
  for (const [trial] of maps[0]) {
    const xs = maps.map((m) => m.get(trial));
    if (xs.every((x) => x !== undefined)) out.set(trial, (xs as number[]).reduce((a, c) => a + c, 0) / xs.length);
  }
  if (!out.size) throw new Missing(`${exp}/${cell}: no trial has ${metric} for every one of ${types.join(', ')}`);
  return out;
}

const inOrder = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);

/** trial → the mean of a metric over every per-layer-type fit of every ablation (conditions not ending in /all). */
function meanOverFits(v: View, metric: string): Map<number, number> {
  const conds = v.conditions(EXP).filter((c) => !c.endsWith('/all'));
  const sums = new Map<number, { s: number; n: number }>();
  for (const c of conds) {
    let m: Map<number, number>;
    try { m = v.byTrial(EXP, c, metric); } catch (e) { if (e instanceof Missing) continue; throw e; }
    for (const [t, x] of m) { const a = sums.get(t) ?? { s: 0, n: 0 }; a.s += x; a.n++; sums.set(t, a); }
  }
  if (!sums.size) throw new Missing(`${EXP} has no per-layer ${metric}`);
  return new Map([...sums].map(([t, a]) => [t, a.s / a.n]));
}

/** A claim "α of these layer types in this ablation ≈ the seed's value": the exponent size rule alone. */
function alphaNear(id: string, claim: string, cell: string, types: readonly string[], seed: number, paper: string): ClaimDef {
  return {
    id, experiment: EXP, claim, paper, reference: REF,
    judge(v) {
      const a = inOrder(meanOverTypes(v, EXP, cell, types, 'alpha'));
      const med = stat(a, 'exponent');
      return { directions: [], sizes: [{ label: `α (${cell}: ${types.join('/')})`, quantity: 'exponent', ours: med, paper: seed }], ours: `α median ${fmt(med)} (n = ${a.length})`, values: { alphaMedian: med } };
    },
  };
}

/** Paired α difference b − a, per trial, over the given types of two ablations. */
function alphaPairs(v: View, cellA: string, typesA: readonly string[], cellB: string, typesB: readonly string[] = typesA) {
  return View.pairMaps(meanOverTypes(v, EXP, cellA, typesA, 'alpha'), meanOverTypes(v, EXP, cellB, typesB, 'alpha'));
}

/**
 * Two-sided paired test ("changes α", no sign stated): the one-sided test in the direction the median difference
 * leans. decide() passes a side only at p < α/2, so this is the two-sided test at α; it cannot be contradicted.
 */
function changes(label: string, a: number[], b: number[]): DirectionTest {
  const diffs = b.map((x, i) => x - a[i]).sort((x, y) => x - y);
  const lean = diffs[Math.floor((diffs.length - 1) / 2)] + diffs[Math.floor(diffs.length / 2)] < 0 ? 'less' : 'greater';
  const t = paired(label, a, b, lean, 'linear');
  return { ...t, test: t.test.replace('(paired)', '(paired, two-sided: the side the median leans, each side at α/2)') };
}

const diffText = (t: DirectionTest) => `paired Δα median ${fmt(t.estimate)} [${fmt(t.ci[0])}, ${fmt(t.ci[1])}] (n = ${t.n})`;

export const MECHANISMS_CLAIMS: ClaimDef[] = [
  alphaNear('C22', 'Pure MLP (no LN, residual, attention): dense α ≈ 2.18', 'mlp', MLP, 2.18, '2.18 ± 0.10'),
  {
    id: 'C23', experiment: EXP, claim: 'LayerNorm lowers the MLP layers’ α (Thm 3, Cor 4)', paper: '~2 → ~1', reference: REF,
    judge(v) {
      const { a, b } = alphaPairs(v, 'mlp', MLP, '+ln');
      const t = paired('α(+LN) < α(MLP only), MLP layers', a, b, 'less', 'linear');
      return { directions: [t], sizes: [], ours: diffText(t), values: { alphaDiffMedian: t.estimate } };
    },
  },
  {
    id: 'C24', experiment: EXP, claim: 'Residual connections change the MLP layers’ α (Prop 5)', paper: 'no sign/number', reference: REF,
    judge(v) {
      const { a, b } = alphaPairs(v, '+ln', MLP, '+res');
      const t = changes('α(+res) ≠ α(+LN), MLP layers', a, b);
      return { directions: [t], sizes: [], ours: diffText(t), values: { alphaDiffMedian: t.estimate } };
    },
  },
  alphaNear('C25', 'Transformer attention (Q, K, V, out): α ≈ 1.30', '+attn', ATTN, 1.3, 'GPT-2 1.30 ± 0.15'),
  alphaNear('C26', 'Transformer MLP layers: α ≈ 1.00', '+attn', MLP, 1.0, 'GPT-2 1.00 ± 0.18'),
  alphaNear('C27', 'Attention QKV: α ≈ 1.43', '+attn', ['q', 'k', 'v'], 1.43, '1.43'),
  alphaNear('C28', 'Attention output projection: α ≈ 1.17', '+attn', ['attnOut'], 1.17, '1.17'),
  alphaNear('C29', 'MLP up-projection: α ≈ 0.84', '+attn', ['mlpUp'], 0.84, '0.84'),
  alphaNear('C30', 'MLP down-projection: α ≈ 1.15', '+attn', ['mlpDown'], 1.15, '1.15'),
  {
    id: 'C31', experiment: EXP, claim: 'Softmax head with 128 classes: α > 2 (Prop 6)', paper: '> 2 (GPT-2 head 4.53)', reference: REF,
    judge(v) {
      const a = inOrder(meanOverTypes(v, EXP, 'vocab128', ['head'], 'alpha'));
      const t = threshold('head α (128 classes) > 2', a, 2, 'greater', 'linear');
      return { directions: [t], sizes: [], ours: `head α median ${fmt(stat(a, 'exponent'))} (n = ${a.length})`, values: { alphaMedian: stat(a, 'exponent') } };
    },
  },
  {
    id: 'C32', experiment: EXP, claim: 'More classes raise the head’s α (10 → 128 classes)', paper: '0.90 (200) → 2.83 (1000 cl.)', reference: REF,
    judge(v) {
      const { a, b } = alphaPairs(v, '+attn', ['head'], 'vocab128');
      const t = paired('α_head(128 classes) > α_head(10 classes)', a, b, 'greater', 'linear');
      return { directions: [t], sizes: [], ours: diffText(t), values: { alphaDiffMedian: t.estimate } };
    },
  },
  {
    id: 'C33', experiment: EXP, claim: 'Transfer identity s = α·γ: |s − αγ|/|s| ≤ 2%', paper: 'median 1.0–1.9%', reference: REF,
    judge(v) {
      // per trial: the mean relative error over its layer-type fits; heavy-tailed ratio → κ-type size (median, ×/÷ 2)
      const e = inOrder(meanOverFits(v, 'transferRelErr'));
      const med = stat(e, 'kappa');
      return {
        directions: [threshold('transfer error < 2%', e, 0.02, 'less', 'log')],
        sizes: [{ label: 'transfer error', quantity: 'kappa', ours: med, paper: 0.0145, lo: 0.01, hi: 0.019 }],
        ours: `median ${fmt(100 * med)}% (n = ${e.length} trials)`, values: { transferRelErrMedian: med },
      };
    },
  },
  {
    id: 'C34', experiment: EXP, claim: 'Curvature on ~one direction: participation ratio ≤ 2', paper: 'Thm 9 (ζ bound)', reference: REF,
    judge(v) {
      const pr = inOrder(meanOverFits(v, 'curvaturePR'));
      const med = stat(pr, 'kappa');
      return { directions: [threshold('curvature participation ratio < 2', pr, 2, 'less', 'log')], sizes: [], ours: `PR median ${fmt(med)} (n = ${pr.length})`, values: { curvaturePRMedian: med } };
    },
  },
];
