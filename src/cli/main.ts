// condlab's command line: run, claims, report, inspect, list. Every error a user can cause prints one clear line
// (no stack trace) and exits with status 2; an interrupted run exits 130 with its finished units kept in the log.
import { readFileSync, statSync } from 'node:fs';
import { CondlabError } from '../engine/errors.js';
import { ENGINE_VERSION } from '../engine/version.js';
import { Engine } from '../engine/engine.js';
import { experiments, paperExperiments } from '../experiments/index.js';
import type { Experiment, PresetName, RunConfig } from '../experiments/types.js';
import { didYouMean, shown, validateOverrides } from '../config/schema.js';
import { buildConfig } from '../config/index.js';
import { checkResources, estimate, formatDuration } from '../config/estimate.js';
import { CONFIG_OPTIONS, configOverrides, parseArgs, type OptionSpec } from './args.js';
import { defaultWorkers, runExperiment } from '../runner/run.js';
import { progressMode, progressPrinter } from '../runner/progress.js';
import { loadResultsDir } from '../runner/load.js';
import { judgeClaims, formatClaimsTable } from '../claims/index.js';
import { formatBytes } from '../engine/errors.js';

const RUN_OPTIONS: Record<string, OptionSpec> = {
  preset: { type: 'string', help: "'quick' (default; minutes for all nine) or 'paper' (the paper's dims, epochs, trials)" },
  ...CONFIG_OPTIONS,
  config: { type: 'string', help: 'a JSON file of config fields (camelCase), applied before the options above' },
  workers: { type: 'string', help: `worker threads (default: one per core, ${defaultWorkers()} here; 0 = in process)` },
  out: { type: 'string', help: 'output directory (default results/)' },
  resume: { type: 'boolean', help: 'reuse finished units: from <out>/<exp>.log.jsonl (an interrupted run) or <out>/<exp>.json (same config)' },
  'fail-fast': { type: 'boolean', help: 'stop at the first failed unit (default: record it and go on)' },
  force: { type: 'boolean', help: 'run even when the up-front estimate says it would take days' },
  quiet: { type: 'boolean', help: 'no progress output' },
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
  claims: { usage: 'condlab claims [--in results/] [--json]', summary: "judge the paper's claims C1–C21 from results", options: CLAIMS_OPTIONS },
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
export function planRun(argv: string[]): { exps: Experiment[]; configs: RunConfig[]; workers: number; values: Record<string, string | boolean> } {
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
  const configs = exps.map((e) => buildConfig(e, preset as PresetName, overrides));
  return { exps, configs, workers, values };
}

async function cmdRun(argv: string[]): Promise<number> {
  const { exps, configs, workers, values } = planRun(argv);
  const out = (values.out as string | undefined) ?? 'results';
  if (out.trim() === '') throw new CondlabError('--out: got ""; must be a directory path', 'bad-args');
  const warnings = exps.map((e, i) => checkResources(e, configs[i], Math.max(1, workers), !!values.force)).filter(Boolean);
  for (const w of warnings) process.stderr.write(`${w}\n`);
  const mode = progressMode(!!values.quiet);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const engine = workers === 0 ? await Engine.load() : undefined;
  let failed = 0;
  try {
    for (const [i, exp] of exps.entries()) {
      const cfg = configs[i];
      if (mode !== 'quiet') {
        const est = estimate(exp, cfg, Math.max(1, workers));
        process.stderr.write(`${exp.id} (${exp.title}, ${cfg.preset}): ${est.units} units, ~${formatBytes(est.bytesPerWorker)} per worker, estimate ${formatDuration(est.seconds)}\n`);
      }
      const outcome = await runExperiment(exp, cfg, {
        workers, engine, outDir: out, resume: !!values.resume, failFast: !!values['fail-fast'], signal: controller.signal,
        onProgress: progressPrinter(mode),
      });
      const diverged = Object.entries(outcome.results.summaries).filter(([, s]) => s.nDiverged > 0).map(([c, s]) => `${c}: ${s.nDiverged}`);
      if (mode !== 'quiet') {
        process.stderr.write(`${exp.id}: wrote ${out}/${exp.id}.json in ${(outcome.results.timing.wallMs / 1000).toFixed(1)} s` +
          `${outcome.resumed ? ` (${outcome.resumed} units resumed)` : ''}${diverged.length ? `; diverged trials — ${diverged.join(', ')}` : ''}\n`);
      }
      for (const f of outcome.failures) process.stderr.write(`${exp.id}: unit trial ${f.trial}, cell '${f.cell}' failed: ${f.error}\n`);
      failed += outcome.failures.length;
      if (controller.signal.aborted) break;
    }
  } catch (e) {
    if (controller.signal.aborted) {
      process.stderr.write(`\ninterrupted: finished units are saved in ${out}/*.log.jsonl; rerun the same command with --resume\n`);
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (failed > 0) {
    process.stderr.write(`${failed} unit(s) failed; their log is kept — rerun with --resume to retry them\n`);
    return 1;
  }
  return 0;
}

async function cmdClaims(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs(argv, CLAIMS_OPTIONS, 'claims');
  if (positionals.length) throw new CondlabError(`claims: unexpected argument '${shown(positionals[0])}'`, 'bad-args');
  const results = await loadResultsDir((values.in as string | undefined) ?? 'results');
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
  const engine = await Engine.load();
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
