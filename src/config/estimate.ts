// Up-front resource estimate: memory per worker and rough run time, so a config that cannot fit in wasm32's 4 GiB
// or would take days is refused (or, with --force, only warned about) before any work starts.
import { CondlabError, formatBytes } from '../engine/errors.js';
import type { Experiment, RunConfig } from '../experiments/types.js';

/** Sustained rates measured on the reference 2-core machine (bench/results): GEMM and Jacobi SVD. */
const GEMM_FLOPS = 15e9;
const SVD_FLOPS = 5e9;
export const WASM_LIMIT = 4 * 2 ** 30;
export const MAX_SECONDS = 48 * 3600;

/**
 * Seconds per cost unit — one plain SGD step at d = 64, B = 64, the unit every experiment's cellCost is written in
 * (src/experiments/ablations/paired.ts), which counts the GEMMs of each step and the SVDs: per evaluation, and per
 * step for the spectral regulariser, the SVD correction and the corrective sweeps. Calibrated on the reference
 * 2-core machine by `npm run bench -- --only reproduction`, which also checks the estimate of every paper-preset
 * experiment against its measured time (bench/results/reproduction.json).
 */
// 0.6.0: fitted together with RUN_OVERHEAD_SECONDS to the 0.6.0 reproduction run (2026-12-03 05:40; the compiled
// runner from dist/): est/meas 0.87…1.13; after Exp 1's units counted their three SVDs, the check run gave
// 0.85…1.08 (plain) and 0.91…1.15 (--fma), and Exp 1 at d = 1024/2048 and 4096 0.91 and 0.78
// (bench/results/reproduction*.json, paper-results/exp1-large-d, exp1-d4096). Both fell from 0.5.0 (1.04e-4,
// 0.65 s): the residual-form step and the fused SGD update drop a GEMM per step, the bidiagonalisation's panel runs
// ~20% faster, and the benchmark now times dist/ (the tsx loader cost each worker ~0.25 s at start-up).
export const UNIT_SECONDS = 7.5e-5;
/**
 * Fixed seconds of one experiment run whatever its size, which lets the ~1 s experiments (exp5) sit inside ±30%
 * where a unit cost alone could not: validating the config, starting the worker pool (each worker compiles the
 * .wasm and builds its engine), assembling and writing the results, and per-run work the unit model misses. The
 * pool is the small part: wall time minus the units' time over the workers is 0.10–0.16 s per paper experiment.
 */
export const RUN_OVERHEAD_SECONDS = 0.4;

export interface Estimate {
  bytesPerWorker: number;
  seconds: number;
  units: number;
  /** How the time was estimated: from the experiment's cost model, or from flop counts (no cellCost). */
  model: 'cellCost' | 'flops';
}

export function estimate(exp: Experiment, config: RunConfig, workers: number): Estimate {
  const d = Math.max(...config.dims, exp.id === 'exp7' || exp.id === 'curvature' ? config.hidden : 0);
  const B = config.batch;
  // trainer buffers (W, grad, Adam moments, W*, SVD factors, scratch: ~20 d×d) + batches + SVD workspace (~6 d×d)
  const bytesPerWorker = 8 * (26 * d * d + 6 * B * d) + 64 * 2 ** 20;
  const cells = exp.cells(config);
  const units = cells.length * config.trials;
  if (exp.cellFlops) {
    // an experiment that counts its own flops (fmnist: a classifier, not the d×d protocol)
    const flops = config.trials * cells.reduce((a, c) => a + exp.cellFlops!(config, c), 0);
    return { bytesPerWorker, seconds: RUN_OVERHEAD_SECONDS + flops / GEMM_FLOPS / Math.max(1, workers), units, model: 'flops' };
  }
  if (exp.cellCost) {
    // every unit's own cost; the pool cannot finish before its costliest unit does
    const costs = cells.map((c) => exp.cellCost!(config, c));
    // trial 0's units also keep spectra (exp1, exp4, exp7, exp9): at d = 4096 that is most of the run
    const zero = cells.map((c, i) => costs[i] + (exp.trialZeroCost?.(config, c) ?? 0));
    const total = (config.trials - 1) * costs.reduce((a, c) => a + c, 0) + zero.reduce((a, c) => a + c, 0);
    const span = Math.max(total / Math.max(1, Math.min(workers, units)), Math.max(...zero));
    return { bytesPerWorker, seconds: RUN_OVERHEAD_SECONDS + span * UNIT_SECONDS, units, model: 'cellCost' };
  }
  // perUnit below is for the largest d; cells of smaller d (Exp 1's sweep) cost less in the experiment's own model
  const costs = cells.map((c) => exp.cellCost?.(config, c) ?? 1);
  const maxCost = Math.max(...costs);
  const unitEquivalents = maxCost > 0 ? (config.trials * costs.reduce((a, c) => a + c, 0)) / maxCost : units;
  const perStepFlops = 4 * B * d * d * Math.max(1, config.depths.length);
  const evals = 2 + (['exp3', 'exp5', 'exp9'].includes(exp.id) ? config.epochs / config.evalEvery : 0) + (['exp4', 'exp6'].includes(exp.id) ? config.epochs : 0);
  const perUnit = (config.epochs * perStepFlops) / GEMM_FLOPS + (evals * 30 * d ** 3) / SVD_FLOPS;
  return { bytesPerWorker, seconds: RUN_OVERHEAD_SECONDS + (unitEquivalents * perUnit) / Math.max(1, workers), units, model: 'flops' };
}

export function formatDuration(s: number): string {
  if (s < 90) return `${s.toFixed(0)} s`;
  if (s < 5400) return `${(s / 60).toFixed(0)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/** Throws (or returns a warning with `force`) when the run cannot fit or would obviously take days. */
export function checkResources(exp: Experiment, config: RunConfig, workers: number, force: boolean): string | undefined {
  const e = estimate(exp, config, workers);
  const problems: string[] = [];
  if (e.bytesPerWorker > WASM_LIMIT) {
    problems.push(`needs about ${formatBytes(e.bytesPerWorker)} of WASM memory per worker (d = ${Math.max(...config.dims)}), more than wasm32's ${formatBytes(WASM_LIMIT)}`);
  }
  if (e.seconds > MAX_SECONDS) problems.push(`would take about ${formatDuration(e.seconds)} (${e.units} units on ${workers} workers)`);
  if (problems.length === 0) return undefined;
  const msg = `${exp.id} ${problems.join(' and ')}`;
  if (!force || e.bytesPerWorker > WASM_LIMIT) {
    throw new CondlabError(`${msg}; reduce --dims, --trials or --epochs${e.bytesPerWorker > WASM_LIMIT ? '' : ', or pass --force'}`, 'too-large', { ...e });
  }
  return `warning: ${msg}; going ahead because of --force`;
}
