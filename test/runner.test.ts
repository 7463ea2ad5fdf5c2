// The runner (src/runner): identical JSON whatever the worker count, resume after an interruption, failed and
// crashed units reported with the unit, fail-fast, and a real CLI run killed with SIGKILL and resumed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Engine } from '../src/engine/index.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import { runExperiment } from '../src/runner/run.js';
import { runExperimentHere } from '../src/runner/local.js';
import { loadResultsDir, parseResults } from '../src/runner/load.js';
import { withoutTiming } from '../src/runner/assemble.js';
import { logPath } from '../src/runner/log.js';
import { progressMode, progressPrinter } from '../src/runner/progress.js';
import type { CellContext, Experiment } from '../src/experiments/types.js';
import { experiment as faulty } from './fixtures/faulty-experiment.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'condlab-runner-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const faultyPath = fileURLToPath(new URL('./fixtures/faulty-experiment.ts', import.meta.url));
const cliPath = fileURLToPath(new URL('./fixtures/cli.ts', import.meta.url));
const stable = (r: unknown) => JSON.stringify(withoutTiming(r as Parameters<typeof withoutTiming>[0]));

describe('determinism', () => {
  it('same seed and config give identical JSON with 0, 1, 2 and 4 workers (real experiment, several cells)', async () => {
    const exp = getExperiment('exp8');
    const config = resolveConfig(exp, 'quick', { trials: 2, dims: [8], epochs: 20, lrs: [0.01, 0.05], weightDecays: [0, 0.01] });
    const outs = [] as string[];
    for (const workers of [0, 1, 2, 4]) {
      const { results } = await runExperiment(exp, config, { workers, engine });
      outs.push(stable(results));
    }
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
    expect(outs[3]).toBe(outs[0]);
  });
});

describe('resume', () => {
  it('a run resumed from a partial log (with a torn last line) gives the same JSON as an uninterrupted one', async () => {
    const exp = getExperiment('exp2');
    const config = resolveConfig(exp, 'quick', { trials: 3, dims: [8], epochs: 20 });
    const full = await runExperiment(exp, config, { workers: 0, engine });
    const dir = tmp();
    // simulate an interrupted run: header + the first unit + half of the second line
    const lines = [JSON.stringify({ kind: 'header', experiment: 'exp2', config: JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1))))) })];
    lines.push(JSON.stringify({ kind: 'unit', ...full.results.trials[0] }));
    writeFileSync(logPath(dir, 'exp2'), lines.join('\n') + '\n' + JSON.stringify({ kind: 'unit', ...full.results.trials[1] }).slice(0, 40));
    const resumed = await runExperiment(exp, config, { workers: 0, engine, outDir: dir, resume: true });
    expect(resumed.resumed).toBe(1);
    expect(stable(resumed.results)).toBe(stable(full.results));
    expect(existsSync(logPath(dir, 'exp2'))).toBe(false); // the final JSON replaced the log
  });

  it('refuses to resume a log written for another config', async () => {
    const exp = getExperiment('exp2');
    const dir = tmp();
    const a = resolveConfig(exp, 'quick', { trials: 1, dims: [8], epochs: 5 });
    await runExperiment(exp, a, { workers: 0, engine, outDir: dir, failFast: false, onProgress: () => undefined }).catch(() => undefined);
    writeFileSync(logPath(dir, 'exp2'), JSON.stringify({ kind: 'header', experiment: 'exp2', config: { ...a, epochs: 6 } }) + '\n');
    await expect(runExperiment(exp, a, { workers: 0, engine, outDir: dir, resume: true })).rejects.toThrow(/cannot resume .* different config \(epochs differ\)/);
    writeFileSync(logPath(dir, 'exp2'), JSON.stringify({ kind: 'header', experiment: 'exp2', engineVersion: '0.0.0-other', config: a }) + '\n');
    await expect(runExperiment(exp, a, { workers: 0, engine, outDir: dir, resume: true })).rejects.toThrow(/written by engine 0.0.0-other/);
    writeFileSync(logPath(dir, 'exp2'), 'garbage\n');
    await expect(runExperiment(exp, a, { workers: 0, engine, outDir: dir, resume: true })).rejects.toThrow(/not a condlab log header/);
  });
});

describe('faults', () => {
  const config = resolveConfig(faulty, 'quick', {});

  it('a throwing unit and a crashing worker are reported with their units; the rest of the run goes on', async () => {
    const { results, failures } = await runExperiment(faulty, config, { workers: 2, modulePath: faultyPath });
    expect(failures.map((f) => `${f.trial}/${f.cell}`).sort()).toEqual(['1/crashes', '1/throws']);
    expect(failures.find((f) => f.cell === 'crashes')!.error).toMatch(/worker crashed: exit code 3/);
    expect(failures.find((f) => f.cell === 'throws')!.error).toBe('deliberate failure');
    expect(results.trials.length).toBe(3 * 3 - 2);
  });

  it('--fail-fast stops at the first failure with the unit named', async () => {
    await expect(runExperiment(faulty, config, { workers: 0, engine, failFast: true })).rejects.toThrow(/unit trial 1, cell 'throws' failed: deliberate failure/);
  });
});

describe('a real interrupted run', () => {
  it('kill -9 mid-run, then --resume, gives the same JSON as an uninterrupted run', async () => {
    const args = ['run', 'exp5', '--trials', '6', '--dims', '24', '--epochs', '150', '--workers', '1', '--quiet'];
    const ref = tmp(), dir = tmp();
    const tsx = ['--import', 'tsx', cliPath];
    expect(spawnSync(process.execPath, [...tsx, ...args, '--out', ref], { encoding: 'utf8' }).status).toBe(0);
    // start the same run and SIGKILL it once the log holds at least two finished units
    const child = spawn(process.execPath, [...tsx, ...args, '--out', dir], { stdio: 'ignore' });
    const log = logPath(dir, 'exp5');
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        const n = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"unit"')).length : 0;
        if (n >= 2) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - t0 > 60_000) {
          clearInterval(poll);
          reject(new Error('run never logged two units'));
        }
      }, 20);
    });
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(dir, 'exp5.json'))).toBe(false);
    const resumed = spawnSync(process.execPath, [...tsx, ...args, '--out', dir, '--resume'], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(ref, 'exp5.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'exp5.json'), 'utf8'));
    expect(stable(b)).toBe(stable(a));
  });
});

// ---- fake experiments written as plain .mjs modules, so worker threads can load them without the registry ----

function fakeModule(body: string): string {
  const dir = tmp();
  const path = join(dir, 'fake.mjs');
  writeFileSync(path, body);
  return path;
}

/** Draws numbers from engine.rng; condition 'b' diverges in trial 2; cell cost grows with the cell index. */
const FAKE = `
export const experiment = {
  id: 'fake', title: 'fake', paperSection: '-', description: 'runner test',
  presets: { quick: { trials: 4 }, paper: { trials: 4 } },
  cells: () => ['c0', 'c1', 'c2'],
  cellCost: (_c, cell) => 1 + Number(cell[1]),
  runCell({ engine, config, cell, trial }) {
    const r = engine.rng(config.seed + config.seedStride * trial, Number(cell[1]));
    const s = Array.from({ length: 5 }, () => r.normal());
    const out = {
      ['a_' + cell]: { metrics: { x: r.normal(), y: r.uniform() }, series: { s }, seriesEpochs: [1, 2, 3, 4, 5] },
      ['b_' + cell]: { metrics: { x: r.uniform(), nan: NaN } },
    };
    if (trial === 2) out['b_' + cell] = { diverged: { epoch: 3, reason: 'non-finite loss' }, metrics: {} };
    r.free?.();
    return out;
  },
};
`;

describe('runner with fake experiments', () => {
  const fakePath = fakeModule(FAKE);
  let fake: Experiment;
  beforeAll(async () => {
    fake = ((await import(pathToFileURL(fakePath).href)) as { experiment: Experiment }).experiment;
  });
  const cfg = () => resolveConfig(fake, 'quick', { dims: [4] });

  it('identical JSON with 0, 1 and 2 workers, and the file on disk is that JSON', async () => {
    const dirs = [tmp(), tmp(), tmp()];
    const outs: string[] = [];
    for (const [i, workers] of [0, 1, 2].entries()) {
      const { results, failures } = await runExperiment(fake, cfg(), { workers, engine, modulePath: fakePath, outDir: dirs[i] });
      expect(failures).toEqual([]);
      expect(results.timing.workers).toBe(workers);
      const onDisk = JSON.parse(readFileSync(join(dirs[i], 'fake.json'), 'utf8'));
      expect(stable(onDisk)).toBe(stable(JSON.parse(JSON.stringify(results))));
      expect(readdirSync(dirs[i])).toEqual(['fake.json']); // no temp file, no log left behind
      outs.push(stable(onDisk));
    }
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
    const r = JSON.parse(outs[0]);
    // sorted by (trial, cell order), whatever the finish order
    expect(r.trials.map((t: { trial: number; cell: string }) => `${t.trial}${t.cell}`)).toEqual(
      [0, 1, 2, 3].flatMap((t) => ['c0', 'c1', 'c2'].map((c) => `${t}${c}`)),
    );
    // diverged trials are excluded and counted; NaN metrics never reach a mean
    expect(r.summaries.b_c0.n).toBe(3);
    expect(r.summaries.b_c0.nDiverged).toBe(1);
    expect(r.summaries.b_c0.metrics.x.n).toBe(3);
    expect(r.summaries.b_c0.metrics.nan).toMatchObject({ n: 0, nDiverged: 4, mean: null });
    expect(r.summaries.a_c1.metrics.x.n).toBe(4);
    expect(r.summaries.a_c1.series.s.epochs).toEqual([1, 2, 3, 4, 5]);
    expect(r.summaries.a_c1.series.s.mean).toHaveLength(5);
    expect(Object.keys(r.summaries)).toEqual(['a_c0', 'b_c0', 'a_c1', 'b_c1', 'a_c2', 'b_c2']);
  });

  it('the browser-safe in-thread runner gives the same JSON as the pool', async () => {
    const here = await runExperimentHere(fake, cfg(), engine);
    const pool = await runExperiment(fake, cfg(), { workers: 2, modulePath: fakePath });
    expect(stable(here.results)).toBe(stable(pool.results));
    expect(here.results.timing.workers).toBe(0);
  });

  it('progress events count every unit once and end at done = total, fraction = 1', async () => {
    const events: { done: number; total: number; fraction: number }[] = [];
    await runExperiment(fake, cfg(), { workers: 2, modulePath: fakePath, onProgress: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ done: 0, total: 12, fraction: 0 });
    expect(events.map((e) => e.done)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(events.at(-1)!.fraction).toBeCloseTo(1, 12);
  });

  it('an aborted run keeps its finished units in the log; --resume completes it with the same JSON', async () => {
    const dir = tmp();
    const ref = await runExperiment(fake, cfg(), { workers: 0, engine });
    const ac = new AbortController();
    let n = 0;
    await expect(
      runExperiment(fake, cfg(), { workers: 0, engine, outDir: dir, signal: ac.signal, onProgress: (e) => e.unit && ++n === 5 && ac.abort() }),
    ).rejects.toMatchObject({ code: 'interrupted' });
    expect(existsSync(join(dir, 'fake.json'))).toBe(false);
    const logged = readFileSync(logPath(dir, 'fake'), 'utf8').trim().split('\n');
    expect(logged.length).toBe(1 + 5); // header + the five finished units
    const resumed = await runExperiment(fake, cfg(), { workers: 2, modulePath: fakePath, outDir: dir, resume: true });
    expect(resumed.resumed).toBe(5);
    expect(stable(resumed.results)).toBe(stable(ref.results));
  });

  it('an abort while workers are busy rejects promptly and leaves no worker behind', async () => {
    const slow = fakeModule(FAKE.replace('runCell({', 'runCell({').replace("const r = engine.rng", "const t = Date.now(); while (Date.now() - t < 200); const r = engine.rng"));
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 300);
    await expect(runExperiment(fake, cfg(), { workers: 2, modulePath: slow, signal: ac.signal })).rejects.toMatchObject({ code: 'interrupted' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a worker that cannot start is one clear error, not an endless respawn', async () => {
    const broken = fakeModule('throw new Error("module exploded at import");');
    await expect(runExperiment(fake, cfg(), { workers: 2, modulePath: broken })).rejects.toThrow(/a worker failed to start: .*module exploded at import/);
    const empty = fakeModule('export const nothing = 1;');
    await expect(runExperiment(fake, cfg(), { workers: 1, modulePath: empty })).rejects.toThrow(/does not export an `experiment`/);
  });

  it('an unregistered experiment object with workers > 0 and no modulePath is refused up front', async () => {
    await expect(runExperiment(fake, cfg(), { workers: 2 })).rejects.toThrow(/not a registered experiment/);
  });

  it('a runCell that returns something other than a CellResult fails its unit with a reason', async () => {
    const bad = { ...fake, cells: () => ['c0', 'c1'], runCell: (ctx: CellContext) => (ctx.cell === 'c1' ? ({ cond: { metrics: { x: 'high' } } } as never) : fake.runCell(ctx)) };
    const { failures, results } = await runExperiment(bad, resolveConfig(bad, 'quick', { trials: 2 }), { workers: 0, engine });
    expect(failures).toEqual([
      { trial: 0, cell: 'c1', error: "runCell returned metric 'cond.x' that is not a number" },
      { trial: 1, cell: 'c1', error: "runCell returned metric 'cond.x' that is not a number" },
    ]);
    expect(results.trials.map((t) => t.cell)).toEqual(['c0', 'c0']);
  });

  it('--resume with no log reuses a finished results file of the same config (e.g. `run all` interrupted later)', async () => {
    const dir = tmp();
    const first = await runExperiment(fake, cfg(), { workers: 0, engine, outDir: dir });
    const units: unknown[] = [];
    const again = await runExperiment(fake, cfg(), { workers: 0, engine, outDir: dir, resume: true, onProgress: (e) => e.unit && units.push(e.unit) });
    expect(units).toEqual([]);
    expect(again.resumed).toBe(12);
    expect(stable(again.results)).toBe(stable(first.results));
    // another config: nothing is reused
    const other = await runExperiment(fake, { ...cfg(), seed: 7 }, { workers: 0, engine, outDir: dir, resume: true });
    expect(other.resumed).toBe(0);
  });

  it('failed units keep the log; --resume retries only them', async () => {
    const dir = tmp();
    let fail = true;
    const flaky = { ...fake, runCell: (ctx: CellContext) => {
      if (fail && ctx.trial === 3 && ctx.cell === 'c2') throw new Error('flaky');
      return fake.runCell(ctx);
    } };
    const first = await runExperiment(flaky, cfg(), { workers: 0, engine, outDir: dir });
    expect(first.failures).toEqual([{ trial: 3, cell: 'c2', error: 'flaky' }]);
    expect(readFileSync(logPath(dir, 'fake'), 'utf8')).toContain('{"kind":"failed","trial":3,"cell":"c2","error":"flaky"}');
    fail = false;
    const calls: string[] = [];
    const second = await runExperiment(flaky, cfg(), { workers: 0, engine, outDir: dir, resume: true, onProgress: (e) => e.unit && calls.push(`${e.unit.trial}${e.unit.cell}`) });
    expect(calls).toEqual(['3c2']);
    expect(second.resumed).toBe(11);
    expect(stable(second.results)).toBe(stable((await runExperiment(fake, cfg(), { workers: 0, engine })).results));
  });

  it('fail-fast with workers stops at a crashed worker and names its unit', async () => {
    const cfgF = resolveConfig(faulty, 'quick', {});
    const crashOnly = { ...faulty, cells: () => ['ok', 'crashes'] };
    await expect(runExperiment(crashOnly, cfgF, { workers: 2, modulePath: faultyPath, failFast: true })).rejects.toThrow(
      /unit trial 1, cell 'crashes' failed: worker crashed: exit code 3/,
    );
  });

  it('bad options are refused before any work', async () => {
    await expect(runExperiment(fake, { ...cfg(), trials: 0 }, { workers: 0, engine })).rejects.toThrow(/trials: got 0/);
    await expect(runExperiment(fake, cfg(), { workers: -1, engine })).rejects.toThrow(/workers must be an integer ≥ 0/);
  });
});

describe('progress output', () => {
  it('plain mode prints one line per unit; quiet prints nothing', () => {
    let text = '';
    const stream = { write: (s: string) => ((text += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
    const p = progressPrinter('lines', stream);
    p({ experiment: 'exp1', done: 0, total: 2, fraction: 0 });
    p({ experiment: 'exp1', done: 1, total: 2, unit: { trial: 0, cell: 'd=32' }, ms: 12, fraction: 0.5 });
    p({ experiment: 'exp1', done: 2, total: 2, unit: { trial: 1, cell: 'd=32' }, ms: 12, fraction: 1 });
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('exp1: 2 units');
    expect(lines[1]).toMatch(/^exp1: 1\/2 trial 0 d=32 12 ms, ETA \d+:\d\d$/);
    expect(lines.length).toBe(3);
    let tty = '';
    const ttyStream = { write: (s: string) => ((tty += s), true), isTTY: true } as unknown as NodeJS.WriteStream;
    expect(progressMode(false, ttyStream)).toBe('tty');
    expect(progressMode(true, ttyStream)).toBe('quiet');
    const bar = progressPrinter('tty', ttyStream);
    bar({ experiment: 'exp1', done: 0, total: 2, fraction: 0 });
    bar({ experiment: 'exp1', done: 2, total: 2, unit: { trial: 1, cell: 'd=32' }, ms: 12, fraction: 1 });
    expect(tty).toMatch(/\rexp1 +\[#+\] 2\/2 .*ETA/);
    expect(tty.endsWith('\n')).toBe(true);
  });
});

describe('reading results back', () => {
  it('round-trips a results file; skips foreign JSON; refuses corrupt or duplicate results with a clear error', async () => {
    const dir = tmp();
    const exp = getExperiment('exp2');
    const config = resolveConfig(exp, 'quick', { trials: 2, dims: [8], epochs: 5 });
    const { results } = await runExperiment(exp, config, { workers: 0, engine, outDir: dir });
    writeFileSync(join(dir, 'inspect.json'), JSON.stringify({ tensors: [] }));
    const loaded = await loadResultsDir(dir);
    expect(Object.keys(loaded)).toEqual(['exp2']);
    expect(stable(loaded.exp2)).toBe(stable(JSON.parse(JSON.stringify(results))));

    const text = readFileSync(join(dir, 'exp2.json'), 'utf8');
    expect(() => parseResults(text.slice(0, 100), 'x.json')).toThrow(/x.json: not valid JSON/);
    expect(() => parseResults(text.replace('"trials": [', '"trials": 7, "x": ['), 'x.json')).toThrow(/x.json: not a condlab results file: at trials/);
    expect(() => parseResults(text.replace(/"epochs": 5/, '"epochs": -5'), 'x.json')).toThrow(/x.json: config: epochs: got -5/);
    writeFileSync(join(dir, 'exp2-copy.json'), text);
    await expect(loadResultsDir(dir)).rejects.toThrow(/both hold results for exp2/);
    await expect(loadResultsDir(join(dir, 'missing'))).rejects.toThrow(/cannot read results directory/);
  });
});
