// Claims C44–C45 (seed 004 §7.3) from `spectral-chains`: every condition of a trial trains the same MLP student from
// the same initial layers on the same batches as Exp 7's SGD cell, so comparisons are paired by trial.
// Rules: src/claims/rules.ts.
import type { View } from '../claims/view.js';
import { type ClaimDef, fmt, paired } from '../claims/rules.js';

const EXP = 'spectral-chains';

function lowerFunctionError(id: string, claim: string, paper: string, ref: string, cond: string): ClaimDef {
  return {
    id, experiment: EXP, claim, paper, reference: 'seed 004 §7.3',
    judge(v: View) {
      const { a, b } = v.pairs(EXP, `mlp/${ref}`, 'overallErr', `mlp/${cond}`);
      const t = paired(`function error ${cond} / ${ref} < 1`, a, b, 'less', 'log');
      return { directions: [t], sizes: [], ours: `${cond}/${ref} function error median ${fmt(t.estimate)} (n = ${t.n})`, values: { ratioMedian: t.estimate } };
    },
  };
}

export const SPECTRAL_CHAINS_CLAIMS: ClaimDef[] = [
  // "α ≈ 2 (convolutions, pure MLPs) gives Spectral Newton": the step the seed prescribes for a pure MLP
  lowerFunctionError('C44', 'Exp 7 MLP student: per-layer Spectral Newton (α = 2) reaches a lower function error than SGD', 'SN for pure MLPs (α ≈ 2)', 'sgd', 'st=2'),
  // the seed's premise: the step should follow the measured exponent, not a fixed one
  lowerFunctionError('C45', 'Exp 7 MLP student: adaptive α per layer (measured from exact HVPs) beats Spectral Newton', 'measured α is the right exponent', 'st=2', 'st=adaptive'),
];
