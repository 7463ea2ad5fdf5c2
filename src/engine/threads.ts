// Threads inside one engine: the shared-memory build (asconfig targets threads / fma-threads) instantiated once on
// the owning thread and once per pool worker over one shared WebAssembly.Memory with a declared maximum. Workers
// (worker_threads in Node, Web Workers in a cross-origin-isolated page) park inside the module on
// memory.atomic.wait32 and take blocks of C whenever the owner's gemm() posts one (assembly/gemm/parallel.ts), so
// GEMMs called from inside the module — trainer steps, Newton–Schulz, the SVD's products — fan out too.
// Results are bit-identical for any thread count. The owner blocks in memory.atomic.wait32 while workers finish,
// which a browser allows only off the main thread: the lab's engines already run in Web Workers.
import { wasmOf } from './internal.js';
import { CondlabError } from './errors.js';
import { Engine } from './engine.js';
import { compileWasm } from './loader.js';
import type { EngineVariant } from './variants.js';

export const threadsWasmUrl = (variant: EngineVariant): URL =>
  variant === 'fma'
    ? new URL('../../build/condlab-fma-threads.wasm', import.meta.url)
    : new URL('../../build/condlab-threads.wasm', import.meta.url);

/** 64 KiB pages: the module's own minimum, and wasm32's 4 GiB ceiling as the declared maximum. */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 65536;
/** Most threads one engine's pool may use (`loadEngine({ threads })` refuses more). */
export const MAX_THREADS = 64;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Why threads cannot run here ('' when they can). */
export function threadsUnavailable(): string {
  if (typeof SharedArrayBuffer === 'undefined') {
    return isNode ? 'this Node has no SharedArrayBuffer' : 'the page is not cross-origin isolated (no COOP/COEP headers), so SharedArrayBuffer is off';
  }
  if (!isNode && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (no COOP/COEP headers)';
  }
  return '';
}

// The worker's whole program, as plain JS so it needs no bundler or loader hooks: instantiate the module over the
// shared memory, report, and enter the wasm loop; on a trap, mark the error and count itself finished so the
// owner's wait ends (the owner then raises the error) instead of hanging.
const WORKER_BODY = `
  async function start({ module, memory, ctl, tid }, post) {
    let instance;
    try {
      instance = await WebAssembly.instantiate(module, { env: { memory, abort() { throw new Error('condlab.wasm aborted in a pool thread'); } } });
    } catch (e) {
      post({ type: 'error', message: String(e && e.message || e) });
      return;
    }
    post({ type: 'parked' });
    try {
      instance.exports.threadWorkerLoop(ctl, tid);
    } catch (e) {
      const i32 = new Int32Array(memory.buffer);
      Atomics.store(i32, (ctl >> 2) + 5, 1);
      Atomics.add(i32, (ctl >> 2) + 3, 1);
      Atomics.notify(i32, (ctl >> 2) + 3);
      post({ type: 'error', message: String(e && e.message || e) });
    }
  }`;

const NODE_WORKER = `${WORKER_BODY}
  const { workerData, parentPort } = require('node:worker_threads');
  start(workerData, (m) => parentPort.postMessage(m));`;

const BROWSER_WORKER = `${WORKER_BODY}
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));`;

interface PoolThread {
  terminate(): unknown;
}

const pools = new WeakMap<Engine, PoolThread[]>();

async function spawnNode(data: object): Promise<PoolThread> {
  const { Worker } = (await import(/* @vite-ignore */ 'node:worker_threads' as string)) as typeof import('node:worker_threads');
  const w = new Worker(NODE_WORKER, { eval: true, workerData: data });
  await new Promise<void>((resolve, reject) => {
    w.once('message', (m: { type: string; message?: string }) => (m.type === 'parked' ? resolve() : reject(new Error(m.message))));
    w.once('error', reject);
  });
  w.unref(); // a parked pool must not keep the process alive
  return w;
}

async function spawnBrowser(data: object): Promise<PoolThread> {
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  await new Promise<void>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<{ type: string; message?: string }>) => (e.data.type === 'parked' ? resolve() : reject(new Error(e.data.message)));
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(data);
  });
  return w;
}

/**
 * An engine on the shared-memory build with a pool of `threads − 1` workers (the owner is the last thread).
 * `source` overrides the build's file (tests).
 */
export async function loadThreadedEngine(threads: number, variant: EngineVariant, source?: URL | BufferSource): Promise<Engine> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new CondlabError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`, 'bad-option', { option: 'threads', value: threads });
  }
  const module = await compileWasm(source ?? threadsWasmUrl(variant));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const engine = await Engine.fromModule(module, memory);
  engine.variant = variant;
  const ctl = wasmOf(engine).threadPoolInit(threads);
  if (!ctl) throw new CondlabError(`this build has no thread pool (threads=${threads})`, 'bad-option');
  const spawn = isNode ? spawnNode : spawnBrowser;
  const started: PoolThread[] = [];
  try {
    for (let tid = 1; tid < threads; tid++) started.push(await spawn({ module, memory, ctl, tid }));
  } catch (e) {
    wasmOf(engine).threadPoolShutdown();
    for (const w of started) w.terminate();
    throw new CondlabError(`could not start ${threads - 1} pool thread(s): ${e instanceof Error ? e.message : String(e)}`, 'threads-failed');
  }
  wasmOf(engine).threadPoolEnable(threads);
  engine.threads = threads;
  pools.set(engine, started);
  return engine;
}

/** Ends an engine's pool threads (its GEMMs run on one thread from then on). Idempotent. */
export async function closeThreads(engine: Engine): Promise<void> {
  const ws = pools.get(engine);
  if (!ws) return;
  pools.delete(engine);
  wasmOf(engine).threadPoolShutdown();
  engine.threads = 1;
  await Promise.all(ws.map((w) => w.terminate()));
}
