// Paired comparisons for `fmnist`: every method of a trial starts from the same weights and sees the same batches,
// so per-seed differences (method − SGD) remove the seed's share of the variance. For each metric: the mean
// difference, a Student-t 95% interval (sd with ddof 1) and the seeded percentile bootstrap interval of src/stats;
// with a handful of seeds the t interval is the honest one, the bootstrap is shown for continuity with the rest.
import type { ExperimentResults } from './types.js';
import { bootstrapCI, mean } from '../stats/summary.js';

/** Two-sided 97.5% quantiles of Student's t for 1 … 30 degrees of freedom. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface PairedRow {
  method: string;
  metric: string;
  n: number;
  meanDiff: number;
  tLow: number;
  tHigh: number;
  bootLow: number;
  bootHigh: number;
}

/** method − baseline per trial for `metric`; trials where either diverged or lacks the metric are left out. */
export function pairedDifferences(r: ExperimentResults, method: string, metric: string, baseline = 'sgd'): PairedRow {
  const byTrial = new Map<number, { a?: number; b?: number }>();
  for (const t of r.trials) {
    for (const [cond, res] of Object.entries(t.result)) {
      if (cond !== method && cond !== baseline) continue;
      const v = res.diverged ? undefined : res.metrics[metric];
      const e = byTrial.get(t.trial) ?? {};
      if (cond === method) e.a = v;
      else e.b = v;
      byTrial.set(t.trial, e);
    }
  }
  const d = [...byTrial.entries()].sort((x, y) => x[0] - y[0]).flatMap(([, e]) => (Number.isFinite(e.a) && Number.isFinite(e.b) ? [e.a! - e.b!] : []));
  const n = d.length;
  const m = mean(d);
  const sd = n > 1 ? Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1)) : Number.NaN;
  const half = n > 1 ? (T975[Math.min(n - 2, T975.length - 1)] * sd) / Math.sqrt(n) : Number.NaN;
  const [bootLow, bootHigh] = bootstrapCI(d);
  return { method, metric, n, meanDiff: m, tLow: m - half, tHigh: m + half, bootLow, bootHigh };
}

/** Markdown table of paired differences against SGD for the given metrics and methods. */
export function pairedTable(r: ExperimentResults, metrics: string[], methods: string[], digits = 4): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
  const rows = ['| method − SGD | metric | n | mean diff | t 95% CI | bootstrap 95% CI |', '|---|---|---|---|---|---|'];
  for (const method of methods) {
    for (const metric of metrics) {
      const p = pairedDifferences(r, method, metric);
      rows.push(`| ${method} | ${metric} | ${p.n} | ${f(p.meanDiff)} | [${f(p.tLow)}, ${f(p.tHigh)}] | [${f(p.bootLow)}, ${f(p.bootHigh)}] |`);
    }
  }
  return rows.join('\n');
}
