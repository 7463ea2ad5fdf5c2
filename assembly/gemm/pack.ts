// Packing copies a block of op(A) or op(B) into the order the micro-kernel reads it, so every k step of the kernel
// touches one contiguous, aligned run. Edge panels are zero-padded to a full MR/NR: the kernel never needs a
// partial-tile variant, and the padding contributes exact zeros that the driver discards.
// A transposed operand is handled here, by strides, so the kernel and the loops never see op().
// The unrolled fast paths are written for a 4-wide tile; the `MR == 4` / `NR == 4` guards fold away at compile
// time and send any other tile to the generic loop, so changing the kernel's tile cannot silently mis-pack.

import { MR, NR } from "./f64_gemm_ukernel_4x4__wasmsimd_splat";

/**
 * Packs op(A)[0:mc, 0:kc] into ⌈mc/MR⌉ micro-panels, each kc steps of MR values.
 * op(A)[i][p] lives at a + 8·(i·rs + p·cs): (rs, cs) = (lda, 1) for A, (1, lda) for Aᵀ.
 */
export function packA(mc: i32, kc: i32, a: usize, rs: usize, cs: usize, out: usize): void {
  const rsB = rs << 3, csB = cs << 3;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const src = a + <usize>i0 * rsB;
    if (MR == 4 && rows == MR && cs == 1) {
      // rows of A are contiguous in p: walk MR rows side by side
      const r1 = src + rsB, r2 = r1 + rsB, r3 = r2 + rsB;
      for (let p = 0; p < kc; p++) {
        const off = <usize>p << 3;
        store<f64>(out, load<f64>(src + off));
        store<f64>(out, load<f64>(r1 + off), 8);
        store<f64>(out, load<f64>(r2 + off), 16);
        store<f64>(out, load<f64>(r3 + off), 24);
        out += <usize>MR << 3;
      }
    } else if (MR == 4 && rows == MR && rs == 1) {
      // Aᵀ: the MR values of one k step are adjacent
      let s = src;
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(s));
        v128.store(out, v128.load(s, 16), 16);
        s += csB;
        out += <usize>MR << 3;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = src + <usize>p * csB;
        let i = 0;
        for (; i < rows; i++) store<f64>(out + (<usize>i << 3), load<f64>(s + <usize>i * rsB));
        for (; i < MR; i++) store<f64>(out + (<usize>i << 3), 0.0);
        out += <usize>MR << 3;
      }
    }
  }
}

/**
 * Packs op(B)[0:kc, 0:nc] into ⌈nc/NR⌉ micro-panels, each kc steps of NR values.
 * op(B)[p][j] lives at b + 8·(p·rs + j·cs): (rs, cs) = (ldb, 1) for B, (1, ldb) for Bᵀ.
 */
export function packB(kc: i32, nc: i32, b: usize, rs: usize, cs: usize, out: usize): void {
  const rsB = rs << 3, csB = cs << 3;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const src = b + <usize>j0 * csB;
    if (NR == 4 && cols == NR && cs == 1) {
      let s = src;
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(s));
        v128.store(out, v128.load(s, 16), 16);
        s += rsB;
        out += <usize>NR << 3;
      }
    } else if (NR == 4 && cols == NR && rs == 1) {
      // Bᵀ: each of the NR columns of op(B) is a contiguous row of B
      const r1 = src + csB, r2 = r1 + csB, r3 = r2 + csB;
      for (let p = 0; p < kc; p++) {
        const off = <usize>p << 3;
        store<f64>(out, load<f64>(src + off));
        store<f64>(out, load<f64>(r1 + off), 8);
        store<f64>(out, load<f64>(r2 + off), 16);
        store<f64>(out, load<f64>(r3 + off), 24);
        out += <usize>NR << 3;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = src + <usize>p * rsB;
        let j = 0;
        for (; j < cols; j++) store<f64>(out + (<usize>j << 3), load<f64>(s + <usize>j * csB));
        for (; j < NR; j++) store<f64>(out + (<usize>j << 3), 0.0);
        out += <usize>NR << 3;
      }
    }
  }
}
