// Claims C12–C15 (paper §4.7), from Exp 7. The depth-L linear networks learn the same target from the same batches
// in each trial (paired); the ReLU MLP has its own teacher (unpaired against the others).
import { Missing, type View } from '../claims/view.js';
import { type ClaimDef, type DirectionTest, fmt, paired, show, stat, unpaired } from '../claims/rules.js';

function depthCond(v: View, L: number): string {
  const c = `depth${L}`;
  if (!v.hasCondition('exp7', c)) throw new Missing(`exp7 has no ${c}`);
  return c;
}

/** Paired "grows with depth" tests 1L < 2L < 3L on one metric. */
function growsWithDepth(v: View, metric: string, what: string): DirectionTest[] {
  return [[1, 2], [2, 3]].map(([a, b]) => {
    const p = v.pairs('exp7', depthCond(v, a), metric, depthCond(v, b));
    return paired(`${what} ${a}L < ${b}L`, p.a, p.b, 'greater');
  });
}

export const EXP7_CLAIMS: ClaimDef[] = [
  {
    id: 'C12', experiment: 'exp7', claim: 'product κ 1L / 2L / 3L (target ≈928)', paper: '1,510 / 242,566 / 4.8e6', reference: '1,268 / 7,508 / 1.6e5 (target 516)',
    judge(v) {
      const k = [1, 2, 3].map((L) => v.values('exp7', depthCond(v, L), 'productKappa'));
      const target = stat(v.values('exp7', 'depth1', 'targetKappa'), 'kappa');
      const paper = [1510, 242566, 4.8e6];
      return {
        directions: growsWithDepth(v, 'productKappa', 'product κ'),
        sizes: [
          { label: 'target', quantity: 'kappa', ours: target, paper: 928 },
          ...k.map((s, i) => ({ label: `${i + 1}L`, quantity: 'kappa' as const, ours: stat(s, 'kappa'), paper: paper[i] })),
        ],
        ours: `${k.map((s) => fmt(stat(s, 'kappa'))).join(' / ')} (target ${fmt(target)}; medians)`,
        values: { kappa1Median: stat(k[0], 'kappa'), kappa2Median: stat(k[1], 'kappa'), kappa3Median: stat(k[2], 'kappa'), targetKappaMedian: target },
      };
    },
  },
  {
    id: 'C13', experiment: 'exp7', claim: 'κ error 1L / 2L / 3L', paper: '0.24 / 653 / 13,167', reference: '1.53 / 29.8 / 800',
    judge(v) {
      const k = [1, 2, 3].map((L) => v.values('exp7', depthCond(v, L), 'kappaErr'));
      const paper = [0.24, 653, 13167];
      return {
        directions: growsWithDepth(v, 'kappaErr', 'κ error'),
        sizes: k.map((s, i) => ({ label: `${i + 1}L`, quantity: 'kappa' as const, ours: stat(s, 'kappa'), paper: paper[i] })),
        ours: k.map((s) => show(s, 'kappa')).join(' / '),
        values: { kappaErr1Median: stat(k[0], 'kappa'), kappaErr2Median: stat(k[1], 'kappa'), kappaErr3Median: stat(k[2], 'kappa') },
      };
    },
  },
  {
    id: 'C14', experiment: 'exp7', claim: 'overall 1L / 2L / 3L / MLP', paper: '0.05 / 0.22 / 0.26 / 0.57', reference: '0.137 / 0.228 / 0.253 / 0.66',
    judge(v) {
      const o = [1, 2, 3].map((L) => v.values('exp7', depthCond(v, L), 'overallErr'));
      const mlp = v.values('exp7', 'mlp', 'overallErr');
      const paper = [0.05, 0.22, 0.26, 0.57];
      const all = [...o, mlp];
      return {
        directions: [...growsWithDepth(v, 'overallErr', 'overall error'), unpaired('overall error 3L < MLP', o[2], mlp, 'greater')],
        sizes: all.map((s, i) => ({ label: i < 3 ? `${i + 1}L` : 'MLP', quantity: 'norm' as const, ours: stat(s, 'norm'), paper: paper[i] })),
        ours: all.map((s) => fmt(stat(s, 'norm'))).join(' / '),
        values: { overall1: stat(o[0], 'norm'), overall2: stat(o[1], 'norm'), overall3: stat(o[2], 'norm'), overallMlp: stat(mlp, 'norm') },
      };
    },
  },
  {
    id: 'C15', experiment: 'exp7', claim: 'MLP κ error', paper: '9.1×', reference: '3.17',
    judge(v) {
      const k = v.values('exp7', 'mlp', 'kappaErr'), k1 = v.values('exp7', depthCond(v, 1), 'kappaErr');
      return {
        directions: [unpaired('MLP κ error > single layer', k1, k, 'greater')],
        sizes: [{ label: 'MLP κ err', quantity: 'kappa', ours: stat(k, 'kappa'), paper: 9.1 }],
        ours: show(k, 'kappa'), values: { kappaErrMlpMedian: stat(k, 'kappa') },
      };
    },
  },
];
