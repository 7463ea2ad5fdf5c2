// Turning finished units into the results JSON. Pure and browser-safe: the CLI and the browser lab call the same
// function, which is what makes their JSON identical. Units are sorted by (trial, cell order), never by completion.
import { ENGINE_VERSION } from '../engine/version.js';
import { summarise, summariseSeries } from '../stats/summary.js';
import {
  RESULTS_SCHEMA_VERSION, type ConditionSummary, type Experiment, type ExperimentResults, type RunConfig, type TrialRecord,
} from '../experiments/types.js';

export interface Unit {
  trial: number;
  cell: string;
}

/** Every (trial, cell) of a run, in canonical order. */
export function unitsOf(exp: Experiment, config: RunConfig): Unit[] {
  const cells = exp.cells(config);
  const units: Unit[] = [];
  for (let trial = 0; trial < config.trials; trial++) for (const cell of cells) units.push({ trial, cell });
  return units;
}

/**
 * Why `value` is not a CellResult (condition → { metrics: {name: number}, series?, seriesEpochs?, spectra?, diverged? }), or ''.
 * null is accepted wherever a number is: it is how JSON (the log) spells NaN and ±Infinity, and it is summarised the same.
 */
export function checkCellResult(value: unknown): string {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(value)) return `${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an object of conditions`;
  for (const [name, c] of Object.entries(value)) {
    if (!isObj(c)) return `condition '${name}' that is not an object`;
    if (!isObj(c.metrics)) return `condition '${name}' without a metrics object`;
    const num = (x: unknown) => typeof x === 'number' || x === null;
    for (const [k, v] of Object.entries(c.metrics)) if (!num(v)) return `metric '${name}.${k}' that is not a number`;
    if (c.series !== undefined) {
      if (!isObj(c.series)) return `condition '${name}' whose series is not an object`;
      for (const [k, v] of Object.entries(c.series)) {
        if (!Array.isArray(v) || !v.every(num)) return `series '${name}.${k}' that is not an array of numbers`;
      }
    }
    if (c.seriesEpochs !== undefined && (!Array.isArray(c.seriesEpochs) || c.seriesEpochs.some((x) => typeof x !== 'number'))) {
      return `condition '${name}' whose seriesEpochs is not an array of numbers`;
    }
    if (c.spectra !== undefined) {
      if (!isObj(c.spectra)) return `condition '${name}' whose spectra is not an object`;
      for (const [k, sp] of Object.entries(c.spectra)) {
        if (!isObj(sp)) return `spectrum '${name}.${k}' that is not an object`;
        for (const f of SPECTRUM_FIELDS) {
          const v = sp[f];
          if (!Array.isArray(v) || !v.every(num)) return `spectrum '${name}.${k}.${f}' that is not an array of numbers`;
        }
      }
    }
  }
  return '';
}

const SPECTRUM_FIELDS = ['target', 'trained', 'epochs', 'sigma1', 'sigmaMin'] as const;

export const unitKey = (u: Unit): string => `${u.trial}|${u.cell}`;

export function trialSeed(config: RunConfig, trial: number): number {
  return config.seed + config.seedStride * trial;
}

export function sortRecords(exp: Experiment, config: RunConfig, records: TrialRecord[]): TrialRecord[] {
  const order = new Map(exp.cells(config).map((c, i) => [c, i]));
  return [...records].sort((a, b) => a.trial - b.trial || (order.get(a.cell) ?? 0) - (order.get(b.cell) ?? 0));
}

export function summariseRecords(records: TrialRecord[]): Record<string, ConditionSummary> {
  const conditions: string[] = [];
  const byCondition = new Map<string, { metrics: Map<string, number[]>; series: Map<string, number[][]>; epochs?: number[]; n: number; diverged: number }>();
  for (const rec of records) {
    for (const [name, res] of Object.entries(rec.result)) {
      if (!byCondition.has(name)) {
        conditions.push(name);
        byCondition.set(name, { metrics: new Map(), series: new Map(), n: 0, diverged: 0 });
      }
      const c = byCondition.get(name)!;
      if (res.diverged) {
        c.diverged++;
        continue;
      }
      c.n++;
      for (const [k, v] of Object.entries(res.metrics)) {
        if (!c.metrics.has(k)) c.metrics.set(k, []);
        c.metrics.get(k)!.push(v);
      }
      for (const [k, v] of Object.entries(res.series ?? {})) {
        if (!c.series.has(k)) c.series.set(k, []);
        c.series.get(k)!.push(v);
      }
      if (res.seriesEpochs && (!c.epochs || res.seriesEpochs.length > c.epochs.length)) c.epochs = res.seriesEpochs;
    }
  }
  const out: Record<string, ConditionSummary> = {};
  for (const name of conditions) {
    const c = byCondition.get(name)!;
    const summary: ConditionSummary = { n: c.n, nDiverged: c.diverged, metrics: {} };
    for (const [k, vs] of c.metrics) summary.metrics[k] = summarise(vs, c.diverged);
    if (c.series.size > 0) {
      summary.series = {};
      for (const [k, ss] of c.series) {
        const len = Math.max(...ss.map((s) => s.length));
        summary.series[k] = summariseSeries(ss, c.epochs ?? Array.from({ length: len }, (_, i) => i + 1));
      }
    }
    out[name] = summary;
  }
  return out;
}

export function assembleResults(
  exp: Experiment,
  config: RunConfig,
  records: TrialRecord[],
  timing: ExperimentResults['timing'],
  engineVariant: ExperimentResults['engineVariant'] = 'plain',
): ExperimentResults {
  const trials = sortRecords(exp, config, records);
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    experiment: exp.id,
    title: exp.title,
    paperSection: exp.paperSection,
    engineVersion: ENGINE_VERSION,
    engineVariant,
    config,
    trials,
    summaries: summariseRecords(trials),
    timing,
  };
}

/** The results file's text: one serialisation, shared by `run` and `merge`, so their files agree byte for byte. */
export function resultsJson(r: ExperimentResults): string {
  return JSON.stringify(r, null, 1) + '\n';
}

/** The results JSON without its timing block: what determinism is judged on. */
export function withoutTiming(r: ExperimentResults): Omit<ExperimentResults, 'timing'> {
  const { timing: _t, ...rest } = r;
  return rest;
}
