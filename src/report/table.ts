// Browser-safe pieces of the report (no node: imports): number formatting, the summary table rows, and which
// experiment each claim is judged from. Used by report.ts (Node) and the browser lab.
import type { ExperimentResults, Summary } from '../experiments/types.js';

/** Which experiment each claim is judged from (PROTOCOL.md's claim list). */
export const CLAIM_EXPERIMENT: Record<string, string> = {
  C1: 'exp1', C2: 'exp1', C3: 'exp1', C4: 'exp1', C5: 'exp2', C6: 'exp2', C7: 'exp3', C8: 'exp4', C9: 'exp4', C10: 'exp4',
  C11: 'exp6', C12: 'exp7', C13: 'exp7', C14: 'exp7', C15: 'exp7', C16: 'exp8', C17: 'exp8', C18: 'exp9', C19: 'exp9',
  C20: 'exp9', C21: 'exp5',
};

export const fmtNum = (x: number | null | undefined): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? x.toExponential(2) : x.toPrecision(3);
};

export const SUMMARY_HEAD = ['condition', 'metric', 'mean ± std', 'median [IQR]', '95% CI of mean', 'n', 'diverged'];

/** One row per (condition, metric): mean ± std, median [q1, q3], bootstrap 95% CI, n, n diverged. */
export function summaryRows(r: ExperimentResults): string[][] {
  const rows: string[][] = [];
  for (const [cond, s] of Object.entries(r.summaries ?? {})) {
    for (const [m, v] of Object.entries(s?.metrics ?? {})) {
      const x = v as Summary;
      rows.push([cond, m, `${fmtNum(x.mean)} ± ${fmtNum(x.std)}`, `${fmtNum(x.median)} [${fmtNum(x.q1)}, ${fmtNum(x.q3)}]`, `[${fmtNum(x.ciLow)}, ${fmtNum(x.ciHigh)}]`, String(x.n), String(x.nDiverged)]);
    }
  }
  return rows;
}

export const escapeHtml = (s: unknown): string =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Relative change of `x` against `ref` as a signed percentage ("−28%"), or '—'. */
const pct = (x: number | undefined, ref: number | undefined): string =>
  x === undefined || ref === undefined || !Number.isFinite(x) || !Number.isFinite(ref) || ref === 0
    ? '—'
    : `${x >= ref ? '+' : '−'}${Math.abs((100 * (x - ref)) / ref).toFixed(0)}%`;

export const VERSUS_HEAD = [
  'condition', 'row-norm err (mean)', 'vs ref', 'κ err (median)', 'vs ref', '|log κ err| (mean)', 'vs ref',
  'overall err (mean)', 'κ better than ref in', 'diverged', 'cost/step × ref',
];

/**
 * The corrective table: every condition against a reference condition of the same trials (paired — the same target
 * and batches): norm improvement, κ improvement (median relative error, heavy-tailed, and mean |log κ̂ − log κ*|),
 * overall error, the fraction of trials in which the condition's κ error beats the reference's, and the cost per
 * step relative to the reference when a cost table (bench/results/correctives.json) is given.
 * Empty when the results have no `ref` condition or nothing to compare it with.
 */
export function versusRows(r: ExperimentResults, ref = 'sgd', costs?: Record<string, number>): string[][] {
  const s = r.summaries ?? {};
  if (!s[ref] || Object.keys(s).length < 2) return [];
  const byTrial = new Map<number, Record<string, number | undefined>>();
  for (const t of r.trials ?? []) {
    const row = byTrial.get(t.trial) ?? {};
    for (const [cond, c] of Object.entries(t.result ?? {})) row[cond] = c.diverged ? undefined : c.metrics?.kappaErr;
    byTrial.set(t.trial, row);
  }
  const m = (cond: string, metric: string, stat: 'mean' | 'median' = 'mean') => s[cond]?.metrics?.[metric]?.[stat];
  return Object.keys(s).map((cond) => {
    let wins = 0, pairs = 0;
    for (const row of byTrial.values()) {
      const a = row[cond], b = row[ref];
      if (a === undefined || b === undefined) continue;
      pairs++;
      if (a < b) wins++;
    }
    const cost = costs?.[cond] !== undefined && costs?.[ref] ? fmtNum(costs[cond] / costs[ref]) : '—';
    return [
      cond,
      fmtNum(m(cond, 'rowNormErr')), cond === ref ? '' : pct(m(cond, 'rowNormErr'), m(ref, 'rowNormErr')),
      fmtNum(m(cond, 'kappaErr', 'median')), cond === ref ? '' : pct(m(cond, 'kappaErr', 'median'), m(ref, 'kappaErr', 'median')),
      fmtNum(m(cond, 'logKappaErr')), cond === ref ? '' : pct(m(cond, 'logKappaErr'), m(ref, 'logKappaErr')),
      fmtNum(m(cond, 'overallErr')),
      cond === ref || pairs === 0 ? '' : `${wins}/${pairs} trials`,
      String(s[cond]?.nDiverged ?? 0),
      cost,
    ];
  });
}
