// A worker thread: its own engine instance, running (trial, cell) units the main thread sends it.
import { parentPort, workerData } from 'node:worker_threads';
import { loadEngine } from '../engine/index.js';
import { getExperiment } from '../experiments/index.js';
import type { Experiment, RunConfig } from '../experiments/types.js';

interface Job {
  type: 'run';
  id: number;
  expId: string;
  config: RunConfig;
  trial: number;
  cell: string;
}

const port = parentPort!;
/** A module URL (set by the runner) exporting `experiment`, for experiments outside the registry (tests, plugins). */
const data = workerData as { modulePath?: string; fma?: boolean; threads?: number } | undefined;
const modulePath = data?.modulePath;
// the main thread has already checked relaxed SIMD (and reported a fall-back), so no message here
const engine = await loadEngine({ fma: !!data?.fma, threads: data?.threads ?? 1, onFallback: () => undefined });
let custom: Experiment | undefined;
if (modulePath) {
  custom = ((await import(modulePath)) as { experiment?: Experiment }).experiment;
  if (!custom || typeof custom.runCell !== 'function') throw new Error(`${modulePath} does not export an \`experiment\` with runCell`);
}

port.on('message', (job: Job) => {
  const exp = custom && custom.id === job.expId ? custom : getExperiment(job.expId);
  const t0 = performance.now();
  try {
    const result = exp.runCell({ engine, config: job.config, cell: job.cell, trial: job.trial });
    port.postMessage({ type: 'done', id: job.id, result, ms: performance.now() - t0 });
  } catch (e) {
    port.postMessage({ type: 'error', id: job.id, message: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ type: 'ready' });
