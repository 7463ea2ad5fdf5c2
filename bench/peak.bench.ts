// The measured ceiling and the FMA engine: f64x2 multiply + add throughput with no memory traffic (plain, and fused
// with relaxed-simd f64x2.relaxed_madd), against condlab's GEMM on the plain and FMA builds — all interleaved round by
// round in one process, so a noisy shared machine slows every contender alike; medians over rounds.
// Run: npx tsx bench/peak.bench.ts [--quick]
import { wasmOf } from '../src/engine/internal.js';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Engine, loadEngine, relaxedSimdAvailable, defaultWasmUrl } from '../src/engine/index.js';

export interface PeakRow {
  name: string;
  gflops: number;
  /** Median seconds per call. */
  seconds: number;
}

export interface PeakBenchResult {
  benchmark: 'peak';
  method: string;
  relaxedSimd: boolean;
  n: number;
  rows: PeakRow[];
  /** Targets: plain GEMM ≥ 0.85 of the plain probe; FMA GEMM ≥ 1.7× plain GEMM. */
  ratios: { plainGemmOverPlainProbe?: number; fmaGemmOverPlainGemm?: number; fmaProbeOverPlainProbe?: number; fmaGemmOverFmaProbe?: number };
}

const PROBE_FLOPS_PER_ITER = 48; // assembly/probe/peak.ts

async function probe(file: string): Promise<(iters: number) => number> {
  const bytes = await readFile(new URL(`../build/${file}`, import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort: () => undefined } });
  return instance.exports.peak as (iters: number) => number;
}

export async function runPeakBench(opts: { n?: number; rounds?: number } = {}): Promise<PeakBenchResult> {
  const n = opts.n ?? 512, rounds = opts.rounds ?? 15;
  const relaxed = await relaxedSimdAvailable();
  const contenders: { name: string; flops: number; run: () => unknown; ts: number[] }[] = [];
  const iters = 4e6;
  contenders.push({ name: 'probe plain (mul + add)', flops: iters * PROBE_FLOPS_PER_ITER, run: ((p) => () => p(iters))(await probe('probe.wasm')), ts: [] });
  if (relaxed) contenders.push({ name: 'probe relaxed_madd', flops: iters * PROBE_FLOPS_PER_ITER, run: ((p) => () => p(iters))(await probe('probe-relaxed.wasm')), ts: [] });
  const gemmOf = (e: Engine, name: string) => {
    const A = e.rng(1).normalMatrix(n, n), B = e.rng(2).normalMatrix(n, n), C = e.matrix(n, n);
    const w = wasmOf(e);
    contenders.push({ name, flops: 2 * n ** 3, run: () => w.gemm(0, 0, n, n, n, 1, A.ptr, n, B.ptr, n, 0, C.ptr, n), ts: [] });
  };
  gemmOf(await Engine.load(defaultWasmUrl()), `gemm plain n=${n}`);
  if (relaxed) gemmOf(await loadEngine({ fma: true }), `gemm fma n=${n}`);
  for (const c of contenders) c.run(); // warm-up: tier-up, packing buffers
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      const t0 = performance.now();
      c.run();
      c.ts.push((performance.now() - t0) / 1e3);
    }
  }
  const rows = contenders.map((c) => {
    const s = [...c.ts].sort((a, b) => a - b)[c.ts.length >> 1];
    return { name: c.name, seconds: s, gflops: c.flops / s / 1e9 };
  });
  const g = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))?.gflops;
  const div = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);
  return {
    benchmark: 'peak',
    method: `${rounds} interleaved rounds, one call of each contender per round, median; probe = 12 independent f64x2 chains ` +
      `acc ← acc·m + c (${PROBE_FLOPS_PER_ITER} flops/iteration, no loads or stores); GEMM = raw export, square NN, β = 0`,
    relaxedSimd: relaxed,
    n,
    rows,
    ratios: {
      plainGemmOverPlainProbe: div(g('gemm plain'), g('probe plain')),
      fmaGemmOverPlainGemm: div(g('gemm fma'), g('gemm plain')),
      fmaProbeOverPlainProbe: div(g('probe relaxed'), g('probe plain')),
      fmaGemmOverFmaProbe: div(g('gemm fma'), g('probe relaxed')),
    },
  };
}

export function formatPeakTable(r: PeakBenchResult): string {
  const f = (x?: number) => (x === undefined ? '—' : x.toFixed(2));
  return [
    `Peak f64x2 throughput and GEMM at n = ${r.n} (GFLOPS, median of interleaved rounds)`,
    ...r.rows.map((x) => `${x.name.padEnd(26)} ${f(x.gflops).padStart(7)}`),
    `plain GEMM / plain probe ${f(r.ratios.plainGemmOverPlainProbe)} (target ≥ 0.85); FMA GEMM / plain GEMM ${f(r.ratios.fmaGemmOverPlainGemm)} ` +
      `(target ≥ 1.7); relaxed probe / plain probe ${f(r.ratios.fmaProbeOverPlainProbe)}; FMA GEMM / relaxed probe ${f(r.ratios.fmaGemmOverFmaProbe)}`,
    r.relaxedSimd ? '' : 'relaxed SIMD unavailable in this engine: FMA rows skipped',
  ].filter(Boolean).join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatPeakTable(await runPeakBench(process.argv.includes('--quick') ? { rounds: 5 } : {})));
}
