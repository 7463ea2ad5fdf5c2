// The command line: every command has --help, bad input is one clear line (CondlabError, exit 2) before any work,
// and a fuzzer throwing random and adversarial argument lists at the parser never gets anything else.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CondlabError } from '../src/engine/index.js';
import { cli, main, planRun } from '../src/cli/main.js';
import { parseArgs } from '../src/cli/args.js';
import { DEFAULT_CONFIG, getExperiment } from '../src/experiments/index.js';
import { buildConfig, validateConfig, validateOverrides, didYouMean, editDistance } from '../src/config/index.js';
import { ENGINE_VERSION } from '../src/engine/version.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'condlab-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function capture(fn: () => Promise<unknown>): Promise<{ value: unknown; out: string; err: string }> {
  const write = process.stdout.write.bind(process.stdout);
  const ewrite = process.stderr.write.bind(process.stderr);
  let out = '', err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  const restore = () => {
    process.stdout.write = write;
    process.stderr.write = ewrite;
  };
  return fn().then(
    (value) => (restore(), { value, out, err }),
    (e) => {
      restore();
      throw e;
    },
  );
}

describe('help, version and list', () => {
  it('every command has --help', async () => {
    for (const cmd of ['run', 'claims', 'report', 'inspect', 'list']) {
      const { value, out } = await capture(() => main([cmd, '--help']));
      expect(value).toBe(0);
      expect(out).toMatch(new RegExp(`usage: condlab ${cmd}`));
    }
    const run = await capture(() => main(['help', 'run']));
    for (const opt of ['--dims', '--trials', '--epochs', '--lr', '--seed', '--noise', '--init', '--init-std', '--target', '--target-scale',
      '--mult-lr-factor', '--spec-lambda', '--spec-clip', '--weight-decay', '--batch', '--eval-every', '--workers', '--out', '--resume',
      '--fail-fast', '--quiet', '--preset']) {
      expect(run.out).toContain(`  ${opt} `);
    }
    expect((await capture(() => main(['--help']))).out).toMatch(/usage: condlab <command>/);
  });

  it('--version and list', async () => {
    expect((await capture(() => main(['--version']))).out).toBe(`condlab ${ENGINE_VERSION}\n`);
    const list = (await capture(() => main(['list']))).out;
    for (let i = 1; i <= 9; i++) expect(list).toMatch(new RegExp(`^exp${i} `, 'm'));
  });
});

describe('validation before any work', () => {
  const bad: [string[], RegExp][] = [
    [['run', 'exp1', '--trials', '0'], /--trials: got 0; must be an integer from 1 to 100000/],
    [['run', 'exp1', '--epochs', '-5'], /--epochs: got -5/],
    [['run', 'exp1', '--epochs', '2.5'], /--epochs: got 2.5; must be an integer/],
    [['run', 'exp1', '--dims', '32,abc'], /--dims: got \[32, "abc"\]/],
    [['run', 'exp1', '--dims', '0'], /--dims: got \[0\]/],
    [['run', 'exp1', '--dims', ''], /--dims: got \[""\]/],
    [['run', 'exp1', '--batch', '0x10'], /--batch: got "0x10"/],
    [['run', 'exp1', '--lr', 'NaN'], /--lr: got NaN; must be a finite number ≥ 0/],
    [['run', 'exp1', '--lr', 'Infinity'], /--lr: got Infinity/],
    [['run', 'exp1', '--lr', '-0.1'], /--lr: got -0.1; must be a finite number ≥ 0/],
    [['run', 'exp1', '--lr=-1e-3'], /--lr: got -0.001/],
    [['run', 'exp1', '--noise', '-0.1'], /--noise: got -0.1; must be a finite number ≥ 0/],
    [['run', 'exp1', '--spec-lambda', '-1'], /--spec-lambda: got -1/],
    [['run', 'exp1', '--init', 'normal'], /--init: got "normal"; must be 'gauss', 'zeros' or 'xavier'/],
    [['run', 'exp1', '--init', 'zero'], /did you mean 'zeros'/],
    [['run', 'exp1', '--target', 'low-rank'], /--target: .*did you mean 'lowrank'/],
    [['run', 'exp1', '--preset', 'papr'], /did you mean 'paper'/],
    [['run', 'exp11'], /unknown experiment 'exp11'; did you mean 'exp1'/],
    [['run', 'exp1,exp99'], /unknown experiment 'exp99'/],
    [['run'], /which experiment\?/],
    [['run', 'exp1', 'exp2'], /one experiment list expected/],
    [['run', 'exp1', '--learning-rate', '0.1'], /unknown option '--learning-rate'/],
    [['run', 'exp1', '--epoch', '3'], /did you mean '--epochs'/],
    [['run', 'exp1', '-t', '3'], /unknown option '-t'/],
    [['run', 'exp1', '--__proto__', '3'], /unknown option '--__proto__'/],
    [['run', 'exp1', '--toString'], /unknown option '--toString'/],
    [['run', 'exp1', '--workers', '-1'], /--workers: got "-1"; must be an integer from 0 to 256/],
    [['run', 'exp1', '--workers', '1.5'], /--workers: got "1.5"/],
    [['run', 'exp1', '--trials'], /--trials needs a value/],
    [['run', 'exp1', '--trials', '--epochs', '3'], /--trials needs a value/],
    [['run', 'exp1', '--trials', '3', '--trials', '4'], /--trials given twice/],
    [['run', 'exp1', '--resume=yes'], /--resume is a flag and takes no value/],
    [['run', 'exp1', '--config', '/nonexistent/condlab.json'], /--config \/nonexistent\/condlab.json: no such file/],
    [['run', 'exp1', '--out', ''], /--out: got ""/],
    [['run', 'exp1', '--config', '/'], /--config \/: not a regular file/],
    [['claims', 'extra'], /claims: unexpected argument 'extra'/],
    [['claims', '--in', '/nonexistent/results'], /cannot read results directory/],
    [['claims', '--jsn'], /did you mean '--json'/],
    [['runn'], /unknown command 'runn'; did you mean 'run'/],
  ];
  for (const [argv, msg] of bad) {
    it(argv.join(' ') || '(empty)', async () => {
      await expect(main(argv)).rejects.toThrow(msg);
      await expect(main(argv)).rejects.toBeInstanceOf(CondlabError);
    });
  }

  it('cli() prints one line (no stack) and sets exit code 2', async () => {
    const before = process.exitCode;
    const { err } = await capture(() => cli(['run', 'exp1', '--trials', '0']));
    expect(err).toBe('condlab: --trials: got 0; must be an integer from 1 to 100000\n');
    expect(process.exitCode).toBe(2);
    process.exitCode = before;
  });

  it('a --config file is validated field by field and CLI options override it', () => {
    const dir = tmp();
    const good = join(dir, 'good.json'), bad = join(dir, 'bad.json'), unknown = join(dir, 'unknown.json');
    writeFileSync(good, JSON.stringify({ trials: 2, epochs: 7, init: 'zeros' }));
    writeFileSync(bad, JSON.stringify({ trials: -2 }));
    writeFileSync(unknown, JSON.stringify({ epoch: 3 }));
    const plan = planRun(['exp2', '--config', good, '--epochs', '9']);
    expect(plan.configs[0]).toMatchObject({ trials: 2, epochs: 9, init: 'zeros' });
    expect(() => planRun(['exp2', '--config', bad])).toThrow(/trials: got -2; must be an integer from 1 to 100000/);
    expect(() => planRun(['exp2', '--config', unknown])).toThrow(/unknown field 'epoch'; did you mean 'epochs'/);
  });
});

describe('config: merge order and schema', () => {
  it('DEFAULT_CONFIG ← preset ← CLI overrides, later wins', () => {
    const exp = getExperiment('exp9');
    const quick = planRun(['exp9']).configs[0];
    expect(quick.preset).toBe('quick');
    expect(quick.epochs).toBe(exp.presets.quick.epochs); // preset over default
    expect(quick.lr).toBe(DEFAULT_CONFIG.lr); // default where the preset is silent
    const over = planRun(['exp9', '--preset', 'paper', '--epochs', '12', '--lr', '0.02', '--dims', '8,16']).configs[0];
    expect(over).toMatchObject({ preset: 'paper', epochs: 12, lr: 0.02, dims: [8, 16], trials: exp.presets.paper.trials });
    // 'all' and comma lists resolve each experiment's own preset
    const all = planRun(['all', '--trials', '1']);
    expect(all.exps.length).toBeGreaterThanOrEqual(9);
    expect(all.configs.every((c) => c.trials === 1)).toBe(true);
    expect(planRun(['exp3,exp1', '--workers', '0']).exps.map((e) => e.id)).toEqual(['exp3', 'exp1']);
    expect(planRun(['exp1,exp1']).exps.length).toBe(1);
  });

  it('every preset of every experiment is a valid config', () => {
    for (const id of ['exp1', 'exp2', 'exp3', 'exp4', 'exp5', 'exp6', 'exp7', 'exp8', 'exp9']) {
      for (const preset of ['quick', 'paper'] as const) expect(() => buildConfig(getExperiment(id), preset)).not.toThrow();
    }
  });

  it('errors name the field, the value and what is allowed', () => {
    const cfg = { ...DEFAULT_CONFIG };
    expect(() => validateConfig({ ...cfg, batch: 0 })).toThrow(/config: batch: got 0; must be an integer from 1 to 65536/);
    expect(() => validateConfig({ ...cfg, lrs: [0.1, -1] })).toThrow(/lrs: got \[0.1, -1\]; must be .*≥ 0/);
    expect(() => validateConfig({ ...cfg, depths: [] })).toThrow(/depths: got \[\]/);
    expect(() => validateConfig({ ...cfg, seed: 1.5 })).toThrow(/seed: got 1.5; must be a non-negative integer/);
    expect(() => validateConfig({ ...cfg, svdCorrRate: 2 })).toThrow(/svdCorrRate: got 2; must be a number from 0 to 1/);
    expect(() => validateConfig({ ...cfg, noise: '0.1' })).toThrow(/noise: got "0.1"/);
    const { epochs: _e, ...missing } = cfg;
    expect(() => validateConfig(missing)).toThrow(/epochs: got undefined/);
    expect(() => validateConfig([1, 2])).toThrow(/must be an object/);
    expect(() => validateConfig(null)).toThrow(/must be an object/);
    expect(() => validateOverrides({ weightDecay: -1e-4 })).toThrow(/--weight-decay: got -0.0001; must be a finite number ≥ 0/);
    expect(() => validateOverrides({ dims: Array.from({ length: 1000 }, () => -1) })).toThrow(/^.{0,300}$/s); // long values are cut
    expect(validateOverrides({ lr: 0, noise: 0, specLambda: 0 })).toEqual({ lr: 0, noise: 0, specLambda: 0 });
    expect(() => validateConfig({ ...cfg, seed: 2 ** 53 - 1e9 - 10, seedStride: 100, trials: 5 })).toThrow(/trial seeds must stay below/);
  });

  it('edit distance and hints', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(didYouMean('exp10', ['exp1', 'exp2'])).toBe("; did you mean 'exp1'?");
    expect(didYouMean('zzzzzzzz', ['exp1', 'exp2'])).toBe('');
  });
});

describe('parser fuzz', () => {
  const token = fc.oneof(
    fc.constantFrom(
      'run', 'exp1', 'exp3,exp4', 'all', 'curvature', 'exp1,', ',', '--dims', '--trials', '--epochs', '--lr', '--noise', '--init',
      '--preset', 'quick', 'paper', '--resume', '--workers', '--seed', '--target', 'lowrank', 'zeros', '--batch', '--config',
      '--', '-x', '-', '--=', '=', '', ' ', '--lr=', '--dims=1,2', '--__proto__', '--constructor', '__proto__', '-5', '-0.5',
      '1e400', '-1e-320', 'NaN', 'Infinity', '0x1f', '1_000', '\u0000', '--\u00e9poch', 'x'.repeat(10_000), '--help=1',
    ),
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.double().map(String),
    fc.integer({ min: -1e9, max: 1e9 }).map(String),
    fc.array(fc.integer({ min: -3, max: 5000 }), { maxLength: 4 }).map((xs) => xs.join(',')),
    fc.tuple(fc.constantFrom('--dims', '--lr', '--trials', '--init', '--workers', '--noise', '--seed'), fc.string()).map(([k, v]) => `${k}=${v}`),
  );
  it('random argument lists end in a valid plan or a CondlabError — never another exception', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 10 }), (argv) => {
        try {
          const plan = planRun(argv);
          for (const c of plan.configs) {
            expect(validateConfig(c)).toEqual(c);
            expect(c.trials).toBeGreaterThanOrEqual(1);
            expect(c.dims.every((d) => Number.isInteger(d) && d >= 1)).toBe(true);
            expect(Number.isFinite(c.lr) && c.lr >= 0).toBe(true);
          }
          expect(Number.isInteger(plan.workers) && plan.workers >= 0).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(CondlabError);
          expect((e as Error).message.length).toBeLessThan(1000);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the generic parser, for any command and option table, returns or throws a CondlabError', () => {
    const options = { in: { type: 'string' as const, help: '' }, json: { type: 'boolean' as const, help: '' } };
    fc.assert(
      fc.property(fc.array(token, { maxLength: 10 }), (argv) => {
        try {
          const { values, positionals } = parseArgs(argv, options, 'claims');
          expect(Object.keys(values).every((k) => k in options)).toBe(true);
          expect(positionals.every((p) => typeof p === 'string')).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(CondlabError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('run then claims, in process', () => {
  it('condlab run writes <out>/<exp>.json; condlab claims reads it (table and --json)', async () => {
    const out = tmp();
    const run = await capture(() => main(['run', 'exp2', '--trials', '2', '--dims', '8', '--epochs', '10', '--workers', '0', '--out', out]));
    expect(run.value).toBe(0);
    expect(run.err).toMatch(/exp2: wrote .*exp2\.json/);
    expect(readFileSync(join(out, 'exp2.json'), 'utf8')).toMatch(/"experiment": "exp2"/);
    const table = await capture(() => main(['claims', '--in', out]));
    expect(table.value).toBe(0);
    expect(table.out).toMatch(/C5 /);
    const json = await capture(() => main(['claims', '--in', out, '--json']));
    const verdicts = JSON.parse(json.out) as { id: string; verdict: string }[];
    expect(verdicts.find((v) => v.id === 'C1')!.verdict).toBe('not run');
    expect(verdicts.find((v) => v.id === 'C5')!.verdict).not.toBe('not run');
  });
});

describe('the CLI as a process', () => {
  it('a bad option exits 2 with one line on stderr and no stack trace', () => {
    const entry = fileURLToPath(new URL('./fixtures/cli.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', entry, 'run', 'exp1', '--lr', '-1'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('condlab: --lr: got -1; must be a finite number ≥ 0\n');
    expect(r.stdout).toBe('');
  });
});

describe('up-front resource check', () => {
  it('refuses a config that cannot fit in wasm32 memory, with the estimate', async () => {
    const { main: run } = await import('../src/cli/main.js');
    await expect(run(['run', 'exp1', '--dims', '8192', '--trials', '1', '--quiet'])).rejects.toThrow(/needs about 1\d\.\d+ GiB of WASM memory per worker \(d = 8192\), more than wasm32's 4\.00 GiB/);
  });

  it('refuses a run that would obviously take days unless --force', async () => {
    const { main: run } = await import('../src/cli/main.js');
    await expect(run(['run', 'exp9', '--dims', '2048', '--epochs', '1000000', '--trials', '1000', '--quiet'])).rejects.toThrow(/would take about [\d.]+ days .*--force/);
  });
});
