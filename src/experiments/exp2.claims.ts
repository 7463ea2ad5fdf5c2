// Claims C5–C6 (paper §4.2), from Exp 2: SGD and Adam share targets and batches, so they are compared paired.
import type { View } from '../claims/view.js';
import { type ClaimDef, fmt, logKappaMedian, paired, show, stat } from '../claims/rules.js';

const d128 = (v: View) => v.expectSetting('exp2', 'd', v.exp('exp2').config.dims[0], 128);

export const EXP2_CLAIMS: ClaimDef[] = [
  {
    id: 'C5', experiment: 'exp2', claim: 'SGD d=128 row / overall / κ', paper: '0.13 / 0.14 / 0.87 ± 1.40', reference: '0.133 / 0.140 / 0.95 ± 1.29',
    judge(v) {
      d128(v);
      const { a: row, b: k } = v.pairs('exp2', 'sgd', 'rowNormErr', 'sgd', 'kappaErr');
      const ov = v.values('exp2', 'sgd', 'overallErr');
      return {
        directions: [paired('κ error > row-norm error (same runs)', row, k, 'greater')],
        sizes: [
          { label: 'row', quantity: 'norm', ours: stat(row, 'norm'), paper: 0.13 },
          { label: 'overall', quantity: 'norm', ours: stat(ov, 'norm'), paper: 0.14 },
          { label: 'κ', quantity: 'kappa', ours: stat(k, 'kappa'), paper: 0.87 },
        ],
        ours: `${fmt(stat(row, 'norm'))} / ${fmt(stat(ov, 'norm'))} / ${show(k, 'kappa')}`,
        values: { rowNormErr: stat(row, 'norm'), overallErr: stat(ov, 'norm'), kappaErrMedian: stat(k, 'kappa'), ...logKappaMedian(v, 'exp2', 'sgd') },
      };
    },
  },
  {
    id: 'C6', experiment: 'exp2', claim: 'Adam d=128 row / overall / κ', paper: '0.59 / 0.60 / 0.90 ± 0.97', reference: '0.24 / 0.34 / 0.99 ± 1.14',
    judge(v) {
      d128(v);
      const row = v.pairs('exp2', 'sgd', 'rowNormErr', 'adam'), ov = v.pairs('exp2', 'sgd', 'overallErr', 'adam');
      const k = v.values('exp2', 'adam', 'kappaErr');
      return {
        directions: [
          paired('Adam row-norm error > SGD', row.a, row.b, 'greater'),
          paired('Adam overall error > SGD', ov.a, ov.b, 'greater'),
        ],
        sizes: [
          { label: 'row', quantity: 'norm', ours: stat(row.b, 'norm'), paper: 0.59 },
          { label: 'overall', quantity: 'norm', ours: stat(ov.b, 'norm'), paper: 0.6 },
          { label: 'κ', quantity: 'kappa', ours: stat(k, 'kappa'), paper: 0.9 },
        ],
        ours: `${fmt(stat(row.b, 'norm'))} / ${fmt(stat(ov.b, 'norm'))} / ${show(k, 'kappa')}`,
        values: { rowNormErr: stat(row.b, 'norm'), overallErr: stat(ov.b, 'norm'), kappaErrMedian: stat(k, 'kappa'), ...logKappaMedian(v, 'exp2', 'adam') },
      };
    },
  },
];
