// The macro-kernel and the cache blocking shared by the one-thread GEMM (./gemm.ts) and the pool's units of work
// (./parallel.ts): both run every MR×NR tile of C through exactly this code, which is why a product is
// bit-identical whatever the thread count.
import { MR, NR, f64_gemm_ukernel_4x4__wasmsimd_splat as ukernel } from "./f64_gemm_ukernel_4x4__wasmsimd_splat";

// Cache blocking for a typical x86 core (32–48 KiB L1d, 256 KiB–2 MiB L2):
//   KC: one A micro-panel (MR·KC·8 B) plus one B micro-panel (KC·NR·8 B) stay in L1 across the ir loop;
//   MC: the packed A block (MC·KC·8 B) stays in L2 across the jr loop;
//   NC: the packed B block (KC·NC·8 B) is reused by every ic block from L3.
// Measured on a Xeon (48 KiB L1d, 2 MiB L2) at n = 512/1024: KC 192–512 and MC 64–192 are all within ±5% of
// each other (≈20–21 GFLOPS); KC = 128 loses ~25% at n = 1024. The values below are the conservative middle.
export const KC: i32 = 256;
export const MC: i32 = 96;
export const NC: i32 = 2048;

/** The jr/ir loops: every MR×NR tile of one mc×nc block of C against the packed panels; `edge` is MR·NR f64 scratch. */
export function macroKernel(mc: i32, nc: i32, kc: i32, alpha: f64, pa: usize, pb: usize, beta: f64, c: usize, ldc: usize, edge: usize): void {
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
        ukernel(kc, a, b, alpha, 0.0, edge, <usize>NR << 3);
        mergeEdge(mr, nr, beta, cij, ldc, edge);
      }
    }
  }
}

/** C[0:mr, 0:nr] ← β·C + tile, the same expression the kernel uses for full tiles. */
function mergeEdge(mr: i32, nr: i32, beta: f64, c: usize, ldc: usize, edge: usize): void {
  for (let i = 0; i < mr; i++) {
    const t = edge + (<usize>(i * NR) << 3);
    const ci = c + <usize>i * ldc;
    for (let j = 0; j < nr; j++) {
      const v = load<f64>(t + (<usize>j << 3));
      const cp = ci + (<usize>j << 3);
      store<f64>(cp, beta == 0.0 ? v : beta * load<f64>(cp) + v);
    }
  }
}
