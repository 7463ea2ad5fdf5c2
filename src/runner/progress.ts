// Progress output: a bar with ETA per experiment on a TTY, one plain line per unit otherwise, nothing with --quiet.
import type { ProgressEvent } from './run.js';

export type ProgressMode = 'tty' | 'lines' | 'quiet';

export function progressMode(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  return quiet ? 'quiet' : stream.isTTY ? 'tty' : 'lines';
}

const clock = (ms: number) => {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function progressPrinter(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): (e: ProgressEvent) => void {
  let start = 0;
  let startFraction = 0;
  const width = 28;
  const bar = (e: ProgressEvent, elapsed: number, eta: string) => {
    const filled = Math.round(width * Math.min(1, Math.max(0, e.fraction)));
    stream.write(`\r${e.experiment.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.done}/${e.total}  elapsed ${clock(elapsed)}  ETA ${eta} `);
    if (e.done === e.total) stream.write('\n');
  };
  return (e) => {
    if (mode === 'quiet') return;
    const now = performance.now();
    if (!e.unit) {
      // the start of an experiment (units taken from a log count as done)
      start = now;
      startFraction = e.fraction;
      if (mode === 'lines') stream.write(`${e.experiment}: ${e.total} units${e.done ? ` (${e.done} from the log)` : ''}\n`);
      else bar(e, 0, e.done === e.total ? '0:00' : '--:--');
      return;
    }
    const elapsed = now - start;
    // ETA from the cost-weighted fraction done in this session (cells can differ a lot in cost)
    const rate = (e.fraction - startFraction) / Math.max(elapsed, 1);
    const eta = clock(rate > 0 ? (1 - e.fraction) / rate : NaN);
    if (mode === 'lines') {
      stream.write(`${e.experiment}: ${e.done}/${e.total} trial ${e.unit.trial} ${e.unit.cell} ${Math.round(e.ms ?? 0)} ms, ETA ${eta}\n`);
      return;
    }
    bar(e, elapsed, eta);
  };
}
