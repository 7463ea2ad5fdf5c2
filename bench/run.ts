// `npm run bench`: GEMM, SVD and HVP benchmarks side by side with their peers in one run; JSON under bench/results/.
// Options: --quick (smaller sizes, shorter runs), --only gemm,svd,svd-vectors,hvp,correctives,conformance,linalg,normals,peak,threads,reproduction,spectral,transformer-st [--fma] [--threads N]
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatGemmTable, runGemmBench } from './gemm.bench.js';
import { runSvdBench, runSvdVectorsBench, type SvdBenchResult, type SvdVectorsResult } from './svd.bench.js';
import { runHvpBench, type HvpBenchRow } from './hvp.bench.js';
import { runCorrectivesBench, type CorrectiveCostRow } from './correctives.bench.js';
import { formatConformance, runConformance } from './conformance.bench.js';
import { runLinalgBench, type LinalgBenchResult } from './linalg.bench.js';
import { formatNormalsTable, runNormalsBench } from './normals.bench.js';
import { formatPeakTable, runPeakBench } from './peak.bench.js';
import { formatThreadsTable, runThreadsBench } from './threads.bench.js';
import { formatReproductionTable, runReproductionBench } from './reproduction.bench.js';
import { runSpectralBench } from './spectral.bench.js';
import { runTransformerStBench } from './transformer-st.bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const BENCHES = ['gemm', 'svd', 'svd-vectors', 'hvp', 'correctives', 'conformance', 'linalg', 'normals', 'peak', 'threads', 'reproduction', 'spectral', 'transformer-st'];
// the whole reproduction takes minutes: only when asked for by name
const DEFAULT_BENCHES = BENCHES.filter((b) => b !== 'reproduction');
const only = new Set(onlyIdx >= 0 ? args[onlyIdx + 1].split(',') : DEFAULT_BENCHES);
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

function svdVectorsTable(r: SvdVectorsResult): string {
  const e = (x: number | null) => (x === null ? '—' : x.toExponential(1));
  return [
    'SVD with U and V: right-basis path (rightBasis: true) and the default QRCP path vs numpy gesdd with U, V — median ms, target ratio ≤ 3',
    'n     right-basis ms  sweeps  QRCP ms  sweeps  numpy ms  ratio  QRCP ratio  max|Δσ|/σ₁ vs numpy  max rel Δσ vs QRCP  ‖UᵀU−I‖/ε  ‖VᵀV−I‖/ε  ‖AV−UΣ‖/(εσ₁)',
    ...r.rows.map((x) =>
      [
        String(x.n).padEnd(5),
        f(x.rightBasisMs).padStart(14) + (x.path === 1 ? '' : '*'),
        String(x.rightBasisSweeps).padStart(7),
        f(x.qrcpMs).padStart(8),
        String(x.qrcpSweeps).padStart(7),
        f(x.numpyMs).padStart(9),
        f(x.ratio).padStart(6),
        f(x.qrcpRatio).padStart(11),
        e(x.maxSigmaDiffVsNumpy).padStart(20),
        e(x.maxRelSigmaDiffVsQrcp).padStart(19),
        f(x.orthU, 1).padStart(10),
        f(x.orthV, 1).padStart(10),
        f(x.residual, 2).padStart(14),
      ].join(' '),
    ),
    `load average (1 min): ${r.load.start.toFixed(2)} at start, ${r.load.end.toFixed(2)} at end` +
      (r.numpy.ok ? `; numpy ${r.numpy.version}` : `; numpy: ${r.numpy.reason}`),
  ].join('\n');
}

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
  const values = r.values.map((x) =>
    [
      String(x.n).padEnd(5),
      f(x.bidiagMs).padStart(10),
      f(x.numpyValuesMs).padStart(9),
      f(x.ratio).padStart(13),
      (x.maxSigmaDiffVsNumpy === null ? '—' : x.maxSigmaDiffVsNumpy.toExponential(1)).padStart(21),
    ].join(' '),
  );
  return [
    'SVD with U and V (square, Gaussian entries), median ms',
    head,
    ...rows,
    "Values only, method 'bidiag' (bidiagonalisation + dqds) vs gesdd(compute_uv=False), median ms — target ratio ≤ 2",
    'n     bidiag ms  numpy ms  bidiag/numpy  max|Δσ|/σ₁ vs numpy',
    ...values,
    `load average (1 min): ${r.load.start.toFixed(2)} at start, ${r.load.end.toFixed(2)} at end`,
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

function linalgTable(r: LinalgBenchResult): string {
  return [
    'eigh / qr / cholesky / lstsq, median ms (qr and lstsq on 2n×n)',
    'op        n     condlab  ml-matrix  numpy   numpy pivoted  condlab/numpy  ml-matrix/condlab  max rel Δ vs numpy',
    ...r.rows.map((x) =>
      [
        x.op.padEnd(9),
        String(x.n).padEnd(5),
        f(x.condlabMs, 3).padStart(7),
        f(x.mlMatrixMs, 3).padStart(10),
        f(x.numpyMs, 3).padStart(6),
        f(x.numpyPivotedMs, 3).padStart(14),
        f(x.numpyMs ? x.condlabMs / x.numpyMs : null).padStart(14),
        f(x.mlMatrixMs / x.condlabMs).padStart(18),
        (x.diffVsNumpy === null ? '—' : x.diffVsNumpy.toExponential(1)).padStart(19),
      ].join(' '),
    ),
    r.numpy.ok ? `numpy ${r.numpy.version}${r.numpy.scipy ? `, scipy ${r.numpy.scipy}` : ''}, one BLAS thread` : `numpy: ${r.numpy.reason}`,
  ].join('\n');
}

if (only.has('gemm')) {
  const res = await runGemmBench({ quick, sizes: quick ? [64, 128, 256] : undefined, log: () => undefined });
  console.log(formatGemmTable(res) + `\n→ ${save('gemm', res)}\n`);
}
if (only.has('svd')) {
  const res = await runSvdBench({
    sizes: quick ? [32, 64, 128] : undefined,
    valuesSizes: quick ? [64, 128, 256] : undefined,
    maxTime: quick ? 0.3 : 1.5,
    quiet: true,
  });
  console.log(svdTable(res) + `\n→ ${save('svd', res)}\n`);
}
if (only.has('svd-vectors')) {
  const res = await runSvdVectorsBench({ sizes: quick ? [64, 128] : undefined, maxTime: quick ? 0.5 : 3 });
  console.log(svdVectorsTable(res) + `\n→ ${save('svd-vectors', res)}\n`);
}
if (only.has('hvp')) {
  const rows = await runHvpBench({ d: quick ? 64 : 256, maxTime: quick ? 0.3 : 1 });
  console.log(hvpTable(rows) + `\n→ ${save('hvp', { rows })}\n`);
}
if (only.has('correctives')) {
  const rows = await runCorrectivesBench({ dims: quick ? [64] : [64, 128], maxTime: quick ? 0.3 : 1 });
  console.log(correctivesTable(rows) + `\n→ ${save('correctives', { rows })}\n`);
}
if (only.has('conformance')) {
  const res = await runConformance({ numRuns: quick ? 30 : 100, log: (line) => console.log(line) });
  const md = formatConformance(res);
  writeFileSync(join(here, 'results', 'conformance.md'), md + '\n');
  console.log(md + `\n→ ${save('conformance', res)}\n`);
}
if (only.has('linalg')) {
  const res = await runLinalgBench({ sizes: quick ? [32, 64] : undefined, maxTime: quick ? 0.3 : 1 });
  console.log(linalgTable(res) + `\n→ ${save('linalg', res)}\n`);
}
if (only.has('normals')) {
  const res = await runNormalsBench(quick ? { repeats: 3, minSeconds: 0.05 } : {});
  console.log(formatNormalsTable(res) + `\n→ ${save('normals', res)}\n`);
}
if (only.has('peak')) {
  const res = await runPeakBench(quick ? { rounds: 5 } : {});
  console.log(formatPeakTable(res) + `\n→ ${save('peak', res)}\n`);
}
if (only.has('threads')) {
  const res = await runThreadsBench(quick ? { n: 512, rounds: 3 } : {});
  console.log(formatThreadsTable(res) + `\n→ ${save('threads', res)}\n`);
}
if (only.has('reproduction')) {
  const fma = args.includes('--fma');
  const ti = args.indexOf('--threads');
  const res = await runReproductionBench({ fma, threads: ti >= 0 ? Number(args[ti + 1]) : undefined });
  console.log(formatReproductionTable(res) + `\n→ ${save(fma ? 'reproduction-fma' : 'reproduction', res)}\n`);
}
if (only.has('spectral')) {
  const rows = await runSpectralBench({ dims: quick ? [64] : [64, 128], maxTime: quick ? 0.3 : 1 });
  console.log(correctivesTable(rows).replace('of each corrective', 'of each spectral-transfer condition') + `\n→ ${save('spectral', { rows })}\n`);
}
if (only.has('transformer-st')) {
  // --quick: the quick preset's model (and shorter sampling); default: the paper preset's
  const rows = await runTransformerStBench({ preset: quick ? 'quick' : 'paper', maxTime: quick ? 1 : 3 });
  const table = ['student        ms/step   × sgd', ...rows.map((r) => `${r.student.padEnd(13)} ${f(r.msPerStep).padStart(8)} ${f(r.overSgd).padStart(7)}`)].join('\n');
  console.log(`transformer students, ${rows[0].preset} preset (ms per training step incl. the teacher's batch)\n${table}\n→ ${save('transformer-st', { rows })}\n`);
}
