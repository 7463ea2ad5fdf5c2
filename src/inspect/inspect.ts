// `condlab inspect`: read a .safetensors, .npy or .onnx weights file (checked before use) and summarise every matrix.
import type { Engine } from '../engine/engine.js';
import { CondlabError } from '../engine/errors.js';
import { readNpy } from './npy.js';
import { readSafetensorsHeader, readSafetensorsTensor } from './safetensors.js';
import { isDecodable, looksLikeOnnx, readOnnxModel, readOnnxTensor } from './onnx.js';
import { analyseTensor, isSkipped, type InspectOptions, type MatrixReport, type Skipped } from './spectral.js';

export interface InspectReport {
  file: string;
  format: Format;
  matrices: MatrixReport[];
  skipped: Skipped[];
  summary: InspectSummary;
}

/** κ above this is numerically singular in float32 (σ_min below σ₁'s last bit, 2^-23·σ₁ ≈ σ₁/8.4e6). */
export const F32_SINGULAR_KAPPA = 2 ** 23;

/** WeightWatcher's summary (means over layers) plus ours: how many layers are ill-conditioned. */
export interface InspectSummary {
  layers: number;
  /** Layers with an ESD fit (enough eigenvalues); the α means are over these. */
  alphaLayers: number;
  alpha: number | null;
  alphaWeighted: number | null;
  logSpectralNorm: number | null;
  stableRank: number | null;
  mpSoftRank: number | null;
  medianKappa: number | null;
  /** Layers with κ > 100, and with κ > 2^23 (numerically singular in float32, incl. κ = ∞). */
  kappaAbove100: number;
  singular: number;
}

export function inspectSummary(ms: MatrixReport[]): InspectSummary {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const withAlpha = ms.filter((m) => m.alpha !== null);
  const kappas = ms.map((m) => m.kappa).sort((a, b) => a - b);
  const k = kappas.length;
  return {
    layers: k,
    alphaLayers: withAlpha.length,
    alpha: mean(withAlpha.map((m) => m.alpha!)),
    alphaWeighted: mean(withAlpha.map((m) => m.alphaWeighted!)),
    logSpectralNorm: mean(ms.map((m) => m.logSpectralNorm).filter(Number.isFinite)),
    stableRank: mean(ms.map((m) => m.stableRank)),
    mpSoftRank: mean(ms.map((m) => m.mpSoftRank)),
    medianKappa: k === 0 ? null : k % 2 ? kappas[(k - 1) / 2] : (kappas[k / 2 - 1] + kappas[k / 2]) / 2,
    kappaAbove100: ms.filter((m) => m.kappa > 100).length,
    singular: ms.filter((m) => m.kappa > F32_SINGULAR_KAPPA).length,
  };
}

/** Largest file accepted (the whole file is read into memory). */
export const MAX_FILE_BYTES = 4 * 2 ** 30;

/** The size check `inspectFile` applies before reading (the browser lab applies the same one to a dropped file). */
export function checkFileSize(size: number, file: string): void {
  if (size > MAX_FILE_BYTES) throw new CondlabError(`${file} is ${size} bytes; files up to ${MAX_FILE_BYTES} bytes are read`, 'bad-file');
}

export interface InspectProgress {
  /** Called before each matrix's analysis: matrix `i` (1-based) of the `n` ≥2-D tensors in the file. */
  onMatrix?: (i: number, n: number, name: string) => void;
}

/** The JSON `condlab inspect --json` prints and `--out` writes (inspect.json); the browser lab downloads the same. */
export function inspectJson(r: InspectReport): string {
  return JSON.stringify(r, null, 1) + '\n';
}

export type Format = 'safetensors' | 'npy' | 'onnx';

export function detectFormat(bytes: Uint8Array, file: string): Format {
  if (bytes.length >= 6 && bytes[0] === 0x93 && bytes[1] === 0x4e && bytes[2] === 0x55) return 'npy';
  if (file.endsWith('.safetensors')) return 'safetensors';
  if (file.endsWith('.onnx')) return 'onnx';
  if (bytes.length >= 9 && bytes[8] === 0x7b /* '{' */) return 'safetensors';
  if (looksLikeOnnx(bytes)) return 'onnx';
  throw new CondlabError(`${file}: neither a .npy, a safetensors nor an ONNX file (by magic bytes or extension)`, 'bad-file');
}

export function inspectBytes(engine: Engine, bytes: Uint8Array, file: string, opts: InspectOptions & InspectProgress = {}): InspectReport {
  const format = detectFormat(bytes, file);
  const results: (MatrixReport | Skipped)[] = [];
  const { onMatrix, ...analyseOpts } = opts;
  if (format === 'npy') {
    const t = readNpy(bytes, file.split(/[\\/]/).pop() ?? file);
    onMatrix?.(1, 1, t.name);
    results.push(analyseTensor(engine, t, analyseOpts));
  } else if (format === 'onnx') {
    const { initializers, sparse } = readOnnxModel(bytes, file);
    // a bias stored as [1, C, 1, 1] is a vector, not a layer: skipped like 1-D tensors (WeightWatcher skips them too)
    const vectorLike = (d: number[]) => d.length >= 2 && d.filter((x) => x !== 1).length <= 1;
    const wanted = (t: (typeof initializers)[number]) => t.dims.length >= 2 && !vectorLike(t.dims) && isDecodable(t.dataType);
    const n = initializers.filter(wanted).length;
    let i = 0;
    for (const t of initializers) {
      if (!wanted(t)) {
        const reason = t.dims.length < 2 ? `${t.dims.length}-D tensor (only matrices are analysed)`
          : vectorLike(t.dims) ? `a vector in ${t.dims.length}-D form (one dimension above 1)`
          : `${t.dtype} tensor (FLOAT, FLOAT16, DOUBLE and BFLOAT16 are analysed)`;
        results.push({ name: t.name, shape: t.dims, reason, ...(t.ops.length ? { ops: t.ops } : {}) });
        continue;
      }
      onMatrix?.(++i, n, t.name);
      const r = analyseTensor(engine, readOnnxTensor(bytes, t), analyseOpts);
      results.push(t.ops.length ? { ...r, ops: t.ops } : r);
    }
    for (const s of sparse) results.push({ name: s, shape: [], reason: 'sparse initializer (not decoded)' });
  } else {
    const { entries, dataStart } = readSafetensorsHeader(bytes, file);
    const n = entries.filter((e) => e.shape.length >= 2).length;
    let i = 0;
    for (const e of entries) {
      if (e.shape.length < 2) {
        results.push({ name: e.name, shape: e.shape, reason: `${e.shape.length}-D tensor (only matrices are analysed)` });
        continue;
      }
      onMatrix?.(++i, n, e.name);
      results.push(analyseTensor(engine, readSafetensorsTensor(bytes, dataStart, e), analyseOpts));
    }
  }
  const matrices = results.filter((r): r is MatrixReport => !isSkipped(r));
  return { file, format, matrices, skipped: results.filter(isSkipped), summary: inspectSummary(matrices) };
}

export async function inspectFile(engine: Engine, path: string, opts: InspectOptions = {}): Promise<InspectReport> {
  const { stat, readFile } = await import('node:fs/promises');
  const st = await stat(path).catch(() => {
    throw new CondlabError(`cannot read ${path}: no such file`, 'bad-file');
  });
  if (!st.isFile()) throw new CondlabError(`${path} is not a regular file`, 'bad-file');
  checkFileSize(st.size, path);
  return inspectBytes(engine, new Uint8Array(await readFile(path)), path, opts);
}

const fmt = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(2) : x.toFixed(3)) : String(x));

/** The cells of `condlab inspect`'s table (the browser lab shows the same, with its own number format). */
export function inspectTable(r: InspectReport, format: (x: number) => string = fmt): { title: string; head: string[]; rows: string[][]; skipped: string[]; summary: string } {
  const onnx = r.format === 'onnx';
  const opt = (x: number | null) => (x === null ? '–' : format(x));
  return {
    title: `${r.file} (${r.format}): ${r.matrices.length} matrices analysed, ${r.skipped.length} skipped`,
    head: ['matrix', ...(onnx ? ['op'] : []), 'shape', 'κ', 'eff. rank', 'gap', 'stable rank', 'α', 'α-weighted', 'log λ_max', 'MP soft rank', 'row spread', 'col spread', 'σ₁', 'σ_min'],
    rows: r.matrices.map((m) => [
      m.name, ...(onnx ? [m.ops?.join('+') ?? ''] : []), m.shape.join('×'), format(m.kappa), String(m.effectiveRank), format(m.spectralGap), format(m.stableRank),
      opt(m.alpha), opt(m.alphaWeighted), format(m.logSpectralNorm), format(m.mpSoftRank),
      format(m.rowNormSpread), format(m.colNormSpread), format(m.sigmaMax), format(m.sigmaMin),
    ]),
    skipped: r.skipped.map((s) => `skipped ${s.name} [${s.shape.join('×')}]: ${s.reason}`),
    summary: summaryLine(r.summary, format),
  };
}

/** One line: the means WeightWatcher's summary reports, and how many layers are ill-conditioned. */
export function summaryLine(s: InspectSummary, format: (x: number) => string = fmt): string {
  const opt = (x: number | null) => (x === null ? '–' : format(x));
  return `summary over ${s.layers} matrices: mean α ${opt(s.alpha)} (${s.alphaLayers} fitted), α-weighted ${opt(s.alphaWeighted)}, log λ_max ${opt(s.logSpectralNorm)}, ` +
    `stable rank ${opt(s.stableRank)}, MP soft rank ${opt(s.mpSoftRank)}; median κ ${opt(s.medianKappa)}, κ > 100 in ${s.kappaAbove100}, numerically singular (κ > 2^23) in ${s.singular}`;
}

export function formatInspectTable(r: InspectReport): string {
  const { title, head, rows, skipped, summary } = inspectTable(r);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [title, line(head), ...rows.map(line), summary, ...skipped].join('\n');
}
