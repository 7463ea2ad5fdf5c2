// Peak-throughput probes for the benchmarks: f64x2 multiply + add with no memory traffic, so the number is what this
// machine's WASM engine gives a kernel that never waits on loads. Twelve independent chains cover the latency of a
// mul→add (or fused) pair on x86-64 at two issues per cycle, and with the two constants fit in 16 XMM registers.
// Built twice (asconfig.json targets probe and probe-relaxed): plain mul + add, and relaxed-simd f64x2.relaxed_madd.
// Flops counted: 12 chains × 2 lanes × 2 (a multiply and an add) per iteration.

export const PEAK_FLOPS_PER_ITER: i32 = 48;

// @ts-ignore: decorator
@inline function step(acc: v128, m: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(acc, m, c);
  return f64x2.add(f64x2.mul(acc, m), c);
}

/** Runs `iters` iterations; returns a sum of the chains so the work cannot be optimised away. */
export function peak(iters: i32, seed: f64): f64 {
  const m = f64x2.splat(0.9999999), c = f64x2.splat(1e-7);
  let a0 = f64x2.splat(seed), a1 = f64x2.splat(seed + 1), a2 = f64x2.splat(seed + 2), a3 = f64x2.splat(seed + 3);
  let a4 = f64x2.splat(seed + 4), a5 = f64x2.splat(seed + 5), a6 = f64x2.splat(seed + 6), a7 = f64x2.splat(seed + 7);
  let a8 = f64x2.splat(seed + 8), a9 = f64x2.splat(seed + 9), a10 = f64x2.splat(seed + 10), a11 = f64x2.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    a0 = step(a0, m, c); a1 = step(a1, m, c); a2 = step(a2, m, c); a3 = step(a3, m, c);
    a4 = step(a4, m, c); a5 = step(a5, m, c); a6 = step(a6, m, c); a7 = step(a7, m, c);
    a8 = step(a8, m, c); a9 = step(a9, m, c); a10 = step(a10, m, c); a11 = step(a11, m, c);
  }
  const s = f64x2.add(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)), f64x2.add(f64x2.add(a4, a5), f64x2.add(a6, a7)));
  const t = f64x2.add(s, f64x2.add(f64x2.add(a8, a9), f64x2.add(a10, a11)));
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** 1 if this build fuses (relaxed_madd), 0 for plain mul + add. */
export function fused(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
