// A shard's partial results file, <exp>.shard-<i>-of-<n>.json: a header (experiment, engine version, config hash,
// shard, how many units were dealt to it) and the shard's finished units and failures. It is deliberately not a
// results file (no schemaVersion, no summaries): claims and report never mistake a shard for a whole run.
import { z } from 'zod';
import { CondlabError } from '../engine/errors.js';
import type { RunConfig, TrialRecord } from '../experiments/types.js';

export const SHARD_FORMAT = 'condlab-shard/1';

export interface ShardResults {
  format: typeof SHARD_FORMAT;
  experiment: string;
  engineVersion: string;
  /** The opt-in FMA build's shards say so; plain shards carry no field (src/engine/variants.ts). */
  engineVariant?: 'fma';
  configHash: string;
  shard: { index: number; count: number };
  /** Units dealt to this shard; trials.length < units when some failed. */
  units: number;
  config: RunConfig;
  trials: TrialRecord[];
  failures: { trial: number; cell: string; error: string }[];
  timing: { wallMs: number; workers: number; threads?: number; startedAt: string; cellMs: Record<string, number> };
}

const num = z.number().or(z.null());
const schema = z.object({
  format: z.literal(SHARD_FORMAT),
  experiment: z.string().min(1).max(64),
  engineVersion: z.string().max(64),
  engineVariant: z.literal('fma').optional(),
  configHash: z.string().regex(/^[0-9a-f]{64}$/),
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }),
  units: z.number().int().min(0),
  config: z.unknown(),
  trials: z.array(z.object({
    trial: z.number().int().min(0),
    cell: z.string(),
    seed: z.number(),
    result: z.record(z.string(), z.object({
      diverged: z.object({ epoch: z.number(), reason: z.string() }).optional(),
      metrics: z.record(z.string(), num),
      series: z.record(z.string(), z.array(num)).optional(),
      seriesEpochs: z.array(z.number()).optional(),
    })),
  })),
  failures: z.array(z.object({ trial: z.number().int().min(0), cell: z.string(), error: z.string() })),
  timing: z.object({ wallMs: z.number(), workers: z.number(), threads: z.number().optional(), startedAt: z.string(), cellMs: z.record(z.string(), z.number()) }),
});

export function formatShardFile(s: ShardResults): string {
  return JSON.stringify(s, null, 1) + '\n';
}

/** Parses and checks the shape of a shard file; whether it belongs with the other shards is merge's job. */
export function parseShardFile(text: string, where: string): ShardResults {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CondlabError(`${where}: not valid JSON (${(e as Error).message}); the file is truncated or not a shard file — rerun that shard`, 'bad-shard-file');
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CondlabError(`${where}: not a condlab shard file: at ${i.path.join('.') || '(top)'}: ${i.message}`, 'bad-shard-file');
  }
  // the record objects are kept as parsed (not zod's copy), so their key order — which reaches the JSON — is untouched
  return raw as ShardResults;
}
