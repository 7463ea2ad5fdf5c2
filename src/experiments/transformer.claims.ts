// Claims C35–C38: the paper's question asked inside a transformer's attention (`transformer`, teacher–student);
// C42: seed 004's choice of spectral-transfer member for transformers.
// Per trial, each metric is the mean over the attention layer types (Q, K, V, out); SGD and Adam share nothing
// but the config, so each claim is a paired test within one optimiser's trials: κ error against the sorted
// row-norm error of the same run, and |log κ̂ − log κ*| after training against at initialisation — exact paired
// Wilcoxon on log ratios (κ-type quantities), rules in src/claims/rules.ts.
import { type ClaimDef, fmt, paired } from '../claims/rules.js';
import { View } from '../claims/view.js';
import { meanOverTypes } from './mechanisms.claims.js';

const EXP = 'transformer';
const ATTN = ['q', 'k', 'v', 'attnOut'];

function gap(id: string, opt: 'sgd' | 'adam'): ClaimDef {
  return {
    id, experiment: EXP, claim: `Attention (${opt.toUpperCase()}): κ error > sorted row-norm error`, paper: 'yes (dense layers)', reference: 'paper §4',
    judge(v) {
      const { a, b } = View.pairMaps(meanOverTypes(v, EXP, opt, ATTN, 'rowNormSortedErr'), meanOverTypes(v, EXP, opt, ATTN, 'kappaErr'));
      const t = paired('κ error / row-norm error > 1', a, b, 'greater', 'log');
      return { directions: [t], sizes: [], ours: `κ/row-norm error median ${fmt(t.estimate)} (n = ${t.n})`, values: { gapRatioMedian: t.estimate } };
    },
  };
}

function moves(id: string, opt: 'sgd' | 'adam'): ClaimDef {
  return {
    id, experiment: EXP, claim: `Attention (${opt.toUpperCase()}): training moves κ toward the teacher's`, paper: 'open (κ error stays high)', reference: 'paper §4',
    judge(v) {
      const { a, b } = View.pairMaps(meanOverTypes(v, EXP, opt, ATTN, 'initLogKappaErr'), meanOverTypes(v, EXP, opt, ATTN, 'logKappaErr'));
      const t = paired('|log κ̂ − log κ*| after < at init', a, b, 'less', 'log');
      return { directions: [t], sizes: [], ours: `after/init median ${fmt(t.estimate)} (n = ${t.n})`, values: { afterOverInitMedian: t.estimate } };
    },
  };
}

/**
 * Seed 004 §7.3: "α ≈ 1.3 for transformers suggests s^(−0.3)" — a member near Muon's flat step, not Spectral Newton.
 * Paired on excess loss (KL to the teacher) between the st=1 and st=2 students of the same trials.
 */
const NEAR_MUON: ClaimDef = {
  id: 'C42', experiment: EXP, claim: 'Transformer: the α = 1 spectral-transfer step reaches a lower excess loss than Spectral Newton (α = 2)',
  paper: 'α ≈ 1.3 → near-Muon member, not SN', reference: 'seed 004 §7.3',
  judge(v) {
    const { a, b } = View.pairMaps(v.byTrial(EXP, 'st=2/stream', 'excessLoss'), v.byTrial(EXP, 'st=1/stream', 'excessLoss'));
    const t = paired('excess loss st=1 / st=2 < 1', a, b, 'less', 'log');
    return { directions: [t], sizes: [], ours: `st=1/st=2 excess loss median ${fmt(t.estimate)} (n = ${t.n})`, values: { st1OverSt2Median: t.estimate } };
  },
};

export const TRANSFORMER_CLAIMS: ClaimDef[] = [gap('C35', 'sgd'), gap('C36', 'adam'), moves('C37', 'sgd'), moves('C38', 'adam'), NEAR_MUON];
