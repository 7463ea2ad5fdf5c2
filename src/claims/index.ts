export { judgeClaims, formatClaimsTable, countVerdicts, verdictCountsLine } from './judge.js';
export { CLAIMS, CLAIM_SETS } from './registry.js';
export {
  SIZE_RULE, ALPHA, judgeSize, sizeBand, paired, unpaired, threshold, equivalent, flat, verdictOf,
  type ClaimDef, type ClaimVerdict, type Verdict, type DirectionTest, type SizeCheck, type SizeResult, type Judgement, type Quantity,
} from './rules.js';
export { signTest, wilcoxonSignedRank, mannWhitney, signTestTrialsNeeded, mannWhitneyTrialsNeeded, medianRatio, bootstrapMedianCI } from './tests.js';
export { View, Missing } from './view.js';
