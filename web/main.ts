// The browser lab's page: pick an experiment and knobs, run its units in Web Workers (the UI thread only draws),
// watch figures fill in, cancel, download the same results JSON the CLI writes, or load one back.
import { experiments, getExperiment } from '../src/experiments/index.js';
import type { ExperimentResults, PresetName, RunConfig, TrialRecord } from '../src/experiments/types.js';
import { buildConfig } from '../src/config/index.js';
import { assembleResults, trialSeed, unitsOf, type Unit } from '../src/runner/assemble.js';
import { parseResults } from '../src/runner/load.js';
import { figuresFor, type ErrorBars } from '../src/report/figures.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const expSel = $<HTMLSelectElement>('exp');
const statusEl = $<HTMLSpanElement>('status');
const progress = $<HTMLProgressElement>('progress');
const figuresEl = $<HTMLDivElement>('figures');
const runBtn = $<HTMLButtonElement>('run');
const cancelBtn = $<HTMLButtonElement>('cancel');
const downloadBtn = $<HTMLButtonElement>('download');

for (const e of experiments) expSel.add(new Option(`${e.id} — ${e.title}`, e.id));

let current: ExperimentResults | undefined;
let workers: Worker[] = [];
let drawSeq = 0;

function setStatus(text: string, state: 'idle' | 'running' | 'done' | 'error' | 'cancelled') {
  statusEl.textContent = text;
  statusEl.dataset.state = state;
}

function overrides(): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const num = (id: string) => ($<HTMLInputElement>(id).value.trim() === '' ? undefined : Number($<HTMLInputElement>(id).value));
  const dims = $<HTMLInputElement>('dims').value.trim();
  if (dims) o.dims = dims.split(',').map(Number);
  for (const k of ['trials', 'epochs', 'lr', 'seed']) {
    const v = num(k);
    if (v !== undefined) o[k] = v;
  }
  return o;
}

async function draw(r: ExperimentResults) {
  const seq = ++drawSeq;
  const figs = await figuresFor(r, $<HTMLSelectElement>('bars').value as ErrorBars);
  if (seq !== drawSeq) return; // a newer draw started meanwhile
  figuresEl.innerHTML = figs.map((f) => `<figure>${f.svg}<figcaption>${f.title}</figcaption></figure>`).join('');
}

function stopWorkers() {
  for (const w of workers) w.terminate();
  workers = [];
}

async function run(ev: Event) {
  ev.preventDefault();
  stopWorkers();
  let exp, config: RunConfig;
  try {
    exp = getExperiment(expSel.value);
    config = buildConfig(exp, $<HTMLSelectElement>('preset').value as PresetName, overrides());
  } catch (e) {
    setStatus((e as Error).message, 'error');
    return;
  }
  const units = unitsOf(exp, config);
  const nWorkers = Math.max(1, Math.min(units.length, Number($<HTMLInputElement>('workers').value) || navigator.hardwareConcurrency || 2));
  const records: TrialRecord[] = [];
  const started = new Date();
  const t0 = performance.now();
  const cellMs: Record<string, number> = {};
  runBtn.disabled = true;
  cancelBtn.disabled = false;
  downloadBtn.disabled = true;
  progress.value = 0;
  setStatus(`running ${units.length} units on ${nWorkers} workers…`, 'running');
  // deal units round-robin; the final JSON is sorted by (trial, cell), so the split never shows in it
  const shares: Unit[][] = Array.from({ length: nWorkers }, () => []);
  units.forEach((u, i) => shares[i % nWorkers].push(u));
  let finished = 0;
  const assemble = () =>
    assembleResults(exp, config, records, { wallMs: performance.now() - t0, workers: nWorkers, startedAt: started.toISOString(), cellMs });
  await new Promise<void>((resolve) => {
    workers = shares.map((share) => {
      const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (m: MessageEvent) => {
        const msg = m.data;
        if (msg.type === 'done') {
          records.push({ trial: msg.unit.trial, cell: msg.unit.cell, seed: trialSeed(config, msg.unit.trial), result: msg.result });
          cellMs[msg.unit.cell] = (cellMs[msg.unit.cell] ?? 0) + msg.ms;
          progress.value = records.length / units.length;
          const elapsed = performance.now() - t0;
          const eta = (elapsed / records.length) * (units.length - records.length);
          setStatus(`${records.length}/${units.length} units, ETA ${(eta / 1000).toFixed(1)} s`, 'running');
          current = assemble();
          void draw(current);
        } else if (msg.type === 'finished') {
          if (++finished === shares.length) resolve();
        } else {
          setStatus(`error: ${msg.message}`, 'error');
          stopWorkers();
          resolve();
        }
      };
      w.postMessage({ expId: exp.id, config, units: share });
      return w;
    });
    cancelBtn.onclick = () => {
      stopWorkers();
      setStatus(`cancelled after ${records.length}/${units.length} units`, 'cancelled');
      resolve();
    };
  });
  runBtn.disabled = false;
  cancelBtn.disabled = true;
  if (records.length === units.length && statusEl.dataset.state === 'running') {
    current = assemble();
    await draw(current);
    downloadBtn.disabled = false;
    setStatus(`done: ${units.length} units in ${((performance.now() - t0) / 1000).toFixed(1)} s`, 'done');
  }
  stopWorkers();
}

$<HTMLFormElement>('controls').addEventListener('submit', run);
$<HTMLSelectElement>('bars').addEventListener('change', () => current && void draw(current));
downloadBtn.addEventListener('click', () => {
  if (!current) return;
  // the CLI's format exactly: JSON.stringify(results, null, 1) + newline
  const blob = new Blob([JSON.stringify(current, null, 1) + '\n'], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${current.experiment}.json`;
  a.click();
  URL.revokeObjectURL(a.href);
});
$<HTMLInputElement>('load').addEventListener('change', async (ev) => {
  const file = (ev.target as HTMLInputElement).files?.[0];
  if (!file) return;
  try {
    current = parseResults(await file.text(), file.name);
    await draw(current);
    downloadBtn.disabled = false;
    setStatus(`loaded ${file.name}: ${current.experiment}, ${current.trials.length} units`, 'done');
  } catch (e) {
    setStatus((e as Error).message, 'error');
  }
});
