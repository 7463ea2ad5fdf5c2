// Judging every registered claim against whatever experiments are present, and the terminal table. Reads results,
// never edits them.
import { CondlabError } from '../engine/errors.js';
import { type ClaimDef, type ClaimVerdict, type Verdict, fmt, fmtP, verdictOf } from './rules.js';
import { CLAIMS } from './registry.js';
import { Missing, View, type Results } from './view.js';

function notRun(def: ClaimDef, why: string): ClaimVerdict {
  return {
    id: def.id, experiment: def.experiment, claim: def.claim, paper: def.paper, reference: def.reference, ours: '—',
    verdict: 'not run', reason: why, test: null, n: null, statistic: null, p: null, ci: null, trialsNeeded: null,
    directions: [], sizes: [], values: {},
  };
}

export function judgeClaims(results: Results, claims: readonly ClaimDef[] = CLAIMS): ClaimVerdict[] {
  return claims.map((def) => {
    const v = new View(results);
    try {
      return verdictOf(def, def.judge(v), v.notes);
    } catch (e) {
      if (e instanceof Missing) return notRun(def, e.message);
      if (e instanceof RangeError) throw new CondlabError(`claim ${def.id}: ${e.message}`, 'bad-results');
      throw e;
    }
  });
}

const SHORT: Record<Verdict, string> = {
  reproduced: 'reproduced',
  'same direction, different size': 'same dir., diff. size',
  inconclusive: 'inconclusive',
  'not reproduced': 'NOT reproduced',
  'not run': 'not run',
};

const VERDICTS: Verdict[] = ['reproduced', 'same direction, different size', 'inconclusive', 'not reproduced', 'not run'];

export function countVerdicts(verdicts: readonly ClaimVerdict[]): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((k) => [k, verdicts.filter((v) => v.verdict === k).length])) as Record<Verdict, number>;
}

export function verdictCountsLine(verdicts: readonly ClaimVerdict[]): string {
  const c = countVerdicts(verdicts);
  return `${c.reproduced} reproduced, ${c['same direction, different size']} same direction/different size, ` +
    `${c.inconclusive} inconclusive, ${c['not reproduced']} not reproduced, ${c['not run']} not run`;
}

/** Fixed-width table: id, claim, paper, ours, test, n, p, verdict; the reason on its own line. */
export function formatClaimsTable(verdicts: readonly ClaimVerdict[]): string {
  const shortTest = (t: string | null) => (t ?? '—').replace(/^exact /, '').replace(/ \(.*\)$/, '').replace(/ on log ratio/, ' (log)');
  const cols = [
    { h: 'id', get: (v: ClaimVerdict) => v.id },
    { h: 'claim', get: (v: ClaimVerdict) => v.claim },
    { h: 'paper', get: (v: ClaimVerdict) => v.paper },
    { h: 'ours', get: (v: ClaimVerdict) => v.ours },
    { h: 'test', get: (v: ClaimVerdict) => shortTest(v.test) },
    { h: 'n', get: (v: ClaimVerdict) => (v.n === null ? '—' : String(v.n)) },
    { h: 'p', get: (v: ClaimVerdict) => (v.p === null ? '—' : fmtP(v.p)) },
    { h: 'verdict', get: (v: ClaimVerdict) => SHORT[v.verdict] + (v.verdict === 'inconclusive' && v.trialsNeeded ? ` (n≈${v.trialsNeeded})` : '') },
  ];
  const width = cols.map((c) => Math.max(c.h.length, ...verdicts.map((v) => [...c.get(v)].length)));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - [...s].length));
  const line = (cells: string[]) => cells.map((s, i) => pad(s, width[i])).join('  ').trimEnd();
  const out = [line(cols.map((c) => c.h)), line(width.map((w) => '-'.repeat(w)))];
  for (const v of verdicts) {
    out.push(line(cols.map((c) => c.get(v))));
    out.push(`      ↳ ${v.reason}`);
  }
  out.push('', verdictCountsLine(verdicts));
  out.push('Rules: paired exact Wilcoxon/sign tests on log ratios (Mann–Whitney when unpaired), two-sided α = 0.05; ' +
    'sizes on medians (κ-type, ×/÷ 2) or means (norms, ×/÷ 1.25) around the paper\'s value — docs/claims.md.');
  return out.join('\n');
}

export { fmt };
