// A Web Worker with its own engine instance (the same .wasm the page was built with). The page sends one
// (trial, cell) unit at a time; the worker runs it with the experiment's own runCell — exactly what the CLI's
// workers do — and posts progress and the result back. Results are plain JSON-able objects.
import wasmUrl from '../build/condlab.wasm?url';
import threadsWasmUrl from '../build/condlab-threads.wasm?url';
import { Engine } from '../src/engine/index.js';
import { loadThreadedEngine } from '../src/engine/threads.js';
import { getExperiment } from '../src/experiments/index.js';
import type { RunConfig } from '../src/experiments/types.js';
import { provideFashionMnist, type FashionMnist } from '../src/data/fmnist.js';

export interface UnitJob {
  expId: string;
  config: RunConfig;
  unit: { trial: number; cell: string };
  /** GEMM threads inside this worker's engine (the page sends > 1 only when it is cross-origin isolated). */
  threads?: number;
}

/** Sent once before fmnist units: the decoded files the user picked, registered under config.data. */
export interface DataJob {
  type: 'fmnist-data';
  key: string;
  data: FashionMnist;
}

export type WorkerMessage =
  | { type: 'progress'; unit: UnitJob['unit']; fraction: number }
  | { type: 'done'; unit: UnitJob['unit']; result: unknown; ms: number; threads: number }
  | { type: 'error'; unit?: UnitJob['unit']; message: string };

const post = (m: WorkerMessage) => (self as unknown as Worker).postMessage(m);
let enginePromise: Promise<Engine> | undefined;
/** The threads this worker's engine really runs (1 unless asked for more and the page is cross-origin isolated). */
let engineThreads = 1;
// the first job decides: one engine per worker, with a pool of threads inside it when asked (same results either way)
const engineFor = (threads: number): Promise<Engine> => {
  if (!enginePromise) engineThreads = threads > 1 && self.crossOriginIsolated ? threads : 1;
  return (enginePromise ??= engineThreads > 1
    ? loadThreadedEngine(engineThreads, 'plain', new URL(threadsWasmUrl, self.location.href))
    : Engine.load(new URL(wasmUrl, self.location.href)));
};

self.onmessage = async (ev: MessageEvent<UnitJob | DataJob>) => {
  if ('type' in ev.data && ev.data.type === 'fmnist-data') {
    provideFashionMnist(ev.data.key, ev.data.data);
    return;
  }
  const { expId, config, unit, threads } = ev.data as UnitJob;
  try {
    const engine = await engineFor(threads ?? 1);
    const exp = getExperiment(expId);
    const t0 = performance.now();
    let last = 0;
    const progress = (fraction: number) => {
      const now = performance.now();
      if (now - last < 150) return;
      last = now;
      post({ type: 'progress', unit, fraction });
    };
    const result = exp.runCell({ engine, config, cell: unit.cell, trial: unit.trial, progress });
    post({ type: 'done', unit, result, ms: performance.now() - t0, threads: engineThreads });
  } catch (e) {
    post({ type: 'error', unit, message: e instanceof Error ? e.message : String(e) });
  }
};
