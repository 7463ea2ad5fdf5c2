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
