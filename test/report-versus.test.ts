// The "versus plain SGD" corrective table of the report and the per-step cost file it reads.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versusRows, VERSUS_HEAD } from '../src/report/table.js';
import { readStepCosts } from '../src/report/command.js';
import { summariseRecords as summarise } from '../src/runner/assemble.js';
import type { ExperimentResults, TrialRecord } from '../src/experiments/types.js';

/** Results with conditions sgd, a, b over 4 trials in one cell; b diverges in trial 3. */
function results(): ExperimentResults {
  const k = { sgd: [1, 2, 3, 4], a: [0.5, 2, 1, 2], b: [2, 1, 1, NaN] };
  const row = { sgd: 0.2, a: 0.1, b: 0.3 };
  const trials: TrialRecord[] = [0, 1, 2, 3].map((t) => ({
    trial: t, cell: 'all', seed: t,
    result: Object.fromEntries(Object.entries(k).map(([c, v]) => [c, Number.isNaN(v[t])
      ? { diverged: { epoch: 5, reason: 'non-finite loss' }, metrics: {} as Record<string, number> }
      : { metrics: { kappaErr: v[t], rowNormErr: row[c as keyof typeof row], logKappaErr: v[t] / 2, overallErr: 0.1 } }])),
  }));
  return { experiment: 'correctives', trials, summaries: summarise(trials) } as unknown as ExperimentResults;
}

describe('versus-SGD table', () => {
  it('gives norm and κ changes against SGD and paired wins, skipping diverged trials', () => {
    const rows = versusRows(results(), 'sgd', { sgd: 2, a: 3, b: 20 });
    expect(rows.map((r) => r[0])).toEqual(['sgd', 'a', 'b']);
    for (const r of rows) expect(r).toHaveLength(VERSUS_HEAD.length);
    const [, a, b] = rows;
    expect(a[2]).toBe('−50%'); // row-norm 0.1 vs 0.2
    expect(b[2]).toBe('+50%');
    expect(a[4]).toBe('−40%'); // κ median 1.5 vs 2.5
    expect(a[8]).toBe('3/4 trials'); // 0.5<1, 2=2 (a tie is no win), 1<3, 2<4
    expect(b[8]).toBe('2/3 trials'); // trial 3 diverged: not a pair
    expect(b[9]).toBe('1');
    expect(a[10]).toBe('1.50');
    expect(b[10]).toBe('10.0');
  });

  it('is empty without an sgd condition', () => {
    const r = results();
    delete (r.summaries as Record<string, unknown>).sgd;
    expect(versusRows(r)).toEqual([]);
  });

  it('reads costs at the smallest benchmarked d, and rejects a malformed file with its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'condlab-costs-'));
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ rows: [{ method: 'sgd', d: 128, msPerStep: 9 }, { method: 'sgd', d: 64, msPerStep: 1 }, { method: 'muon', d: 64, msPerStep: 3 }] }));
    expect(readStepCosts(f)).toEqual({ sgd: 1, muon: 3 });
    writeFileSync(f, '{"rows": 3}');
    expect(() => readStepCosts(f)).toThrow(/c\.json.*rows/);
  });
});
