// `condlab report`: report.html (self-contained: inline SVG and CSS, no external resource, opens from disk) and
// report.md (figures as .svg files in figures/ beside it, referenced relatively), both pure functions of the results
// JSON: per experiment the run facts, the figures (±1 std and median/IQR), the claims verdicts, the summary table
// (mean ± std, median [IQR], 95% CI, n, n diverged) and the config; the environment the report was made in.
// Files are written atomically (temp file + rename).
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CondlabError } from '../engine/errors.js';
import { ENGINE_VERSION } from '../engine/version.js';
import type { ExperimentResults } from '../experiments/types.js';
import { loadResultsDir } from '../runner/load.js';
import { writeFileAtomic } from '../runner/log.js';
import { figuresFor, type Figure } from './figures.js';
import { CLAIM_EXPERIMENT, SUMMARY_HEAD, VERSUS_HEAD, escapeHtml as esc, fmtNum, summaryRows, versusRows } from './table.js';

export { CLAIM_EXPERIMENT, fmtNum, summaryRows };

/** The fields of a claims verdict the report shows (src/claims's ClaimVerdict has these and more). */
export interface ReportClaim {
  id: string;
  claim: string;
  paper: string;
  reference?: string;
  ours: string;
  verdict: string;
  reason: string;
  /** The deciding test, its n, p and 95% CI (absent for 'not run' and in older verdicts). */
  experiment?: string;
  test?: string | null;
  n?: number | null;
  p?: number | null;
  ci?: [number, number] | null;
  trialsNeeded?: number | null;
}

/** "Wilcoxon …, n = 10, p = 0.002, CI [a, b]" for a claim's deciding test; '' when it has none. */
export function claimTestText(c: ReportClaim): string {
  if (!c.test) return '';
  const parts = [c.test];
  if (c.n != null) parts.push(`n = ${c.n}`);
  if (c.p != null) parts.push(`p = ${c.p < 1e-3 ? c.p.toExponential(1) : c.p.toFixed(3)}`);
  if (c.ci) parts.push(`95% CI [${fmtNum(c.ci[0])}, ${fmtNum(c.ci[1])}]`);
  if (c.trialsNeeded) parts.push(`~${c.trialsNeeded} trials to decide`);
  return parts.join(', ');
}

const ORDER = ['exp1', 'exp2', 'exp3', 'exp4', 'exp5', 'exp6', 'exp7', 'exp8', 'exp9', 'correctives', 'curvature'];
const HEAD = SUMMARY_HEAD;

/** Where the report was made: engine version, runtime (Node or the browser's user agent), CPU. */
export function environment(): string {
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  if (typeof process === 'undefined' || !process.versions?.node) {
    return `condlab engine ${ENGINE_VERSION}, ${nav?.userAgent ?? 'unknown browser'} (${nav?.hardwareConcurrency ?? '?'} logical cores)`;
  }
  const cs = cpus();
  return `condlab engine ${ENGINE_VERSION}, Node ${process.version} on ${process.platform}/${process.arch}, ${cs[0]?.model?.trim() ?? 'unknown CPU'} (${cs.length} logical cores)`;
}

/** Run facts from the results file: trials, preset, engine, wall time, workers, start time (and host, if recorded). */
export function runFacts(r: ExperimentResults): string {
  const t = r.timing as (ExperimentResults['timing'] & { env?: unknown }) | undefined;
  const parts = [`${r.config?.trials ?? '?'} trials`, `preset ${r.config?.preset ?? '?'}`, `engine ${r.engineVersion ?? '?'}`];
  if (t && Number.isFinite(t.wallMs)) parts.push(`run time ${(t.wallMs / 1000).toFixed(1)} s on ${t.workers} worker${t.workers === 1 ? '' : 's'}`);
  if (t?.startedAt) parts.push(`started ${t.startedAt}`);
  if (t?.env !== undefined) parts.push(`host ${typeof t.env === 'string' ? t.env : JSON.stringify(t.env)}`);
  const diverged = Object.values(r.summaries ?? {}).reduce((a, s) => a + (s?.nDiverged ?? 0), 0);
  parts.push(`${diverged} diverged condition-trials`);
  return parts.join(', ');
}

/** Markdown table cells: pipes escaped, no newlines. */
const mdCell = (s: unknown) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export interface ReportSection {
  results: ExperimentResults;
  figures: { std: Figure[]; iqr: Figure[] };
  /** undefined when the claims module is unavailable (the section is then omitted). */
  claims?: ReportClaim[];
  /** Every condition against plain SGD of the same trials (empty when there is no `sgd` condition). */
  versus: string[][];
}

/** Cost per step by method (ms), e.g. from bench/results/correctives.json, for the "versus SGD" table. */
export type StepCosts = Record<string, number>;

/** The claims judge, if src/claims is present; its absence (or failure) leaves the claims sections out. */
async function judge(all: Record<string, ExperimentResults>): Promise<ReportClaim[] | undefined> {
  try {
    const mod = (await import('../claims/index.js')) as { judgeClaims?: (r: Record<string, ExperimentResults>) => ReportClaim[] };
    return mod.judgeClaims ? mod.judgeClaims(all) : undefined;
  } catch {
    return undefined;
  }
}

export function sortedIds(ids: string[]): string[] {
  const rank = (id: string) => (ORDER.indexOf(id) + 1 || ORDER.length + 1);
  return [...ids].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export async function buildSections(all: Record<string, ExperimentResults>, costs?: StepCosts): Promise<ReportSection[]> {
  const verdicts = await judge(all);
  const out: ReportSection[] = [];
  for (const id of sortedIds(Object.keys(all))) {
    const r = all[id];
    out.push({
      results: r,
      figures: { std: await figuresFor(r, 'std'), iqr: await figuresFor(r, 'iqr') },
      claims: verdicts?.filter((v) => (v.experiment ?? CLAIM_EXPERIMENT[v.id]) === id),
      versus: versusRows(r, 'sgd', id === 'correctives' || id === 'exp4' ? costs : undefined),
    });
  }
  return out;
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;max-width:1540px;margin:2em auto;padding:0 1em;color:#111;background:#fff}
h2{border-top:1px solid #ccc;padding-top:.8em;margin-top:2em}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;text-align:right;vertical-align:top}
td:first-child,td:nth-child(2),th{text-align:left}table.claims td{text-align:left}
.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}.figs figure{margin:0}
.figs svg{max-width:100%;height:auto}
figcaption{font-size:12px;color:#333}.facts{color:#333}
.v-reproduced{color:#064;font-weight:600}.v-not{color:#a00;font-weight:600}.v-same{color:#850;font-weight:600}.v-inconclusive{color:#555;font-style:italic}
details{margin:.5em 0}summary{cursor:pointer}nav a{margin-right:.8em}
@media print{.figs{grid-template-columns:1fr 1fr}details{display:block}}
`;

function verdictClass(v: string): string {
  return v === 'reproduced' ? 'v-reproduced' : v === 'not reproduced' ? 'v-not' : v.startsWith('same direction') ? 'v-same' : v === 'inconclusive' ? 'v-inconclusive' : '';
}

export function renderHtml(sections: ReportSection[], env = environment()): string {
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>condlab report</title><style>${CSS}</style></head><body>`);
  parts.push('<h1>condlab report</h1>');
  parts.push(`<p class="facts">Report made with ${esc(env)}.</p>`);
  parts.push('<p>Each figure is drawn twice: mean ± 1 std (as the paper) and median with interquartile range (condition-number errors are heavy-tailed). On log axes, error bars whose lower end (mean − std) is not positive are cut at the bottom of the axis.</p>');
  parts.push(`<nav>${sections.map((s) => `<a href="#${esc(s.results.experiment)}">${esc(s.results.experiment)}</a>`).join('')}</nav>`);
  for (const s of sections) {
    const r = s.results;
    parts.push(`<h2 id="${esc(r.experiment)}">${esc(r.experiment)} — ${esc(r.title)}${r.paperSection ? ` (paper §${esc(r.paperSection)})` : ''}</h2>`);
    parts.push(`<p class="facts">${esc(runFacts(r))}.</p>`);
    if (s.figures.std.length) {
      parts.push('<div class="figs">');
      s.figures.std.forEach((f) => {
        if (f.single) return void parts.push(`<figure>${f.svg}<figcaption>${esc(f.title)}</figcaption></figure>`);
        parts.push(`<figure>${f.svg}<figcaption>${esc(f.title)} — mean ± 1 std</figcaption></figure>`);
        const q = s.figures.iqr.find((g) => g.id === f.id);
        if (q) parts.push(`<figure>${q.svg}<figcaption>${esc(q.title)} — median, IQR</figcaption></figure>`);
      });
      parts.push('</div>');
    } else {
      parts.push('<p>(no figure: the results hold none of the metrics the figures draw)</p>');
    }
    if (s.claims?.length) {
      parts.push('<h3>Claims</h3><table class="claims"><tr><th>claim</th><th>paper</th><th>ours</th><th>verdict</th><th>test</th><th>reason</th></tr>');
      for (const c of s.claims) {
        parts.push(`<tr><td>${esc(c.id)}: ${esc(c.claim)}</td><td>${esc(c.paper)}</td><td>${esc(c.ours)}</td><td class="${verdictClass(c.verdict)}">${esc(c.verdict)}</td><td>${esc(claimTestText(c))}</td><td>${esc(c.reason)}</td></tr>`);
      }
      parts.push('</table>');
    }
    if (s.versus.length) {
      parts.push('<h3>Versus plain SGD (paired: same targets and batches)</h3><table>');
      parts.push(`<tr>${VERSUS_HEAD.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`);
      for (const row of s.versus) parts.push(`<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
      parts.push('</table>');
    }
    const rows = summaryRows(r);
    parts.push(`<details${rows.length <= 40 ? ' open' : ''}><summary>Summary table (${rows.length} rows; diverged trials excluded and counted)</summary><table><tr>${HEAD.map((h) => `<th>${h}</th>`).join('')}</tr>`);
    for (const row of rows) parts.push(`<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
    parts.push('</table></details>');
    parts.push('<details><summary>Config</summary><table>');
    for (const [k, v] of Object.entries(r.config ?? {})) parts.push(`<tr><td>${esc(k)}</td><td>${esc(Array.isArray(v) ? v.join(', ') : v)}</td></tr>`);
    parts.push('</table></details>');
  }
  parts.push('</body></html>');
  return parts.join('\n') + '\n';
}

export const figureFile = (exp: string, f: Figure, mode: 'std' | 'iqr') => `figures/${exp}-${f.id}${mode === 'iqr' ? '-iqr' : ''}.svg`;

export function renderMarkdown(sections: ReportSection[], env = environment()): string {
  const lines: string[] = ['# condlab report', '', `Report made with ${env}.`, ''];
  lines.push('Figures: mean ± 1 std (as the paper), and median with IQR (`*-iqr.svg`; κ errors are heavy-tailed).', '');
  for (const s of sections) {
    const r = s.results;
    lines.push(`## ${r.experiment} — ${r.title}${r.paperSection ? ` (paper §${r.paperSection})` : ''}`, '');
    lines.push(`${runFacts(r)}.`, '');
    for (const f of s.figures.std) {
      if (f.single) {
        lines.push(`![${f.title}](${figureFile(r.experiment, f, 'std')})`, '');
        continue;
      }
      const q = s.figures.iqr.find((g) => g.id === f.id);
      lines.push(`![${f.title} — mean ± 1 std](${figureFile(r.experiment, f, 'std')})${q ? ` ![${q.title} — median, IQR](${figureFile(r.experiment, q, 'iqr')})` : ''}`, '');
    }
    if (s.claims?.length) {
      lines.push('| claim | paper | ours | verdict | test | reason |', '|---|---|---|---|---|---|');
      for (const c of s.claims) lines.push(`| ${mdCell(`${c.id}: ${c.claim}`)} | ${mdCell(c.paper)} | ${mdCell(c.ours)} | ${mdCell(c.verdict)} | ${mdCell(claimTestText(c))} | ${mdCell(c.reason)} |`);
      lines.push('');
    }
    if (s.versus.length) {
      lines.push('Versus plain SGD (paired: same targets and batches):', '', `| ${VERSUS_HEAD.join(' | ')} |`, `|${VERSUS_HEAD.map(() => '---').join('|')}|`);
      for (const row of s.versus) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
      lines.push('');
    }
    lines.push(`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`);
    for (const row of summaryRows(r)) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
    lines.push('', '<details><summary>config</summary>', '', '```json', JSON.stringify(r.config, null, 1), '```', '', '</details>', '');
  }
  return lines.join('\n');
}

export interface ReportOutput {
  html: string;
  md: string;
  /** Number of .svg files written. */
  figures: number;
  experiments: string[];
}

export async function writeReport(o: { inDir: string; outDir: string; costs?: StepCosts }): Promise<ReportOutput> {
  const all = await loadResultsDir(o.inDir);
  if (Object.keys(all).length === 0) {
    throw new CondlabError(`no results files (<experiment>.json) in ${o.inDir}; run \`condlab run\` first or pass --in`, 'no-results');
  }
  const sections = await buildSections(all, o.costs);
  const html = join(o.outDir, 'report.html');
  const md = join(o.outDir, 'report.md');
  let figures = 0;
  for (const s of sections) {
    for (const mode of ['std', 'iqr'] as const) {
      for (const f of s.figures[mode]) {
        if (f.single && mode === 'iqr') continue;
        writeFileAtomic(join(o.outDir, figureFile(s.results.experiment, f, mode)), f.svg + '\n');
        figures++;
      }
    }
  }
  const env = environment();
  writeFileAtomic(html, renderHtml(sections, env));
  writeFileAtomic(md, renderMarkdown(sections, env));
  return { html, md, figures, experiments: sections.map((s) => s.results.experiment) };
}
