// `condlab report [--in results/] [--out report/]`: the command's implementation, for the CLI to dispatch to.
// Returns the exit code; user errors are CondlabErrors with one clear line (the CLI prints them).
import { parseArgs } from 'node:util';
import { CondlabError } from '../engine/errors.js';
import { writeReport } from './report.js';

export const REPORT_USAGE = 'condlab report [--in results/] [--out report/]';

export async function reportCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  let values: { in?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { in: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new CondlabError(`report: ${(e as Error).message.split('\n')[0]}; usage: ${REPORT_USAGE}`, 'bad-args');
  }
  if (values.help) {
    out(`usage: ${REPORT_USAGE}\n  --in   results directory (default results/)\n  --out  report directory (default report/)\n`);
    return 0;
  }
  const inDir = values.in ?? 'results';
  const r = await writeReport({ inDir, outDir: values.out ?? 'report' });
  out(`report: ${r.html}\n        ${r.md} (${r.figures} figures, ${r.experiments.join(', ')})\n`);
  return 0;
}
