// Claims C16–C17 (paper §4.8), from Exp 8: every lr and weight-decay cell of a trial shares its target and batches,
// so comparisons are paired per trial.
import { Missing, View } from '../claims/view.js';
import { type ClaimDef, equivalent, fmt, paired, stat } from '../claims/rules.js';

export const EXP8_CLAIMS: ClaimDef[] = [
  {
    id: 'C16', experiment: 'exp8', claim: 'gap ratio lr 0.001 / 0.01 / 0.05', paper: '1.0 / 9.2 / 440', reference: '3.4 / 11.5 / 408',
    judge(v) {
      const lrs = ['0.001', '0.01', '0.05'];
      // per-trial gap ratio κ error / row-norm error (κ-type: compared by medians and on a log scale)
      const g = lrs.map((lr) => v.ratioByTrial('exp8', `lr=${lr}`, 'kappaErr', 'rowNormErr'));
      const vals = g.map((m) => [...m.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]));
      const p01 = View.pairMaps(g[0], g[1]), p12 = View.pairMaps(g[1], g[2]);
      const paper = [1.0, 9.2, 440];
      return {
        directions: [
          paired('gap ratio lr 0.001 < 0.01', p01.a, p01.b, 'greater'),
          paired('gap ratio lr 0.01 < 0.05', p12.a, p12.b, 'greater'),
        ],
        sizes: vals.map((x, i) => ({ label: `lr=${lrs[i]}`, quantity: 'kappa' as const, ours: stat(x, 'kappa'), paper: paper[i] })),
        ours: vals.map((x) => fmt(stat(x, 'kappa'))).join(' / ') + ' (medians)',
        values: { gap0001Median: stat(vals[0], 'kappa'), gap001Median: stat(vals[1], 'kappa'), gap005Median: stat(vals[2], 'kappa') },
      };
    },
  },
  {
    id: 'C17', experiment: 'exp8', claim: 'weight decay 0…1e-2 κ error', paper: 'all ~1.23', reference: '1.53 … 1.35 (medians 0.31)',
    judge(v) {
      const conds = v.conditions('exp8').filter((c) => c.startsWith('wd='));
      if (conds.length < 2 || !conds.includes('wd=0')) throw new Missing('exp8 needs wd=0 and another weight-decay condition');
      const others = conds.filter((c) => c !== 'wd=0');
      const k = conds.map((c) => v.values('exp8', c, 'kappaErr'));
      return {
        // "virtually unchanged": each weight decay's κ error within ×/÷ 1.25 of wd = 0 on the same trials
        directions: others.map((c) => {
          const p = v.pairs('exp8', 'wd=0', 'kappaErr', c);
          return equivalent(`κ error ${c} ≈ wd=0 (×/÷ 1.25)`, p.a, p.b, 1.25);
        }),
        sizes: k.map((s, i) => ({ label: conds[i], quantity: 'kappa' as const, ours: stat(s, 'kappa'), paper: 1.23 })),
        ours: k.map((s) => fmt(stat(s, 'kappa'))).join(' … ') + ' (medians)',
        values: Object.fromEntries(k.map((s, i) => [`${conds[i]}Median`, stat(s, 'kappa')])),
      };
    },
  },
];
