// Prints docs/fmnist.md's results tables from an `fmnist` results file: per method mean ± std over seeds of the test
// and train accuracy, test loss, per-layer κ, ESD α of W1 and the curvature α per layer; then the paired differences
// against SGD (src/experiments/fmnist_paired.ts).
//   npx tsx bench/fmnist-tables.ts results/fmnist.json
import { readFileSync } from 'node:fs';
import type { ExperimentResults } from '../src/experiments/types.js';
import { pairedTable } from '../src/experiments/fmnist_paired.js';

const r = JSON.parse(readFileSync(process.argv[2] ?? 'results/fmnist.json', 'utf8')) as ExperimentResults;
const methods = [...new Set(r.trials.map((t) => t.cell))];
const cols: [string, string, number][] = [
  ['testAcc', 'test acc', 4], ['trainAcc', 'train acc', 4], ['testLoss', 'test loss', 3], ['kappa1', 'κ W1', 2], ['kappa2', 'κ W2', 2],
  ['kappa3', 'κ W3', 2], ['esdAlpha1', 'ESD α W1', 2], ['curvAlpha1', 'curv. α W1', 2], ['curvAlpha2', 'curv. α W2', 2], ['curvAlpha3', 'curv. α W3', 2],
];
const out = [`| method | ${cols.map((c) => c[1]).join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`];
for (const m of methods) {
  const cells = cols.map(([k, , d]) => {
    const xs = r.trials.flatMap((t) => (t.result[m] && !t.result[m].diverged && Number.isFinite(t.result[m].metrics[k]) ? [t.result[m].metrics[k]] : []));
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    return `${mean.toFixed(d)} ± ${sd.toFixed(d)}`;
  });
  out.push(`| ${m} | ${cells.join(' | ')} |`);
}
process.stdout.write(`${out.join('\n')}\n\n${pairedTable(r, ['testAcc', 'logKappaMean', 'kappa2'], methods.filter((m) => m !== 'sgd'))}\n`);
