// Claim C21 (paper §4.5, qualitative), from Exp 5's per-trial monotonicity fractions (share of sampled steps at
// which an error decreased). The thresholds are ours: the paper gives no number.
import { type ClaimDef, pct, stat, threshold } from '../claims/rules.js';

export const EXP5_CLAIMS: ClaimDef[] = [
  {
    id: 'C21', experiment: 'exp5', claim: 'Exp5: norms fall monotonically, κ erratic', paper: 'qualitative', reference: 'yes',
    judge(v) {
      const row = v.values('exp5', 'sgd', 'rowNormErrMonoFrac'), kap = v.values('exp5', 'sgd', 'kappaErrMonoFrac');
      return {
        directions: [
          threshold('row-norm error falls at ≥ 95% of steps', row, 0.95, 'greater', 'linear'),
          threshold('κ error falls at ≤ 80% of steps (erratic)', kap, 0.8, 'less', 'linear'),
        ],
        sizes: [],
        ours: `row ${pct(100 * stat(row, 'norm'))} / κ ${pct(100 * stat(kap, 'norm'))} of steps decreasing`,
        values: { rowMonoFrac: stat(row, 'norm'), kappaMonoFrac: stat(kap, 'norm') },
      };
    },
  },
];
