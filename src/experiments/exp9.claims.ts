// Claims C18–C20 (paper §4.9), from Exp 9's per-trial end values and series (1000 epochs, d = 128).
import type { View } from '../claims/view.js';
import { type ClaimDef, fmt, paired, show, stat, threshold } from '../claims/rules.js';
import { mean, std } from '../stats/summary.js';

function exp9Setting(v: View): void {
  const c = v.exp('exp9').config;
  v.expectSetting('exp9', 'd', c.dims[0], 128);
  v.expectSetting('exp9', 'epochs', c.epochs, 1000);
}

/** The last PLATEAU_FRACTION of training is the window C19 tests for a plateau. */
export const PLATEAU_FRACTION = 0.3;

/**
 * Per trial, over the window [0.7·T, T]: the change between the means of its second and first halves, in units of
 * the series' own spread (population std) over the window. |change| < 1: the κ error moved by less than its noise.
 * A series that keeps falling (the norms: 10× over the window) scores above 1. Also the values at the window's ends.
 */
export function windowChange(s: { epochs: number[]; values: number[] }, T: number): { change: number; start: number; end: number } {
  const t0 = (1 - PLATEAU_FRACTION) * T, tm = (1 - PLATEAU_FRACTION / 2) * T;
  const idx = s.epochs.map((e, i) => [e, i]).filter(([e]) => e >= t0).map(([, i]) => i);
  const w = idx.map((i) => s.values[i]);
  const first = idx.filter((i) => s.epochs[i] < tm).map((i) => s.values[i]);
  const second = idx.filter((i) => s.epochs[i] >= tm).map((i) => s.values[i]);
  const sd = std(w);
  return { change: sd > 0 ? Math.abs(mean(second) - mean(first)) / sd : 0, start: w[0], end: w[w.length - 1] };
}

export const EXP9_CLAIMS: ClaimDef[] = [
  {
    id: 'C18', experiment: 'exp9', claim: '1000 epochs row norm end', paper: '6.6e-5', reference: '8.0e-5',
    judge(v) {
      exp9Setting(v);
      const r = v.values('exp9', 'sgd', 'rowNormErr');
      return {
        directions: [threshold('row-norm error ends near zero (< 1e-3)', r, 1e-3, 'less')],
        sizes: [{ label: 'row end', quantity: 'norm', ours: stat(r, 'norm'), paper: 6.6e-5 }],
        ours: fmt(stat(r, 'norm')), values: { rowNormErrEnd: stat(r, 'norm') },
      };
    },
  },
  {
    id: 'C19', experiment: 'exp9', claim: '1000 epochs κ end', paper: '0.017', reference: '0.0155',
    judge(v) {
      exp9Setting(v);
      const T = v.exp('exp9').config.epochs;
      const k = v.values('exp9', 'sgd', 'kappaErr');
      const kw = v.series('exp9', 'sgd', 'kappaErr').map((s) => windowChange(s, T));
      const rw = v.series('exp9', 'sgd', 'rowNormErr').map((s) => windowChange(s, T));
      return {
        directions: [
          threshold(`κ error plateaus: last ${PLATEAU_FRACTION * 100}% changes it by < 1 own std`, kw.map((w) => w.change), 1, 'less', 'linear'),
          paired(`row-norm error keeps falling over the last ${PLATEAU_FRACTION * 100}%`, rw.map((w) => w.start), rw.map((w) => w.end), 'less'),
        ],
        sizes: [{ label: 'κ end', quantity: 'kappa', ours: stat(k, 'kappa'), paper: 0.017 }],
        ours: show(k, 'kappa'),
        values: { kappaErrEndMedian: stat(k, 'kappa'), kappaWindowChangeMedian: stat(kw.map((w) => w.change), 'kappa'), rowWindowChangeMedian: stat(rw.map((w) => w.change), 'kappa') },
      };
    },
  },
  {
    id: 'C20', experiment: 'exp9', claim: 'ratio κ/row over 1000 epochs', paper: '0.8× → 250×', reference: '3.9× → 194×',
    judge(v) {
      exp9Setting(v);
      // per-trial ratio κ error / row-norm error at the first sample (epoch 0) and the last
      const k = v.series('exp9', 'sgd', 'kappaErr'), r = v.series('exp9', 'sgd', 'rowNormErr');
      const start = k.map((s, i) => s.values[0] / r[i].values[0]);
      const end = k.map((s, i) => s.values[s.values.length - 1] / r[i].values[r[i].values.length - 1]);
      return {
        directions: [paired('the gap widens (ratio end > start)', start, end, 'greater')],
        sizes: [
          { label: 'start', quantity: 'kappa', ours: stat(start, 'kappa'), paper: 0.8 },
          { label: 'end', quantity: 'kappa', ours: stat(end, 'kappa'), paper: 250 },
        ],
        ours: `${fmt(stat(start, 'kappa'))}× → ${fmt(stat(end, 'kappa'))}× (medians)`,
        values: { ratioStartMedian: stat(start, 'kappa'), ratioEndMedian: stat(end, 'kappa') },
      };
    },
  },
];
