// `npm run bench -- --only conformance`: the condlab/testing suites against every JS SVD / symmetric-eigen /
// Lanczos a user would pick, plus deliberately broken mutants as a self-check, on one seed. Each entry runs in a
// worker_thread; a property with no report within the watchdog time (a hung call) is recorded as a failure of
// that entry and a fresh worker continues with the next property.
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PropertyReport } from '../src/testing/index.js';
import { ENTRIES, versionOf, type Entry } from './conformance/libraries.js';
import type { WorkerInput, WorkerMessage } from './conformance/worker.js';

export interface EntryResult {
  id: string;
  suite: Entry['suite'];
  pkg: string;
  version: string;
  call: string;
  options: unknown;
  unavailable?: string;
  mutant?: Entry['mutant'] & { caught: boolean; missed: string[] };
  properties: (PropertyReport | { name: string; passed: false; hung: true; failure: string; counterexample?: number[][] })[];
}

export interface ConformanceResult {
  seed: number;
  numRuns: number;
  watchdogMs: number;
  entries: EntryResult[];
}

function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports?.['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs')).href;
}

/** A worker for the .ts worker module: tsx registered inside it first (workers do not inherit loader hooks). */
function spawnWorker(data: WorkerInput): Worker {
  const target = new URL('./conformance/worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApiUrl())}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

function runEntry(entry: Entry, seed: number, numRuns: number, watchdogMs: number): Promise<EntryResult> {
  const result: EntryResult = { id: entry.id, suite: entry.suite, pkg: entry.pkg, version: versionOf(entry.pkg), call: entry.call, options: entry.options, properties: [] };
  let names: string[] = [];
  return new Promise((resolve) => {
    const start = (from: number) => {
      const w = spawnWorker({ id: entry.id, seed, numRuns, from });
      let current = from;
      let lastInput: number[][] | undefined;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          // a hung call: record it, terminate, and continue with the next property in a fresh worker
          result.properties[current] = {
            name: names[current] ?? `#${current}`,
            passed: false,
            hung: true,
            failure:
              `${names[current]}: no result within ${watchdogMs / 1000} s — a call never returned (worker terminated)` +
              (lastInput ? `\non the last input it was given (not shrunk: a hang cannot be shrunk in-thread)\nA = ${JSON.stringify(lastInput)}` : ''),
            counterexample: lastInput,
          };
          void w.terminate();
          if (current + 1 < names.length) start(current + 1);
          else resolve(result);
        }, watchdogMs);
      };
      arm();
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'unavailable') {
          result.unavailable = m.reason;
        } else if (m.type === 'names') {
          names = m.names;
        } else if (m.type === 'call') {
          lastInput = m.rows;
        } else if (m.type === 'start') {
          current = m.index;
          arm();
        } else {
          result.properties[m.index] = m.report;
        }
      });
      w.on('error', (e) => {
        clearTimeout(timer);
        result.properties[current] = { name: names[current] ?? `#${current}`, passed: false, hung: true, failure: `worker crashed: ${e.message}` };
        if (current + 1 < names.length) start(current + 1);
        else resolve(result);
      });
      w.on('exit', () => {
        // a normal end (not a terminate by the watchdog, whose branch already moved on)
        if (result.unavailable || (names.length > 0 && result.properties.filter(Boolean).length === names.length)) {
          clearTimeout(timer);
          resolve(result);
        }
      });
    };
    start(0);
  });
}

export async function runConformance(opts: { seed?: number; numRuns?: number; watchdogMs?: number; only?: (e: Entry) => boolean; log?: (s: string) => void } = {}): Promise<ConformanceResult> {
  const seed = opts.seed ?? 20261201;
  const numRuns = opts.numRuns ?? 100;
  const watchdogMs = opts.watchdogMs ?? 30_000;
  const entries: EntryResult[] = [];
  for (const e of ENTRIES.filter(opts.only ?? (() => true))) {
    const t0 = performance.now();
    const r = await runEntry(e, seed, numRuns, e.id.endsWith(':hang') ? Math.min(watchdogMs, 2000) : watchdogMs);
    if (e.mutant) {
      const failed = new Set(r.properties.filter((p) => !p.passed).map((p) => p.name));
      const missed = e.mutant.catches.filter((n) => !failed.has(n));
      r.mutant = { ...e.mutant, caught: missed.length === 0, missed };
    }
    entries.push(r);
    opts.log?.(`${e.id}: ${r.unavailable ? 'unavailable' : `${r.properties.filter((p) => p.passed).length}/${r.properties.length} pass`} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return { seed, numRuns, watchdogMs, entries };
}

const ratio = (p: EntryResult['properties'][number]) => ('worstRatio' in p ? p.worstRatio : Infinity);
const cell = (p: EntryResult['properties'][number] | undefined) => {
  if (!p) return '—';
  if ('hung' in p) return 'hang';
  const r = ratio(p);
  const w = Number.isFinite(r) ? (r === 0 ? '0' : r.toPrecision(2)) : '∞';
  return p.passed ? `✓ ${w}` : `✗ ${w}`;
};

/** The markdown table (✓/✗ and the worst measured/bound ratio) and the findings with their shrunk matrices. */
export function formatConformance(r: ConformanceResult): string {
  const out: string[] = [];
  for (const suite of ['svd', 'eig', 'lanczos'] as const) {
    const libs = r.entries.filter((e) => e.suite === suite && !e.mutant);
    const names = [...new Set(libs.flatMap((e) => e.properties.map((p) => p.name)))];
    out.push(`| ${suite} | ${names.map((n) => n.replace(`${suite}.`, '')).join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`);
    for (const e of libs) {
      if (e.unavailable) out.push(`| ${e.id} | ${e.unavailable} ${names.slice(1).map(() => '|').join(' ')}|`);
      else out.push(`| ${e.id} ${e.version} | ${names.map((n) => cell(e.properties.find((p) => p.name === n))).join(' | ')} |`);
    }
    out.push('');
  }
  out.push(`Cells: ✓/✗ and the worst error seen as a multiple of its bound (≤ 1 passes); ${r.numRuns} runs per property, seed ${r.seed}.`, '');
  const findings = r.entries.filter((e) => !e.mutant).flatMap((e) => e.properties.filter((p) => !p.passed).map((p) => ({ e, p })));
  if (findings.length) out.push('Findings (shrunk counterexamples):', '');
  for (const { e, p } of findings) out.push(`- **${e.id} ${e.version}** (${e.call}) — ${(p.failure ?? '').split('\n').join(' — ')}`);
  const mutants = r.entries.filter((e) => e.mutant);
  if (mutants.length) {
    out.push('', `Self-check: ${mutants.filter((m) => m.mutant!.caught).length} of ${mutants.length} mutants caught by every property they must fail.`);
    for (const m of mutants.filter((x) => !x.mutant!.caught)) out.push(`- NOT caught: ${m.id} passed ${m.mutant!.missed.join(', ')}`);
  }
  return out.join('\n');
}
