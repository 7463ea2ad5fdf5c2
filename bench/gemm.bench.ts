// Single-thread square GEMM throughput: condlab (WASM, f64x2) against ml-matrix (plain JS) and numpy (OpenBLAS,
// one thread), all on the same inputs. Every peer's checksum (sum of C) is compared with an O(n²) closed form, so a
// fast wrong kernel cannot win. Run: npx tsx bench/gemm.bench.ts [--sizes 64,128] [--no-numpy] [--quick]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import b from 'benny';
import { Matrix as MlMatrix } from 'ml-matrix';
import { Engine } from '../src/engine/index.js';
import { wasmOf } from '../src/engine/internal.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface GemmBenchOptions {
  sizes?: number[];
  /** Include numpy via `python3 bench/numpy_gemm.py` (default true; skipped with a note when unavailable). */
  numpy?: boolean;
  /** Skip ml-matrix at a size whose estimated time per product exceeds this (extrapolated n³ from the last size). */
  mlMatrixMaxSeconds?: number;
  /** Shorter benny runs (for smoke tests); numbers get noisier. */
  quick?: boolean;
  log?: (line: string) => void;
}

export interface PeerResult {
  gflops?: number;
  /** Median seconds per product. */
  seconds?: number;
  checksum?: number;
  checksumOk?: boolean;
  skipped?: string;
}

export interface GemmBenchRow {
  n: number;
  /** Closed-form Σᵢⱼ Cᵢⱼ = Σₚ (column sums of A)ₚ·(row sums of B)ₚ, and the tolerance a correct product meets. */
  checksumRef: number;
  checksumTol: number;
  condlab: PeerResult;
  mlMatrix: PeerResult;
  numpy: PeerResult;
  ratios: { condlabOverNumpy?: number; condlabOverMlMatrix?: number };
}

export interface GemmBenchResult {
  benchmark: 'gemm';
  date: string;
  node: string;
  cpu: string;
  method: string;
  numpy: { version?: string; blas?: unknown; threads?: unknown; skipped?: string };
  rows: GemmBenchRow[];
}

/** Entries with a closed form numpy reproduces bit for bit: ((idx·mult) mod m)/m − ½. */
function entries(n: number, mult: number, mod: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) out[i] = ((i * mult) % mod) / mod - 0.5;
  return out;
}
const entriesA = (n: number) => entries(n, 7919, 1009);
const entriesB = (n: number) => entries(n, 104729, 2003);

/** Σ C without forming C, and a bound on how far a correctly rounded product's checksum can stray from it. */
function checksumReference(n: number, a: Float64Array, bm: Float64Array): { ref: number; tol: number } {
  let ref = 0, abs = 0;
  for (let p = 0; p < n; p++) {
    let ca = 0, cb = 0, caAbs = 0, cbAbs = 0;
    for (let i = 0; i < n; i++) {
      ca += a[i * n + p];
      caAbs += Math.abs(a[i * n + p]);
      cb += bm[p * n + i];
      cbAbs += Math.abs(bm[p * n + i]);
    }
    ref += ca * cb;
    abs += caAbs * cbAbs;
  }
  // each Cᵢⱼ is off by ≤ γₙ·(|A||B|)ᵢⱼ, the n² summands of ΣC add ≤ n²·u·Σ|C|; the reference has the same terms
  return { ref, tol: 2 * (n * n + 2 * n) * Number.EPSILON * abs };
}

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

async function timeWithBenny(name: string, fn: () => void, quick: boolean): Promise<number> {
  fn(); // warm-up: JIT tier-up for JS, page-in and packing-buffer allocation for WASM
  fn();
  const summary = await b.suite(
    name,
    b.add(name, fn, quick ? { minSamples: 3, maxTime: 0.3 } : { minSamples: 7, maxTime: 3 }),
    b.cycle(() => undefined),
  );
  return summary.results[0].details.median;
}

function runNumpy(sizes: number[], log: (s: string) => void): GemmBenchResult['numpy'] & { results?: { n: number; seconds: number; gflops: number; checksum: number }[] } {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('python3', [join(here, 'numpy_gemm.py'), '--sizes', sizes.join(',')], { env, encoding: 'utf8', timeout: 600_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? String(r.error.message) : `exit ${r.status}: ${r.stderr.trim().split('\n').pop()}`;
    log(`numpy skipped: python3 could not run bench/numpy_gemm.py (${why})`);
    return { skipped: `python3 unavailable or failed: ${why}` };
  }
  let parsed: { error?: string; numpy?: string; blas?: unknown; threads?: unknown; results?: { n: number; seconds: number; gflops: number; checksum: number }[] };
  try {
    parsed = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    log('numpy skipped: unreadable output from bench/numpy_gemm.py');
    return { skipped: 'unreadable output' };
  }
  if (parsed.error) {
    log(`numpy skipped: ${parsed.error}`);
    return { skipped: parsed.error };
  }
  return { version: parsed.numpy, blas: parsed.blas, threads: parsed.threads, results: parsed.results };
}

export async function runGemmBench(opts: GemmBenchOptions = {}): Promise<GemmBenchResult> {
  const sizes = opts.sizes ?? [64, 128, 256, 512, 1024];
  const log = opts.log ?? ((s: string) => console.log(s));
  const quick = !!opts.quick;
  const mlMax = opts.mlMatrixMaxSeconds ?? 2;
  const engine = await Engine.load();
  const rows: GemmBenchRow[] = [];
  let mlLast: { n: number; seconds: number } | undefined;

  for (const n of sizes) {
    const a = entriesA(n), bm = entriesB(n);
    const { ref, tol } = checksumReference(n, a, bm);
    const check = (checksum: number) => Math.abs(checksum - ref) <= tol;
    const flops = 2 * n ** 3;

    const condlab: PeerResult = {};
    {
      const A = engine.matrix(n, n, a), B = engine.matrix(n, n, bm), C = engine.matrix(n, n);
      try {
        const w = wasmOf(engine), pa = A.ptr, pb = B.ptr, pc = C.ptr;
        // the raw export, as a training loop calls it: Engine.gemm adds O(n²) finiteness scans on top
        const seconds = await timeWithBenny(`condlab gemm n=${n}`, () => w.gemm(0, 0, n, n, n, 1, pa, n, pb, n, 0, pc, n), quick);
        const checksum = sum(C.data());
        Object.assign(condlab, { seconds, gflops: flops / seconds / 1e9, checksum, checksumOk: check(checksum) });
      } finally {
        A.free();
        B.free();
        C.free();
      }
    }

    const mlMatrix: PeerResult = {};
    const estimate = mlLast ? mlLast.seconds * (n / mlLast.n) ** 3 : 0;
    if (estimate > mlMax) {
      mlMatrix.skipped = `estimated ${estimate.toFixed(1)} s per product (> ${mlMax} s budget)`;
    } else {
      const toRows = (x: Float64Array) => Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * n, (i + 1) * n)));
      const A = new MlMatrix(toRows(a)), B = new MlMatrix(toRows(bm));
      let C = A.mmul(B);
      const seconds = await timeWithBenny(`ml-matrix mmul n=${n}`, () => {
        C = A.mmul(B);
      }, quick || n >= 512);
      const checksum = C.sum();
      Object.assign(mlMatrix, { seconds, gflops: flops / seconds / 1e9, checksum, checksumOk: check(checksum) });
      mlLast = { n, seconds };
    }

    rows.push({ n, checksumRef: ref, checksumTol: tol, condlab, mlMatrix, numpy: {}, ratios: {} });
    log(`n=${n}: condlab ${fmt(condlab.gflops)} GFLOPS, ml-matrix ${mlMatrix.skipped ? `skipped (${mlMatrix.skipped})` : `${fmt(mlMatrix.gflops)} GFLOPS`}`);
  }

  const np = opts.numpy === false ? { skipped: 'disabled (--no-numpy)' } : runNumpy(sizes, log);
  for (const row of rows) {
    const r = np.results?.find((x) => x.n === row.n);
    row.numpy = r
      ? { seconds: r.seconds, gflops: r.gflops, checksum: r.checksum, checksumOk: Math.abs(r.checksum - row.checksumRef) <= row.checksumTol }
      : { skipped: np.skipped ?? 'no result' };
    const ok = (p: PeerResult) => p.gflops !== undefined && p.checksumOk;
    if (ok(row.condlab) && ok(row.numpy)) row.ratios.condlabOverNumpy = row.condlab.gflops! / row.numpy.gflops!;
    if (ok(row.condlab) && ok(row.mlMatrix)) row.ratios.condlabOverMlMatrix = row.condlab.gflops! / row.mlMatrix.gflops!;
  }

  return {
    benchmark: 'gemm',
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical)`,
    method:
      'square NN, C ← A·B (α=1, β=0), single thread; JS peers timed by benny (benchmark.js), median of samples after ' +
      'two warm-up calls; numpy via OpenBLAS with OPENBLAS/OMP/MKL_NUM_THREADS=1, median of 7 timed loops after 3 warm-ups; ' +
      'GFLOPS = 2n³/median seconds; checksum = ΣC compared with the closed form Σₚ colsum(A)ₚ·rowsum(B)ₚ',
    numpy: { version: np.version, blas: np.blas, threads: np.threads, skipped: np.skipped },
    rows,
  };
}

function fmt(x: number | undefined, digits = 2): string {
  return x === undefined ? '—' : x.toFixed(digits);
}

export function formatGemmTable(res: GemmBenchResult): string {
  const head = ['n', 'condlab', 'ml-matrix', 'numpy(1T)', 'condlab/numpy', 'condlab/ml-matrix', 'checksums'];
  const lines = res.rows.map((r) => {
    const peer = (p: PeerResult) => (p.skipped ? 'skipped' : `${fmt(p.gflops)}${p.checksumOk ? '' : ' BAD'}`);
    const sums = [r.condlab, r.mlMatrix, r.numpy].every((p) => p.skipped || p.checksumOk) ? 'ok' : 'MISMATCH';
    return [String(r.n), peer(r.condlab), peer(r.mlMatrix), peer(r.numpy), fmt(r.ratios.condlabOverNumpy), fmt(r.ratios.condlabOverMlMatrix), sums];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  const notes = res.rows.flatMap((r) => [
    r.mlMatrix.skipped ? `ml-matrix n=${r.n}: ${r.mlMatrix.skipped}` : '',
    r.numpy.skipped && r.n === res.rows[0].n ? `numpy: ${r.numpy.skipped}` : '',
  ]).filter(Boolean);
  return ['GEMM, GFLOPS (single thread, f64, square NN)', row(head), ...lines.map(row), ...notes].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizesArg = args.indexOf('--sizes');
  const res = await runGemmBench({
    sizes: sizesArg >= 0 ? args[sizesArg + 1].split(',').map(Number) : undefined,
    numpy: !args.includes('--no-numpy'),
    quick: args.includes('--quick'),
  });
  const out = join(here, 'results', 'gemm.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(res, null, 2) + '\n');
  console.log('\n' + formatGemmTable(res));
  console.log(`\nwrote ${out}`);
  const bad = res.rows.some((r) => [r.condlab, r.mlMatrix, r.numpy].some((p) => !p.skipped && !p.checksumOk));
  if (bad) {
    console.error('checksum mismatch: some result is wrong, its timing means nothing');
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
