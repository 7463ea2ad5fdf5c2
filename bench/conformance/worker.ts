// Runs one entry's suite, property by property, posting each report as soon as it is done — so when a call hangs
// (synchronous JS cannot be interrupted in-thread) the parent can terminate this worker, mark that property, and
// start a fresh worker for the rest without losing what was already measured.
import { parentPort, workerData } from 'node:worker_threads';
import { eigProperties, lanczosProperties, runProperty, svdProperties, type SpectralProperty } from '../../src/testing/index.js';
import { ENTRIES } from './libraries.js';

export interface WorkerInput {
  id: string;
  seed: number;
  numRuns: number;
  /** Skip the first `from` properties (already reported by a terminated predecessor). */
  from: number;
}

export type WorkerMessage =
  | { type: 'unavailable'; reason: string }
  | { type: 'names'; names: string[] }
  | { type: 'start'; index: number; name: string }
  /** Sent before every call, so the parent knows the input of a call that never returns. */
  | { type: 'call'; rows: number[][] }
  | { type: 'report'; index: number; report: ReturnType<typeof runProperty> };

const input = workerData as WorkerInput;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
const entry = ENTRIES.find((e) => e.id === input.id)!;
const fn = await entry.load();
if ('unavailable' in fn) {
  post({ type: 'unavailable', reason: fn.unavailable });
} else {
  const call = fn as (x: unknown, y: unknown) => unknown;
  const watched = (x: unknown, y: unknown) => {
    post({ type: 'call', rows: entry.suite === 'lanczos' ? (x as { rows: number[][] }).rows : (x as number[][]) });
    return call(x, y);
  };
  const props: SpectralProperty<any>[] =
    entry.suite === 'svd' ? svdProperties(watched as never, entry.options) : entry.suite === 'eig' ? eigProperties(watched as never, entry.options) : lanczosProperties(watched as never, entry.options);
  post({ type: 'names', names: props.map((p) => p.name) });
  // libraries that log on every call (ml-matrix warns on wide input) would drown the bench's own output
  console.warn = console.log = () => undefined;
  for (let i = input.from; i < props.length; i++) {
    post({ type: 'start', index: i, name: props[i].name });
    post({ type: 'report', index: i, report: runProperty(props[i], { seed: input.seed, numRuns: input.numRuns }) });
  }
}
