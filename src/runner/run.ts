// Running one experiment: every (trial, cell) unit, in worker threads (each with its own engine) or in process,
// appended to the results log as it finishes, then assembled — sorted by (trial, cell), never by completion order —
// into results/<exp>.json, written atomically. Same seed and config ⇒ the same JSON whatever the worker count.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CondlabError } from '../engine/errors.js';
import { Engine, loadEngine, closeThreads } from '../engine/index.js';
import { resolveVariant, type EngineVariant } from '../engine/variants.js';
import type { Experiment, ExperimentResults, RunConfig, TrialRecord } from '../experiments/types.js';
import { assembleResults, checkCellResult, resultsJson, trialSeed, unitKey, unitsOf, type Unit } from './assemble.js';
import { validateConfig } from '../config/schema.js';
import { runUnitsHere } from './local.js';
import { threadsPerUnit } from './threads-plan.js';
import { configKey, logPath, ResultsLog, resultsPath, writeFileAtomic, type ShardHeader } from './log.js';
import { checkShard, configHash, dealUnits, shardFile, shardLog, type Shard } from './shard.js';
import { formatShardFile, parseShardFile, SHARD_FORMAT } from './shard-file.js';
import { parseResults } from './load.js';
import { ENGINE_VERSION } from '../engine/version.js';

export interface Failure {
  trial: number;
  cell: string;
  error: string;
}

export interface ProgressEvent {
  experiment: string;
  done: number;
  total: number;
  unit?: Unit;
  ms?: number;
  /** Fraction of estimated cost done (cells can differ a lot in cost). */
  fraction: number;
}

export interface RunOptions {
  /** 0 = in this thread (with `engine`, or one loaded here); default: one per core. */
  workers?: number;
  engine?: Engine;
  /** Directory for <exp>.json and the log; omit to keep everything in memory. */
  outDir?: string;
  resume?: boolean;
  failFast?: boolean;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** For tests: a module exporting `experiment` that workers load instead of the registry. */
  modulePath?: string;
  /**
   * Run only this shard's units (see dealUnits) and write <exp>.shard-<i>-of-<n>.json and its log instead of
   * <exp>.json; `condlab merge` assembles the shards into the results file.
   */
  shard?: Shard;
  /** Run on the opt-in FMA build (src/engine/variants.ts); ignored when `engine` is given (its variant is used). */
  fma?: boolean;
  /**
   * GEMM threads inside each engine (src/engine/threads.ts). Default: `threadsPerUnit` — 1 for many small units,
   * every core for a few large ones. Ignored when `engine` is given (its own pool is used).
   */
  threads?: number;
}

export { threadsPerUnit, THREADED_MIN_DIM } from './threads-plan.js';

export interface RunOutcome {
  results: ExperimentResults;
  failures: Failure[];
  /** Units taken from the log of an earlier, interrupted run. */
  resumed: number;
}

export const defaultWorkers = (): number => Math.max(1, availableParallelism());

export async function runExperiment(exp: Experiment, rawConfig: RunConfig, opts: RunOptions = {}): Promise<RunOutcome> {
  // validated, and with its keys in one canonical order, so the JSON does not depend on how the caller built it
  const config = validateConfig(rawConfig, `${exp.id} config`);
  if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 0)) {
    throw new CondlabError(`workers must be an integer ≥ 0, got ${String(opts.workers)}`, 'bad-option');
  }
  if ((opts.workers ?? 1) > 0 && !opts.modulePath) {
    // workers look the experiment up by id in the registry: it must be the same object, or they would run another one
    const { experiments } = await import('../experiments/index.js');
    if (!experiments.includes(exp)) {
      throw new CondlabError(
        `${exp.id} is not a registered experiment, so worker threads cannot load it; pass modulePath (a module exporting \`experiment\`) or use workers: 0`,
        'bad-option',
      );
    }
  }
  const started = new Date();
  const t0 = performance.now();
  const allUnits = unitsOf(exp, config);
  const maxDim = Math.max(0, ...((config as { dims?: number[] }).dims ?? []));
  const threads = opts.threads ?? threadsPerUnit(maxDim, allUnits.length, defaultWorkers());
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new CondlabError(`threads must be an integer from 1 to 64, got ${String(threads)}`, 'bad-option');
  }
  // with threads inside each engine, fewer engines fill the cores (unless the caller fixed the worker count)
  const workers = opts.workers ?? Math.max(1, Math.floor(defaultWorkers() / threads));
  const cost = (u: Unit) => exp.cellCost?.(config, u.cell) ?? 1;
  const shard = opts.shard && checkShard(opts.shard.index, opts.shard.count, `${exp.id} shard`);
  const units = shard ? dealUnits(allUnits, cost, shard.count)[shard.index] : allUnits;
  const totalCost = units.reduce((s, u) => s + cost(u), 0) || 1;
  const header: ShardHeader | undefined = shard && { index: shard.index, count: shard.count, configHash: configHash(config) };

  // the variant is settled once, here: a fall-back message prints once, and workers load what the JSON will record
  const here = workers === 0 ? (opts.engine ?? (await loadEngine({ fma: !!opts.fma, threads }))) : undefined;
  const variant: EngineVariant = here?.variant ?? (opts.fma ? (await resolveVariant({ fma: true })).variant : 'plain');

  let log: ResultsLog | undefined;
  let records: TrialRecord[] = [];
  if (opts.outDir) {
    const path = shard ? shardLog(opts.outDir, exp.id, shard) : logPath(opts.outDir, exp.id);
    if (opts.resume && !existsSync(path)) {
      records = shard
        ? finishedShardUnits(shardFile(opts.outDir, exp.id, shard), exp.id, config, shard, variant)
        : finishedUnits(resultsPath(opts.outDir, exp.id), exp.id, config, variant);
    }
    if (opts.resume && existsSync(path)) ({ log, records } = ResultsLog.resume(path, exp.id, config, header, variant));
    else {
      log = ResultsLog.create(path, exp.id, config, header, variant);
      for (const r of records) log.append(r);
    }
  }
  const resumed = records.length;
  const have = new Set(records.map((r) => unitKey(r)));
  const pending = units.filter((u) => !have.has(unitKey(u)));
  const failures: Failure[] = [];
  const cellMs: Record<string, number> = {};
  let doneCost = records.reduce((s, r) => s + cost(r), 0);

  const finish = (u: Unit, raw: unknown, ms: number) => {
    const problem = checkCellResult(raw);
    if (problem) return fail(u, `runCell returned ${problem}`);
    // through JSON once, exactly as the log and the results file will hold it (NaN → null, no undefined keys), so a
    // resumed run and an uninterrupted one agree even in memory
    const result = JSON.parse(JSON.stringify(raw)) as TrialRecord['result'];
    const rec: TrialRecord = { trial: u.trial, cell: u.cell, seed: trialSeed(config, u.trial), result };
    records.push(rec);
    log?.append(rec);
    cellMs[u.cell] = (cellMs[u.cell] ?? 0) + ms;
    doneCost += cost(u);
    opts.onProgress?.({ experiment: exp.id, done: records.length, total: units.length, unit: u, ms, fraction: doneCost / totalCost });
  };
  const fail = (u: Unit, error: string) => {
    const f = { trial: u.trial, cell: u.cell, error };
    failures.push(f);
    log?.appendFailure(f);
    if (opts.failFast) {
      throw new CondlabError(`${exp.id}: unit trial ${u.trial}, cell '${u.cell}' failed: ${error}`, 'unit-failed', { ...u });
    }
  };

  opts.onProgress?.({ experiment: exp.id, done: records.length, total: units.length, fraction: doneCost / totalCost });
  try {
    if (workers === 0) {
      await runUnitsHere(exp, config, here!, pending, {
        signal: opts.signal,
        interrupted: () => abortError(exp.id, records.length, units.length),
        finish,
        fail,
      });
    } else {
      // costliest first, so the pool does not end waiting on one long unit
      const queue = [...pending].sort((a, b) => cost(b) - cost(a));
      await runPool(exp, config, queue, Math.min(workers, Math.max(1, queue.length)), { ...opts, fma: variant === 'fma', threads }, finish, fail, () =>
        abortError(exp.id, records.length, units.length),
      );
    }
  } finally {
    log?.close();
    if (here && here !== opts.engine) await closeThreads(here); // a pool this run started ends with it
  }

  const results = assembleResults(exp, config, records, {
    wallMs: performance.now() - t0,
    workers,
    ...(here ? (here.threads > 1 ? { threads: here.threads } : {}) : threads > 1 ? { threads } : {}),
    startedAt: started.toISOString(),
    cellMs,
  }, variant);
  if (opts.outDir && shard && header) {
    writeFileAtomic(shardFile(opts.outDir, exp.id, shard), formatShardFile({
      format: SHARD_FORMAT, experiment: exp.id, engineVersion: ENGINE_VERSION, ...(variant !== 'plain' && { engineVariant: variant }),
      configHash: header.configHash, shard, units: units.length, config, trials: results.trials, failures, timing: results.timing,
    }));
    if (failures.length === 0) log?.remove();
  } else if (opts.outDir) {
    writeFileAtomic(resultsPath(opts.outDir, exp.id), resultsJson(results));
    // the final JSON is now the durable record; a log is only kept when units failed (to retry with --resume)
    if (failures.length === 0) log?.remove();
  }
  return { results, failures, resumed };
}

/**
 * `--resume` with no log but a results file of the same experiment, engine and config (e.g. `run all` interrupted in
 * a later experiment): its units are reused, so only what is missing runs. Anything else → start over.
 */
function finishedUnits(path: string, expId: string, config: RunConfig, variant: EngineVariant): TrialRecord[] {
  if (!existsSync(path)) return [];
  try {
    const r = parseResults(readFileSync(path, 'utf8'), path);
    if (r.experiment !== expId || r.engineVersion !== ENGINE_VERSION || (r.engineVariant ?? 'plain') !== variant || configKey(r.config) !== configKey(config)) return [];
    return r.trials.filter((t) => checkCellResult(t.result) === '');
  } catch {
    return [];
  }
}

/** `--resume` of a shard whose log is gone but whose shard file (same experiment, engine, config, shard) is there. */
function finishedShardUnits(path: string, expId: string, config: RunConfig, shard: Shard, variant: EngineVariant): TrialRecord[] {
  if (!existsSync(path)) return [];
  try {
    const s = parseShardFile(readFileSync(path, 'utf8'), path);
    const same = s.experiment === expId && s.engineVersion === ENGINE_VERSION && s.configHash === configHash(config) &&
      s.shard.index === shard.index && s.shard.count === shard.count && (s.engineVariant ?? 'plain') === variant;
    return same ? s.trials.filter((t) => checkCellResult(t.result) === '') : [];
  } catch {
    return [];
  }
}

function abortError(expId: string, done: number, total: number): CondlabError {
  return new CondlabError(`${expId}: interrupted after ${done} of ${total} units; finished units are in the log, rerun with --resume`, 'interrupted');
}

/**
 * From compiled dist/ the worker is worker.js. From TypeScript sources (vitest, tsx) a worker thread does not inherit
 * the parent's loader hooks (and Node 20 ignores `execArgv: ['--import', 'tsx']` for .ts workers), so a two-line
 * bootstrap registers tsx inside the worker before importing worker.ts. tsx is located from this file, not from the
 * current directory, so the CLI works from anywhere.
 */
function newWorker(modulePath: string | undefined, fma: boolean, threads: number): Worker {
  const workerData = { modulePath: modulePath === undefined ? undefined : toModuleUrl(modulePath), fma, threads };
  const execArgv = workerExecArgv(process.execArgv);
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData, execArgv });
  const target = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApiUrl())}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(boot, { eval: true, workerData, execArgv });
}

/**
 * The parent's node flags (memory limits, --import hooks …) minus those that only make sense for the main script:
 * `node --input-type=module -e '…'` would otherwise stop every worker from starting.
 */
export function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (['-e', '--eval', '-p', '--print'].includes(a)) {
      i++; // and its script
      continue;
    }
    if (/^--(input-type|eval|print)(=|$)/.test(a) || a === '-i' || a === '--interactive' || a === '--test' || a === '--watch') continue;
    out.push(a);
  }
  return out;
}

let tsxApi: string | undefined;
function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
  const rel = pkg.exports?.['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs';
  tsxApi = pathToFileURL(join(dirname(pkgPath), rel)).href;
  return tsxApi;
}

/** A file path or URL → a URL string a worker can import(). */
function toModuleUrl(pathOrUrl: string): string {
  return /^(file|data|node):/.test(pathOrUrl) ? pathOrUrl : pathToFileURL(resolve(pathOrUrl)).href;
}

function runPool(
  exp: Experiment,
  config: RunConfig,
  queue: Unit[],
  size: number,
  opts: RunOptions,
  finish: (u: Unit, result: unknown, ms: number) => void,
  fail: (u: Unit, error: string) => void,
  interrupted: () => CondlabError,
): Promise<void> {
  type PoolWorker = Worker & { current?: number; ready?: boolean };
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    let settled = false;
    let jobId = 0;
    const live = new Set<PoolWorker>();
    const jobs = new Map<number, Unit>();
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const w of live) void w.terminate();
      live.clear();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => settle(interrupted());
    if (opts.signal?.aborted) return settle(interrupted());
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const dispatch = (w: PoolWorker) => {
      if (settled) return;
      if (next >= queue.length) {
        // nothing left for this worker: retire it (it is no longer live, so its exit is not a crash)
        live.delete(w);
        void w.terminate();
        if (inFlight === 0) settle();
        return;
      }
      const u = queue[next++];
      const id = jobId++;
      jobs.set(id, u);
      w.current = id;
      inFlight++;
      w.postMessage({ type: 'run', id, expId: exp.id, config, trial: u.trial, cell: u.cell });
    };

    const spawn = () => {
      const w: PoolWorker = newWorker(opts.modulePath, !!opts.fma, opts.threads ?? 1);
      live.add(w);
      w.on('message', (msg: { type: string; id: number; result?: TrialRecord['result']; ms?: number; message?: string }) => {
        if (settled) return;
        try {
          if (msg.type === 'ready') {
            w.ready = true;
            return dispatch(w);
          }
          const u = jobs.get(msg.id)!;
          jobs.delete(msg.id);
          w.current = undefined;
          inFlight--;
          if (msg.type === 'done') finish(u, msg.result!, msg.ms ?? 0);
          else fail(u, msg.message ?? 'unknown error');
          dispatch(w);
        } catch (e) {
          settle(e);
        }
      });
      const crashed = (why: string) => {
        if (settled || !live.has(w)) return;
        live.delete(w);
        if (!w.ready) {
          // a worker that cannot even load its engine or experiment: every other worker would fail the same way
          return settle(new CondlabError(`${exp.id}: a worker failed to start: ${why}`, 'worker-failed', { experiment: exp.id }));
        }
        try {
          const id = w.current;
          if (id !== undefined) {
            const u = jobs.get(id)!;
            jobs.delete(id);
            inFlight--;
            fail(u, `worker crashed: ${why}`);
          }
          // replace the lost worker so the rest of the run goes on
          if (next < queue.length) spawn();
          else if (inFlight === 0) settle();
        } catch (e) {
          settle(e);
        }
      };
      w.on('error', (e) => crashed(e instanceof Error ? e.message : String(e)));
      // any exit of a worker we did not retire is a crash, whatever its code (runCell may call process.exit(0))
      w.on('exit', (code) => crashed(`exit code ${code}`));
    };
    for (let i = 0; i < size; i++) spawn();
    if (queue.length === 0) settle();
  });
}
