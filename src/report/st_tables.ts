// The paired tables of docs/spectral-transfer.md for the per-layer steps: `spectral-chains` (Exp 7's deep linear nets
// and MLP) and the `fmnist` methods. Per condition: how many trials diverged, medians over trials, and against a
// reference condition on the same trials the paired wins and the exact two-sided Wilcoxon signed-rank p on the log
// of the paired ratio (src/claims/tests.ts). A pure function of the results JSON (regenerate:
// `npx tsx bench/st-tables.ts results/spectral-chains.json results/fmnist.json`).
import { medianOf, wilcoxonSignedRank } from '../claims/tests.js';

interface TrialRow {
  trial: number;
  cell: string;
  result: Record<string, { metrics: Record<string, number>; diverged?: { epoch: number; reason: string } }>;
}
export interface StResultsFile {
  experiment?: string;
  config: Record<string, unknown> & { preset: string; trials: number; epochs: number };
  trials: TrialRow[];
  /** Wall ms per cell summed over its trials (not deterministic: the run's timing, read as cost). */
  timing?: { cellMs?: Record<string, number> };
}

export interface Column {
  key: string;
  label: string;
  digits?: number;
  /** Percentages: show 100·x. */
  percent?: boolean;
  /** true: larger is better (accuracy); the wins count trials where the condition is larger. */
  higherBetter?: boolean;
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const fp = (p: number) => (!Number.isFinite(p) ? '—' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** metrics per trial of one condition (null: diverged), from the rows whose result holds `cond`. */
function byTrial(file: StResultsFile, cond: string): Map<number, Record<string, number> | null> {
  const m = new Map<number, Record<string, number> | null>();
  for (const t of file.trials) {
    const r = t.result[cond];
    if (r) m.set(t.trial, r.diverged ? null : r.metrics);
  }
  return m;
}

/** Paired wins and Wilcoxon p of `a` against `b` on `col` (log of the ratio; trials where either diverged are left out). */
export function pairedVs<R extends object>(a: Map<number, R | null>, b: Map<number, R | null>, col: Column) {
  const xs: { sign: number; mag: number }[] = [];
  let wins = 0;
  const at = (r: R) => (r as Record<string, unknown>)[col.key] as number;
  for (const [trial, ra] of a) {
    const rb = b.get(trial);
    if (!ra || !rb) continue;
    const d = Math.log(at(ra) / at(rb));
    if (!Number.isFinite(d)) continue;
    xs.push({ sign: Math.sign(d), mag: Math.abs(d) });
    if (col.higherBetter ? d > 0 : d < 0) wins++;
  }
  return { wins, n: xs.length, p: xs.length ? wilcoxonSignedRank(xs).p : Number.NaN };
}

/**
 * One markdown table: a row per condition with diverged count, the median of every column, and for each reference
 * condition and each `tested` column "wins/n (p)".
 */
export function pairedConditionTable(file: StResultsFile, conds: string[], cols: Column[], refs: string[], tested: Column[], label = (c: string) => c): string {
  const data = new Map(conds.map((c) => [c, byTrial(file, c)]));
  const cellMs = file.timing?.cellMs;
  const head = ['condition', 'diverged', ...cols.map((c) => c.label), ...refs.flatMap((r) => tested.map((t) => `${t.label} wins vs ${label(r)} (p)`)), ...(cellMs ? ['s per trial'] : [])];
  const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const c of conds) {
    const rows = data.get(c)!;
    const ok = [...rows.values()].filter((r): r is Record<string, number> => r !== null);
    const cells = [label(c), `${rows.size - ok.length}/${rows.size}`];
    for (const col of cols) {
      const med = medianOf(ok.map((r) => r[col.key]).filter(Number.isFinite));
      cells.push(f(col.percent ? 100 * med : med, col.digits ?? 3));
    }
    for (const r of refs) {
      for (const t of tested) {
        if (r === c || !data.has(r)) cells.push('—');
        else {
          const v = pairedVs(rows, data.get(r)!, t);
          cells.push(`${v.wins}/${v.n} (${fp(v.p)})`);
        }
      }
    }
    if (cellMs) cells.push(cellMs[c] !== undefined && rows.size ? (cellMs[c] / 1000 / rows.size).toFixed(2) : '—');
    out.push(`| ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

/** "median [min, max]" of each layer's final α of the adaptive condition. */
export function adaptiveAlphaLine(file: StResultsFile, cond: string, layers: number): string {
  const rows = [...byTrial(file, cond).values()].filter((r): r is Record<string, number> => r !== null);
  const parts: string[] = [];
  for (let l = 1; l <= layers; l++) {
    const a = rows.map((r) => r[`stAlpha${l}`]).filter(Number.isFinite);
    if (!a.length) continue;
    parts.push(`layer ${l}: ${f(medianOf(a), 2)} [${f(Math.min(...a), 2)}, ${f(Math.max(...a), 2)}]`);
  }
  return `final α per layer of ${cond}, median [min, max] over trials — ${parts.join('; ')}`;
}

const ERR = (key: string, label: string): Column => ({ key, label });

/** docs/spectral-transfer.md's per-layer tables from a `spectral-chains` results file. */
export function spectralChainsTables(file: StResultsFile): string {
  const cells = [...new Set(file.trials.map((t) => t.cell))];
  const models = [...new Set(cells.map((c) => c.split('/')[0]))];
  const c = file.config as Record<string, unknown>;
  const out = [`${c.preset} preset, ${c.trials} paired trials, ${c.epochs} epochs, d = ${(c.dims as number[])[0]}; st: η = ${c.stLr}, τ = ${c.stTau}, β = 0.95; Muon lr 0.02; SGD lr ${c.lr}.`, ''];
  for (const m of models) {
    const conds = cells.filter((x) => x.startsWith(`${m}/`));
    const mlp = m === 'mlp';
    const cols = mlp
      ? [ERR('logKappaErr', 'mean layer log κ err'), ERR('kappaErr', 'layer κ err'), ERR('overallErr', 'function err')]
      : [ERR('logKappaErr', 'product log κ err'), ERR('kappaErr', 'product κ err'), ERR('rowNormErr', 'row-norm err'), ERR('overallErr', 'overall err'), ERR('layerKappaMean', 'mean layer κ')];
    out.push(`### ${mlp ? `MLP student (2 layers, hidden ${c.hidden})` : `deep linear, depth ${m.slice(5)}`}`, '');
    out.push(pairedConditionTable(file, conds, cols, [`${m}/sgd`], [cols[0], cols[mlp ? 2 : 3]], (x) => x.split('/')[1]));
    const ad = conds.find((x) => x.endsWith('/st=adaptive'));
    if (ad) out.push('', adaptiveAlphaLine(file, ad, mlp ? 2 : Number(m.slice(5))));
    out.push('');
  }
  return out.join('\n');
}

/** docs/spectral-transfer.md's Fashion-MNIST table from an `fmnist` results file. */
export function fmnistStTable(file: StResultsFile): string {
  const cells = [...new Set(file.trials.map((t) => t.cell))];
  const layers = Object.keys(file.trials[0]?.result[cells[0]]?.metrics ?? {}).filter((k) => /^kappa\d+$/.test(k)).length;
  const acc: Column = { key: 'testAcc', label: 'test acc %', percent: true, digits: 2, higherBetter: true };
  const cols: Column[] = [acc, { key: 'testLoss', label: 'test loss' }, { key: 'logKappaMean', label: 'mean log κ' }];
  const c = file.config as Record<string, unknown>;
  const out = [`${c.preset} preset, ${c.trials} paired trials, ${c.epochs} epochs, MLP 784 → ${(c.dims as number[]).join(' → ')} → 10; st: η = ${c.stLr}, τ = ${c.stTau}, adaptive every ${c.stAdaptEvery} steps.`, ''];
  out.push(pairedConditionTable(file, cells, cols, ['sgd', 'adam'], [acc]));
  if (cells.includes('st=adaptive')) out.push('', adaptiveAlphaLine(file, 'st=adaptive', layers));
  return out.join('\n') + '\n';
}
