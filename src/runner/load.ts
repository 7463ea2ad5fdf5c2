// Reading results JSON back (claims, report, browser re-draw): untrusted input, so size, shape and config are checked
// before use, and a corrupt file gets a clear error instead of a crash deep in a figure.
import { z } from 'zod';
import { CondlabError } from '../engine/errors.js';
import { RESULTS_SCHEMA_VERSION, type ExperimentResults } from '../experiments/types.js';
import { validateConfig } from '../config/schema.js';

export const MAX_RESULTS_BYTES = 512 * 2 ** 20;

const num = z.number().or(z.null()); // JSON turns NaN/Infinity into null
const summary = z.object({ mean: num, std: num, median: num, q1: num, q3: num, ciLow: num, ciHigh: num, n: z.number().int().min(0), nDiverged: z.number().int().min(0) });
const series = z.object({ epochs: z.array(z.number()), mean: z.array(num), std: z.array(num), median: z.array(num), q1: z.array(num), q3: z.array(num) });
const condition = z.object({ n: z.number().int().min(0), nDiverged: z.number().int().min(0), metrics: z.record(z.string(), summary), series: z.record(z.string(), series).optional() });
// representative trials' spectra (src/experiments/spectra.ts); zod would silently drop the key if it were not named
const spectrum = z.object({ target: z.array(num), trained: z.array(num), epochs: z.array(z.number()), sigma1: z.array(num), sigmaMin: z.array(num) });
const result = z.object({
  diverged: z.object({ epoch: z.number(), reason: z.string() }).optional(),
  metrics: z.record(z.string(), num),
  series: z.record(z.string(), z.array(num)).optional(),
  seriesEpochs: z.array(z.number()).optional(),
  spectra: z.record(z.string(), spectrum).optional(),
});
const schema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  experiment: z.string().min(1).max(64),
  title: z.string(),
  paperSection: z.string(),
  engineVersion: z.string(),
  // absent in files written before the FMA build existed: those are plain
  engineVariant: z.enum(['plain', 'fma']).default('plain'),
  config: z.unknown(),
  trials: z.array(z.object({ trial: z.number().int().min(0), cell: z.string(), seed: z.number(), result: z.record(z.string(), result) })),
  summaries: z.record(z.string(), condition),
  timing: z.object({ wallMs: z.number(), workers: z.number(), threads: z.number().optional(), startedAt: z.string(), cellMs: z.record(z.string(), z.number()) }),
  // written by `condlab merge --allow-partial`: kept, so claims can say its verdicts rest on fewer units
  partial: z.object({ missingUnits: z.number().int().min(0), totalUnits: z.number().int().min(0), missing: z.array(z.object({ trial: z.number(), cell: z.string(), shard: z.string() })) }).optional(),
});

export function parseResults(text: string, where: string): ExperimentResults {
  if (text.length > MAX_RESULTS_BYTES) {
    throw new CondlabError(`${where}: ${text.length} bytes is larger than the ${MAX_RESULTS_BYTES}-byte limit for a results file`, 'bad-results');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CondlabError(`${where}: not valid JSON (${(e as Error).message})`, 'bad-results');
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CondlabError(`${where}: not a condlab results file: at ${i.path.join('.') || '(top)'}: ${i.message}`, 'bad-results');
  }
  validateConfig(r.data.config, `${where}: config`);
  return r.data as unknown as ExperimentResults;
}

/** Every <exp>.json in a directory (logs and other files ignored). */
export async function loadResultsDir(dir: string): Promise<Record<string, ExperimentResults>> {
  const { readdir, readFile, stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new CondlabError(`cannot read results directory ${dir}; run \`condlab run\` first or pass --in`, 'no-results');
  }
  const out: Record<string, ExperimentResults> = {};
  const from: Record<string, string> = {};
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const path = join(dir, name);
    const st = await stat(path);
    if (!st.isFile()) continue;
    if (st.size > MAX_RESULTS_BYTES) throw new CondlabError(`${path}: ${st.size} bytes is larger than the ${MAX_RESULTS_BYTES}-byte limit`, 'bad-results');
    const text = await readFile(path, 'utf8');
    // other JSON kept beside the results (inspect.json, notes …) is not ours to judge; a file that says it is a
    // results file must be a valid one
    if (!text.includes('"schemaVersion"')) continue;
    const r = parseResults(text, path);
    if (from[r.experiment]) {
      throw new CondlabError(`${from[r.experiment]} and ${path} both hold results for ${r.experiment}; keep one`, 'bad-results');
    }
    from[r.experiment] = path;
    out[r.experiment] = r;
  }
  return out;
}
