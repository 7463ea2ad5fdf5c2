// `condlab merge`: the shards of sharded runs (their .shard-<i>-of-<n>.json files, and the logs of shards that never
// finished) → one results JSON per experiment, through the same assembleResults and resultsJson as an unsharded run,
// so the merged file is byte for byte the unsharded one (timing aside). Before anything is written, every shard must
// be of the same experiment, engine and config, every unit must come from the shard it was dealt to, a unit held
// twice must hold the same values, and no unit may be missing (unless allowPartial, which marks the JSON partial).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CondlabError } from '../engine/errors.js';
import { ENGINE_VERSION } from '../engine/version.js';
import type { Experiment, ExperimentResults, RunConfig, TrialRecord } from '../experiments/types.js';
import { validateConfig } from '../config/schema.js';
import { assembleResults, checkCellResult, resultsJson, trialSeed, unitKey, unitsOf } from './assemble.js';
import { resultsPath, writeFileAtomic } from './log.js';
import { configHash, dealUnits, SHARD_FILE_RE, shardName, type Shard } from './shard.js';
import { parseShardFile } from './shard-file.js';

export interface MissingUnit {
  trial: number;
  cell: string;
  /** The shard the unit was dealt to, "i/n". */
  shard: string;
  /** Why it is missing: the shard's own failure message, or what is known of the shard. */
  reason: string;
}

/** Present only in a result written with allowPartial. */
export interface PartialMark {
  missingUnits: number;
  totalUnits: number;
  missing: { trial: number; cell: string; shard: string }[];
}

export type MergedResults = ExperimentResults & { partial?: PartialMark };

export interface MergeOutcome {
  experiment: string;
  results: MergedResults;
  /** Shard count, and how many of its shards left any file. */
  shards: number;
  shardsSeen: number;
  missing: MissingUnit[];
  /** Problems tolerated because of allowPartial (a truncated log's torn tail). */
  warnings: string[];
}

export interface MergeOptions {
  allowPartial?: boolean;
  /** Experiment by id (default: the registry). */
  resolve?: (id: string) => Experiment | Promise<Experiment>;
}

/** One shard file or log, read and checked on its own. */
interface Source {
  path: string;
  kind: 'json' | 'log';
  experiment: string;
  engineVersion: string;
  engineVariant?: string;
  configHash: string;
  config: unknown;
  shard: Shard;
  records: TrialRecord[];
  failures: { trial: number; cell: string; error: string }[];
  /** How many units the shard file says were dealt to it (logs do not say). */
  units?: number;
  timing?: ExperimentResults['timing'];
}

const MAX_FILE_BYTES = 512 * 2 ** 20;

export async function mergeShards(dirs: readonly string[], opts: MergeOptions = {}): Promise<MergeOutcome[]> {
  const files = shardFilesIn(dirs);
  const byExp = new Map<string, typeof files>();
  for (const f of files) byExp.set(f.experiment, [...(byExp.get(f.experiment) ?? []), f]);
  const resolve = opts.resolve ?? (async (id: string) => (await import('../experiments/index.js')).getExperiment(id));
  const outcomes: MergeOutcome[] = [];
  for (const id of [...byExp.keys()].sort()) {
    const warnings: string[] = [];
    const sources = byExp.get(id)!.map((f) => (f.kind === 'json' ? readShardJson(f.path) : readShardLog(f.path, !!opts.allowPartial, warnings)));
    outcomes.push(mergeOne(await resolve(id), sources, dirs, warnings));
  }
  const missing = outcomes.filter((o) => o.missing.length > 0);
  if (missing.length > 0 && !opts.allowPartial) {
    const lines = missing.flatMap((o) => [`${o.experiment}: ${o.missing.length} of ${o.results.trials.length + o.missing.length} units missing`, ...describeMissing(o.missing)]);
    throw new CondlabError(
      `merge: refusing to write a partial result (pass --allow-partial to write it, marked partial):\n${lines.join('\n')}\n` +
        'rerun those shards (sbatch --array=<i> … with --shards N, or condlab run … --shard i/n --resume, into the same --out) and merge again',
      'missing-units',
      { missing: missing.map((o) => ({ experiment: o.experiment, missing: o.missing })) },
    );
  }
  return outcomes;
}

/** Writes each merged result to <outDir>/<exp>.json (atomically); returns the paths. */
export function writeMerged(outDir: string, outcomes: readonly MergeOutcome[]): string[] {
  return outcomes.map((o) => {
    const path = resultsPath(outDir, o.experiment);
    writeFileAtomic(path, resultsJson(o.results));
    return path;
  });
}

/** The missing units grouped by shard, one line per shard (at most 20 units named on each). */
export function describeMissing(missing: readonly MissingUnit[]): string[] {
  const byShard = new Map<string, MissingUnit[]>();
  for (const m of missing) byShard.set(`${m.shard} (${m.reason})`, [...(byShard.get(`${m.shard} (${m.reason})`) ?? []), m]);
  return [...byShard].map(([k, ms]) => {
    const named = ms.slice(0, 20).map((m) => `trial ${m.trial} cell '${m.cell}'`).join(', ');
    return `  shard ${k}: ${named}${ms.length > 20 ? `, … and ${ms.length - 20} more` : ''}`;
  });
}

function shardFilesIn(dirs: readonly string[]): { path: string; kind: 'json' | 'log'; experiment: string; index: number; count: number }[] {
  if (dirs.length === 0) throw new CondlabError('merge: give at least one directory of shard files (the --out of the sharded runs)', 'bad-args');
  const seen = new Map<string, string>();
  const out: { path: string; kind: 'json' | 'log'; experiment: string; index: number; count: number }[] = [];
  for (const dir of dirs) {
    let real: string;
    try {
      real = realpathSync(dir);
      if (!statSync(real).isDirectory()) throw new Error('not a directory');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message;
      throw new CondlabError(`merge: cannot read shard directory '${dir}': ${why}`, 'bad-args', { dir });
    }
    if (seen.has(real)) {
      throw new CondlabError(`merge: shard directory '${dir}' given twice (also as '${seen.get(real)}'); its shards would count twice`, 'bad-args', { dir });
    }
    seen.set(real, dir);
    for (const name of readdirSync(real).sort()) {
      const m = SHARD_FILE_RE.exec(name);
      if (!m) continue;
      out.push({ path: join(dir, name), kind: m[4] === 'json' ? 'json' : 'log', experiment: m[1], index: Number(m[2]), count: Number(m[3]) });
    }
  }
  if (out.length === 0) {
    throw new CondlabError(
      `merge: no shard files (<exp>.shard-<i>-of-<n>.json) in ${dirs.map((d) => `'${d}'`).join(', ')}; run \`condlab run … --shard i/n --out DIR\` first`,
      'no-shards',
    );
  }
  for (const f of out) {
    if (f.count < 1 || f.index >= f.count) throw new CondlabError(`merge: ${f.path}: shard index ${f.index} is out of range for ${f.count} shard(s)`, 'bad-shard-file');
  }
  return out;
}

function readText(path: string): string {
  const st = statSync(path);
  if (st.size > MAX_FILE_BYTES) throw new CondlabError(`merge: ${path}: ${st.size} bytes is larger than the ${MAX_FILE_BYTES}-byte limit`, 'bad-shard-file');
  return readFileSync(path, 'utf8');
}

function readShardJson(path: string): Source {
  const s = parseShardFile(readText(path), `merge: ${path}`);
  checkName(path, s.experiment, s.shard);
  return { path, kind: 'json', ...s, records: s.trials };
}

/** A shard that never finished leaves only its log: its finished units still count. */
function readShardLog(path: string, allowPartial: boolean, warnings: string[]): Source {
  const text = readText(path);
  const lines = text.split('\n');
  const torn = !text.endsWith('\n');
  if (torn) lines.push(''); // so the torn line is checked like any other, below
  const parse = (i: number): Record<string, unknown> | undefined => {
    try {
      const v = JSON.parse(lines[i]);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const header = parse(0);
  const sh = header?.shard as { index?: unknown; count?: unknown; configHash?: unknown } | undefined;
  if (!header || header.kind !== 'header' || typeof sh !== 'object' || sh === null || typeof sh.configHash !== 'string') {
    throw new CondlabError(
      `merge: ${path}: line 1 is not a shard log header${torn && lines.length <= 2 ? ' (the log is truncated)' : ''}; delete it and rerun that shard`,
      'bad-shard-log',
    );
  }
  const shard = { index: Number(sh.index), count: Number(sh.count) };
  checkName(path, String(header.experiment), shard);
  const records: TrialRecord[] = [];
  const failures: Source['failures'] = [];
  const last = lines.length - 2; // index of the last line that has text (lines ends with '')
  for (let i = 1; i <= last; i++) {
    const e = parse(i);
    if (!e || (e.kind !== 'unit' && e.kind !== 'failed')) {
      const where = `merge: ${path}: line ${i + 1} of ${last + 1}`;
      if (i === last && torn) {
        const msg = `${where} is cut off: the log is truncated (its shard was killed mid-write, or the file was copied in part)`;
        if (!allowPartial) throw new CondlabError(`${msg}; rerun shard ${shardName(shard)} with --resume (it drops the torn line), or pass --allow-partial`, 'truncated-log', { path, line: i + 1 });
        warnings.push(`${msg}; its earlier units are used`);
        break;
      }
      throw new CondlabError(`${where} is not a log entry; the log is corrupt — delete it and rerun shard ${shardName(shard)}`, 'bad-shard-log', { path, line: i + 1 });
    }
    if (e.kind === 'failed') failures.push({ trial: Number(e.trial), cell: String(e.cell), error: String(e.error) });
    else records.push({ trial: e.trial as number, cell: e.cell as string, seed: e.seed as number, result: e.result as TrialRecord['result'] });
  }
  return {
    path, kind: 'log', experiment: String(header.experiment), engineVersion: String(header.engineVersion),
    ...(header.engineVariant !== undefined && { engineVariant: String(header.engineVariant) }), configHash: sh.configHash,
    config: header.config, shard, records, failures,
  };
}

function checkName(path: string, experiment: string, shard: Shard): void {
  const m = SHARD_FILE_RE.exec(path.split(/[\\/]/).pop() ?? '')!;
  if (m[1] !== experiment || Number(m[2]) !== shard.index || Number(m[3]) !== shard.count) {
    throw new CondlabError(
      `merge: ${path}: its name says ${m[1]} shard ${m[2]}/${m[3]} but it holds ${experiment.slice(0, 64)} shard ${shard.index}/${shard.count}; was it renamed?`,
      'bad-shard-file',
    );
  }
}

function mergeOne(exp: Experiment, sources: Source[], dirs: readonly string[], warnings: string[]): MergeOutcome {
  const ref = sources[0];
  for (const s of sources) {
    if (s.engineVersion !== ref.engineVersion) {
      throw new CondlabError(`merge: ${exp.id}: ${ref.path} was written by engine ${ref.engineVersion.slice(0, 64)} but ${s.path} by ${s.engineVersion.slice(0, 64)}; shards of one run must use one condlab version`, 'shard-mismatch');
    }
    if ((s.engineVariant ?? 'plain') !== (ref.engineVariant ?? 'plain')) {
      throw new CondlabError(`merge: ${exp.id}: ${ref.path} ran on the ${String(ref.engineVariant ?? 'plain').slice(0, 10)} engine build but ${s.path} on ${String(s.engineVariant ?? 'plain').slice(0, 10)}; shards of one run must use one build (their results differ in the last bits)`, 'shard-mismatch');
    }
    if (s.configHash !== ref.configHash) {
      const a = (ref.config ?? {}) as Record<string, unknown>, b = (s.config ?? {}) as Record<string, unknown>;
      const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
      throw new CondlabError(
        `merge: ${exp.id}: ${ref.path} and ${s.path} are shards of different configs (config hash ${ref.configHash.slice(0, 12)}… vs ${s.configHash.slice(0, 12)}…; ${differ.slice(0, 6).join(', ') || 'no field'} differ)`,
        'shard-mismatch', { differ },
      );
    }
    if (s.shard.count !== ref.shard.count) {
      throw new CondlabError(`merge: ${exp.id}: ${ref.path} is shard ${shardName(ref.shard)} but ${s.path} is shard ${shardName(s.shard)}; all shards of a run must be dealt for one shard count`, 'shard-mismatch');
    }
  }
  if (ref.engineVersion !== ENGINE_VERSION) {
    throw new CondlabError(`merge: ${exp.id}: the shards were written by engine ${ref.engineVersion.slice(0, 64)}, this condlab is ${ENGINE_VERSION}; merge with the version that ran them (npx condlab@${ref.engineVersion.slice(0, 64)} merge …)`, 'shard-mismatch');
  }
  const config: RunConfig = validateConfig(ref.config, `merge: ${ref.path}: config`);
  for (const s of sources) {
    if (configHash(validateConfig(s.config, `merge: ${s.path}: config`)) !== s.configHash) {
      throw new CondlabError(`merge: ${s.path}: its config does not match its config hash; the file was edited — rerun that shard`, 'bad-shard-file');
    }
  }

  const n = ref.shard.count;
  const cost = (u: { cell: string }) => exp.cellCost?.(config, u.cell) ?? 1;
  const units = unitsOf(exp, config);
  const owner = new Map<string, number>();
  const dealt = dealUnits(units, cost, n);
  dealt.forEach((us, i) => us.forEach((u) => owner.set(unitKey(u), i)));
  for (const s of sources) {
    if (s.units !== undefined && s.units !== dealt[s.shard.index].length) {
      throw new CondlabError(
        `merge: ${s.path}: shard ${shardName(s.shard)} says ${s.units} units were dealt to it, this condlab deals it ${dealt[s.shard.index].length}; the shards were dealt differently`,
        'shard-mismatch',
      );
    }
  }

  const found = new Map<string, { rec: TrialRecord; path: string; text: string }>();
  const failed = new Map<string, string>();
  for (const s of sources) {
    for (const rec of s.records) {
      const key = unitKey(rec);
      const what = `merge: ${exp.id}: ${s.path}: unit trial ${rec.trial} cell '${String(rec.cell).slice(0, 64)}'`;
      const dealt = owner.get(key);
      if (dealt === undefined) throw new CondlabError(`${what} is not a unit of this config (${units.length} units)`, 'bad-shard-file');
      if (dealt !== s.shard.index) {
        throw new CondlabError(`${what} was dealt to shard ${dealt}/${n}, not to this file's shard ${shardName(s.shard)}; the shards were dealt differently`, 'shard-mismatch');
      }
      const problem = checkCellResult(rec.result);
      if (problem) throw new CondlabError(`${what} holds ${problem}`, 'bad-shard-file');
      if (rec.seed !== trialSeed(config, rec.trial)) throw new CondlabError(`${what} has seed ${rec.seed}, but this config gives ${trialSeed(config, rec.trial)}`, 'bad-shard-file');
      const text = JSON.stringify(rec.result);
      const had = found.get(key);
      if (had && had.text !== text) {
        throw new CondlabError(
          `${what} has different values in ${had.path}; the same unit must compute the same numbers everywhere — rerun one of those shards and delete the other's files`,
          'shard-conflict', { trial: rec.trial, cell: rec.cell, paths: [had.path, s.path] },
        );
      }
      if (!had) found.set(key, { rec: { trial: rec.trial, cell: rec.cell, seed: rec.seed, result: rec.result }, path: s.path, text });
    }
    for (const f of s.failures) failed.set(unitKey(f), f.error);
  }

  const seen = new Set(sources.map((s) => s.shard.index));
  const unfinished = new Set(sources.filter((s) => s.kind === 'log').map((s) => s.shard.index));
  for (const s of sources) if (s.kind === 'json') unfinished.delete(s.shard.index);
  const missing: MissingUnit[] = [];
  for (const u of units) {
    const key = unitKey(u);
    if (found.has(key)) continue;
    const i = owner.get(key)!;
    const reason = failed.has(key)
      ? `failed: ${failed.get(key)!.slice(0, 200)}`
      : !seen.has(i)
        ? `no files in ${dirs.join(', ')}`
        : unfinished.has(i)
          ? 'unfinished: only its log'
          : 'not in its files';
    missing.push({ trial: u.trial, cell: u.cell, shard: `${i}/${n}`, reason });
  }

  const timed = sources.filter((s) => s.timing);
  const cellMs: Record<string, number> = {};
  for (const s of timed) for (const [c, ms] of Object.entries(s.timing!.cellMs)) cellMs[c] = (cellMs[c] ?? 0) + ms;
  const timing = {
    // the shards ran side by side: the run took as long as its slowest shard, on all their workers
    wallMs: Math.max(0, ...timed.map((s) => s.timing!.wallMs)),
    workers: timed.reduce((a, s) => a + s.timing!.workers, 0),
    startedAt: timed.map((s) => s.timing!.startedAt).sort()[0] ?? new Date().toISOString(),
    cellMs,
  };
  const variant = ref.engineVariant === 'fma' ? 'fma' : 'plain';
  const results: MergedResults = assembleResults(exp, config, [...found.values()].map((f) => f.rec), timing, variant);
  if (missing.length > 0) {
    results.partial = { missingUnits: missing.length, totalUnits: units.length, missing: missing.map(({ trial, cell, shard }) => ({ trial, cell, shard })) };
  }
  return { experiment: exp.id, results, shards: n, shardsSeen: seen.size, missing, warnings };
}
