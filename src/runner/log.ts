// The append-only results log: one JSON line per finished unit, written and fsync'ed as it finishes, so Ctrl-C or
// kill -9 loses only the units in flight. `--resume` reads it back (a torn last line is ignored) after checking that
// it was written for the same experiment and config.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CondlabError } from '../engine/errors.js';
import { ENGINE_VERSION } from '../engine/version.js';
import { checkCellResult } from './assemble.js';
import type { RunConfig, TrialRecord } from '../experiments/types.js';

/** What a shard's log header records besides experiment, engine and config: which shard, and the config's hash. */
export interface ShardHeader {
  index: number;
  count: number;
  configHash: string;
}

export const logPath = (outDir: string, expId: string): string => join(outDir, `${expId}.log.jsonl`);
export const resultsPath = (outDir: string, expId: string): string => join(outDir, `${expId}.json`);

/** Stable JSON of a config (keys sorted), so a resumed run can prove it is the same run. */
export function configKey(config: RunConfig): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1))));
}

export class ResultsLog {
  private fd: number;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  /** Starts a fresh log (replacing any old one) with a header line. */
  static create(path: string, expId: string, config: RunConfig, shard?: ShardHeader, variant: 'plain' | 'fma' = 'plain'): ResultsLog {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'w');
    const log = new ResultsLog(path, fd);
    // the variant only when not plain, so plain logs stay as they were
    const v = variant === 'plain' ? {} : { engineVariant: variant };
    log.write({ kind: 'header', experiment: expId, engineVersion: ENGINE_VERSION, ...v, ...(shard && { shard }), config: JSON.parse(configKey(config)) });
    return log;
  }

  /** Re-opens an existing log for appending and returns the units it already holds. */
  static resume(path: string, expId: string, config: RunConfig, shard?: ShardHeader, variant: 'plain' | 'fma' = 'plain'): { log: ResultsLog; records: TrialRecord[] } {
    if (!existsSync(path)) return { log: ResultsLog.create(path, expId, config, shard, variant), records: [] };
    const lines = readFileSync(path, 'utf8').split('\n');
    let header: { kind?: string; experiment?: string; engineVersion?: string; engineVariant?: string; shard?: ShardHeader; config?: unknown } | undefined;
    try {
      header = JSON.parse(lines[0]);
    } catch {
      header = undefined;
    }
    if (!header || header.kind !== 'header') {
      throw new CondlabError(`cannot resume from ${path}: its first line is not a condlab log header; delete it to start over`, 'bad-log');
    }
    if (header.engineVersion !== undefined && header.engineVersion !== ENGINE_VERSION) {
      throw new CondlabError(
        `cannot resume from ${path}: it was written by engine ${String(header.engineVersion).slice(0, 40)}, this is ${ENGINE_VERSION}; rerun without --resume`,
        'resume-mismatch',
      );
    }
    if ((header.engineVariant ?? 'plain') !== variant) {
      throw new CondlabError(
        `cannot resume from ${path}: it was written by the ${String(header.engineVariant ?? 'plain').slice(0, 10)} engine build, this run uses ${variant} ` +
          `(their results differ in the last bits); rerun ${variant === 'fma' ? 'without' : 'with'} --fma, or without --resume`,
        'resume-mismatch',
      );
    }
    if (header.experiment !== expId) {
      throw new CondlabError(`cannot resume from ${path}: it was written for another experiment; rerun without --resume`, 'resume-mismatch');
    }
    if (JSON.stringify(header.shard ?? null) !== JSON.stringify(shard ?? null)) {
      const name = (h?: ShardHeader) => (h ? `shard ${h.index}/${h.count}` : 'an unsharded run');
      throw new CondlabError(`cannot resume from ${path}: it was written by ${name(header.shard)}, this is ${name(shard)}; rerun without --resume`, 'resume-mismatch');
    }
    if (JSON.stringify(header.config) !== configKey(config)) {
      const old = (typeof header.config === 'object' && header.config !== null ? header.config : {}) as Record<string, unknown>;
      const now = config as unknown as Record<string, unknown>;
      const differ = [...new Set([...Object.keys(old), ...Object.keys(now)])]
        .filter((k) => JSON.stringify(old[k]) !== JSON.stringify(now[k]))
        .sort();
      throw new CondlabError(
        `cannot resume from ${path}: it was written with a different config (${differ.slice(0, 6).join(', ') || 'key order'} differ); ` +
          `rerun with the same options, or without --resume to start over`,
        'resume-mismatch',
        { differ },
      );
    }
    const records: TrialRecord[] = [];
    const seen = new Set<string>();
    let good = lines[0].length + 1;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].trim() === '') continue;
      let entry: { kind?: string } & Partial<TrialRecord>;
      try {
        entry = JSON.parse(lines[i]);
      } catch {
        break; // a line torn by a kill mid-write: everything after it is discarded
      }
      if (entry.kind === 'unit' && typeof entry.trial === 'number' && typeof entry.cell === 'string' && checkCellResult(entry.result) === '') {
        const key = `${entry.trial}|${entry.cell}`;
        if (!seen.has(key)) {
          seen.add(key);
          records.push({ trial: entry.trial, cell: entry.cell, seed: entry.seed ?? 0, result: entry.result! });
        }
      }
      good += lines[i].length + 1;
    }
    // rewrite the good prefix so the torn tail cannot corrupt later appends
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, readFileSync(path, 'utf8').slice(0, good).replace(/\n?$/, '\n'));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    return { log: new ResultsLog(path, openSync(path, 'a')), records };
  }

  append(rec: TrialRecord): void {
    this.write({ kind: 'unit', ...rec });
  }

  /** Records a failed unit (for the user; `resume` ignores these lines and runs the unit again). */
  appendFailure(f: { trial: number; cell: string; error: string }): void {
    this.write({ kind: 'failed', trial: f.trial, cell: f.cell, error: f.error });
  }

  private write(obj: unknown): void {
    writeSync(this.fd, JSON.stringify(obj) + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}

/** Writes a file atomically: temp file in the same directory, fsync, rename. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, content);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}
