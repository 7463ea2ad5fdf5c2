// `condlab inspect` in the browser lab: a dropped or picked file is routed by extension and magic bytes — results
// JSON to the existing loader, .npy / .safetensors / .onnx to a Web Worker that runs the CLI's inspectBytes on the same .wasm.
// The page shows the CLI's table (inspectTable, with more digits), the CLI's spectrum figure (inspectFigure) and
// offers the CLI's inspect.json (inspectJson, built in the worker) for download. Errors are one line, never silent.
import { checkMaxDim, inspectTable, looksLikeOnnx, type InspectReport } from '../src/inspect/index.js';
import { inspectEsdFigure, inspectFigure } from '../src/report/figures.js';
import { escapeHtml as esc } from '../src/report/table.js';
import type { InspectJob, InspectMessage } from './inspect-worker.js';

export type FileKind = 'npy' | 'safetensors' | 'onnx' | 'results';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** What a file is, from its name and first bytes; throws a one-line error for anything else. */
export async function classifyFile(file: File): Promise<FileKind> {
  const name = file.name.toLowerCase();
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  if (head.length >= 6 && NPY_MAGIC.every((b, i) => head[i] === b)) return 'npy';
  if (name.endsWith('.npy')) return 'npy';
  if (name.endsWith('.safetensors')) return 'safetensors';
  if (name.endsWith('.onnx')) return 'onnx';
  if (name.endsWith('.json')) return 'results';
  // safetensors: an 8-byte little-endian header length that fits the file, then the JSON header's '{'
  if (head.length >= 9 && head[8] === 0x7b) {
    const n = new DataView(head.buffer).getBigUint64(0, true);
    if (n > 0n && n <= BigInt(file.size - 8)) return 'safetensors';
  }
  // ONNX has no magic number: the ModelProto's first key (ir_version) and the key after it (the CLI's own test)
  if (looksLikeOnnx(head)) return 'onnx';
  const first = head.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf);
  if (first === 0x7b) return 'results';
  throw new Error(`${file.name}: neither a results JSON nor a weights file (.npy: \\x93NUMPY magic; .safetensors: 8-byte header length + JSON; .onnx: a ModelProto)`);
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** Six significant digits (the CLI prints three decimals; a page has room for more). */
export const fmt6 = (x: number): string => {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e6 || a < 1e-4 ? x.toExponential(5) : String(Number(x.toPrecision(6)));
};

let active: Worker | undefined;
let json: string | undefined;
let seq = 0;

function setStatus(text: string, state: 'idle' | 'running' | 'done' | 'warning' | 'error') {
  const el = $<HTMLSpanElement>('inspect-status');
  el.textContent = oneLine(text);
  el.dataset.state = state;
}

/** Shows the inspect section with `file`'s name and an error line (used for failures before the worker starts). */
export function showInspectError(fileName: string, message: string) {
  active?.terminate();
  active = undefined;
  seq++;
  reset(fileName);
  setStatus(`error: ${message}`, 'error');
}

function reset(fileName: string) {
  const section = $<HTMLElement>('inspect');
  section.hidden = false;
  $<HTMLElement>('inspect-file').textContent = fileName;
  $<HTMLDivElement>('inspect-table').innerHTML = '';
  $<HTMLUListElement>('inspect-skipped').innerHTML = '';
  $<HTMLParagraphElement>('inspect-summary').textContent = '';
  $<HTMLDivElement>('inspect-figure').innerHTML = '';
  $<HTMLProgressElement>('inspect-progress').value = 0;
  $<HTMLButtonElement>('inspect-download').disabled = true;
  json = undefined;
}

async function show(report: InspectReport, text: string, ms: number, mine: number) {
  const t = inspectTable(report, fmt6);
  const table = [`<table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`];
  for (const row of t.rows) table.push(`<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  table.push('</tbody></table>');
  $<HTMLDivElement>('inspect-table').innerHTML = report.matrices.length ? table.join('') : '';
  $<HTMLUListElement>('inspect-skipped').innerHTML = t.skipped.map((s) => `<li>${esc(s)}</li>`).join('');
  $<HTMLParagraphElement>('inspect-summary').textContent = report.matrices.length ? t.summary : '';
  json = text;
  $<HTMLButtonElement>('inspect-download').disabled = false;
  $<HTMLProgressElement>('inspect-progress').value = 1;
  if (report.matrices.length === 0) {
    setStatus(`${t.title}: no 2-D matrix to analyse (${report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ') || 'the file holds no tensors'})`, 'warning');
    return;
  }
  setStatus(`${t.title} in ${(ms / 1000).toFixed(2)} s`, 'done');
  try {
    const svg = await inspectFigure(report);
    const esd = await inspectEsdFigure(report);
    if (mine !== seq) return;
    $<HTMLDivElement>('inspect-figure').innerHTML =
      (svg ? `<figure>${svg}<figcaption>Singular values, one line per matrix (at most 10 matrices drawn), as <code>condlab inspect --out</code> draws them</figcaption></figure>` : '') +
      (esd ? `<figure class="esd">${esd}<figcaption>ESD: P(Λ ≥ λ) of the eigenvalues of WᵀW/N on log–log axes with each matrix's fitted α (the 10 largest fitted matrices)</figcaption></figure>` : '');
  } catch (e) {
    setStatus(`${t.title}; the figure failed: ${(e as Error).message}`, 'error');
  }
}

/** Analyses a .npy / .safetensors / .onnx file in a fresh Web Worker (a newer file cancels an older one). */
export function inspectWeights(file: File, maxDimText: string) {
  active?.terminate();
  active = undefined;
  const mine = ++seq;
  reset(file.name);
  let maxDim: number | undefined;
  try {
    maxDim = maxDimText.trim() === '' ? undefined : checkMaxDim(Number(maxDimText.trim()));
  } catch (e) {
    setStatus(`error: ${(e as Error).message.replace('--max-dim', 'max dim')}`, 'error');
    return;
  }
  setStatus(`reading ${file.name} (${file.size} bytes)…`, 'running');
  $<HTMLElement>('inspect').scrollIntoView({ block: 'nearest' });
  const w = new Worker(new URL('./inspect-worker.ts', import.meta.url), { type: 'module' });
  active = w;
  const finish = () => {
    w.terminate();
    if (active === w) active = undefined;
  };
  w.onmessage = (m: MessageEvent<InspectMessage>) => {
    if (mine !== seq) return finish();
    const msg = m.data;
    if (msg.type === 'progress') {
      $<HTMLProgressElement>('inspect-progress').value = (msg.i - 1) / msg.n;
      setStatus(`matrix ${msg.i} of ${msg.n}: ${msg.name} (SVD)…`, 'running');
    } else if (msg.type === 'done') {
      finish();
      void show(msg.report, msg.json, msg.ms, mine);
    } else {
      finish();
      setStatus(`error: ${msg.message}`, 'error');
    }
  };
  w.onerror = (e) => {
    e.preventDefault();
    finish();
    if (mine === seq) setStatus(`error: the inspect worker failed: ${e.message || 'could not start (is the .wasm served?)'}`, 'error');
  };
  w.postMessage({ file, maxDim } satisfies InspectJob);
}

export function setupInspect() {
  $<HTMLButtonElement>('inspect-download').addEventListener('click', () => {
    if (json === undefined) return;
    // byte for byte what `condlab inspect FILE --out DIR` writes to DIR/inspect.json
    const blob = new Blob([json], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'inspect.json';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}
