// Claim C7 (paper §4.3), from Exp 3's per-trial gradient ratio |∂L/∂σ₁| / |∂L/∂σ_min|.
import { type ClaimDef, show, stat, threshold } from '../claims/rules.js';

export const EXP3_CLAIMS: ClaimDef[] = [
  {
    id: 'C7', experiment: 'exp3', claim: 'gradient σ₁ vs σ_min', paper: '10–100×', reference: '28×',
    judge(v) {
      const r = v.values('exp3', 'sgd', 'gradRatio');
      return {
        directions: [threshold('σ₁ gets more gradient signal than σ_min (ratio > 1)', r, 1, 'greater')],
        sizes: [{ label: 'ratio', quantity: 'kappa', ours: stat(r, 'kappa'), paper: 10, lo: 10, hi: 100 }],
        ours: `${show(r, 'kappa')}×`, values: { gradRatioMedian: stat(r, 'kappa'), gradRatioMin: Math.min(...r) },
      };
    },
  },
];
