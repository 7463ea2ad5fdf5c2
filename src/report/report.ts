// `condlab report`: report.html (self-contained: inline SVG and CSS, opens from disk) and report.md (figures as .svg
// files beside it), both pure functions of the results JSON: config, summary table, figures (±1 std and median/IQR),
// the claims verdicts for the experiment, run time and environment.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ENGINE_VERSION } from '../engine/version.js';
import type { ExperimentResults, Summary } from '../experiments/types.js';
import { judgeClaims, type ClaimVerdict } from '../claims/index.js';
import { loadResultsDir } from '../runner/load.js';
import { writeFileAtomic } from '../runner/log.js';
import { figuresFor, type Figure } from './figures.js';

/** Which experiment each claim is judged from (PROTOCOL.md's claim list). */
export const CLAIM_EXPERIMENT: Record<string, string> = {
  C1: 'exp1', C2: 'exp1', C3: 'exp1', C4: 'exp1', C5: 'exp2', C6: 'exp2', C7: 'exp3', C8: 'exp4', C9: 'exp4', C10: 'exp4',
  C11: 'exp6', C12: 'exp7', C13: 'exp7', C14: 'exp7', C15: 'exp7', C16: 'exp8', C17: 'exp8', C18: 'exp9', C19: 'exp9',
  C20: 'exp9', C21: 'exp5',
};

const ORDER = ['exp1', 'exp2', 'exp3', 'exp4', 'exp5', 'exp6', 'exp7', 'exp8', 'exp9'];

export const fmtNum = (x: number | null | undefined): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? x.toExponential(2) : x.toPrecision(3);
};

function summaryRows(r: ExperimentResults): string[][] {
  const rows: string[][] = [];
  for (const [cond, s] of Object.entries(r.summaries)) {
    for (const [m, v] of Object.entries(s.metrics)) {
      const x = v as Summary;
      rows.push([cond, m, `${fmtNum(x.mean)} ± ${fmtNum(x.std)}`, `${fmtNum(x.median)} [${fmtNum(x.q1)}, ${fmtNum(x.q3)}]`, `[${fmtNum(x.ciLow)}, ${fmtNum(x.ciHigh)}]`, String(x.n), String(x.nDiverged)]);
    }
  }
  return rows;
}

const HEAD = ['condition', 'metric', 'mean ± std', 'median [IQR]', '95% CI of mean', 'n', 'diverged'];

function environment(): string {
  return `condlab engine ${ENGINE_VERSION}, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface ReportSection {
  results: ExperimentResults;
  figures: { std: Figure[]; iqr: Figure[] };
  claims: ClaimVerdict[];
}

export async function buildSections(all: Record<string, ExperimentResults>): Promise<ReportSection[]> {
  const verdicts = judgeClaims(all);
  const ids = Object.keys(all).sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || (a < b ? -1 : 1));
  const out: ReportSection[] = [];
  for (const id of ids) {
    const r = all[id];
    out.push({
      results: r,
      figures: { std: await figuresFor(r, 'std'), iqr: await figuresFor(r, 'iqr') },
      claims: verdicts.filter((v) => CLAIM_EXPERIMENT[v.id] === id),
    });
  }
  return out;
}

export function renderHtml(sections: ReportSection[], env = environment()): string {
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>condlab report</title><style>
body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#111}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}
td:first-child,td:nth-child(2),th{text-align:left}.figs{display:flex;flex-wrap:wrap;gap:12px}.figs figure{margin:0}
figcaption{font-size:12px;color:#444}.verdict-reproduced{color:#064}.verdict-not{color:#a00}details{margin:.5em 0}
</style></head><body><h1>condlab report</h1><p>${esc(env)}</p>`);
  for (const s of sections) {
    const r = s.results;
    parts.push(`<h2 id="${esc(r.experiment)}">${esc(r.experiment)} — ${esc(r.title)} (paper §${esc(r.paperSection)})</h2>`);
    parts.push(`<p>${r.config.trials} trials, preset ${esc(r.config.preset)}, ${(r.timing.wallMs / 1000).toFixed(1)} s on ${r.timing.workers} workers.</p>`);
    parts.push('<div class="figs">');
    s.figures.std.forEach((f, i) => {
      parts.push(`<figure>${f.svg}<figcaption>${esc(f.title)} — mean ± 1 std</figcaption></figure>`);
      const q = s.figures.iqr[i];
      if (q) parts.push(`<figure>${q.svg}<figcaption>${esc(q.title)} — median, IQR</figcaption></figure>`);
    });
    parts.push('</div>');
    if (s.claims.length) {
      parts.push('<table><tr><th>claim</th><th>paper</th><th>ours</th><th>verdict</th><th>reason</th></tr>');
      for (const c of s.claims) {
        const cls = c.verdict === 'reproduced' ? 'verdict-reproduced' : c.verdict === 'not reproduced' ? 'verdict-not' : '';
        parts.push(`<tr><td>${esc(c.id)}: ${esc(c.claim)}</td><td>${esc(c.paper)}</td><td>${esc(c.ours)}</td><td class="${cls}">${esc(c.verdict)}</td><td>${esc(c.reason)}</td></tr>`);
      }
      parts.push('</table>');
    }
    parts.push(`<details><summary>summary table</summary><table><tr>${HEAD.map((h) => `<th>${h}</th>`).join('')}</tr>`);
    for (const row of summaryRows(r)) parts.push(`<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
    parts.push('</table></details>');
    parts.push(`<details><summary>config</summary><pre>${esc(JSON.stringify(r.config, null, 1))}</pre></details>`);
  }
  parts.push('</body></html>');
  return parts.join('\n');
}

export function renderMarkdown(sections: ReportSection[], env = environment()): string {
  const lines: string[] = ['# condlab report', '', env, ''];
  for (const s of sections) {
    const r = s.results;
    lines.push(`## ${r.experiment} — ${r.title} (paper §${r.paperSection})`, '');
    lines.push(`${r.config.trials} trials, preset ${r.config.preset}, ${(r.timing.wallMs / 1000).toFixed(1)} s on ${r.timing.workers} workers.`, '');
    for (const f of s.figures.std) lines.push(`![${f.title}](figures/${r.experiment}-${f.id}.svg)`, '');
    if (s.claims.length) {
      lines.push('| claim | paper | ours | verdict | reason |', '|---|---|---|---|---|');
      for (const c of s.claims) lines.push(`| ${c.id}: ${c.claim} | ${c.paper} | ${c.ours} | ${c.verdict} | ${c.reason} |`);
      lines.push('');
    }
    lines.push(`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`);
    for (const row of summaryRows(r)) lines.push(`| ${row.join(' | ')} |`);
    lines.push('', '```json', JSON.stringify(r.config), '```', '');
  }
  return lines.join('\n');
}

export async function writeReport(o: { inDir: string; outDir: string }): Promise<{ html: string; md: string; figures: number }> {
  const all = await loadResultsDir(o.inDir);
  const sections = await buildSections(all);
  const html = join(o.outDir, 'report.html');
  const md = join(o.outDir, 'report.md');
  let figures = 0;
  for (const s of sections) {
    for (const f of s.figures.std) {
      writeFileAtomic(join(o.outDir, 'figures', `${s.results.experiment}-${f.id}.svg`), f.svg);
      figures++;
    }
  }
  writeFileAtomic(html, renderHtml(sections));
  writeFileAtomic(md, renderMarkdown(sections));
  return { html, md, figures };
}
