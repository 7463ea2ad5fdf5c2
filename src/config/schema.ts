// Every run option, validated by one zod schema before any work starts. An error names the option, the bad value
// and what is allowed. Options map 1:1 to RunConfig fields (kebab-case on the command line, camelCase in files).
import { z } from 'zod';
import { CondlabError } from '../engine/errors.js';
import type { RunConfig } from '../experiments/types.js';

const posInt = (max: number) => z.number().int().min(1).max(max);
const finiteNonNeg = z.number().finite().min(0);
const finitePos = z.number().finite().gt(0);

/** Field → [schema, human description of what is allowed]. */
export const FIELDS = {
  preset: [z.enum(['quick', 'paper']), "'quick' or 'paper'"],
  dims: [z.array(posInt(8192)).min(1).max(16), 'a comma-separated list of 1 to 16 integers from 1 to 8192'],
  trials: [posInt(100_000), 'an integer from 1 to 100000'],
  epochs: [posInt(10_000_000), 'an integer from 1 to 10000000'],
  batch: [posInt(1 << 16), 'an integer from 1 to 65536'],
  lr: [finiteNonNeg, 'a finite number ≥ 0'],
  adamLr: [finiteNonNeg, 'a finite number ≥ 0'],
  noise: [finiteNonNeg, 'a finite number ≥ 0'],
  init: [z.enum(['gauss', 'zeros', 'xavier']), "'gauss', 'zeros' or 'xavier'"],
  initStd: [finiteNonNeg, 'a finite number ≥ 0'],
  target: [z.enum(['heterogeneous', 'lowrank', 'blockdiag']), "'heterogeneous', 'lowrank' or 'blockdiag'"],
  targetScale: [finitePos, 'a finite number > 0'],
  multLrFactor: [finiteNonNeg, 'a finite number ≥ 0'],
  specLambda: [finiteNonNeg, 'a finite number ≥ 0'],
  specClip: [finitePos, 'a finite number > 0'],
  svdCorrEvery: [posInt(10_000_000), 'an integer ≥ 1'],
  svdCorrRate: [z.number().finite().min(0).max(1), 'a number from 0 to 1'],
  weightDecay: [finiteNonNeg, 'a finite number ≥ 0'],
  lrs: [z.array(finiteNonNeg).min(1).max(64), 'a comma-separated list of 1 to 64 finite numbers ≥ 0'],
  weightDecays: [z.array(finiteNonNeg).min(1).max(64), 'a comma-separated list of 1 to 64 finite numbers ≥ 0'],
  depths: [z.array(posInt(8)).min(1).max(8), 'a comma-separated list of integers from 1 to 8'],
  hidden: [posInt(8192), 'an integer from 1 to 8192'],
  seed: [z.number().int().min(0).max(Number.MAX_SAFE_INTEGER - 1e9), 'a non-negative integer below 2^53 − 10^9'],
  seedStride: [posInt(1e6), 'an integer from 1 to 1000000'],
  evalEvery: [posInt(10_000_000), 'an integer ≥ 1'],
  orthLambda: [finiteNonNeg, 'a finite number ≥ 0'],
  pssEvery: [posInt(10_000_000), 'an integer ≥ 1'],
  pssStrength: [z.number().finite().min(0).max(1), 'a number from 0 to 1'],
  stAlpha: [z.number().finite().min(-4).max(4), 'a number from -4 to 4'],
  stTau: [z.number().finite().min(0).lt(1), 'a number in [0, 1)'],
  stLr: [finiteNonNeg, 'a finite number ≥ 0'],
  stAdaptEvery: [z.number().int().min(0).max(10_000_000), 'an integer ≥ 0 (0 = no adaptive cell)'],
  structDecayLambda: [finiteNonNeg, 'a finite number ≥ 0'],
  structDecayK: [posInt(8192), 'an integer from 1 to 8192 (at most d)'],
  batches: [z.array(posInt(1 << 16)).min(1).max(16), 'a comma-separated list of 1 to 16 integers from 1 to 65536'],
  stAlphas: [z.array(z.number().finite().min(-4).max(4)).min(1).max(16), 'a comma-separated list of 1 to 16 numbers from -4 to 4'],
  inits: [z.array(z.enum(['gauss', 'zeros', 'xavier'])).min(1).max(3), "a comma-separated list of 'gauss', 'zeros', 'xavier'"],
  noises: [z.array(finiteNonNeg).min(1).max(64), 'a comma-separated list of 1 to 64 finite numbers ≥ 0'],
  targetScales: [z.array(finitePos).min(1).max(64), 'a comma-separated list of 1 to 64 finite numbers > 0'],
  multLrFactors: [z.array(finiteNonNeg).min(1).max(64), 'a comma-separated list of 1 to 64 finite numbers ≥ 0'],
  specLambdas: [z.array(finiteNonNeg).min(1).max(64), 'a comma-separated list of 1 to 64 finite numbers ≥ 0'],
  specClips: [z.array(finitePos).min(1).max(64), 'a comma-separated list of 1 to 64 finite numbers > 0'],
  data: [z.string().min(1).max(4096).optional(), 'a directory path (fmnist: the four Fashion-MNIST IDX files)'],
  trainSize: [z.number().int().min(0).max(1e7).optional(), 'an integer from 0 (all) to 10000000'],
  testSize: [z.number().int().min(0).max(1e7).optional(), 'an integer from 0 (all) to 10000000'],
} as const satisfies Record<keyof RunConfig, readonly [z.ZodType, string]>;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

export const kebab = (f: string): string => f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const runConfigSchema = z.object(Object.fromEntries(FIELD_NAMES.map((f) => [f, FIELDS[f][0]]))).strict();
const partialSchema = runConfigSchema.partial();

function describe(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(shown(value, 100));
  else if (Array.isArray(value)) text = `[${value.slice(0, 20).map(describe).join(', ')}${value.length > 20 ? ', …' : ''}]`;
  else if (typeof value === 'object' && value !== null) text = 'an object';
  else text = String(value);
  // adversarial input must not produce a megabyte error line
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function enumOptions(schema: z.ZodType): string[] | undefined {
  return schema instanceof z.ZodEnum ? (schema.options as string[]) : undefined;
}

function fail(issues: z.core.$ZodIssue[], input: Record<string, unknown>, where: string): never {
  const first = issues[0];
  const field = String(first.path[0] ?? '');
  if (first.code === 'unrecognized_keys') {
    const key = (first as { keys: string[] }).keys[0];
    throw new CondlabError(`${where}: unknown field '${shown(key)}'${didYouMean(key, FIELD_NAMES)}`, 'bad-config', { field: key });
  }
  if (field === '') throw new CondlabError(`${where}: ${first.message}`, 'bad-config');
  const known = Object.hasOwn(FIELDS, field);
  const allowed = known ? FIELDS[field as FieldName][1] : first.message;
  const name = where === 'command line' ? `--${kebab(field)}` : field;
  const value = input[field];
  const enumValues = known ? enumOptions(FIELDS[field as FieldName][0]) : undefined;
  const hint = enumValues && typeof value === 'string' ? didYouMean(value, enumValues) : '';
  const prefix = where === 'command line' ? '' : `${where}: `;
  throw new CondlabError(`${prefix}${name}: got ${describe(value)}; must be ${allowed}${hint}`, 'bad-config', { field, value, allowed });
}

/** Validates overrides (a partial config) from the command line or a file. */
export function validateOverrides(input: Record<string, unknown>, where = 'command line'): Partial<RunConfig> {
  const r = partialSchema.safeParse(input);
  if (!r.success) fail(r.error.issues, input, where);
  return r.data as Partial<RunConfig>;
}

/** Validates a complete config (e.g. one read back from a results file). */
export function validateConfig(input: unknown, where = 'config'): RunConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new CondlabError(`${where}: must be an object`, 'bad-config');
  const r = runConfigSchema.safeParse(input);
  if (!r.success) fail(r.error.issues, input as Record<string, unknown>, where);
  const cfg = r.data as unknown as RunConfig;
  const lastSeed = cfg.seed + cfg.seedStride * (cfg.trials - 1);
  if (!Number.isSafeInteger(lastSeed + 1e9)) {
    throw new CondlabError(
      `${where}: seed + seedStride·(trials − 1) = ${lastSeed} is too large; trial seeds must stay below 2^53 − 10^9`,
      'bad-config',
      { field: 'seed', value: cfg.seed },
    );
  }
  return cfg;
}

/** User text as it may appear in an error line: control characters replaced, at most `max` characters. */
export function shown(text: string, max = 60): string {
  // eslint-disable-next-line no-control-regex
  const clean = String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  if (word.length > 64) return '';
  let best = '', bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean '${best}'?` : '';
}
