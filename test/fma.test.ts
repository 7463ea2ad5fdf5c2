// The opt-in FMA build (src/engine/variants.ts, asconfig target fma): what it promises and what it does not.
// It must compute the same products as the plain build up to rounding, be deterministic on this machine, fall back
// to the plain build with a message where relaxed SIMD is missing, and be recorded in the results JSON.
import { describe, expect, it } from 'vitest';
import { Engine, loadEngine, relaxedSimdAvailable, fmaWasmUrl, defaultWasmUrl } from '../src/engine/index.js';
import { resolveVariant } from '../src/engine/variants.js';
import { getExperiment, resolveConfig } from '../src/experiments/index.js';
import { runExperiment } from '../src/runner/run.js';
import { withoutTiming } from '../src/runner/assemble.js';

const relaxed = await relaxedSimdAvailable();

describe.skipIf(!relaxed)('FMA engine build', () => {
  it('loadEngine({ fma: true }) loads it and says so; the default stays plain', async () => {
    const fma = await loadEngine({ fma: true });
    expect(fma.variant).toBe('fma');
    expect((await loadEngine()).variant).toBe(process.env.CONDLAB_ENGINE === 'fma' ? 'fma' : 'plain');
    expect((await loadEngine({ fma: false, source: defaultWasmUrl() })).variant).toBe('plain');
  });

  it('GEMM agrees with the plain build to rounding, runs identically twice, and differs in the last bits (so it is fused)', async () => {
    const plain = await Engine.load(defaultWasmUrl());
    const fma = await loadEngine({ fma: true });
    const n = 67; // edge tiles included
    const run = (e: Engine) =>
      e.scope(() => {
        const a = e.rng(3).normalMatrix(n, n), b = e.rng(4).normalMatrix(n, n);
        return e.gemm(e.matrix(n, n), a, b).toArray();
      });
    const p = run(plain), f1 = run(fma), f2 = run(fma);
    expect(f2).toEqual(f1);
    let maxRel = 0, differ = 0;
    for (let i = 0; i < p.length; i++) {
      maxRel = Math.max(maxRel, Math.abs(f1[i] - p[i]) / (Math.abs(p[i]) + 1));
      if (f1[i] !== p[i]) differ++;
    }
    expect(maxRel).toBeLessThan(n * 2 ** -52 * 8);
    expect(differ).toBeGreaterThan(0); // a plain build loaded by mistake would give 0
  });

  it('the results JSON records the variant, and fma results are the same with 0 and 2 workers', async () => {
    const exp = getExperiment('exp1');
    const cfg = resolveConfig(exp, 'quick', { dims: [8], trials: 2, epochs: 20 });
    const a = await runExperiment(exp, cfg, { workers: 0, fma: true });
    const b = await runExperiment(exp, cfg, { workers: 2, fma: true });
    const c = await runExperiment(exp, cfg, { workers: 0 });
    expect(a.results.engineVariant).toBe('fma');
    expect(c.results.engineVariant).toBe(process.env.CONDLAB_ENGINE === 'fma' ? 'fma' : 'plain');
    expect(withoutTiming(b.results)).toEqual(withoutTiming(a.results));
  });
});

describe('FMA fall-back', () => {
  it('resolveVariant reports a clear message and the plain build when relaxed SIMD is missing', async () => {
    const msgs: string[] = [];
    const r = await resolveVariant({ fma: true, onFallback: (m) => msgs.push(m) });
    if (relaxed) {
      expect(r.variant).toBe('fma');
      expect(String(r.source)).toBe(String(fmaWasmUrl()));
      expect(msgs).toEqual([]);
    } else {
      expect(r.variant).toBe('plain');
      expect(msgs[0]).toMatch(/needs WebAssembly relaxed SIMD.*running the plain build instead/);
    }
    await expect(resolveVariant({ fma: 'yes' as unknown as boolean })).rejects.toThrow(/fma must be true or false, got yes/);
  });
});
