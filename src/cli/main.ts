// condlab's command line: run, merge, claims, report, inspect, list. Every error a user can cause prints one clear line
// (no stack trace) and exits with status 2; an interrupted run exits 130 with its finished units kept in the log.
import { readFileSync, statSync } from 'node:fs';
import { CondlabError } from '../engine/errors.js';
import { ENGINE_VERSION } from '../engine/version.js';
import { loadEngine } from '../engine/index.js';
import { experiments, paperExperiments } from '../experiments/index.js';
import type { Experiment, PresetName, RunConfig } from '../experiments/types.js';
import { didYouMean, shown, validateOverrides } from '../config/schema.js';
import { buildConfig } from '../config/index.js';
import { checkResources, estimate, formatDuration } from '../config/estimate.js';
import { CONFIG_OPTIONS, configOverrides, parseArgs, type OptionSpec } from './args.js';
import { defaultWorkers, runExperiment } from '../runner/run.js';
import { progressMode, progressPrinter } from '../runner/progress.js';
import { loadResultsDir } from '../runner/load.js';
import { chooseShard, shardFile, type Shard } from '../runner/shard.js';
import { describeMissing, mergeShards, writeMerged } from '../runner/merge.js';
import { judgeClaims, formatClaimsTable } from '../claims/index.js';
import { formatBytes } from '../engine/errors.js';

const RUN_OPTIONS: Record<string, OptionSpec> = {
  preset: { type: 'string', help: "'quick' (default; minutes for all nine) or 'paper' (the paper's dims, epochs, trials)" },
  ...CONFIG_OPTIONS,
  config: { type: 'string', help: 'a JSON file of config fields (camelCase), applied before the options above' },
  workers: { type: 'string', help: `worker threads (default: one per core, ${defaultWorkers()} here; 0 = in process)` },
  out: { type: 'string', help: 'output directory (default results/)' },
  resume: { type: 'boolean', help: 'reuse finished units: from <out>/<exp>.log.jsonl (an interrupted run) or <out>/<exp>.json (same config); with a shard, from that shard\'s files' },
  shard: { type: 'string', help: "run shard i of n (i from 0): its share of the units, into <out>/<exp>.shard-<i>-of-<n>.json; 'none' = every unit (docs/cluster.md)" },
  shards: { type: 'string', help: 'the shard count N, with the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (default in a Slurm array: its task id and count)' },
  'fail-fast': { type: 'boolean', help: 'stop at the first failed unit (default: record it and go on)' },
  force: { type: 'boolean', help: 'run even when the up-front estimate says it would take days' },
  threads: { type: 'string', help: 'GEMM threads inside each engine (default: 1 for many small units, every core for a few with d ≥ 1024)' },
  fma: { type: 'boolean', help: 'the opt-in FMA engine build (relaxed SIMD: faster GEMM; identical results on this machine only)' },
  quiet: { type: 'boolean', help: 'no progress output' },
  help: { type: 'boolean', help: 'this text' },
};

const MERGE_OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string', help: 'where to write <exp>.json (default results/)' },
  'allow-partial': { type: 'boolean', help: 'write a result even when units are missing, marked "partial" in the JSON' },
  quiet: { type: 'boolean', help: 'no summary lines' },
  help: { type: 'boolean', help: 'this text' },
};

const CLAIMS_OPTIONS: Record<string, OptionSpec> = {
  in: { type: 'string', help: 'results directory (default results/)' },
  json: { type: 'boolean', help: 'machine-readable output' },
  help: { type: 'boolean', help: 'this text' },
};

const REPORT_OPTIONS: Record<string, OptionSpec> = {
  in: { type: 'string', help: 'results directory (default results/)' },
  out: { type: 'string', help: 'report directory (default report/)' },
  costs: { type: 'string', help: 'per-step costs for the corrective table (default bench/results/correctives.json when it exists)' },
  help: { type: 'boolean', help: 'this text' },
};

const INSPECT_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print the full report (with spectra) as JSON' },
  'max-dim': { type: 'string', help: 'skip matrices whose smaller side exceeds this (default 1024)' },
  out: { type: 'string', help: 'also write inspect.json (and the spectrum and ESD figures when the report module is present) here' },
  help: { type: 'boolean', help: 'this text' },
};

const COMMANDS: Record<string, { usage: string; summary: string; options: Record<string, OptionSpec> }> = {
  run: { usage: 'condlab run <experiment|all|comma-list> [options]   (experiments: `condlab list`)', summary: 'run experiments, writing results/<exp>.json', options: RUN_OPTIONS },
  merge: { usage: 'condlab merge DIR… [--out results/] [--allow-partial]', summary: 'merge the shards of sharded runs into results/<exp>.json', options: MERGE_OPTIONS },
  claims: { usage: 'condlab claims [--in results/] [--json]', summary: "judge the claims (paper C1–C21, C22 onward beyond it) from results", options: CLAIMS_OPTIONS },
  report: { usage: 'condlab report [--in results/] [--out report/] [--costs FILE]', summary: 'write report.html and report.md with figures', options: REPORT_OPTIONS },
  inspect: { usage: 'condlab inspect FILE.safetensors|FILE.npy|FILE.onnx [--json] [--max-dim N] [--out DIR]', summary: 'spectral summary of every matrix in a weights file', options: INSPECT_OPTIONS },
  list: { usage: 'condlab list', summary: 'the experiments, their paper sections and presets', options: { help: { type: 'boolean', help: 'this text' } } },
};

function helpText(cmd?: string): string {
  if (cmd && Object.hasOwn(COMMANDS, cmd)) {
    const c = COMMANDS[cmd];
    const width = Math.max(...Object.keys(c.options).map((k) => k.length)) + 4;
    return [`usage: ${c.usage}`, '', c.summary, '', 'options:', ...Object.entries(c.options).map(([k, o]) => `  --${k.padEnd(width)}${o.type === 'string' ? '' : '(flag) '}${o.help}`)].join('\n');
  }
  return [
    `condlab ${ENGINE_VERSION} — does gradient descent learn a matrix's shape?`,
    '',
    'usage: condlab <command> [options]     (condlab <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(8)} ${c.summary}`),
    '',
    '  --version  print the version',
  ].join('\n');
}

function selectExperiments(spec: string | undefined): Experiment[] {
  if (!spec) throw new CondlabError(`run: which experiment? give one of ${experiments.map((e) => e.id).join(', ')}, or 'all'`, 'bad-args');
  if (spec === 'all') return experiments;
  if (spec === 'paper') return paperExperiments;
  const picked = spec.split(',').map((id) => {
    const e = experiments.find((x) => x.id === id.trim());
    if (!e) throw new CondlabError(`run: unknown experiment '${shown(id)}'${didYouMean(id, [...experiments.map((x) => x.id), 'all'])}; known: ${experiments.map((x) => x.id).join(', ')}, all`, 'bad-args');
    return e;
  });
  return [...new Set(picked)];
}

function configFile(path: string): Record<string, unknown> {
  const where = `--config ${shown(path)}`;
  let raw: unknown;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > 1 << 20) throw new Error(`${st.size} bytes; a config file is at most 1 MiB`);
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = code === 'ENOENT' ? 'no such file (ENOENT)' : code === 'EACCES' ? 'permission denied (EACCES)' : `${(e as Error).message}`;
    throw new CondlabError(`${where}: ${shown(msg, 200)}`, 'bad-config');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CondlabError(`${where}: must hold a JSON object of config fields`, 'bad-config');
  return raw as Record<string, unknown>;
}

/** Validates everything a `run` needs; throws before any work starts. */
export function planRun(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): { exps: Experiment[]; configs: RunConfig[]; workers: number; values: Record<string, string | boolean>; shard?: Shard; shardNote?: string } {
  const { positionals, values } = parseArgs(argv, RUN_OPTIONS, 'run');
  if (positionals.length > 1) throw new CondlabError(`run: one experiment list expected, got ${shown(positionals.join(' '))}; separate ids with commas`, 'bad-args');
  const exps = selectExperiments(positionals[0]);
  const preset = (values.preset ?? 'quick') as string;
  if (preset !== 'quick' && preset !== 'paper') throw new CondlabError(`--preset: got "${shown(preset)}"; must be 'quick' or 'paper'${didYouMean(preset, ['quick', 'paper'])}`, 'bad-config');
  const fromFile = typeof values.config === 'string' ? configFile(values.config) : {};
  const overrides = { ...validateOverrides(fromFile, `--config ${shown(String(values.config))}`), ...configOverrides(values) };
  let workers = defaultWorkers();
  if (values.workers !== undefined) {
    const w = /^\s*\d+\s*$/.test(values.workers as string) ? Number(values.workers) : Number.NaN;
    if (!Number.isInteger(w) || w < 0 || w > 256) throw new CondlabError(`--workers: got "${shown(String(values.workers))}"; must be an integer from 0 to 256`, 'bad-config');
    workers = w;
  }
  if (values.threads !== undefined) {
    const t = /^\s*\d+\s*$/.test(values.threads as string) ? Number(values.threads) : Number.NaN;
    if (!Number.isInteger(t) || t < 1 || t > 64) throw new CondlabError(`--threads: got "${shown(String(values.threads))}"; must be an integer from 1 to 64`, 'bad-config');
  }
  const configs = exps.map((e) => buildConfig(e, preset as PresetName, overrides));
  const { shard, note } = chooseShard(values.shard as string | undefined, values.shards as string | undefined, env);
  return { exps, configs, workers, values, shard, shardNote: note };
}

async function cmdRun(argv: string[]): Promise<number> {
  const { exps, configs, workers, values, shard, shardNote } = planRun(argv);
  const out = (values.out as string | undefined) ?? 'results';
  if (out.trim() === '') throw new CondlabError('--out: got ""; must be a directory path', 'bad-args');
  // first, so a cluster job's log says at once which share of the work this process is doing (even with --quiet)
  if (shardNote) process.stderr.write(`condlab: ${shardNote}: runs its share of the units, writing ${out}/<exp>.shard-${shard!.index}-of-${shard!.count}.json; then \`condlab merge ${out}\`\n`);
  // a shard's time is its share of the run: the estimate is for all shards side by side
  const parallel = Math.max(1, workers) * (shard?.count ?? 1);
  const warnings = exps.map((e, i) => checkResources(e, configs[i], parallel, !!values.force)).filter(Boolean);
  for (const w of warnings) process.stderr.write(`${w}\n`);
  const mode = progressMode(!!values.quiet);
  const controller = new AbortController();
  // SIGTERM too: it is how Slurm (scancel, time limit) and Kubernetes stop a job
  let exitCode = 130;
  const onSigint = () => controller.abort();
  const onSigterm = () => ((exitCode = 143), controller.abort());
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  // in process with --threads: one engine with its pool for every experiment; without, each run picks (threadsPerUnit)
  const engine = workers === 0 && (threads === undefined || threads === 1) ? await loadEngine({ fma: !!values.fma }) : undefined;
  let failed = 0;
  try {
    for (const [i, exp] of exps.entries()) {
      const cfg = configs[i];
      const missing = exp.unavailable?.(cfg);
      if (missing && exps.length > 1) {
        process.stderr.write(`${missing} — skipped\n`);
        continue;
      }
      if (missing) throw new CondlabError(missing, 'data-missing');
      if (mode !== 'quiet') {
        const est = estimate(exp, cfg, parallel);
        process.stderr.write(`${exp.id} (${exp.title}, ${cfg.preset}): ${est.units} units${shard ? ` over ${shard.count} shards` : ''}, ~${formatBytes(est.bytesPerWorker)} per worker, estimate ${formatDuration(est.seconds)}\n`);
      }
      const outcome = await runExperiment(exp, cfg, {
        workers: values.workers === undefined ? undefined : workers, engine, fma: !!values.fma, threads, outDir: out, resume: !!values.resume,
        failFast: !!values['fail-fast'], signal: controller.signal, onProgress: progressPrinter(mode), shard,
      });
      const diverged = Object.entries(outcome.results.summaries).filter(([, s]) => s.nDiverged > 0).map(([c, s]) => `${c}: ${s.nDiverged}`);
      if (mode !== 'quiet') {
        process.stderr.write(`${exp.id}: wrote ${shard ? shardFile(out, exp.id, shard) : `${out}/${exp.id}.json`} in ${(outcome.results.timing.wallMs / 1000).toFixed(1)} s` +
          `${outcome.resumed ? ` (${outcome.resumed} units resumed)` : ''}${diverged.length ? `; diverged trials — ${diverged.join(', ')}` : ''}\n`);
      }
      for (const f of outcome.failures) process.stderr.write(`${exp.id}: unit trial ${f.trial}, cell '${f.cell}' failed: ${f.error}\n`);
      failed += outcome.failures.length;
      if (controller.signal.aborted) break;
    }
  } catch (e) {
    if (controller.signal.aborted) {
      process.stderr.write(`\ninterrupted: finished units are saved in ${out}/*.log.jsonl; rerun the same command with --resume\n`);
      return exitCode;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  if (failed > 0) {
    process.stderr.write(`${failed} unit(s) failed; their log is kept — rerun with --resume to retry them\n`);
    return 1;
  }
  return 0;
}

async function cmdMerge(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs(argv, MERGE_OPTIONS, 'merge');
  const out = (values.out as string | undefined) ?? 'results';
  if (out.trim() === '') throw new CondlabError('--out: got ""; must be a directory path', 'bad-args');
  const outcomes = await mergeShards(positionals, { allowPartial: !!values['allow-partial'] });
  const paths = writeMerged(out, outcomes);
  for (const [i, o] of outcomes.entries()) {
    for (const w of o.warnings) process.stderr.write(`warning: ${w}\n`);
    if (o.missing.length > 0) {
      process.stderr.write(`${o.experiment}: wrote ${paths[i]}, PARTIAL (marked in the JSON): ${o.missing.length} of ${o.results.partial!.totalUnits} units missing\n`);
      for (const line of describeMissing(o.missing)) process.stderr.write(`${line}\n`);
    } else if (!values.quiet) {
      process.stderr.write(`${o.experiment}: merged ${o.shardsSeen} of ${o.shards} shards (${o.results.trials.length} units) into ${paths[i]}\n`);
    }
  }
  // a partial result was asked for (--allow-partial): it is written and marked, not an error
  return 0;
}

async function cmdClaims(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs(argv, CLAIMS_OPTIONS, 'claims');
  if (positionals.length) throw new CondlabError(`claims: unexpected argument '${shown(positionals[0])}'`, 'bad-args');
  const results = await loadResultsDir((values.in as string | undefined) ?? 'results');
  for (const r of Object.values(results) as { experiment: string; partial?: { missingUnits: number; totalUnits: number } }[]) {
    if (r.partial) process.stderr.write(`warning: ${r.experiment} is a partial merge (${r.partial.missingUnits} of ${r.partial.totalUnits} units missing); its verdicts rest on fewer trials\n`);
  }
  const verdicts = judgeClaims(results);
  process.stdout.write(values.json ? JSON.stringify(verdicts, null, 1) + '\n' : formatClaimsTable(verdicts) + '\n');
  return 0;
}

async function cmdReport(argv: string[]): Promise<number> {
  // one implementation of the command (src/report/command.ts), which the browser-free tests also drive
  const { reportCommand } = await import('../report/command.js');
  return reportCommand(argv);
}

async function cmdInspect(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs(argv, INSPECT_OPTIONS, 'inspect');
  if (positionals.length !== 1) throw new CondlabError('inspect: give exactly one .safetensors, .npy or .onnx file', 'bad-args');
  const { inspectFile, inspectJson, formatInspectTable, checkMaxDim } = await import('../inspect/index.js');
  const maxDim = values['max-dim'] !== undefined ? checkMaxDim(Number(values['max-dim'])) : undefined;
  const engine = await loadEngine();
  const report = await inspectFile(engine, positionals[0], { maxDim });
  process.stdout.write(values.json ? inspectJson(report) : formatInspectTable(report) + '\n');
  if (typeof values.out === 'string') {
    const { writeFileAtomic } = await import('../runner/log.js');
    const { join } = await import('node:path');
    writeFileAtomic(join(values.out, 'inspect.json'), inspectJson(report));
    try {
      const { inspectFigure, inspectEsdFigure } = await import('../report/figures.js');
      writeFileAtomic(join(values.out, 'inspect-spectrum.svg'), await inspectFigure(report));
      const esd = await inspectEsdFigure(report);
      if (esd) writeFileAtomic(join(values.out, 'inspect-esd.svg'), esd);
    } catch {
      /* figures need the report module; the JSON is written regardless */
    }
  }
  return 0;
}

function cmdList(): number {
  const idW = Math.max(...experiments.map((e) => e.id.length)) + 1;
  const secW = Math.max(...experiments.map((e) => e.paperSection.length)) + 1;
  for (const e of experiments) {
    const q = e.presets.quick, p = e.presets.paper;
    process.stdout.write(
      `${e.id.padEnd(idW)} §${e.paperSection.padEnd(secW)} ${e.title}\n${' '.repeat(idW + 1)}quick: ${JSON.stringify(q)}  paper: ${JSON.stringify(p)}\n`,
    );
  }
  process.stdout.write(`\n'condlab run all' runs all ${experiments.length}; 'condlab claims' judges the paper's claims from exp1…exp9.\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(helpText(rest[0]) + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    process.stdout.write(`condlab ${ENGINE_VERSION}\n`);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, cmd)) throw new CondlabError(`unknown command '${shown(cmd)}'${didYouMean(cmd, Object.keys(COMMANDS))}; commands: ${Object.keys(COMMANDS).join(', ')}`, 'bad-args');
  if (rest.includes('--help')) {
    process.stdout.write(helpText(cmd) + '\n');
    return 0;
  }
  switch (cmd) {
    case 'run': return cmdRun(rest);
    case 'merge': return cmdMerge(rest);
    case 'claims': return cmdClaims(rest);
    case 'report': return cmdReport(rest);
    case 'inspect': return cmdInspect(rest);
    default: return cmdList();
  }
}

/** Entry point: errors a user caused are one line and exit 2; anything else is a bug and shows its stack. */
export async function cli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    if (e instanceof CondlabError) {
      process.stderr.write(`condlab: ${e.message}\n`);
      process.exitCode = e.code === 'unit-failed' ? 1 : 2;
    } else {
      throw e;
    }
  }
}
