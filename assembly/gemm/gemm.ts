// Dense f64 GEMM in the BLIS structure: five loops (jc, pc, ic, jr, ir) around one register-tiled micro-kernel,
// with op(A) and op(B) packed into contiguous micro-panels first (flame/blis docs/KernelsHowTo.md).
// Summation order is fixed by the block sizes alone, so a result is bit-for-bit reproducible on any engine.

import { MR, NR, f64_gemm_ukernel_4x4__wasmsimd_splat as ukernel } from "./f64_gemm_ukernel_4x4__wasmsimd_splat";
import { packA, packB } from "./pack";
import { gemmNaive, scaleC } from "./naive";
import { workspaceA, workspaceB } from "./workspace";

// Cache blocking for a typical x86 core (32–48 KiB L1d, 256 KiB–2 MiB L2):
//   KC: one A micro-panel (MR·KC·8 B) plus one B micro-panel (KC·NR·8 B) stay in L1 across the ir loop;
//   MC: the packed A block (MC·KC·8 B) stays in L2 across the jr loop;
//   NC: the packed B block (KC·NC·8 B) is reused by every ic block from L3.
// Measured on a Xeon (48 KiB L1d, 2 MiB L2) at n = 512/1024: KC 192–512 and MC 64–192 are all within ±5% of
// each other (≈20–21 GFLOPS); KC = 128 loses ~25% at n = 1024. The values below are the conservative middle.
export const KC: i32 = 256;
export const MC: i32 = 96;
export const NC: i32 = 2048;

/** Below this many multiply-adds, packing costs more than it saves (measured: the blocked path already wins at 4×4×4). */
const NAIVE_BELOW: f64 = 64;

/** Where edge tiles are computed before their valid part is merged into C. */
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
        macroKernel(mc, nc, kc, alpha, pa, pb, betaK, c + ((<usize>ic * ldcB) + (<usize>jc << 3)), ldcB);
      }
    }
  }
}

/** The jr/ir loops: every MR×NR tile of one mc×nc block of C against the packed panels. */
function macroKernel(mc: i32, nc: i32, kc: i32, alpha: f64, pa: usize, pb: usize, beta: f64, c: usize, ldc: usize): void {
  const panelA = <usize>kc * <usize>MR << 3, panelB = <usize>kc * <usize>NR << 3;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const b = pb + <usize>(jr / NR) * panelB;
    const cj = c + (<usize>jr << 3);
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const a = pa + <usize>(ir / MR) * panelA;
      const cij = cj + <usize>ir * ldc;
      if (mr == MR && nr == NR) {
        ukernel(kc, a, b, alpha, beta, cij, ldc);
      } else {
        ukernel(kc, a, b, alpha, 0.0, edgeTile, <usize>NR << 3);
        mergeEdge(mr, nr, beta, cij, ldc);
      }
    }
  }
}

/** C[0:mr, 0:nr] ← β·C + tile, the same expression the kernel uses for full tiles. */
function mergeEdge(mr: i32, nr: i32, beta: f64, c: usize, ldc: usize): void {
  for (let i = 0; i < mr; i++) {
    const t = edgeTile + (<usize>(i * NR) << 3);
    const ci = c + <usize>i * ldc;
    for (let j = 0; j < nr; j++) {
      const v = load<f64>(t + (<usize>j << 3));
      const cp = ci + (<usize>j << 3);
      store<f64>(cp, beta == 0.0 ? v : beta * load<f64>(cp) + v);
    }
  }
}

// @ts-ignore: decorator
@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}
