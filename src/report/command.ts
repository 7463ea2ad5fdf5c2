// `condlab report [--in results/] [--out report/]`: the command's implementation, for the CLI to dispatch to.
// Returns the exit code; user errors are CondlabErrors with one clear line (the CLI prints them).
import { parseArgs } from 'node:util';
import { CondlabError } from '../engine/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeReport, type StepCosts } from './report.js';

export const REPORT_USAGE = 'condlab report [--in results/] [--out report/] [--costs bench/results/correctives.json]';
const DEFAULT_COSTS = 'bench/results/correctives.json';

/** ms per step by method at the smallest d benchmarked (the correctives experiment's d = 64), from `npm run bench`. */
export function readStepCosts(file: string): StepCosts {
  let rows: unknown;
  try {
    rows = (JSON.parse(readFileSync(file, 'utf8')) as { rows?: unknown }).rows;
  } catch (e) {
    throw new CondlabError(`--costs ${file}: ${(e as Error).message.split('\n')[0]}`, 'bad-file');
  }
  if (!Array.isArray(rows)) throw new CondlabError(`--costs ${file}: expected {"rows": [{method, d, msPerStep}, …]}`, 'bad-file');
  const ok = rows.filter((x): x is { method: string; d: number; msPerStep: number } =>
    typeof x?.method === 'string' && Number.isFinite(x?.d) && Number.isFinite(x?.msPerStep) && x.msPerStep > 0);
  const d = Math.min(...ok.map((x) => x.d));
  return Object.fromEntries(ok.filter((x) => x.d === d).map((x) => [x.method, x.msPerStep]));
}

export async function reportCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  let values: { in?: string; out?: string; costs?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { in: { type: 'string' }, out: { type: 'string' }, costs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new CondlabError(`report: ${(e as Error).message.split('\n')[0]}; usage: ${REPORT_USAGE}`, 'bad-args');
  }
  if (values.help) {
    out(`usage: ${REPORT_USAGE}\n  --in     results directory (default results/)\n  --out    report directory (default report/)\n  --costs  per-step costs for the corrective table (default ${DEFAULT_COSTS} when it exists; \`npm run bench -- --only correctives\` writes it)\n`);
    return 0;
  }
  const inDir = values.in ?? 'results';
  const costFile = values.costs ?? (existsSync(DEFAULT_COSTS) ? DEFAULT_COSTS : undefined);
  const costs = costFile ? readStepCosts(costFile) : undefined;
  const r = await writeReport({ inDir, outDir: values.out ?? 'report', costs });
  out(`report: ${r.html}\n        ${r.md} (${r.figures} figures, ${r.experiments.join(', ')})\n`);
  return 0;
}
