// Claim C11 (paper §4.6), from Exp 6: standard and multipliers share each target and its batches (paired); the
// block-diagonal and low-rank targets are different problems (unpaired).
import { type ClaimDef, paired, pct, reductionPct, stat, unpaired } from '../claims/rules.js';

export const EXP6_CLAIMS: ClaimDef[] = [
  {
    id: 'C11', experiment: 'exp6', claim: 'multiplier gain block-diag / low-rank', paper: '93% / 29%', reference: '98% / 29%',
    judge(v) {
      const b = v.pairs('exp6', 'blockdiag/standard', 'rowNormErr', 'blockdiag/multipliers');
      const l = v.pairs('exp6', 'lowrank/standard', 'rowNormErr', 'lowrank/multipliers');
      const rb = b.b.map((x, i) => x / b.a[i]), rl = l.b.map((x, i) => x / l.a[i]);
      // gain = reduction of the (light-tailed) row-norm error: ratio of means
      const gb = reductionPct(stat(b.b, 'norm') / stat(b.a, 'norm')), gl = reductionPct(stat(l.b, 'norm') / stat(l.a, 'norm'));
      return {
        directions: [
          paired('multipliers help on low-rank targets (gain > 0)', l.a, l.b, 'less'),
          unpaired('gain larger on block-diag. (remaining-error ratio smaller than on low-rank)', rl, rb, 'less'),
        ],
        sizes: [
          { label: 'block-diag', quantity: 'reduction', ours: gb, paper: 93 },
          { label: 'low-rank', quantity: 'reduction', ours: gl, paper: 29 },
        ],
        ours: `${pct(gb)} / ${pct(gl)}`, values: { gainBlockdiag: gb, gainLowrank: gl },
      };
    },
  },
];
