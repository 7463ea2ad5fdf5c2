// Dense f64 GEMM in the BLIS structure: five loops (jc, pc, ic, jr, ir) around one register-tiled micro-kernel,
// with op(A) and op(B) packed into contiguous micro-panels first (flame/blis docs/KernelsHowTo.md).
// Summation order is fixed by the block sizes alone, so a result is bit-for-bit reproducible on any engine.

import { MR, NR } from "./f64_gemm_ukernel_4x4__wasmsimd_splat";
import { packA, packB } from "./pack";
import { KC, MC, NC, macroKernel } from "./macro";
import { gemmNaive, scaleC } from "./naive";
import { workspaceA, workspaceB } from "./workspace";
import { poolThreads, gemmParallel, PAR_MIN_MADDS } from "./parallel";

export { KC, MC, NC } from "./macro";

/** Below this many multiply-adds, packing costs more than it saves (measured: the blocked path already wins at 4×4×4). */
const NAIVE_BELOW: f64 = 64;

/** Where the owning thread computes edge tiles before their valid part is merged into C (workers have their own). */
const edgeTile = memory.data(MR * NR * 8, 16);

/**
 * C ← α·op(A)·op(B) + β·C, row-major; op(A) is m×k, op(B) is k×n, lda/ldb/ldc are row strides in elements,
 * a/b/c byte addresses. β = 0 overwrites C without reading it.
 */
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f64, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  if (alpha == 0.0 || k <= 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  // element strides of op(A)[i][p] and op(B)[p][j]
  const rsA: usize = transA ? 1 : <usize>lda, csA: usize = transA ? <usize>lda : 1;
  const rsB: usize = transB ? 1 : <usize>ldb, csB: usize = transB ? <usize>ldb : 1;
  if (<f64>m * <f64>n * <f64>k < NAIVE_BELOW) {
    gemmNaive(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc);
    return;
  }
  if (ASC_FEATURE_THREADS) {
    // the owner hands blocks of C's columns to the pool; every tile's arithmetic is the same as below, so the
    // product is bit-identical for any thread count (assembly/gemm/parallel.ts)
    if (poolThreads > 1 && <f64>m * <f64>n * <f64>k >= PAR_MIN_MADDS && n >= 2 * NR) {
      gemmParallel(transA, transB, m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc);
      return;
    }
  }
  const kcMax = min(KC, k);
  const ncMax = min(NC, roundUp(n, NR));
  const mcMax = min(MC, roundUp(m, MR));
  const pa = workspaceA(<usize>mcMax * <usize>kcMax << 3);
  const pb = workspaceB(<usize>ncMax * <usize>kcMax << 3);
  const ldcB = <usize>ldc << 3;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(kc, nc, b + ((<usize>pc * rsB + <usize>jc * csB) << 3), rsB, csB, pb);
      // later k blocks accumulate onto what the first one wrote
      const betaK = pc == 0 ? beta : 1.0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, a + ((<usize>ic * rsA + <usize>pc * csA) << 3), rsA, csA, pa);
        macroKernel(mc, nc, kc, alpha, pa, pb, betaK, c + ((<usize>ic * ldcB) + (<usize>jc << 3)), ldcB, edgeTile);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}
