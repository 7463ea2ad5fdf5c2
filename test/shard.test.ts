// Sharded runs (src/runner/shard.ts, merge.ts): the dealing gives every unit to exactly one shard for any shard
// count, any split of a run into shards (spread over any directories) merges to the unsharded JSON byte for byte, and
// every bad input to merge — missing, foreign, conflicting, truncated or twice-given shards — is one clear error.
import { ENGINE_VERSION } from '../src/engine/version.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import type { CellResult, Experiment, RunConfig } from '../src/experiments/types.js';
import { runExperiment } from '../src/runner/run.js';
import { unitKey, unitsOf, type Unit } from '../src/runner/assemble.js';
import { chooseShard, dealUnits, parseShard, shardFile, shardLog } from '../src/runner/shard.js';
import { mergeShards, writeMerged } from '../src/runner/merge.js';
import { parseResults } from '../src/runner/load.js';
import { main, planRun } from '../src/cli/main.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'condlab-shard-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The results file's text up to its timing block: what "byte-identical, timing aside" compares. */
const beforeTiming = (text: string) => {
  const at = text.indexOf('\n "timing": {');
  expect(at).toBeGreaterThan(0);
  return text.slice(0, at);
};

// A fast fake experiment (no engine work): one cell per entry of `dims`, cost growing with d, values a pure function
// of (seed, trial, cell) — with a NaN metric, a diverged condition and a series, so assembly has everything to do.
const hash = (...xs: number[]) => {
  let h = 2166136261;
  for (const x of xs) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h / 2 ** 32;
};
const fake: Experiment = {
  id: 'fakeshard', title: 'fake', paperSection: '-', description: 'shard test',
  presets: { quick: { trials: 3, dims: [2, 4, 8] }, paper: { trials: 3 } },
  cells: (c) => c.dims.map((d) => `d=${d}`),
  cellCost: (_c, cell) => Number(cell.slice(2)) ** 2,
  runCell({ config, cell, trial }) {
    const d = Number(cell.slice(2));
    const s = config.seed + config.seedStride * trial;
    const out: CellResult = {
      [`a_${cell}`]: { metrics: { x: hash(s, d, 1), nan: NaN }, series: { s: [hash(s, d, 2), hash(s, d, 3)] }, seriesEpochs: [1, 2] },
      [`b_${cell}`]: { metrics: { y: hash(s, d, 4) } },
    };
    if ((trial + d) % 5 === 0) out[`b_${cell}`] = { diverged: { epoch: 1, reason: 'non-finite loss' }, metrics: {} };
    return out;
  },
};
const resolve = () => fake;
const cfg = (o: Partial<RunConfig> = {}) => resolveConfig(fake, 'quick', o);
const cost = (c: RunConfig) => (u: Unit) => fake.cellCost!(c, u.cell);

async function unsharded(config: RunConfig): Promise<string> {
  const dir = tmp();
  await runExperiment(fake, config, { workers: 0, engine, outDir: dir });
  return readFileSync(join(dir, 'fakeshard.json'), 'utf8');
}

async function runShards(config: RunConfig, count: number, dirOf: (i: number) => string, only?: number[]): Promise<void> {
  for (let index = 0; index < count; index++) {
    if (only && !only.includes(index)) continue;
    const { failures } = await runExperiment(fake, config, { workers: 0, engine, outDir: dirOf(index), shard: { index, count } });
    expect(failures).toEqual([]);
  }
}

describe('dealing', () => {
  const costs = fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 7 });

  it('every unit goes to exactly one shard, in canonical order, for any n; n > units leaves shards empty; loads within one unit of the mean', () => {
    fc.assert(
      fc.property(costs, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 50 }), (cellCosts, trials, nRaw) => {
        const units: Unit[] = [];
        for (let t = 0; t < trials; t++) cellCosts.forEach((_, c) => units.push({ trial: t, cell: `c${c}` }));
        const costOf = (u: Unit) => cellCosts[Number(u.cell.slice(1))];
        const n = Math.min(nRaw, units.length + 5);
        const shards = dealUnits(units, costOf, n);
        expect(shards).toHaveLength(n);
        const all = shards.flat().map(unitKey);
        expect(all.length).toBe(units.length);
        expect(new Set(all).size).toBe(units.length);
        expect(new Set(all)).toEqual(new Set(units.map(unitKey)));
        const pos = new Map(units.map((u, i) => [unitKey(u), i]));
        for (const s of shards) for (let i = 1; i < s.length; i++) expect(pos.get(unitKey(s[i]))!).toBeGreaterThan(pos.get(unitKey(s[i - 1]))!);
        if (n > units.length) expect(shards.filter((s) => s.length === 0).length).toBe(n - units.length);
        // greedy list scheduling: no shard ends more than one unit's cost above the mean load
        const loads = shards.map((s) => s.reduce((a, u) => a + costOf(u), 0));
        const total = units.reduce((a, u) => a + costOf(u), 0);
        const maxCost = Math.max(...cellCosts);
        expect(Math.max(...loads)).toBeLessThanOrEqual(total / n + maxCost + 1e-9 * total);
        // and the same dealing every time (every shard and the merge compute it on their own)
        expect(dealUnits(units, costOf, n)).toEqual(shards);
      }),
      { numRuns: 300 },
    );
  });

  it('balances cost where round-robin would not: an Exp 1 sweep of four dims over four shards', () => {
    const exp1 = getExperiment('exp1');
    const config = resolveConfig(exp1, 'quick', { dims: [16, 32, 64, 128], trials: 4 });
    const units = unitsOf(exp1, config);
    const c = (u: Unit) => exp1.cellCost!(config, u.cell);
    const loads = (shards: Unit[][]) => shards.map((s) => s.reduce((a, u) => a + c(u), 0));
    const lpt = loads(dealUnits(units, c, 4));
    const roundRobin = loads([0, 1, 2, 3].map((i) => units.filter((_, k) => k % 4 === i)));
    expect(Math.max(...lpt) / Math.min(...lpt)).toBeCloseTo(1, 12);
    expect(Math.max(...roundRobin) / Math.min(...roundRobin)).toBeGreaterThan(10); // one shard would get every d = 128
  });

  it('--shard i/n: n = 0, an index out of range and malformed text are clear errors', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    expect(() => parseShard('3/3')).toThrow(/shard index 3 is out of range for 3 shard\(s\); must be 0 to 2 \(shard indices count from 0/);
    expect(() => parseShard('7/3')).toThrow(/shard index 7 is out of range/);
    expect(() => parseShard('0/0')).toThrow(/the shard count must be an integer from 1 to 1000000, got 0/);
    for (const bad of ['1', '-1/3', '1/3/4', 'a/b', '1.5/3', '']) expect(() => parseShard(bad)).toThrow(/--shard: got .*; must be i\/n/);
    expect(() => dealUnits([], () => 1, 0)).toThrow(/shard count must be an integer from 1/);
  });
});

describe('the shard from the environment', () => {
  const slurm = { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '2', SLURM_ARRAY_TASK_STEP: '1' };

  it('a Slurm array task, a Kubernetes Indexed Job pod with --shards, and --shard are picked up and named', () => {
    expect(chooseShard(undefined, undefined, slurm)).toEqual({ shard: { index: 2, count: 3 }, note: 'shard 2/3 (from SLURM_ARRAY_TASK_ID=2 and SLURM_ARRAY_TASK_COUNT=3)' });
    expect(chooseShard(undefined, '8', { JOB_COMPLETION_INDEX: '5' })).toEqual({ shard: { index: 5, count: 8 }, note: 'shard 5/8 (from JOB_COMPLETION_INDEX=5 and --shards 8)' });
    // a resubmitted single index: COUNT=1, MIN=MAX=1 — right only with --shards
    const resubmit = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '1', SLURM_ARRAY_TASK_STEP: '1' };
    expect(chooseShard(undefined, '3', resubmit).shard).toEqual({ index: 1, count: 3 });
    expect(() => chooseShard(undefined, undefined, resubmit)).toThrow(/is not --array=0-0, so the shard count is not known; pass --shards N/);
    expect(chooseShard('1/4', undefined, slurm)).toEqual({ shard: { index: 1, count: 4 }, note: 'shard 1/4 (from --shard)' });
    expect(chooseShard('none', undefined, slurm)).toEqual({});
    expect(chooseShard(undefined, undefined, {})).toEqual({});
  });

  it('ambiguous or impossible environments are errors, never a guess', () => {
    expect(() => chooseShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0' })).toThrow(/JOB_COMPLETION_INDEX=0 is set .* pass --shards N/);
    expect(() => chooseShard(undefined, '3', {})).toThrow(/--shards 3: no shard index in the environment/);
    expect(() => chooseShard(undefined, '3', { JOB_COMPLETION_INDEX: '3' })).toThrow(/JOB_COMPLETION_INDEX=3 with --shards 3: shard index 3 is out of range/);
    expect(() => chooseShard(undefined, '0', { SLURM_ARRAY_TASK_ID: '0' })).toThrow(/shard count must be an integer from 1 to 1000000, got 0/);
    expect(() => chooseShard(undefined, 'x', { SLURM_ARRAY_TASK_ID: '0' })).toThrow(/--shards: got "x"/);
    expect(() => chooseShard('0/2', '2', {})).toThrow(/give --shard i\/n or --shards N, not both/);
    expect(() => chooseShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(/not --array=0-2/);
    expect(() => chooseShard(undefined, undefined, { ...slurm, SLURM_ARRAY_TASK_STEP: '2' })).toThrow(/STEP=2\) is not --array=0-2/);
    expect(() => chooseShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '1' })).toThrow(/SLURM_ARRAY_TASK_COUNT=\(unset\): cannot tell the shard/);
  });

  it('the CLI takes the shard from the environment and says so on its first line', async () => {
    const plan = planRun(['exp2', '--trials', '2'], slurm);
    expect(plan.shard).toEqual({ index: 2, count: 3 });
    const dir = tmp();
    const saved = { ...process.env };
    Object.assign(process.env, slurm);
    let err = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      const code = await main(['run', 'exp2', '--trials', '3', '--dims', '4', '--epochs', '5', '--workers', '0', '--quiet', '--out', dir]);
      expect(code).toBe(0);
    } finally {
      process.stderr.write = write;
      for (const k of Object.keys(slurm)) if (!(k in saved)) delete process.env[k];
    }
    expect(err.split('\n')[0]).toBe(`condlab: shard 2/3 (from SLURM_ARRAY_TASK_ID=2 and SLURM_ARRAY_TASK_COUNT=3): runs its share of the units, writing ${dir}/<exp>.shard-2-of-3.json; then \`condlab merge ${dir}\``);
    expect(readdirSync(dir)).toEqual(['exp2.shard-2-of-3.json']);
  });
});

describe('merge', () => {
  it('property: any split of a run into shards, spread over any directories, merges to the unsharded JSON byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 14 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 14, maxLength: 14 }),
        fc.integer({ min: 0, max: 1000 }),
        async (dims, trials, count, dirOfShard, seed) => {
          const config = cfg({ dims, trials, seed });
          const ref = await unsharded(config);
          const base = tmp();
          const shardDirs = [0, 1, 2].map((k) => join(base, `d${k}`));
          for (const d of shardDirs) mkdirSync(d);
          await runShards(config, count, (i) => shardDirs[dirOfShard[i]]);
          // every directory, in an order of its own (some may hold no shard of this run but still exist)
          const order = [...shardDirs].sort((a, b) => (hash(seed, a.length, a.charCodeAt(a.length - 1)) < hash(seed, b.length, b.charCodeAt(b.length - 1)) ? -1 : 1));
          const withFiles = order.filter((d) => readdirSync(d).length > 0);
          const outcomes = await mergeShards(withFiles, { resolve });
          expect(outcomes.map((o) => o.missing.length)).toEqual([0]);
          const out = join(base, 'merged');
          writeMerged(out, outcomes);
          const merged = readFileSync(join(out, 'fakeshard.json'), 'utf8');
          expect(beforeTiming(merged)).toBe(beforeTiming(ref));
          expect(merged).not.toContain('"partial"');
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a real experiment with cells of different cost, shards run with different worker counts: byte-identical to the unsharded file', async () => {
    const exp = getExperiment('exp1');
    const config = resolveConfig(exp, 'quick', { dims: [4, 8, 12], trials: 2, epochs: 20 });
    const refDir = tmp(), shardDir = tmp(), out = tmp();
    await runExperiment(exp, config, { workers: 0, engine, outDir: refDir });
    for (const [index, workers] of [[0, 0], [1, 2], [2, 1], [3, 0]]) await runExperiment(exp, config, { workers, engine, outDir: shardDir, shard: { index, count: 4 } });
    const outcomes = await mergeShards([shardDir]);
    writeMerged(out, outcomes);
    const a = readFileSync(join(refDir, 'exp1.json'), 'utf8'), b = readFileSync(join(out, 'exp1.json'), 'utf8');
    expect(beforeTiming(b)).toBe(beforeTiming(a));
    expect(JSON.parse(b).timing.workers).toBe(3);
    // the representative spectra (trial 0 of every cell) survive the merge, and only trial 0 has them
    const trials = JSON.parse(b).trials as { trial: number; result: Record<string, { spectra?: { W: { trained: number[] } } }> }[];
    for (const t of trials) for (const [c, res] of Object.entries(t.result)) {
      expect(res.spectra?.W.trained.length).toBe(t.trial === 0 ? Number(c.slice(2)) : undefined);
    }
  });

  it('missing units are listed with the shard that should have run them; --allow-partial writes them marked partial', async () => {
    const config = cfg({ dims: [2, 4, 8], trials: 2 });
    const dir = tmp();
    await runShards(config, 3, () => dir, [0, 2]);
    const dealt1 = dealUnits(unitsOf(fake, config), cost(config), 3)[1];
    expect(dealt1.length).toBeGreaterThan(0);
    const err = await mergeShards([dir], { resolve }).catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: 'missing-units' });
    expect((err as Error).message).toContain('refusing to write a partial result (pass --allow-partial');
    expect((err as Error).message).toContain(`fakeshard: ${dealt1.length} of 6 units missing`);
    expect((err as Error).message).toContain(`shard 1/3 (no files in ${dir}): ${dealt1.map((u) => `trial ${u.trial} cell '${u.cell}'`).join(', ')}`);
    const [o] = await mergeShards([dir], { resolve, allowPartial: true });
    expect(o.results.partial).toEqual({ missingUnits: dealt1.length, totalUnits: 6, missing: dealt1.map((u) => ({ ...u, shard: '1/3' })) });
    const out = tmp();
    writeMerged(out, [o]);
    expect(parseResults(readFileSync(join(out, 'fakeshard.json'), 'utf8'), 'x').trials).toHaveLength(6 - dealt1.length);
    expect((parseResults(readFileSync(join(out, 'fakeshard.json'), 'utf8'), 'x') as { partial?: unknown }).partial).toEqual(o.results.partial);
  });

  it('an interrupted shard: its log counts, merge names what is left, and --resume of that shard completes the run', async () => {
    const config = cfg({ dims: [2, 4, 8], trials: 4 });
    const ref = await unsharded(config);
    const dir = tmp();
    await runShards(config, 2, () => dir, [0]);
    const ac = new AbortController();
    let n = 0;
    await expect(
      runExperiment(fake, config, { workers: 0, engine, outDir: dir, shard: { index: 1, count: 2 }, signal: ac.signal, onProgress: (e) => e.unit && ++n === 2 && ac.abort() }),
    ).rejects.toMatchObject({ code: 'interrupted' });
    expect(readdirSync(dir).sort()).toEqual(['fakeshard.shard-0-of-2.json', 'fakeshard.shard-1-of-2.log.jsonl']);
    const err = await mergeShards([dir], { resolve }).catch((e: Error) => e);
    const dealt1 = dealUnits(unitsOf(fake, config), cost(config), 2)[1];
    expect((err as Error).message).toContain(`fakeshard: ${dealt1.length - 2} of 12 units missing`);
    expect((err as Error).message).toContain('shard 1/2 (unfinished: only its log): ');
    const resumed = await runExperiment(fake, config, { workers: 0, engine, outDir: dir, shard: { index: 1, count: 2 }, resume: true });
    expect(resumed.resumed).toBe(2);
    const out = tmp();
    writeMerged(out, await mergeShards([dir], { resolve }));
    expect(beforeTiming(readFileSync(join(out, 'fakeshard.json'), 'utf8'))).toBe(beforeTiming(ref));
  });

  it('--resume of a shard refuses a log written by another shard or by an unsharded run', async () => {
    const config = cfg();
    const dir = tmp();
    const ac = new AbortController();
    await expect(
      runExperiment(fake, config, { workers: 0, engine, outDir: dir, shard: { index: 0, count: 2 }, signal: ac.signal, onProgress: (e) => e.unit && ac.abort() }),
    ).rejects.toMatchObject({ code: 'interrupted' });
    copyFileSync(shardLog(dir, 'fakeshard', { index: 0, count: 2 }), shardLog(dir, 'fakeshard', { index: 1, count: 2 }));
    await expect(runExperiment(fake, config, { workers: 0, engine, outDir: dir, shard: { index: 1, count: 2 }, resume: true })).rejects.toThrow(
      /cannot resume from .*shard-1-of-2\.log\.jsonl: it was written by shard 0\/2, this is shard 1\/2/,
    );
    copyFileSync(shardLog(dir, 'fakeshard', { index: 0, count: 2 }), join(dir, 'fakeshard.log.jsonl'));
    await expect(runExperiment(fake, config, { workers: 0, engine, outDir: dir, resume: true })).rejects.toThrow(/it was written by shard 0\/2, this is an unsharded run/);
  });

  it('a truncated log is an error naming file and line; with --allow-partial its whole lines are used', async () => {
    const config = cfg({ dims: [2, 4], trials: 3 });
    const dir = tmp();
    const ac = new AbortController();
    let n = 0;
    await expect(
      runExperiment(fake, config, { workers: 0, engine, outDir: dir, shard: { index: 0, count: 1 }, signal: ac.signal, onProgress: (e) => e.unit && ++n === 3 && ac.abort() }),
    ).rejects.toMatchObject({ code: 'interrupted' });
    const log = shardLog(dir, 'fakeshard', { index: 0, count: 1 });
    const text = readFileSync(log, 'utf8');
    writeFileSync(log, text.slice(0, text.length - 30));
    await expect(mergeShards([dir], { resolve })).rejects.toThrow(new RegExp(`${log.replace(/[.]/g, '\\.')}: line 4 of 4 is cut off: the log is truncated .*rerun shard 0/1 with --resume`));
    const [o] = await mergeShards([dir], { resolve, allowPartial: true });
    expect(o.results.trials).toHaveLength(2);
    expect(o.warnings[0]).toMatch(/line 4 of 4 is cut off/);
    writeFileSync(log, text.slice(0, 20));
    await expect(mergeShards([dir], { resolve })).rejects.toThrow(/line 1 is not a shard log header \(the log is truncated\)/);
    writeFileSync(log, text.replace('"kind":"unit"', '"kind":"unit').replace(/\n$/, '\n{"kind":"unit"}\n'));
    await expect(mergeShards([dir], { resolve })).rejects.toThrow(/line 2 of 5 is not a log entry; the log is corrupt/);
  });

  it('shards of different configs or engine versions, of different shard counts, a directory twice, a renamed file: each one clear error', async () => {
    const a = tmp(), b = tmp(), c = tmp();
    await runShards(cfg(), 2, () => a);
    await runShards(cfg({ seed: 7 }), 2, () => b, [1]);
    copyFileSync(shardFile(a, 'fakeshard', { index: 0, count: 2 }), join(b, 'fakeshard.shard-0-of-2.json'));
    await expect(mergeShards([b], { resolve })).rejects.toThrow(/fakeshard\.shard-0-of-2\.json and .*fakeshard\.shard-1-of-2\.json are shards of different configs \(config hash [0-9a-f]{12}… vs [0-9a-f]{12}…; seed differ\)/);

    const f0 = shardFile(a, 'fakeshard', { index: 0, count: 2 });
    const original = readFileSync(f0, 'utf8');
    writeFileSync(f0, original.replace(`"engineVersion": "${ENGINE_VERSION}"`, '"engineVersion": "9.9.9"'));
    await expect(mergeShards([a], { resolve })).rejects.toThrow(new RegExp(`was written by engine 9\\.9\\.9 but .*shard-1-of-2\\.json by ${ENGINE_VERSION.replace(/\./g, '\\.')}; shards of one run must use one condlab version`));
    writeFileSync(shardFile(a, 'fakeshard', { index: 1, count: 2 }), readFileSync(shardFile(a, 'fakeshard', { index: 1, count: 2 }), 'utf8').replace(`"engineVersion": "${ENGINE_VERSION}"`, '"engineVersion": "9.9.9"'));
    await expect(mergeShards([a], { resolve })).rejects.toThrow(new RegExp(`the shards were written by engine 9\\.9\\.9, this condlab is ${ENGINE_VERSION.replace(/\./g, '\\.')}; merge with the version that ran them`));
    rmSync(a, { recursive: true });
    mkdirSync(a);
    await runShards(cfg(), 2, () => a);

    await runShards(cfg(), 3, () => c, [2]);
    await expect(mergeShards([a, c], { resolve })).rejects.toThrow(/is shard 0\/2 but .*shard-2-of-3\.json is shard 2\/3; all shards of a run must be dealt for one shard count/);
    await expect(mergeShards([a, `${a}/`], { resolve })).rejects.toThrow(new RegExp(`shard directory '${a}/' given twice \\(also as '${a}'\\)`));
    await expect(mergeShards([a, join(a, 'nope')], { resolve })).rejects.toThrow(/cannot read shard directory .*nope': no such directory/);
    await expect(mergeShards([], { resolve })).rejects.toThrow(/give at least one directory/);
    await expect(mergeShards([tmp()], { resolve })).rejects.toThrow(/no shard files \(<exp>\.shard-<i>-of-<n>\.json\) in/);

    const renamed = tmp();
    copyFileSync(shardFile(a, 'fakeshard', { index: 0, count: 2 }), join(renamed, 'fakeshard.shard-1-of-2.json'));
    await expect(mergeShards([renamed], { resolve })).rejects.toThrow(/its name says fakeshard shard 1\/2 but it holds fakeshard shard 0\/2; was it renamed\?/);
    writeFileSync(join(renamed, 'fakeshard.shard-1-of-2.json'), original.slice(0, 300));
    await expect(mergeShards([renamed], { resolve })).rejects.toThrow(/not valid JSON .*the file is truncated or not a shard file/);
    const edited = tmp();
    expect(original).toMatch(/\n  "seed": \d+,/);
    writeFileSync(join(edited, 'fakeshard.shard-0-of-2.json'), original.replace(/\n  "seed": (\d+),/, (_m, s) => `\n  "seed": ${Number(s) + 1},`));
    await expect(mergeShards([edited], { resolve })).rejects.toThrow(/shard-0-of-2\.json: its config does not match its config hash; the file was edited/);
    writeFileSync(join(edited, 'fakeshard.shard-0-of-2.json'), original.replace(/\n "units": (\d+),/, (_m, n) => `\n "units": ${Number(n) + 1},`));
    await expect(mergeShards([edited], { resolve })).rejects.toThrow(/shard 0\/2 says \d+ units were dealt to it, this condlab deals it \d+; the shards were dealt differently/);
  });

  it('a unit in two shard files: the same values are merged once, different values are an error naming both files', async () => {
    const config = cfg();
    const ref = await unsharded(config);
    const a = tmp(), b = tmp();
    await runShards(config, 2, () => a);
    const f0 = shardFile(a, 'fakeshard', { index: 0, count: 2 });
    copyFileSync(f0, join(b, 'fakeshard.shard-0-of-2.json'));
    const out = tmp();
    writeMerged(out, await mergeShards([a, b], { resolve }));
    expect(beforeTiming(readFileSync(join(out, 'fakeshard.json'), 'utf8'))).toBe(beforeTiming(ref));
    const shard = JSON.parse(readFileSync(f0, 'utf8'));
    shard.trials[0].result[Object.keys(shard.trials[0].result)[1]].metrics.y += 1e-12;
    writeFileSync(join(b, 'fakeshard.shard-0-of-2.json'), JSON.stringify(shard, null, 1));
    const u = shard.trials[0];
    await expect(mergeShards([a, b], { resolve })).rejects.toThrow(
      new RegExp(`${b}/fakeshard\\.shard-0-of-2\\.json: unit trial ${u.trial} cell '${u.cell}' has different values in ${a}/fakeshard\\.shard-0-of-2\\.json`),
    );
    // a unit in the file of a shard it was not dealt to
    const other = JSON.parse(readFileSync(shardFile(a, 'fakeshard', { index: 1, count: 2 }), 'utf8'));
    shard.trials.push(other.trials[0]);
    writeFileSync(join(b, 'fakeshard.shard-0-of-2.json'), JSON.stringify(shard, null, 1));
    await expect(mergeShards([b], { resolve })).rejects.toThrow(/was dealt to shard 1\/2, not to this file's shard 0\/2/);
  });

  it('failed units are missing with their error; the CLI merge command writes, refuses and marks partial', async () => {
    const flaky: Experiment = { ...fake, runCell: (ctx) => (ctx.trial === 1 && ctx.cell === 'd=4' ? (() => { throw new Error('boom'); })() : fake.runCell(ctx)) };
    const dir = tmp();
    const { failures } = await runExperiment(flaky, cfg(), { workers: 0, engine, outDir: dir, shard: { index: 0, count: 1 } });
    expect(failures).toHaveLength(1);
    await expect(mergeShards([dir], { resolve })).rejects.toThrow(/shard 0\/1 \(failed: boom\): trial 1 cell 'd=4'/);

    // the command itself, on a registered experiment
    const shards = tmp(), out = tmp();
    const args = ['exp2', '--trials', '3', '--dims', '4', '--epochs', '5', '--workers', '0', '--quiet', '--out', shards];
    let err = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      expect(await main(['run', ...args, '--shard', '0/2'])).toBe(0);
      await expect(main(['merge', shards, '--out', out])).rejects.toThrow(/exp2: \d of 3 units missing\n {2}shard 1\/2 \(no files in/);
      expect(await main(['merge', shards, '--out', out, '--allow-partial'])).toBe(0);
      expect(err).toMatch(/exp2: wrote .*exp2\.json, PARTIAL \(marked in the JSON\): \d of 3 units missing/);
      expect(JSON.parse(readFileSync(join(out, 'exp2.json'), 'utf8')).partial.totalUnits).toBe(3);
      const stdout = process.stdout.write.bind(process.stdout);
      process.stdout.write = (() => true) as typeof process.stdout.write;
      try {
        expect(await main(['claims', '--in', out, '--json'])).toBe(0);
      } finally {
        process.stdout.write = stdout;
      }
      expect(err).toMatch(/warning: exp2 is a partial merge/);
      expect(await main(['run', ...args, '--shard', '1/2'])).toBe(0);
      expect(await main(['merge', shards, '--out', out])).toBe(0);
      expect(err).toMatch(/exp2: merged 2 of 2 shards \(3 units\) into/);
    } finally {
      process.stderr.write = write;
    }
    expect(JSON.parse(readFileSync(join(out, 'exp2.json'), 'utf8')).partial).toBeUndefined();
  });
});
