// Sharding one run over many machines without a coordinator: every shard computes the same dealing of the sorted unit
// list from the config alone, runs its share, and writes <exp>.shard-<i>-of-<n>.json; `condlab merge` checks the
// shards against that same dealing and assembles the one results JSON. Node-only (node:crypto, node:path).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CondlabError } from '../engine/errors.js';
import type { RunConfig } from '../experiments/types.js';
import { configKey } from './log.js';
import type { Unit } from './assemble.js';

export interface Shard {
  /** 0-based, like Slurm's `--array=0-N` and Kubernetes' JOB_COMPLETION_INDEX. */
  index: number;
  count: number;
}

/** A generous bound (Slurm's default MaxArraySize is 1001); it only stops absurd input. */
export const MAX_SHARDS = 1_000_000;

export const shardName = (s: Shard): string => `${s.index}/${s.count}`;
export const shardFile = (outDir: string, expId: string, s: Shard): string => join(outDir, `${expId}.shard-${s.index}-of-${s.count}.json`);
export const shardLog = (outDir: string, expId: string, s: Shard): string => join(outDir, `${expId}.shard-${s.index}-of-${s.count}.log.jsonl`);
/** <exp>.shard-<i>-of-<n>.json or .log.jsonl → its parts. */
export const SHARD_FILE_RE = /^(.+)\.shard-(\d+)-of-(\d+)\.(json|log\.jsonl)$/;

/** sha256 of the canonical config JSON: what shards and merge compare to prove they belong to one run. */
export function configHash(config: RunConfig): string {
  return createHash('sha256').update(configKey(config)).digest('hex');
}

/** Checks a shard index and count from wherever they came (`what` names the source in the error). */
export function checkShard(index: number, count: number, what: string): Shard {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw new CondlabError(`${what}: the shard count must be an integer from 1 to ${MAX_SHARDS}, got ${count}`, 'bad-shard', { index, count });
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    const hint = index === count ? ' (shard indices count from 0, like --array=0-N; the last of n shards is n-1)' : '';
    throw new CondlabError(`${what}: shard index ${index} is out of range for ${count} shard(s); must be 0 to ${count - 1}${hint}`, 'bad-shard', { index, count });
  }
  return { index, count };
}

const intText = (t: string) => (/^\s*\d{1,16}\s*$/.test(t) ? Number(t) : Number.NaN);

/** `--shard i/n` → { index, count }. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d{1,16})\s*\/\s*(\d{1,16})\s*$/.exec(text);
  if (!m) throw new CondlabError(`--shard: got "${text.slice(0, 40)}"; must be i/n, e.g. 0/4 (shard i of n, counting from 0)`, 'bad-shard');
  return checkShard(Number(m[1]), Number(m[2]), '--shard');
}

export interface ShardChoice {
  shard?: Shard;
  /** One line for the CLI to print first: where the shard came from. */
  note?: string;
}

/**
 * The shard this process runs: `--shard i/n`; else `--shards N` with the index from SLURM_ARRAY_TASK_ID or
 * JOB_COMPLETION_INDEX; else a Slurm array's own SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT. `--shard none` runs
 * everything whatever the environment. Ambiguous cases are errors, never a silent guess: a wrong guess would run the
 * wrong units on every machine of the cluster.
 */
export function chooseShard(shardOpt: string | undefined, shardsOpt: string | undefined, env: Record<string, string | undefined>): ShardChoice {
  if (shardOpt !== undefined && shardsOpt !== undefined) throw new CondlabError('give --shard i/n or --shards N, not both', 'bad-shard');
  if (shardOpt !== undefined) {
    if (shardOpt.trim() === 'none') return {};
    const shard = parseShard(shardOpt);
    return { shard, note: `shard ${shardName(shard)} (from --shard)` };
  }
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  const k8sId = env.JOB_COMPLETION_INDEX;
  if (shardsOpt !== undefined) {
    const count = intText(shardsOpt);
    if (Number.isNaN(count)) throw new CondlabError(`--shards: got "${shardsOpt.slice(0, 40)}"; must be an integer from 1 to ${MAX_SHARDS}`, 'bad-shard');
    const [name, value] = slurmId !== undefined ? ['SLURM_ARRAY_TASK_ID', slurmId] : k8sId !== undefined ? ['JOB_COMPLETION_INDEX', k8sId] : [];
    if (name === undefined || value === undefined) {
      throw new CondlabError(
        `--shards ${count}: no shard index in the environment (SLURM_ARRAY_TASK_ID in a Slurm job array, JOB_COMPLETION_INDEX in a Kubernetes Indexed Job); elsewhere use --shard i/${count}`,
        'bad-shard',
      );
    }
    const index = intText(value);
    if (Number.isNaN(index)) throw new CondlabError(`${name}: got "${value.slice(0, 40)}"; must be a non-negative integer`, 'bad-shard');
    const shard = checkShard(index, count, `${name}=${index} with --shards ${count}`);
    return { shard, note: `shard ${shardName(shard)} (from ${name}=${index} and --shards ${count})` };
  }
  if (slurmId !== undefined) {
    const countText = env.SLURM_ARRAY_TASK_COUNT;
    const index = intText(slurmId);
    const count = intText(countText ?? '');
    if (Number.isNaN(index) || Number.isNaN(count)) {
      throw new CondlabError(
        `SLURM_ARRAY_TASK_ID=${slurmId.slice(0, 20)}, SLURM_ARRAY_TASK_COUNT=${(countText ?? '(unset)').slice(0, 20)}: cannot tell the shard; pass --shards N (or --shard none to run every unit)`,
        'bad-shard',
      );
    }
    // a resubmitted single index (--array=1) has COUNT=1 and MIN=1: only --shards can say it is shard 1 of 3
    const min = env.SLURM_ARRAY_TASK_MIN, max = env.SLURM_ARRAY_TASK_MAX, step = env.SLURM_ARRAY_TASK_STEP;
    const contiguous = (min === undefined || intText(min) === 0) && (max === undefined || intText(max) === count - 1) && (step === undefined || intText(step) === 1);
    if (!contiguous || index >= count) {
      throw new CondlabError(
        `this Slurm array (SLURM_ARRAY_TASK_ID=${index}, COUNT=${count}, MIN=${min ?? '?'}, MAX=${max ?? '?'}, STEP=${step ?? '?'}) is not --array=0-${count - 1}, ` +
          'so the shard count is not known; pass --shards N (N = the full array size), or --shard none to run every unit',
        'bad-shard',
      );
    }
    const shard = checkShard(index, count, 'SLURM_ARRAY_TASK_ID');
    return { shard, note: `shard ${shardName(shard)} (from SLURM_ARRAY_TASK_ID=${index} and SLURM_ARRAY_TASK_COUNT=${count})` };
  }
  if (k8sId !== undefined) {
    throw new CondlabError(
      `JOB_COMPLETION_INDEX=${k8sId.slice(0, 20)} is set (a Kubernetes Indexed Job) but the shard count is not known: pass --shards N (the Job's completions), or --shard none to run every unit`,
      'bad-shard',
    );
  }
  return {};
}

/**
 * Deals `units` (in canonical order) to `count` shards by cost: costliest first (ties in canonical order), each to the
 * least-loaded shard (ties to the one with fewer units, then to the lowest index, so free units spread too) — greedy longest-processing-time scheduling. Round-robin would be
 * simpler but deals whole columns of the (trial × cell) grid to one shard whenever the shard count divides the number
 * of cells, so one shard gets every d = 4096 unit of an Exp 1 sweep; LPT keeps every shard within one unit's cost of
 * the mean. Pure arithmetic on the config's cell costs, so every shard and the merge compute the same dealing.
 * Returns, per shard, its units in canonical order; shards beyond the number of units are empty.
 */
export function dealUnits(units: readonly Unit[], cost: (u: Unit) => number, count: number): Unit[][] {
  checkShard(0, count, 'dealUnits');
  const order = units.map((u, i) => ({ i, c: cost(u) }));
  for (const o of order) {
    if (!Number.isFinite(o.c) || o.c < 0) throw new CondlabError(`cell '${units[o.i].cell}' has cost ${o.c}; cell costs must be finite and ≥ 0`, 'bad-cost');
  }
  order.sort((a, b) => b.c - a.c || a.i - b.i);
  const owner = new Int32Array(units.length);
  const heap = new MinLoadHeap(Math.min(count, Math.max(1, units.length)));
  for (const o of order) owner[o.i] = heap.take(o.c);
  const shards: Unit[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < units.length; i++) shards[owner[i]].push(units[i]);
  return shards;
}

/** Shards ordered by (load, units, index); only the first min(count, units) shards can get units, so only they are kept. */
class MinLoadHeap {
  private load: number[];
  private units: number[];
  private idx: number[];
  constructor(size: number) {
    this.load = new Array<number>(size).fill(0);
    this.units = new Array<number>(size).fill(0);
    this.idx = Array.from({ length: size }, (_, i) => i);
  }
  private less(a: number, b: number): boolean {
    const { load, units, idx } = this;
    return load[a] < load[b] || (load[a] === load[b] && (units[a] < units[b] || (units[a] === units[b] && idx[a] < idx[b])));
  }
  private swap(a: number, b: number): void {
    for (const arr of [this.load, this.units, this.idx]) [arr[a], arr[b]] = [arr[b], arr[a]];
  }
  /** Adds a unit of `cost` to the least-loaded shard and returns its index. */
  take(cost: number): number {
    const shard = this.idx[0];
    this.load[0] += cost;
    this.units[0]++;
    // sift down
    let i = 0;
    const n = this.load.length;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return shard;
  }
}
