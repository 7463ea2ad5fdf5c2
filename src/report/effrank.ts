// abl-effrank: the effective-rank error at thresholds 0.001, 0.01 (PROTOCOL.md's) and 0.1, for every experiment and
// condition of a results directory, from the final metrics each run already stores (effRankErr@0.001, effRankErr,
// effRankErr@0.1; src/metrics/components.ts) — no retraining. Results written before these metrics existed lack the
// two extra columns (shown as "—"); re-running the experiment fills them.
import type { ExperimentResults } from '../experiments/types.js';

export const EFFRANK_COLUMNS = [['0.001', 'effRankErr@0.001'], ['0.01', 'effRankErr'], ['0.1', 'effRankErr@0.1']] as const;

export interface EffRankRow {
  experiment: string;
  condition: string;
  /** Median over trials per threshold (undefined: not stored). */
  medians: (number | undefined)[];
  n: number;
}

/** One row per (experiment, condition) that stores an effective-rank error. */
export function effRankRows(all: Record<string, ExperimentResults>): EffRankRow[] {
  const rows: EffRankRow[] = [];
  for (const [id, r] of Object.entries(all)) {
    for (const [cond, s] of Object.entries(r.summaries ?? {})) {
      const m = s?.metrics ?? {};
      if (!m.effRankErr) continue;
      rows.push({ experiment: id, condition: cond, medians: EFFRANK_COLUMNS.map(([, k]) => m[k]?.median ?? undefined), n: m.effRankErr.n });
    }
  }
  return rows;
}

const fmt = (x: number | undefined) => (x === undefined || x === null || !Number.isFinite(x) ? '—' : String(Number(x.toPrecision(3))));

/** The rows as a markdown table. */
export function effRankMarkdown(rows: EffRankRow[]): string {
  const head = `| experiment | condition | ${EFFRANK_COLUMNS.map(([t]) => `effRankErr @ ${t}`).join(' | ')} | n |`;
  return [head, `|---|---|${EFFRANK_COLUMNS.map(() => '---|').join('')}---|`, ...rows.map((r) => `| ${r.experiment} | ${r.condition} | ${r.medians.map(fmt).join(' | ')} | ${r.n} |`)].join('\n');
}
