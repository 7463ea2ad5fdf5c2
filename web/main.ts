// The browser lab's page: pick an experiment and knobs, run its (trial, cell) units in Web Workers (one per logical
// core; the UI thread only schedules and draws), watch the figures fill in, cancel, download the same results JSON
// the CLI writes (same assembly function: src/runner/assemble.ts), or load one back (file picker or drop) to redraw.
import { experiments, getExperiment } from '../src/experiments/index.js';
import type { Experiment, ExperimentResults, PresetName, RunConfig, TrialRecord } from '../src/experiments/types.js';
import { buildConfig } from '../src/config/index.js';
import { assembleResults, checkCellResult, trialSeed, unitsOf, type Unit } from '../src/runner/assemble.js';
import { threadsPerUnit } from '../src/runner/threads-plan.js';
import { parseResults } from '../src/runner/load.js';
import { judgeClaims } from '../src/claims/index.js';
import { figuresFor, type ErrorBars } from '../src/report/figures.js';
import { CLAIM_EXPERIMENT, SUMMARY_HEAD, escapeHtml as esc, summaryRows } from '../src/report/table.js';
import type { DataJob, UnitJob, WorkerMessage } from './worker.js';
import { fashionMnistFromFiles, type FashionMnist } from '../src/data/fmnist.js';
import { classifyFile, inspectWeights, setupInspect, showInspectError } from './inspect.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const expSel = $<HTMLSelectElement>('exp');
const statusEl = $<HTMLSpanElement>('status');
const progress = $<HTMLProgressElement>('progress');
const figuresEl = $<HTMLDivElement>('figures');
const summaryEl = $<HTMLDivElement>('summary');
const runBtn = $<HTMLButtonElement>('run');
const cancelBtn = $<HTMLButtonElement>('cancel');
const downloadBtn = $<HTMLButtonElement>('download');

for (const e of experiments) expSel.add(new Option(`${e.id} — ${e.title}`, e.id));
$<HTMLInputElement>('workers').placeholder = String(navigator.hardwareConcurrency || 2);

type State = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

let current: ExperimentResults | undefined;
let workers: Worker[] = [];
let drawSeq = 0;
let cancelRun: (() => void) | undefined;

function setStatus(text: string, state: State) {
  statusEl.textContent = text;
  statusEl.dataset.state = state;
}

function overrides(): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const text = (id: string) => $<HTMLInputElement>(id).value.trim();
  const dims = text('dims');
  if (dims) o.dims = dims.split(/[\s,]+/).filter(Boolean).map(Number);
  for (const k of ['trials', 'epochs', 'lr', 'seed']) if (text(k) !== '') o[k] = Number(text(k));
  return o;
}

const fmtSecs = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

/** Figures, summary table and (for the paper's experiments) the claims judged from this experiment alone. */
async function draw(r: ExperimentResults, final: boolean) {
  const seq = ++drawSeq;
  const figs = await figuresFor(r, $<HTMLSelectElement>('bars').value as ErrorBars);
  if (seq !== drawSeq) return; // a newer draw started meanwhile
  figuresEl.innerHTML = figs.map((f) => `<figure>${f.svg}<figcaption>${esc(f.title)}</figcaption></figure>`).join('');
  const parts: string[] = [];
  if (final) {
    try {
      const claims = judgeClaims({ [r.experiment]: r }).filter((c) => CLAIM_EXPERIMENT[c.id] === r.experiment);
      if (claims.length) {
        parts.push('<h3>Claims (judged from this run)</h3><table class="claims"><tr><th>claim</th><th>paper</th><th>ours</th><th>verdict</th></tr>');
        for (const c of claims) parts.push(`<tr><td>${esc(c.id)}: ${esc(c.claim)}</td><td>${esc(c.paper)}</td><td>${esc(c.ours)}</td><td>${esc(c.verdict)}</td></tr>`);
        parts.push('</table>');
      }
    } catch {
      /* claims need other experiments or different metrics: leave them out */
    }
  }
  const rows = summaryRows(r);
  parts.push(`<details${final ? ' open' : ''}><summary>Summary (${rows.length} rows)</summary><table><tr>${SUMMARY_HEAD.map((h) => `<th>${h}</th>`).join('')}</tr>`);
  for (const row of rows) parts.push(`<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  parts.push('</table></details>');
  summaryEl.innerHTML = parts.join('');
}

function stopWorkers() {
  for (const w of workers) w.terminate();
  workers = [];
}

function setRunning(running: boolean) {
  runBtn.disabled = running;
  cancelBtn.disabled = !running;
  expSel.disabled = running;
}

async function run(ev: Event) {
  ev.preventDefault();
  stopWorkers();
  let exp: Experiment, config: RunConfig;
  try {
    exp = getExperiment(expSel.value);
    config = buildConfig(exp, $<HTMLSelectElement>('preset').value as PresetName, overrides());
  } catch (e) {
    setStatus((e as Error).message, 'error');
    return;
  }
  // fmnist reads the IDX files the user picked: decoded (and validated) once here, then handed to every worker
  let fmnistData: FashionMnist | undefined;
  if (exp.id === 'fmnist') {
    const picked = Array.from($<HTMLInputElement>('fmnist-files').files ?? []);
    try {
      setStatus(`decoding ${picked.length} Fashion-MNIST file(s)…`, 'running');
      fmnistData = await fashionMnistFromFiles(await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))));
    } catch (e) {
      setStatus((e as Error).message, 'error');
      return;
    }
    config = { ...config, data: 'picked-files' };
  }
  const units = unitsOf(exp, config);
  if (units.length === 0) {
    setStatus(`${exp.id} has no units to run with this config`, 'error');
    return;
  }
  const cost = (u: Unit) => Math.max(1e-9, exp.cellCost?.(config, u.cell) ?? 1);
  const totalCost = units.reduce((a, u) => a + cost(u), 0);
  // largest units first, so the last one to finish is a small one (the order never shows in the JSON: it is
  // sorted by (trial, cell) when assembled)
  const queue = units.map((u, i) => ({ u, i })).sort((a, b) => cost(b.u) - cost(a.u) || a.i - b.i).map((x) => x.u);
  const asked = Number($<HTMLInputElement>('workers').value);
  const cores = navigator.hardwareConcurrency || 2;
  // a few large units (d ≥ 1024): threads inside one engine, where the page is cross-origin isolated (COOP/COEP)
  // an explicit thread count wins (one worker then runs the units, each with that many threads, as `--threads N`)
  const askedThreads = Number($<HTMLInputElement>('threads').value.trim() || NaN);
  if ($<HTMLInputElement>('threads').value.trim() !== '' && !(Number.isInteger(askedThreads) && askedThreads >= 1 && askedThreads <= 16)) {
    setStatus(`threads must be an integer from 1 to 16, got '${$<HTMLInputElement>('threads').value.trim()}'`, 'error');
    return;
  }
  const wanted = Number.isInteger(askedThreads) ? askedThreads
    : Number.isInteger(asked) && asked > 0 ? 1 : threadsPerUnit(Math.max(0, ...(config.dims ?? [])), units.length, cores);
  const threads = wanted > 1 && globalThis.crossOriginIsolated ? wanted : 1;
  const threadNote = threads > 1
    ? ` with ${threads} threads inside each`
    : wanted > 1 ? ' (one thread each: this page is not cross-origin isolated, so WebAssembly threads are off)' : '';
  const nWorkers = threads > 1 ? 1 : Math.max(1, Math.min(units.length, Number.isInteger(asked) && asked > 0 ? asked : cores));
  const records: TrialRecord[] = [];
  let threadsUsed = 1; // what the workers' engines report, not what was asked
  const partial = new Map<string, number>();
  const cellMs: Record<string, number> = {};
  const started = new Date();
  const t0 = performance.now();
  let doneCost = 0;
  let lastDraw = 0;
  let drawTimer: ReturnType<typeof setTimeout> | undefined;
  setRunning(true);
  downloadBtn.disabled = true;
  progress.value = 0;
  figuresEl.innerHTML = '';
  summaryEl.innerHTML = '';
  current = undefined;
  setStatus(`running ${units.length} units (${config.trials} trials × ${units.length / config.trials} cells) on ${nWorkers} workers${threadNote}…`, 'running');
  const assemble = () => assembleResults(exp, config, records, { wallMs: performance.now() - t0, workers: nWorkers, startedAt: started.toISOString(), cellMs });
  const key = (u: Unit) => `${u.trial}|${u.cell}`;

  const showProgress = () => {
    let inFlight = 0;
    for (const [k, f] of partial) inFlight += f * cost(units.find((u) => key(u) === k)!);
    const p = Math.min(1, (doneCost + inFlight) / totalCost);
    progress.value = p;
    const elapsed = performance.now() - t0;
    const eta = p > 0 ? (elapsed * (1 - p)) / p : NaN;
    setStatus(`${records.length}/${units.length} units, ${(100 * p).toFixed(0)} %, elapsed ${fmtSecs(elapsed)}${Number.isFinite(eta) ? `, ETA ${fmtSecs(eta)}` : ''}`, 'running');
  };
  const redrawSoon = () => {
    // at most ~3 redraws a second, however fast units finish
    if (drawTimer) return;
    const wait = Math.max(0, 300 - (performance.now() - lastDraw));
    drawTimer = setTimeout(() => {
      drawTimer = undefined;
      lastDraw = performance.now();
      if (statusEl.dataset.state === 'running' && records.length) {
        current = assemble();
        void draw(current, false);
      }
    }, wait);
  };

  const outcome = await new Promise<'done' | 'cancelled' | 'error'>((resolve) => {
    const fail = (message: string) => {
      stopWorkers();
      setStatus(`error: ${message}`, 'error');
      resolve('error');
    };
    const next = (w: Worker) => {
      const unit = queue.shift();
      if (!unit) return;
      partial.set(key(unit), 0);
      w.postMessage({ expId: exp.id, config, unit, threads } satisfies UnitJob);
    };
    workers = Array.from({ length: nWorkers }, () => {
      const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      if (fmnistData) w.postMessage({ type: 'fmnist-data', key: config.data!, data: fmnistData } satisfies DataJob);
      w.onmessage = (m: MessageEvent<WorkerMessage>) => {
        const msg = m.data;
        if (msg.type === 'progress') {
          partial.set(key(msg.unit), msg.fraction);
          showProgress();
        } else if (msg.type === 'done') {
          const bad = checkCellResult(msg.result);
          if (bad) return fail(`unit (trial ${msg.unit.trial}, cell ${msg.unit.cell}) returned ${bad}`);
          partial.delete(key(msg.unit));
          records.push({ trial: msg.unit.trial, cell: msg.unit.cell, seed: trialSeed(config, msg.unit.trial), result: msg.result as TrialRecord['result'] });
          cellMs[msg.unit.cell] = (cellMs[msg.unit.cell] ?? 0) + msg.ms;
          threadsUsed = Math.max(threadsUsed, msg.threads);
          doneCost += cost(msg.unit);
          showProgress();
          if (records.length === units.length) return resolve('done');
          next(w);
          redrawSoon();
        } else {
          fail(msg.unit ? `unit (trial ${msg.unit.trial}, cell ${msg.unit.cell}): ${msg.message}` : msg.message);
        }
      };
      w.onerror = (e) => {
        e.preventDefault();
        fail(`a worker failed: ${e.message || 'could not start (is the .wasm served?)'}`);
      };
      return w;
    });
    for (const w of workers) next(w);
    cancelRun = () => {
      stopWorkers();
      setStatus(`cancelled after ${records.length}/${units.length} units (${fmtSecs(performance.now() - t0)})`, 'cancelled');
      resolve('cancelled');
    };
  });
  cancelRun = undefined;
  if (drawTimer) clearTimeout(drawTimer);
  stopWorkers();
  setRunning(false);
  if (outcome === 'done') {
    current = assemble();
    await draw(current, true);
    downloadBtn.disabled = false;
    progress.value = 1;
    const threadsDone = threadsUsed > 1
      ? ` with ${threadsUsed} threads inside each`
      : wanted > 1 ? ', one thread each (this page is not cross-origin isolated, so WebAssembly threads are off)' : '';
    setStatus(`done: ${units.length} units in ${fmtSecs(performance.now() - t0)} on ${nWorkers} workers${threadsDone}`, 'done');
  } else if (records.length) {
    // partial results stay on screen, but a partial run is not a results file
    current = undefined;
    await draw(assemble(), false);
  }
}

async function loadText(text: string, name: string) {
  try {
    const r = parseResults(text, name);
    current = r;
    if ([...expSel.options].some((o) => o.value === r.experiment)) expSel.value = r.experiment;
    await draw(r, true);
    downloadBtn.disabled = false;
    progress.value = 1;
    setStatus(`loaded ${name}: ${r.experiment}, ${r.trials.length} units, preset ${r.config.preset}`, 'done');
  } catch (e) {
    setStatus((e as Error).message, 'error');
  }
}

$<HTMLFormElement>('controls').addEventListener('submit', run);
cancelBtn.addEventListener('click', () => cancelRun?.());
$<HTMLSelectElement>('bars').addEventListener('change', () => current && void draw(current, statusEl.dataset.state === 'done'));
downloadBtn.addEventListener('click', () => {
  if (!current) return;
  // the CLI's format exactly: JSON.stringify(results, null, 1) + newline
  const blob = new Blob([JSON.stringify(current, null, 1) + '\n'], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${current.experiment}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
/** A picked or dropped file: results JSON → redraw; .npy / .safetensors / .onnx (by extension or content) → inspect. */
async function openFile(file: File) {
  let kind: Awaited<ReturnType<typeof classifyFile>>;
  try {
    kind = await classifyFile(file);
  } catch (e) {
    setStatus((e as Error).message, 'error');
    return;
  }
  if (kind === 'results') {
    await loadText(await file.text(), file.name);
    return;
  }
  try {
    inspectWeights(file, $<HTMLInputElement>('max-dim').value);
  } catch (e) {
    showInspectError(file.name, (e as Error).message);
  }
}

setupInspect();
$<HTMLInputElement>('load').addEventListener('change', async (ev) => {
  const input = ev.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (file) await openFile(file);
});
// drop a results JSON or a weights file anywhere on the page
document.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (ev) => {
  if (ev.target === document.documentElement || ev.target === document.body) document.body.classList.remove('dragging');
});
document.addEventListener('drop', async (ev) => {
  ev.preventDefault();
  document.body.classList.remove('dragging');
  const file = ev.dataTransfer?.files?.[0];
  if (file) await openFile(file);
});
