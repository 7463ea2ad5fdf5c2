// The engine's handles, memory accounting and input checks (src/engine/).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CondlabError, Engine } from '../src/engine/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

describe('memory', () => {
  it('10,000 matrices of mixed sizes allocated and freed return memory in use to its start', () => {
    const start = engine.memoryStats();
    const sizes = fc.sample(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 })), { numRuns: 10_000, seed: 11 });
    const live: ReturnType<Engine['matrix']>[] = [];
    sizes.forEach(([r, c], i) => {
      live.push(engine.matrix(r, c));
      // free in a scrambled order, keeping up to ~50 alive, so the allocator sees fragmentation
      if (live.length > 50 || i % 7 === 0) live.splice((i * 31) % live.length, 1)[0].free();
    });
    for (const m of live) m.free();
    const end = engine.memoryStats();
    expect(end.liveBytes).toBe(start.liveBytes);
    expect(end.liveBlocks).toBe(start.liveBlocks);
  });

  it('scope frees everything it allocated except what it returns, also when it throws', () => {
    const start = engine.memoryStats().liveBlocks;
    const kept = engine.scope(() => {
      engine.matrix(10, 10);
      engine.rng(1).normalMatrix(5, 5);
      return { a: engine.vector(3), b: [engine.matrix(2, 2)] };
    });
    expect(engine.memoryStats().liveBlocks).toBe(start + 2);
    kept.a.free();
    kept.b[0].free();
    expect(() =>
      engine.scope(() => {
        engine.matrix(100, 100);
        throw new Error('trial failed');
      }),
    ).toThrow('trial failed');
    expect(engine.memoryStats().liveBlocks).toBe(start);
  });

  it('views stay valid when memory grows (re-derived, never cached across growth)', () => {
    engine.scope(() => {
      const a = engine.matrix(2, 2, [1, 2, 3, 4]);
      const before = engine.memory.buffer.byteLength;
      const big = engine.matrix(4096, 1024); // 32 MiB: forces memory.grow
      expect(engine.memory.buffer.byteLength).toBeGreaterThan(before);
      expect(Array.from(a.data())).toEqual([1, 2, 3, 4]);
      a.put(1, 1, 9);
      expect(a.get(1, 1)).toBe(9);
      big.free();
    });
  });

  it('a matrix too large for WASM memory is a clear error, and the engine still works after it', async () => {
    // a separate instance: this test fills wasm32's 4 GiB, which would leave the shared engine's heap huge
    const own = await Engine.load();
    expect(() => own.matrix(20000, 20000)).toThrow(/20000×20000 matrix needs 2\.98 GiB; one block of WASM memory may hold at most/);
    const many: ReturnType<Engine['matrix']>[] = [];
    let err: unknown;
    try {
      for (let i = 0; i < 8; i++) many.push(own.matrix(16000, 8000)); // 977 MiB each: the 5th cannot fit in 4 GiB
    } catch (e) {
      err = e;
    } finally {
      for (const m of many) m.free();
    }
    expect(err).toBeInstanceOf(CondlabError);
    expect((err as CondlabError).code).toBe('out-of-memory');
    expect(String(err)).toMatch(/16000×8000 matrix needs 976\.6 MiB but WASM memory cannot grow further/);
    expect(own.scope(() => own.matrix(2, 2, [1, 2, 3, 4]).toArray()[3])).toBe(4);
  }, 60_000);
});

describe('bad input', () => {
  it('zero, negative, fractional and non-number dimensions name the value and the allowed range', () => {
    expect(() => engine.matrix(0, 3)).toThrow(/rows must be an integer from 1 to 16777216, got 0/);
    expect(() => engine.matrix(3, -2)).toThrow(/cols must be an integer from 1 to 16777216, got -2/);
    expect(() => engine.matrix(2.5, 2)).toThrow(/got 2.5/);
    expect(() => engine.vector(Number.NaN)).toThrow(/length must be an integer.*got NaN/);
  });

  it('non-finite data is refused with its position', () => {
    expect(() => engine.matrix(2, 2, [1, 2, Infinity, 4])).toThrow(/Infinity.*\(1, 0\)|\(1, 0\).*Infinity/);
    expect(() => engine.matrix(2, 2, [1, 2, 3])).toThrow(/4|length/);
  });

  it('mismatched shapes in gemm name both shapes', () => {
    engine.scope(() => {
      const A = engine.matrix(2, 3), B = engine.matrix(4, 2), C = engine.matrix(2, 2);
      expect(() => engine.gemm(C, A, B)).toThrow(/op\(A\) is 2×3, op\(B\) is 4×2/);
      expect(() => engine.gemm(C, A, engine.matrix(3, 2), { alpha: Number.NaN })).toThrow(/alpha must be a finite number, got NaN/);
    });
  });

  it('a freed handle is refused, and a double free is reported', () => {
    const A = engine.matrix(2, 2);
    A.free();
    expect(() => A.data()).toThrow(/freed/);
    expect(() => engine.rowNorms(A)).toThrow(/freed/);
    expect(() => A.free()).toThrow(/freed/);
  });
});

describe('small ops agree with plain TS', () => {
  it('rowNorms, colNorms, frobenius, axpy, scale, dot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: -300, max: 300 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 400, maxLength: 400 }),
        (m, n, e, raw) => {
          const s = 2 ** e;
          const data = raw.slice(0, m * n).map((x) => x * s);
          engine.scope(() => {
            const A = engine.matrix(m, n, data);
            const rn = engine.rowNorms(A).toArray();
            const cn = engine.colNorms(A).toArray();
            const norm = (xs: number[]) => {
              const mx = Math.max(0, ...xs.map(Math.abs));
              return mx === 0 ? 0 : mx * Math.sqrt(xs.reduce((a, x) => a + (x / mx) ** 2, 0));
            };
            const tol = 4 * n * 2 ** -52;
            for (let i = 0; i < m; i++) {
              const ref = norm(data.slice(i * n, i * n + n));
              expect(Math.abs(rn[i] - ref)).toBeLessThanOrEqual(tol * ref);
            }
            for (let j = 0; j < n; j++) {
              const ref = norm(Array.from({ length: m }, (_, i) => data[i * n + j]));
              expect(Math.abs(cn[j] - ref)).toBeLessThanOrEqual(4 * m * 2 ** -52 * ref);
            }
            const f = norm(data);
            expect(Math.abs(engine.frobenius(A) - f)).toBeLessThanOrEqual(4 * m * n * 2 ** -52 * f);
            const x = engine.vector(m * n, raw.slice(0, m * n)), y = engine.vector(m * n, raw.slice(m * n, 2 * m * n).concat(Array(Math.max(0, 2 * m * n - 400)).fill(0)).slice(0, m * n));
            const xa = x.toArray(), ya = y.toArray();
            let d = 0, dAbs = 0;
            for (let i = 0; i < m * n; i++) { d += xa[i] * ya[i]; dAbs += Math.abs(xa[i] * ya[i]); }
            expect(Math.abs(engine.dot(x, y) - d)).toBeLessThanOrEqual(2 * m * n * 2 ** -52 * dAbs);
            engine.axpy(0.5, x, y);
            y.toArray().forEach((v, i) => expect(v).toBe(ya[i] + 0.5 * xa[i]));
            engine.scale(-2, x);
            x.toArray().forEach((v, i) => expect(v).toBe(-2 * xa[i]));
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('loader', () => {
  it('loadEngine works from the default path, from bytes and from a compiled module; ENGINE_VERSION matches package.json', async () => {
    const { loadEngine, ENGINE_VERSION, defaultWasmUrl } = await import('../src/engine/index.js');
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(defaultWasmUrl());
    for (const e of [await loadEngine(), await loadEngine(bytes), await loadEngine(await WebAssembly.compile(bytes))]) {
      expect(e.scope(() => e.singularValues(e.matrix(2, 2, [3, 0, 0, -4])).toArray())).toEqual(Float64Array.from([4, 3]));
    }
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(ENGINE_VERSION).toBe(pkg.version);
  });
});
