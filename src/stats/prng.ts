// A tiny seeded 32-bit generator (mulberry32) for bootstrap resampling and for the curvature tools' start vectors
// and probes: reproducible from a seed, plain integer arithmetic, so identical in every JS engine.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller (JS Math.log/cos: last bits may differ between engines — probes only, never results). */
export function gaussianFill(rand: () => number, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
