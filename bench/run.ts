// `npm run bench`: GEMM, SVD and HVP benchmarks side by side with their peers in one run; JSON under bench/results/.
// Options: --quick (smaller sizes, shorter runs), --only gemm,svd,hvp,correctives,spectral
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatGemmTable, runGemmBench } from './gemm.bench.js';
import { runSvdBench, type SvdBenchResult } from './svd.bench.js';
import { runHvpBench, type HvpBenchRow } from './hvp.bench.js';
import { runCorrectivesBench, type CorrectiveCostRow } from './correctives.bench.js';
import { runSpectralBench } from './spectral.bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const BENCHES = ['gemm', 'svd', 'hvp', 'correctives', 'spectral'];
const only = new Set(onlyIdx >= 0 ? args[onlyIdx + 1].split(',') : BENCHES);
for (const name of only) if (!BENCHES.includes(name)) throw new Error(`--only takes ${BENCHES.join(', ')}; got ${name}`);

function save(name: string, data: unknown): string {
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, date: new Date().toISOString() };
  writeFileSync(file + '.tmp', JSON.stringify({ env, ...(data as object) }, null, 2) + '\n');
  renameSync(file + '.tmp', file);
  return file;
}

const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '—' : x.toFixed(d));

function svdTable(r: SvdBenchResult): string {
  const head = 'n     condlab ms  values-only ms  sweeps  ml-matrix ms  numpy ms  condlab/numpy  ml-matrix/condlab  max|Δσ|/σ₁ vs numpy';
  const rows = r.rows.map((x) =>
    [
      String(x.n).padEnd(5),
      f(x.condlabMs).padStart(10),
      f(x.condlabValuesMs).padStart(15),
      String(x.condlabSweeps).padStart(7),
      f(x.mlMatrixMs).padStart(13),
      f(x.numpyMs).padStart(9),
      f(x.numpyMs ? x.condlabMs / x.numpyMs : null).padStart(14),
      f(x.mlMatrixMs ? x.mlMatrixMs / x.condlabMs : null).padStart(18),
      (x.maxSigmaDiffVsNumpy === null ? '—' : x.maxSigmaDiffVsNumpy.toExponential(1)).padStart(21),
    ].join(' '),
  );
  const g = r.graded;
  return [
    'SVD with U and V (square, Gaussian entries), median ms',
    head,
    ...rows,
    `graded ${g.n}×${g.n}, σ over ${g.decades} decades — relative error of σ_min: condlab ${g.condlab.toExponential(1)}, ` +
      `numpy ${g.numpy === null ? '—' : g.numpy.toExponential(1)}, ml-matrix ${g.mlMatrix.toExponential(1)}`,
    r.numpy.ok ? `numpy ${r.numpy.version}, one BLAS thread` : `numpy: ${r.numpy.reason}`,
  ].join('\n');
}

function hvpTable(rows: HvpBenchRow[]): string {
  return [
    `HVP cost at d = ${rows[0]?.d}, batch 64, median ms`,
    'model               gradient  HVP     Gauss-Newton  HVP/gradient',
    ...rows.map((r) => `${r.model.padEnd(19)} ${f(r.gradientMs, 3).padStart(8)}  ${f(r.hvpMs, 3).padStart(6)}  ${f(r.gaussNewtonMs, 3).padStart(12)}  ${f(r.hvpOverGradient).padStart(12)}`),
  ].join('\n');
}

function correctivesTable(rows: CorrectiveCostRow[]): string {
  return [
    'Cost per training step of each corrective (batch 64), median ms, and relative to SGD at the same d',
    'method       d     ms/step  × SGD',
    ...rows.map((r) => `${r.method.padEnd(12)} ${String(r.d).padEnd(5)} ${f(r.msPerStep, 3).padStart(7)}  ${f(r.overSgd).padStart(5)}`),
  ].join('\n');
}

if (only.has('gemm')) {
  const res = await runGemmBench({ quick, sizes: quick ? [64, 128, 256] : undefined, log: () => undefined });
  console.log(formatGemmTable(res) + `\n→ ${save('gemm', res)}\n`);
}
if (only.has('svd')) {
  const res = await runSvdBench({ sizes: quick ? [32, 64, 128] : undefined, maxTime: quick ? 0.3 : 1.5, quiet: true });
  console.log(svdTable(res) + `\n→ ${save('svd', res)}\n`);
}
if (only.has('hvp')) {
  const rows = await runHvpBench({ d: quick ? 64 : 256, maxTime: quick ? 0.3 : 1 });
  console.log(hvpTable(rows) + `\n→ ${save('hvp', { rows })}\n`);
}
if (only.has('correctives')) {
  const rows = await runCorrectivesBench({ dims: quick ? [64] : [64, 128], maxTime: quick ? 0.3 : 1 });
  console.log(correctivesTable(rows) + `\n→ ${save('correctives', { rows })}\n`);
}
if (only.has('spectral')) {
  const rows = await runSpectralBench({ dims: quick ? [64] : [64, 128], maxTime: quick ? 0.3 : 1 });
  console.log(correctivesTable(rows).replace('of each corrective', 'of each spectral-transfer condition') + `\n→ ${save('spectral', { rows })}\n`);
}
