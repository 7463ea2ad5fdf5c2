// Threads inside one engine (the shared-memory build, asconfig targets threads / fma-threads): a pool of worker
// instances of this module over the same shared memory, parked in `threadWorkerLoop` on memory.atomic.wait32 until
// the owning thread posts a task. The only task is a GEMM over blocks of C's columns; since gemm() is what every
// kernel calls, GEMMs issued from inside the module (the trainer, Newton–Schulz, the SVD's products) fan out too.
//
// Rules that keep this correct:
//   * only the owner allocates: the AssemblyScript allocator is not thread-safe, and a worker instance's allocator
//     globals are its own (zero) — so the owner allocates every worker's scratch up front (threadPoolInit);
//   * module globals are per instance, so nothing shared lives in them: the task is a block of shared memory;
//   * every unit runs each MR×NR tile of C through the same macro-kernel with the same k-blocking as the one-thread
//     path, so C is bit-identical for any thread count and any order in which units are taken.
//
// Control block (i32 words unless noted), 64-byte aligned:
//   0 seq (task generation: the futex word workers wait on)   1 kind (1 gemm, 2 exit)   2 next unit (taken with
//   atomic.add)   3 workers finished this generation (the futex word the owner waits on)   4 worker count
//   5 error (a worker trapped)   8.. gemm: transA, transB, m, n, k, unit width, units; 16 alpha (f64), 17 beta
//   (f64) at word 16/18; 20.. a, rsA, csA, b, rsB, csB, c, ldc (usize); 64.. per thread: packA, packB, edge.

import { MR, NR } from "./f64_gemm_ukernel_4x4__wasmsimd_splat";
import { packA, packB } from "./pack";
import { KC, MC, macroKernel } from "./macro";

/** Fan out only above this many multiply-adds: waking the pool costs tens of µs (a 64³ product takes ~50 µs). */
export const PAR_MIN_MADDS: f64 = 96.0 * 96.0 * 96.0;
/** Widest column block one unit takes (its packed B slice, KC·UNIT_MAX·8 B = 1 MiB, stays in L2/L3). */
const UNIT_MAX: i32 = 512;
const CTL_BYTES: usize = 256 + 64 * 12;
const MAX_THREADS: i32 = 64;

const K_GEMM = 1, K_EXIT = 2;

/** Threads in this instance's pool (owner only; worker instances keep 0, so their GEMMs never fan out again). */
export let poolThreads: i32 = 0;
let ctl: usize = 0;
let tasks: i32 = 0;

/** Owner: how many GEMMs this instance has fanned out (for tests: proof that a path really used the pool). */
export function threadPoolTasks(): i32 {
  return tasks;
}

/** Owner: allocates the control block and every thread's scratch; returns the block's address (0 for a bad count). */
export function threadPoolInit(threads: i32): usize {
  if (!ASC_FEATURE_THREADS || threads < 1 || threads > MAX_THREADS) return 0;
  const raw = heap.alloc(CTL_BYTES + 64);
  const c = (raw + 63) & ~(<usize>63);
  memory.fill(c, 0, CTL_BYTES);
  store<i32>(c + 16, threads - 1);
  for (let t = 0; t < threads; t++) {
    const slot = c + 256 + (<usize>t * 12);
    store<u32>(slot, <u32>align64(heap.alloc(<usize>MC * <usize>KC * 8 + 64)));
    store<u32>(slot + 4, <u32>align64(heap.alloc(<usize>KC * <usize>UNIT_MAX * 8 + 64)));
    store<u32>(slot + 8, <u32>align64(heap.alloc(<usize>MR * <usize>NR * 8 + 64)));
  }
  ctl = c;
  return c;
}

/** Owner: start (threads > 1) or stop (1) fanning GEMMs out; call after the workers are parked. */
export function threadPoolEnable(threads: i32): void {
  poolThreads = ctl ? threads : 0;
}

/** Owner: asks every worker to return from its loop (they then end), and stops fanning out. */
export function threadPoolShutdown(): void {
  if (!ASC_FEATURE_THREADS || !ctl) return;
  poolThreads = 0;
  atomic.store<i32>(ctl + 4, K_EXIT);
  atomic.add<i32>(ctl, 1);
  atomic.notify(ctl, MAX_THREADS);
}

/** A worker's whole life: park, run the posted task's units, report, park again — until told to exit. */
export function threadWorkerLoop(c: usize, tid: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  let seen = 0;
  for (;;) {
    let s = atomic.load<i32>(c);
    while (s == seen) {
      memory.atomic.wait32(c, seen, -1);
      s = atomic.load<i32>(c);
    }
    seen = s;
    if (atomic.load<i32>(c + 4) == K_EXIT) return;
    runUnits(c, tid);
    atomic.add<i32>(c + 12, 1);
    atomic.notify(c + 12, 1);
  }
}

/** Owner: the pool's GEMM — post the task, take units alongside the workers, wait until all have reported. */
export function gemmParallel(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsA: usize, csA: usize, b: usize, rsB: usize, csB: usize, beta: f64, c: usize, ldc: i32,
): void {
  if (!ASC_FEATURE_THREADS) return;
  const t = ctl;
  const threads = poolThreads;
  tasks++;
  // about four units per thread for balance on a shared machine; widths are multiples of NR, so the tile grid is
  // the one-thread grid
  let width = roundUp((n + 4 * threads - 1) / (4 * threads), NR);
  width = max(width, 4 * NR);
  width = min(width, UNIT_MAX);
  const units = (n + width - 1) / width;
  store<i32>(t + 32, transA);
  store<i32>(t + 36, transB);
  store<i32>(t + 40, m);
  store<i32>(t + 44, n);
  store<i32>(t + 48, k);
  store<i32>(t + 52, width);
  store<i32>(t + 56, units);
  store<f64>(t + 64, alpha);
  store<f64>(t + 72, beta);
  store<u32>(t + 80, <u32>a);
  store<u32>(t + 84, <u32>rsA);
  store<u32>(t + 88, <u32>csA);
  store<u32>(t + 92, <u32>b);
  store<u32>(t + 96, <u32>rsB);
  store<u32>(t + 100, <u32>csB);
  store<u32>(t + 104, <u32>c);
  store<u32>(t + 108, <u32>ldc);
  atomic.store<i32>(t + 8, 0);
  atomic.store<i32>(t + 12, 0);
  atomic.store<i32>(t + 4, K_GEMM);
  atomic.add<i32>(t, 1); // publishes everything stored above
  atomic.notify(t, MAX_THREADS);
  runUnits(t, 0);
  const workers = load<i32>(t + 16);
  let done = atomic.load<i32>(t + 12);
  while (done < workers) {
    memory.atomic.wait32(t + 12, done, -1);
    done = atomic.load<i32>(t + 12);
  }
  if (atomic.load<i32>(t + 20) != 0) abort("a GEMM worker thread failed; the product is incomplete");
}

/** Takes column blocks of C until none are left: each one is the one-thread loop nest restricted to its columns. */
function runUnits(t: usize, tid: i32): void {
  const m = load<i32>(t + 40), n = load<i32>(t + 44), k = load<i32>(t + 48);
  const width = load<i32>(t + 52), units = load<i32>(t + 56);
  const alpha = load<f64>(t + 64), beta = load<f64>(t + 72);
  const a = <usize>load<u32>(t + 80), rsA = <usize>load<u32>(t + 84), csA = <usize>load<u32>(t + 88);
  const b = <usize>load<u32>(t + 92), rsB = <usize>load<u32>(t + 96), csB = <usize>load<u32>(t + 100);
  const c = <usize>load<u32>(t + 104), ldcB = <usize>load<u32>(t + 108) << 3;
  const slot = t + 256 + (<usize>tid * 12);
  const pa = <usize>load<u32>(slot), pb = <usize>load<u32>(slot + 4), edge = <usize>load<u32>(slot + 8);
  for (;;) {
    const u = atomic.add<i32>(t + 8, 1);
    if (u >= units) return;
    const j0 = u * width;
    const nc = min(width, n - j0);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(kc, nc, b + ((<usize>pc * rsB + <usize>j0 * csB) << 3), rsB, csB, pb);
      const betaK = pc == 0 ? beta : 1.0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, a + ((<usize>ic * rsA + <usize>pc * csA) << 3), rsA, csA, pa);
        macroKernel(mc, nc, kc, alpha, pa, pb, betaK, c + (<usize>ic * ldcB) + (<usize>j0 << 3), ldcB, edge);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function align64(p: usize): usize {
  return (p + 63) & ~(<usize>63);
}

// @ts-ignore: decorator
@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}
