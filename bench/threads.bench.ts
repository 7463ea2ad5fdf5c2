// GEMM inside one engine on 1, 2 (and 4) threads (src/engine/threads.ts), interleaved round by round in one
// process so a shared machine's load hits every thread count alike; wall-time medians, and the load average, since
// on a machine busy with other work a second thread only helps as far as a second core is free.
// Run: npx tsx bench/threads.bench.ts [--quick]
import { wasmOf } from '../src/engine/internal.js';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Engine, loadEngine, closeThreads } from '../src/engine/index.js';
import { loadThreadedEngine } from '../src/engine/threads.js';

export interface ThreadsBenchResult {
  benchmark: 'threads';
  method: string;
  n: number;
  loadAverage: { before: number[]; after: number[] };
  rows: { threads: number; build: string; seconds: number; gflops: number }[];
  /** 2-thread over 1-thread GEMM throughput on the shared-memory build (target ≥ 1.8). */
  speedup2?: number;
}

export async function runThreadsBench(opts: { n?: number; rounds?: number; counts?: number[] } = {}): Promise<ThreadsBenchResult> {
  const n = opts.n ?? 1024, rounds = opts.rounds ?? 7, counts = opts.counts ?? [1, 2, 4];
  const before = loadavg();
  const engines: { threads: number; build: string; e: Engine; ts: number[] }[] = [];
  engines.push({ threads: 1, build: 'plain', e: await loadEngine(), ts: [] });
  for (const t of counts) engines.push({ threads: t, build: 'threads', e: await loadThreadedEngine(t, 'plain'), ts: [] });
  const runs = engines.map((x) => {
    const A = x.e.rng(1).normalMatrix(n, n), B = x.e.rng(2).normalMatrix(n, n), C = x.e.matrix(n, n);
    const w = wasmOf(x.e);
    return () => w.gemm(0, 0, n, n, n, 1, A.ptr, n, B.ptr, n, 0, C.ptr, n);
  });
  runs.forEach((r) => r());
  for (let k = 0; k < rounds; k++) {
    engines.forEach((x, i) => {
      const t0 = performance.now();
      runs[i]();
      x.ts.push((performance.now() - t0) / 1e3);
    });
  }
  const rows = engines.map((x) => {
    const s = [...x.ts].sort((a, b) => a - b)[x.ts.length >> 1];
    return { threads: x.threads, build: x.build, seconds: s, gflops: (2 * n ** 3) / s / 1e9 };
  });
  for (const x of engines) await closeThreads(x.e);
  const one = rows.find((r) => r.build === 'threads' && r.threads === 1), two = rows.find((r) => r.build === 'threads' && r.threads === 2);
  return {
    benchmark: 'threads',
    method: `square NN GEMM n=${n}, raw export, ${rounds} interleaved rounds, median wall time per call`,
    n,
    loadAverage: { before, after: loadavg() },
    rows,
    speedup2: one && two ? two.gflops / one.gflops : undefined,
  };
}

export function formatThreadsTable(r: ThreadsBenchResult): string {
  return [
    `GEMM n = ${r.n} on threads inside one engine (GFLOPS, median of interleaved rounds)`,
    ...r.rows.map((x) => `${x.build.padEnd(8)} ${String(x.threads).padStart(2)} thread(s)  ${x.gflops.toFixed(2).padStart(7)}`),
    `2 threads / 1 thread: ${r.speedup2?.toFixed(2) ?? '—'} (target ≥ 1.8); load average ${r.loadAverage.before.map((x) => x.toFixed(1)).join(' ')} → ${r.loadAverage.after.map((x) => x.toFixed(1)).join(' ')}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatThreadsTable(await runThreadsBench(process.argv.includes('--quick') ? { n: 512, rounds: 3 } : {})));
}
