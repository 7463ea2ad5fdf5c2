// Read-only access to results for the claims modules: per-trial values (the tests need them, not summaries),
// paired by trial number, with a `Missing` error that turns into the verdict 'not run'.
import type { ExperimentResults } from '../experiments/types.js';

export type Results = Record<string, ExperimentResults>;

export class Missing extends Error {}

export class View {
  notes: string[] = [];
  constructor(private readonly r: Results) {}

  exp(id: string): ExperimentResults {
    const e = this.r[id];
    if (!e) throw new Missing(`${id} not run`);
    return e;
  }

  /** Names of the conditions of an experiment, in the order its trial records first show them. */
  conditions(id: string): string[] {
    const seen = new Set<string>();
    for (const t of this.exp(id).trials ?? []) for (const c of Object.keys(t.result ?? {})) seen.add(c);
    for (const c of Object.keys(this.exp(id).summaries ?? {})) seen.add(c);
    return [...seen];
  }

  hasCondition(id: string, cond: string): boolean {
    return this.conditions(id).includes(cond);
  }

  /**
   * trial number → finite value of `metric` in condition `cond`. Diverged conditions and non-finite values are left
   * out (they are counted by the runner, never averaged in). Throws Missing when no trial has the value.
   */
  byTrial(id: string, cond: string, metric: string): Map<number, number> {
    const e = this.exp(id);
    if (!this.hasCondition(id, cond)) throw new Missing(`${id} has no condition '${cond}'`);
    const out = new Map<number, number>();
    for (const t of e.trials ?? []) {
      const c = t.result?.[cond];
      if (!c || c.diverged) continue;
      const x = c.metrics?.[metric];
      if (typeof x === 'number' && Number.isFinite(x)) out.set(t.trial, x);
    }
    if (out.size === 0) throw new Missing(`${id}/${cond} has no per-trial ${metric} (all trials diverged or not recorded)`);
    return out;
  }

  /** The finite per-trial values of a metric, in trial order. */
  values(id: string, cond: string, metric: string): number[] {
    return [...this.byTrial(id, cond, metric).entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }

  /** Pairs (a, b) from the trials where both are finite, in trial order. */
  pairs(id: string, condA: string, metricA: string, condB: string, metricB = metricA): { a: number[]; b: number[] } {
    const A = this.byTrial(id, condA, metricA), B = this.byTrial(id, condB, metricB);
    const trials = [...A.keys()].filter((k) => B.has(k)).sort((x, y) => x - y);
    if (!trials.length) throw new Missing(`${id}: no trial has both ${condA}/${metricA} and ${condB}/${metricB}`);
    return { a: trials.map((k) => A.get(k)!), b: trials.map((k) => B.get(k)!) };
  }

  /** trial number → metric num / metric den of the same run (e.g. the gap ratio κ error / row-norm error). */
  ratioByTrial(id: string, cond: string, num: string, den: string): Map<number, number> {
    const N = this.byTrial(id, cond, num), D = this.byTrial(id, cond, den);
    const out = new Map<number, number>();
    for (const [k, x] of N) if (D.has(k)) out.set(k, x / D.get(k)!);
    return out;
  }

  /** Pairs from two trial → value maps, over the trials both have, in trial order. */
  static pairMaps(A: Map<number, number>, B: Map<number, number>): { a: number[]; b: number[] } {
    const trials = [...A.keys()].filter((k) => B.has(k)).sort((x, y) => x - y);
    if (!trials.length) throw new Missing('no trial has both values');
    return { a: trials.map((k) => A.get(k)!), b: trials.map((k) => B.get(k)!) };
  }

  /** Per-trial series (name in condition), with their sample epochs, in trial order. */
  series(id: string, cond: string, name: string): { epochs: number[]; values: number[] }[] {
    const e = this.exp(id);
    const out: { trial: number; epochs: number[]; values: number[] }[] = [];
    for (const t of e.trials ?? []) {
      const c = t.result?.[cond];
      const s = c?.series?.[name];
      if (!c || c.diverged || !s || !c.seriesEpochs) continue;
      out.push({ trial: t.trial, epochs: c.seriesEpochs, values: s });
    }
    if (!out.length) throw new Missing(`${id}/${cond} has no per-trial series ${name}`);
    return out.sort((a, b) => a.trial - b.trial).map(({ epochs, values }) => ({ epochs, values }));
  }

  /** Notes a differing setting, e.g. expectSetting('exp2', 'd', dims[0], 128). */
  expectSetting(id: string, what: string, ours: number | string, paper: number | string): void {
    if (ours !== paper) this.notes.push(`${id} ran ${what}=${ours}, paper ${what}=${paper}`);
  }
}
