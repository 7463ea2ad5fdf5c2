// Orthogonality regulariser (review W4b; "soft orthogonality" of Bansal et al. 2018): λ_o‖WᵀW − I‖²_F on the d×d W,
// gradient 4λ_o·W·(WᵀW − I). It pulls every singular value toward 1 — a shape prior of κ = 1, target-agnostic.

import { gemm } from "../gemm/gemm";
import { H_D, H_ORTH_LAMBDA, P_SCRATCH, at, hf, hi, hp } from "./layout";

/** g += 4λ_o·W·(WᵀW − I) for W at w. */
export function addOrthogonalGradient(h: usize, w: usize, g: usize): void {
  const d = hi(h, H_D), lambda = hf(h, H_ORTH_LAMBDA), a = hp(h, P_SCRATCH);
  gemm(1, 0, d, d, d, 1.0, w, d, w, d, 0.0, a, d);
  for (let i = 0; i < d; i++) store<f64>(at(a, i * d + i), load<f64>(at(a, i * d + i)) - 1.0);
  gemm(0, 0, d, d, d, 4.0 * lambda, w, d, a, d, 1.0, g, d);
}
