// The register-tiled micro-kernel: one MR×NR tile of C from a packed A micro-panel and a packed B micro-panel.
// Each k step broadcasts one A entry per row (load64_splat) and multiplies it into NR/2 f64x2 lanes of a B row.
// The default build uses plain mul + add, so its rounding never depends on the engine. The opt-in FMA build
// (asconfig target fma, --enable relaxed-simd) compiles `madd` to f64x2.relaxed_madd, which an engine may fuse or
// not: identical on one machine and engine, not promised across them. (A 6×4 tile with 12 accumulators, to hide
// FMA latency, measured 2.2× slower than this one under V8: it spills.)
// 8 accumulators + 2 B vectors + 1 splat stays inside the 16 XMM registers V8 allocates on x86-64.

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

export const MR: i32 = 4;
export const NR: i32 = 4;

/**
 * C[0:4, 0:4] ← α·(Ã·B̃) + β·C, where Ã is kc×MR (MR values per k step) and B̃ is kc×NR (NR values per k step).
 * β = 0 writes C without reading it. `ldc` is the row stride of C in bytes.
 */
export function f64_gemm_ukernel_4x4__wasmsimd_splat(
  kc: i32, a: usize, b: usize, alpha: f64, beta: f64, c: usize, ldc: usize,
): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let ai = v128.load64_splat(a);
    c00 = madd(ai, b0, c00);
    c01 = madd(ai, b1, c01);
    ai = v128.load64_splat(a, 8);
    c10 = madd(ai, b0, c10);
    c11 = madd(ai, b1, c11);
    ai = v128.load64_splat(a, 16);
    c20 = madd(ai, b0, c20);
    c21 = madd(ai, b1, c21);
    ai = v128.load64_splat(a, 24);
    c30 = madd(ai, b0, c30);
    c31 = madd(ai, b1, c31);
    a += 32;
    b += 32;
  }
  const va = f64x2.splat(alpha);
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  if (beta == 0.0) {
    v128.store(c, f64x2.mul(va, c00)); v128.store(c, f64x2.mul(va, c01), 16);
    v128.store(c1, f64x2.mul(va, c10)); v128.store(c1, f64x2.mul(va, c11), 16);
    v128.store(c2, f64x2.mul(va, c20)); v128.store(c2, f64x2.mul(va, c21), 16);
    v128.store(c3, f64x2.mul(va, c30)); v128.store(c3, f64x2.mul(va, c31), 16);
  } else {
    const vb = f64x2.splat(beta);
    v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c)), f64x2.mul(va, c00)));
    v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c, 16)), f64x2.mul(va, c01)), 16);
    v128.store(c1, f64x2.add(f64x2.mul(vb, v128.load(c1)), f64x2.mul(va, c10)));
    v128.store(c1, f64x2.add(f64x2.mul(vb, v128.load(c1, 16)), f64x2.mul(va, c11)), 16);
    v128.store(c2, f64x2.add(f64x2.mul(vb, v128.load(c2)), f64x2.mul(va, c20)));
    v128.store(c2, f64x2.add(f64x2.mul(vb, v128.load(c2, 16)), f64x2.mul(va, c21)), 16);
    v128.store(c3, f64x2.add(f64x2.mul(vb, v128.load(c3)), f64x2.mul(va, c30)));
    v128.store(c3, f64x2.add(f64x2.mul(vb, v128.load(c3, 16)), f64x2.mul(va, c31)), 16);
  }
}
