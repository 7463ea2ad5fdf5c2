// The spectral-transfer tables of docs/spectral-transfer.md "Transformer", from a `transformer` results file: per
// student, medians over trials of the excess loss (KL to the teacher) and of |log κ̂ − log κ*| averaged over the
// seven layer types, with paired wins and exact Wilcoxon p (log of the paired ratio) against Adam and against SGD;
// per layer type the median |log κ̂ − log κ*|; the adaptive student's final α per layer type. A pure function of
// the JSON (regenerate: `npx tsx bench/transformer-st-table.ts results/transformer.json`).
import { medianOf } from '../claims/tests.js';
import { pairedVs } from './st_tables.js';
import { LAYER_TYPES } from '../models/transformer.js';

interface TrialRow {
  trial: number;
  cell: string;
  result: Record<string, { metrics: Record<string, number>; diverged?: { epoch: number; reason: string } }>;
}
export interface TransformerResultsFile {
  config: { preset: string; trials: number; epochs: number; stLr: number; stTau: number; stAdaptEvery: number; adamLr: number; lr: number };
  trials: TrialRow[];
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const fp = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** Per trial, per cell: excess loss, mean log κ error over layer types, per-type log κ error (undefined: diverged). */
function collect(file: TransformerResultsFile) {
  const cells: string[] = [];
  const by = new Map<string, Map<number, { kl: number; logK: number; perType: Record<string, number>; alpha: Record<string, number>; rowSorted: number } | null>>();
  for (const t of file.trials) {
    if (!cells.includes(t.cell)) cells.push(t.cell);
    const stream = t.result[`${t.cell}/stream`];
    let row = null;
    if (stream && !stream.diverged) {
      const perType: Record<string, number> = {}, alpha: Record<string, number> = {};
      let rows = 0;
      for (const lt of LAYER_TYPES) {
        const m = t.result[`${t.cell}/${lt}`].metrics;
        perType[lt] = m.logKappaErr;
        rows += m.rowNormSortedErr / LAYER_TYPES.length;
        if (m.stAlpha !== undefined) alpha[lt] = m.stAlpha;
      }
      const logK = LAYER_TYPES.reduce((a, lt) => a + perType[lt], 0) / LAYER_TYPES.length;
      row = { kl: stream.metrics.excessLoss, logK, perType, alpha, rowSorted: rows };
    }
    if (!by.has(t.cell)) by.set(t.cell, new Map());
    by.get(t.cell)!.set(t.trial, row);
  }
  return { cells, by };
}

export function transformerStTables(file: TransformerResultsFile): string {
  const { cells, by } = collect(file);
  const ok = (c: string) => [...by.get(c)!.values()].filter((r) => r !== null) as NonNullable<ReturnType<typeof collect>['by'] extends Map<string, Map<number, infer R>> ? R : never>[];
  const out: string[] = [];
  const c = file.config;
  out.push(`${c.preset} preset, ${c.trials} paired trials, ${c.epochs} steps; st: η = ${c.stLr}, τ = ${c.stTau}, β = 0.95, non-matrix parameters Adam at ${c.adamLr}; SGD lr ${c.lr}, Adam ${c.adamLr}.`);
  out.push('');
  out.push('| student | diverged | excess loss (KL) | mean abs log κ err | sorted row-norm err | KL wins vs adam (p) | log κ wins vs adam (p) | KL wins vs sgd (p) | log κ wins vs sgd (p) |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const cell of cells) {
    const rows = ok(cell);
    const nTrials = by.get(cell)!.size;
    const vs = (ref: string, key: 'kl' | 'logK') => {
      if (cell === ref || !by.has(ref)) return '—';
      const r = pairedVs(by.get(cell)!, by.get(ref)!, { key, label: key });
      return `${r.wins}/${r.n} (${fp(r.p)})`;
    };
    out.push(`| ${cell} | ${nTrials - rows.length}/${nTrials} | ${f(medianOf(rows.map((r) => r.kl)), 4)} | ${f(medianOf(rows.map((r) => r.logK)))} | ${f(medianOf(rows.map((r) => r.rowSorted)))} | ${vs('adam', 'kl')} | ${vs('adam', 'logK')} | ${vs('sgd', 'kl')} | ${vs('sgd', 'logK')} |`);
  }
  out.push('');
  out.push(`Median |log κ̂ − log κ*| per layer type (mean over the blocks of a trial; init = the student's initialisation):`);
  out.push('');
  out.push(`| layer type | init | ${cells.join(' | ')} |`);
  out.push(`|---|---|${cells.map(() => '---').join('|')}|`);
  const initOf = (lt: string) => {
    const xs = file.trials.filter((t) => t.cell === cells[0] && !t.result[`${t.cell}/${lt}`].diverged).map((t) => t.result[`${t.cell}/${lt}`].metrics.initLogKappaErr);
    return medianOf(xs);
  };
  for (const lt of LAYER_TYPES) out.push(`| ${lt} | ${f(initOf(lt), 2)} | ${cells.map((cell) => f(medianOf(ok(cell).map((r) => r.perType[lt])), 2)).join(' | ')} |`);
  const adaptive = cells.find((x) => x === 'st=adaptive');
  if (adaptive) {
    const rows = ok(adaptive);
    out.push('');
    out.push(`Adaptive α at the end of training (median over trials [min, max]), re-measured every ${c.stAdaptEvery} steps:`);
    out.push('');
    out.push(`| ${LAYER_TYPES.join(' | ')} |`);
    out.push(`|${LAYER_TYPES.map(() => '---').join('|')}|`);
    out.push(`| ${LAYER_TYPES.map((lt) => { const xs = rows.map((r) => r.alpha[lt]); return `${f(medianOf(xs), 2)} [${f(Math.min(...xs), 2)}, ${f(Math.max(...xs), 2)}]`; }).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}
