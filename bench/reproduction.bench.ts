// The whole reproduction, condlab against the numpy reference implementation on the same machine, one after the
// other: the nine paper experiments with --preset paper (in this process, one worker per core, so CPU time counts
// every worker thread), then bench/reference/protocol.py with one BLAS thread (its CPU time from the OS). For each
// experiment it also records the up-front estimate (src/config/estimate.ts) against the measured wall time — the
// estimate must be within 30% — and the cost-unit seconds this run implies (to recalibrate UNIT_SECONDS).
// It times the compiled runner in dist/ — what `condlab run` and `npm start` execute — not src/ through tsx: from
// sources every worker thread first registers tsx and transpiles the runner's imports (~0.25 s per experiment here),
// a cost no user pays.
// Run: npm run bench -- --only reproduction [--fma] [--threads N]   (`npm run bench` compiles dist/ first, so the
// run never times stale code; `tsx bench/run.ts` directly needs a current `npm run build:ts`)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The compiled modules the run uses (the same types as their sources). */
async function loadDist() {
  const dist = (m: string) => new URL(`../dist/${m}`, import.meta.url).href;
  if (!existsSync(new URL(dist('runner/run.js')))) throw new Error('bench reproduction: dist/ is missing; run `npm run build:ts` first');
  return {
    ...((await import(dist('experiments/index.js'))) as typeof import('../src/experiments/index.js')),
    ...((await import(dist('config/index.js'))) as typeof import('../src/config/index.js')),
    ...((await import(dist('config/estimate.js'))) as typeof import('../src/config/estimate.js')),
    ...((await import(dist('runner/run.js'))) as typeof import('../src/runner/run.js')),
    ...((await import(dist('engine/index.js'))) as typeof import('../src/engine/index.js')),
  };
}

export interface ReproductionRow {
  experiment: string;
  wallS: number;
  cpuS: number;
  estimateS: number;
  /** estimate / measured (target: within 0.7–1.3). */
  estimateRatio: number;
  /** measured wall × workers / Σ cellCost: the cost-unit seconds this run implies. */
  impliedUnitSeconds: number;
  numpyWallS?: number;
  /** condlab wall / numpy wall. */
  ratio?: number;
}

export interface ReproductionResult {
  benchmark: 'reproduction';
  method: string;
  variant: 'plain' | 'fma';
  workers: number;
  threads?: number;
  loadAverageBefore: number[];
  rows: ReproductionRow[];
  condlab: { wallS: number; cpuS: number };
  numpy?: { wallS: number; cpuS: number; version?: string; skipped?: string };
  /** condlab wall / numpy wall for the nine (targets: ≤ 0.7 plain, ≤ 0.5 with --fma). */
  ratio?: number;
  estimatesWithin30pct: boolean;
  /** The experiments whose est/meas lies outside 0.7–1.3, so the summary names them. */
  estimatesOutside30pct: string[];
}

/** An estimate within 30% of the measured wall time (ratio est/meas in [0.7, 1.3]). */
function within30pct(ratio: number): boolean {
  return ratio >= 0.7 && ratio <= 1.3;
}

const PY_WRAPPER = `
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.run([sys.executable, "bench/reference/protocol.py"], capture_output=True, text=True)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
if p.returncode != 0:
    print(json.dumps({"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "exit %d" % p.returncode}))
else:
    out = json.loads(p.stdout)
    print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "timing": out.get("timing"), "numpy": out.get("numpy")}))
`;

export async function runReproductionBench(opts: { fma?: boolean; threads?: number; log?: (s: string) => void } = {}): Promise<ReproductionResult> {
  const log = opts.log ?? ((s: string) => console.error(s));
  const { paperExperiments, buildConfig, estimate, RUN_OVERHEAD_SECONDS, UNIT_SECONDS, runExperiment, relaxedSimdAvailable } = await loadDist();
  const fma = !!opts.fma && (await relaxedSimdAvailable());
  const workers = availableParallelism();
  const { loadavg } = await import('node:os');
  const loadAverageBefore = loadavg();
  const rows: ReproductionRow[] = [];
  let wall = 0, cpu = 0;
  for (const exp of paperExperiments) {
    const cfg = buildConfig(exp, 'paper', {});
    const est = estimate(exp, cfg, workers);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await runExperiment(exp, cfg, { fma, threads: opts.threads });
    const wallS = (performance.now() - t0) / 1e3;
    const cu = process.cpuUsage(c0);
    const cpuS = (cu.user + cu.system) / 1e6;
    const costs = exp.cells(cfg).map((c) => exp.cellCost?.(cfg, c) ?? 0);
    const totalCost = cfg.trials * costs.reduce((a, b) => a + b, 0);
    const used = Math.min(out.results.timing.workers || 1, costs.length * cfg.trials);
    rows.push({
      experiment: exp.id, wallS, cpuS, estimateS: est.seconds, estimateRatio: est.seconds / wallS,
      impliedUnitSeconds: totalCost ? (Math.max(0, wallS - RUN_OVERHEAD_SECONDS) * Math.max(1, used)) / totalCost : 0,
    });
    wall += wallS;
    cpu += cpuS;
    log(`${exp.id}: ${wallS.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU, estimate ${est.seconds.toFixed(1)} s (${(est.seconds / wallS).toFixed(2)}×)`);
  }
  const py = spawnSync('python3', ['-c', PY_WRAPPER], {
    encoding: 'utf8', maxBuffer: 1 << 26,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  let numpy: ReproductionResult['numpy'];
  if (py.status !== 0 || py.error) numpy = { wallS: NaN, cpuS: NaN, skipped: py.error ? py.error.message : py.stderr.trim().split('\n').pop() };
  else {
    const r = JSON.parse(py.stdout.trim().split('\n').pop()!) as { error?: string; wall: number; cpu: number; timing?: Record<string, number>; numpy?: string };
    if (r.error) numpy = { wallS: NaN, cpuS: NaN, skipped: r.error };
    else {
      numpy = { wallS: r.wall, cpuS: r.cpu, version: r.numpy };
      for (const row of rows) {
        const t = r.timing?.[row.experiment];
        if (t !== undefined) Object.assign(row, { numpyWallS: t, ratio: row.wallS / t });
      }
    }
  }
  return {
    benchmark: 'reproduction',
    method: `condlab: runExperiment(--preset paper) from dist/ per experiment in this process, ${workers} workers` +
      `${opts.threads ? `, ${opts.threads} threads per engine` : ''}; CPU = process.cpuUsage (all threads). numpy: ` +
      `bench/reference/protocol.py, OPENBLAS/OMP/MKL_NUM_THREADS=1, CPU from getrusage(RUSAGE_CHILDREN). UNIT_SECONDS=${UNIT_SECONDS}, RUN_OVERHEAD_SECONDS=${RUN_OVERHEAD_SECONDS}`,
    variant: fma ? 'fma' : 'plain',
    workers,
    threads: opts.threads,
    loadAverageBefore,
    rows,
    condlab: { wallS: wall, cpuS: cpu },
    numpy,
    ratio: numpy && Number.isFinite(numpy.wallS) ? wall / numpy.wallS : undefined,
    estimatesWithin30pct: rows.every((r) => within30pct(r.estimateRatio)),
    estimatesOutside30pct: rows.filter((r) => !within30pct(r.estimateRatio)).map((r) => `${r.experiment} ${r.estimateRatio.toFixed(2)}`),
  };
}

export function formatReproductionTable(r: ReproductionResult): string {
  const f = (x?: number, d = 1) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
  return [
    `The nine paper experiments (--preset paper, ${r.variant} build, ${r.workers} workers) against numpy (one BLAS thread)`,
    'exp    condlab s  CPU s  estimate s  est/meas  numpy s  condlab/numpy',
    ...r.rows.map((x) => `${x.experiment.padEnd(6)} ${f(x.wallS).padStart(9)} ${f(x.cpuS).padStart(6)} ${f(x.estimateS).padStart(11)} ${f(x.estimateRatio, 2).padStart(9)} ${f(x.numpyWallS).padStart(8)} ${f(x.ratio, 2).padStart(14)}`),
    `total  ${f(r.condlab.wallS).padStart(9)} ${f(r.condlab.cpuS).padStart(6)}                       ${f(r.numpy?.wallS).padStart(8)} ${f(r.ratio, 2).padStart(14)}` +
      `   (numpy CPU ${f(r.numpy?.cpuS)} s; targets ≤ 0.70 plain, ≤ 0.50 fma)`,
    `estimates within 30%: ${r.estimatesWithin30pct ? 'yes' : `no (outside: ${(r.estimatesOutside30pct ?? []).join(', ')})`}; load average before: ${r.loadAverageBefore.map((x) => x.toFixed(1)).join(' ')}`,
    r.numpy?.skipped ? `numpy: ${r.numpy.skipped}` : '',
  ].filter(Boolean).join('\n');
}
