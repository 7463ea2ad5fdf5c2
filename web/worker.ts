// A Web Worker with its own engine instance: runs the (trial, cell) units it is sent and posts each result back.
import wasmUrl from '../build/condlab.wasm?url';
import { Engine } from '../src/engine/index.js';
import { getExperiment } from '../src/experiments/index.js';
import type { RunConfig } from '../src/experiments/types.js';

interface Job {
  expId: string;
  config: RunConfig;
  units: { trial: number; cell: string }[];
}

const enginePromise = Engine.load(new URL(wasmUrl, self.location.href));

self.onmessage = async (ev: MessageEvent<Job>) => {
  const { expId, config, units } = ev.data;
  try {
    const engine = await enginePromise;
    const exp = getExperiment(expId);
    for (const u of units) {
      const t0 = performance.now();
      const result = exp.runCell({ engine, config, cell: u.cell, trial: u.trial });
      self.postMessage({ type: 'done', unit: u, result, ms: performance.now() - t0 });
    }
    self.postMessage({ type: 'finished' });
  } catch (e) {
    self.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
