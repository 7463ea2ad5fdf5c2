// The register-tiled micro-kernel: one MR×NR tile of C from a packed A micro-panel and a packed B micro-panel.
// Each k step broadcasts one A entry per row (load64_splat) and multiplies it into NR/2 f64x2 lanes of a B row.
// Plain mul + add, never relaxed-simd FMA: the rounding must not depend on the engine.
// 8 accumulators + 2 B vectors + 1 splat stays inside the 16 XMM registers V8 allocates on x86-64.

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
    c00 = f64x2.add(c00, f64x2.mul(ai, b0));
    c01 = f64x2.add(c01, f64x2.mul(ai, b1));
    ai = v128.load64_splat(a, 8);
    c10 = f64x2.add(c10, f64x2.mul(ai, b0));
    c11 = f64x2.add(c11, f64x2.mul(ai, b1));
    ai = v128.load64_splat(a, 16);
    c20 = f64x2.add(c20, f64x2.mul(ai, b0));
    c21 = f64x2.add(c21, f64x2.mul(ai, b1));
    ai = v128.load64_splat(a, 24);
    c30 = f64x2.add(c30, f64x2.mul(ai, b0));
    c31 = f64x2.add(c31, f64x2.mul(ai, b1));
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
