// Threads inside one engine (src/engine/threads.ts, assembly/gemm/parallel.ts): GEMM, an SVD and a whole small
// experiment are bit-identical with 1, 2 and 4 threads and equal to the plain build; bad thread counts are refused.
import { wasmOf } from '../src/engine/internal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, loadEngine, closeThreads, MAX_THREADS } from '../src/engine/index.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import { runExperiment, threadsPerUnit } from '../src/runner/run.js';
import { loadThreadedEngine } from '../src/engine/threads.js';
import { withoutTiming } from '../src/runner/assemble.js';

const COUNTS = [1, 2, 4];
let plain: Engine;
const pools = new Map<number, Engine>();
beforeAll(async () => {
  plain = await Engine.load();
  // 1 thread on the shared-memory build too (loadEngine({ threads: 1 }) is simply the plain build, the reference)
  for (const t of COUNTS) pools.set(t, await loadThreadedEngine(t, 'plain'));
});
afterAll(async () => {
  for (const e of pools.values()) await closeThreads(e);
});

function product(e: Engine, m: number, k: number, n: number, transA: boolean, transB: boolean, beta: number): Float64Array {
  return e.scope(() => {
    const A = transA ? e.rng(1).normalMatrix(k, m) : e.rng(1).normalMatrix(m, k);
    const B = transB ? e.rng(2).normalMatrix(n, k) : e.rng(2).normalMatrix(k, n);
    const C = e.rng(3).normalMatrix(m, n);
    e.gemm(C, A, B, { transA, transB, alpha: 0.75, beta });
    return Float64Array.from(C.toArray());
  });
}

describe('threads inside one engine', () => {
  it('loads the shared-memory build with the pool it was asked for', () => {
    for (const t of COUNTS) {
      expect(pools.get(t)!.threads).toBe(t);
      expect(Object.prototype.toString.call(pools.get(t)!.memory.buffer)).toBe('[object SharedArrayBuffer]');
    }
  });

  it('GEMM is bit-identical for 1, 2 and 4 threads and equal to the plain build (shapes, transposes, β, edges)', () => {
    const cases: [number, number, number, boolean, boolean, number][] = [
      [200, 300, 257, false, false, 0], [131, 301, 96, true, false, 1], [97, 150, 401, false, true, -0.5], [100, 64, 1030, true, true, 0],
    ];
    for (const [m, k, n, ta, tb, beta] of cases) {
      const want = product(plain, m, k, n, ta, tb, beta);
      for (const t of COUNTS) {
        // the first differing index, not a diff of whole arrays (vitest's diff of 10⁵ numbers takes minutes)
        const got = product(pools.get(t)!, m, k, n, ta, tb, beta);
        const i = got.findIndex((x, j) => !Object.is(x, want[j]));
        expect(i, `${m}×${k}×${n} ${ta}${tb} β=${beta}, ${t} threads: C[${i}] = ${got[i]} vs ${want[i]}`).toBe(-1);
      }
    }
    // the pool really took these: one fanned-out task per case for every engine with more than one thread
    expect(wasmOf(pools.get(1)!).threadPoolTasks()).toBe(0);
    for (const t of [2, 4]) expect(wasmOf(pools.get(t)!).threadPoolTasks()).toBe(cases.length);
  });

  it('an SVD (whose products run inside the module) is bit-identical for 1, 2 and 4 threads', () => {
    const run = (e: Engine) =>
      e.scope(() => {
        const r = e.svd(e.rng(9).normalMatrix(160, 120));
        return [Array.from(r.s.toArray()), Array.from(r.U!.toArray()), r.sweeps];
      });
    const want = run(plain);
    const before = wasmOf(pools.get(2)!).threadPoolTasks();
    for (const t of COUNTS) expect(run(pools.get(t)!)).toEqual(want);
    expect(wasmOf(pools.get(2)!).threadPoolTasks()).toBeGreaterThan(before); // its products did fan out
  });

  it('a whole small experiment gives the same results JSON with 1, 2 and 4 threads', async () => {
    const exp = getExperiment('exp1');
    const cfg = resolveConfig(exp, 'quick', { dims: [128], trials: 1, epochs: 6 });
    const want = withoutTiming((await runExperiment(exp, cfg, { workers: 0, engine: plain })).results);
    const before = wasmOf(pools.get(4)!).threadPoolTasks();
    for (const t of COUNTS) {
      const got = withoutTiming((await runExperiment(exp, cfg, { workers: 0, engine: pools.get(t)! })).results);
      expect(got).toEqual(want);
    }
    expect(wasmOf(pools.get(4)!).threadPoolTasks()).toBeGreaterThan(before + 10); // the trainer's steps fanned out
  });

  it('loadEngine({ threads }) gives the plain build for 1 and the pool for more', async () => {
    const one = await loadEngine({ threads: 1 });
    expect([one.threads, Object.prototype.toString.call(one.memory.buffer)]).toEqual([1, '[object ArrayBuffer]']);
    const two = await loadEngine({ threads: 2 });
    expect(two.threads).toBe(2);
    await closeThreads(two);
    expect(two.threads).toBe(1);
  });

  it('the runner picks threads inside units only for a few large ones; worker engines with pools agree too', async () => {
    expect(threadsPerUnit(256, 40, 2)).toBe(1); // many small units: one engine per worker
    expect(threadsPerUnit(2048, 3, 2)).toBe(2); // a few large ones: threads inside each
    expect(threadsPerUnit(2048, 40, 2)).toBe(1); // many large ones: workers already fill the cores
    expect(threadsPerUnit(2048, 3, 1)).toBe(1);
    const exp = getExperiment('exp1');
    const cfg = resolveConfig(exp, 'quick', { dims: [128], trials: 2, epochs: 4 });
    const a = await runExperiment(exp, cfg, { workers: 0, engine: plain });
    const b = await runExperiment(exp, cfg, { workers: 2, threads: 2 });
    expect(b.results.timing.threads).toBe(2);
    expect(withoutTiming(b.results)).toEqual(withoutTiming(a.results));
    await expect(runExperiment(exp, cfg, { workers: 0, threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 64, got 0/);
  });

  it('handles stay tied to their engine with pools too: a threaded engine refuses another engine\'s matrix', () => {
    const two = pools.get(2)!, four = pools.get(4)!;
    const a = two.matrix(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 10]), b = four.matrix(3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    try {
      // same shared-memory build, different memories: the pointer would read the wrong engine's bytes
      expect(() => two.frobenius(b)).toThrow(/belongs to engine \d+|foreign|another engine/);
      expect(() => four.svd(a)).toThrow(/belongs to engine \d+|foreign|another engine/);
      expect(() => two.gemm(two.matrix(3, 3), a, b)).toThrow(/belongs to engine \d+|foreign|another engine/);
      expect(two.frobenius(a)).toBeCloseTo(Math.sqrt(1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 100), 12);
    } finally {
      a.free();
      b.free();
    }
  });

  it('refuses a bad thread count, naming it', async () => {
    await expect(loadEngine({ threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 64, got 0/);
    await expect(loadEngine({ threads: 2.5 })).rejects.toThrow(/got 2.5/);
    await expect(loadEngine({ threads: MAX_THREADS + 1 })).rejects.toThrow(/got 65/);
  });
});
