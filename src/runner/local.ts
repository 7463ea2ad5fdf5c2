// Running units in this thread, with no Node-only imports: the CLI's `--workers 0`, tests, and the browser lab use
// this, and `assembleResults` turns the records into the same JSON the worker pool gives.
import type { Engine } from '../engine/engine.js';
import { CondlabError } from '../engine/errors.js';
import type { Experiment, ExperimentResults, RunConfig, TrialRecord } from '../experiments/types.js';
import { validateConfig } from '../config/schema.js';
import { assembleResults, checkCellResult, trialSeed, unitsOf, type Unit } from './assemble.js';

export interface UnitHooks {
  /** Called with what runCell returned (checked by the caller) and its wall time. */
  finish(u: Unit, raw: unknown, ms: number): void;
  /** Called when runCell throws; may throw to stop the run (fail-fast). */
  fail(u: Unit, error: string): void;
  /** The error to throw when `signal` aborts. */
  interrupted(): Error;
  signal?: AbortSignal;
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/** Runs `units` one after another on `engine`, yielding between units so aborts and progress output get through. */
export async function runUnitsHere(exp: Experiment, config: RunConfig, engine: Engine, units: readonly Unit[], hooks: UnitHooks): Promise<void> {
  for (const u of units) {
    if (hooks.signal?.aborted) throw hooks.interrupted();
    const t0 = performance.now();
    let raw: unknown;
    let ok = false;
    try {
      raw = exp.runCell({ engine, config, cell: u.cell, trial: u.trial });
      ok = true;
    } catch (e) {
      hooks.fail(u, e instanceof Error ? e.message : String(e));
    }
    if (ok) hooks.finish(u, raw, performance.now() - t0);
    await yieldToEventLoop();
  }
}

export interface LocalRunOptions {
  onProgress?: (e: { experiment: string; done: number; total: number; unit?: Unit; ms?: number; fraction: number }) => void;
  signal?: AbortSignal;
  failFast?: boolean;
}

/**
 * A whole experiment in this thread, in memory (no log, no files): browser-safe. Same config ⇒ the same JSON (bar
 * `timing`) as `runExperiment` with any number of workers.
 */
export async function runExperimentHere(
  exp: Experiment,
  rawConfig: RunConfig,
  engine: Engine,
  opts: LocalRunOptions = {},
): Promise<{ results: ExperimentResults; failures: { trial: number; cell: string; error: string }[] }> {
  const config = validateConfig(rawConfig, `${exp.id} config`);
  const started = new Date();
  const t0 = performance.now();
  const units = unitsOf(exp, config);
  const cost = (u: Unit) => exp.cellCost?.(config, u.cell) ?? 1;
  const total = units.reduce((s, u) => s + cost(u), 0) || 1;
  const records: TrialRecord[] = [];
  const failures: { trial: number; cell: string; error: string }[] = [];
  const cellMs: Record<string, number> = {};
  let done = 0;
  const fail = (u: Unit, error: string) => {
    failures.push({ trial: u.trial, cell: u.cell, error });
    if (opts.failFast) throw new CondlabError(`${exp.id}: unit trial ${u.trial}, cell '${u.cell}' failed: ${error}`, 'unit-failed', { ...u });
  };
  opts.onProgress?.({ experiment: exp.id, done: 0, total: units.length, fraction: 0 });
  await runUnitsHere(exp, config, engine, units, {
    signal: opts.signal,
    interrupted: () => new CondlabError(`${exp.id}: interrupted after ${records.length} of ${units.length} units`, 'interrupted'),
    fail,
    finish: (u, raw, ms) => {
      const problem = checkCellResult(raw);
      if (problem) return fail(u, `runCell returned ${problem}`);
      records.push({ trial: u.trial, cell: u.cell, seed: trialSeed(config, u.trial), result: JSON.parse(JSON.stringify(raw)) });
      cellMs[u.cell] = (cellMs[u.cell] ?? 0) + ms;
      done += cost(u);
      opts.onProgress?.({ experiment: exp.id, done: records.length, total: units.length, unit: u, ms, fraction: done / total });
    },
  });
  const results = assembleResults(exp, config, records, { wallMs: performance.now() - t0, workers: 0, startedAt: started.toISOString(), cellMs });
  return { results, failures };
}
