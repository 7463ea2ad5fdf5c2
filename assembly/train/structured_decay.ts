// Structured weight decay (review W4d: "decay schedules that preferentially target spectral properties"): decay on a
// band of singular directions of the d×d weight only,
//   R(W) = (λ/2)·Σ_{i∈S} σᵢ²,   ∂R/∂W = λ·Σ_{i∈S} σᵢ·uᵢvᵢᵀ   (∂σᵢ/∂W = uᵢvᵢᵀ for a simple σᵢ),
// with S the top k (H_SD_K > 0: shrinks the largest singular values, pulling κ down) or the bottom |k| (H_SD_K < 0:
// shrinks the smallest, pushing κ up and removing what is left of a random init there). k = d with λ is plain
// (coupled) weight decay λ·W. One Jacobi SVD per step, as the spectral regulariser.

import { gemm } from "../gemm/gemm";
import { SVD_RIGHT_BASIS, SVD_VECTORS, svd } from "../svd/svd";
import { H_D, H_SD_K, H_SD_LAMBDA, P_SCRATCH, P_SVD_S, P_SVD_U, P_SVD_V, at, hf, hi, hp } from "./layout";

/** g += λ·U_S·diag(σ_S)·V_Sᵀ at W (d×d at w). Returns the SVD's status (< 0: failure). */
export function addStructuredDecay(h: usize, w: usize, g: usize): i32 {
  const d = hi(h, H_D), lambda = hf(h, H_SD_LAMBDA), k = hi(h, H_SD_K);
  const s = hp(h, P_SVD_S), u = hp(h, P_SVD_U), v = hp(h, P_SVD_V), us = hp(h, P_SCRATCH);
  const st = svd(d, d, w, s, u, v, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  const n = min(k < 0 ? -k : k, d);
  const from = k > 0 ? 0 : d - n, to = k > 0 ? n : d;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const f = j >= from && j < to ? lambda * load<f64>(at(s, j)) : 0.0;
      store<f64>(at(us, i * d + j), load<f64>(at(u, i * d + j)) * f);
    }
  }
  gemm(0, 1, d, d, d, 1.0, us, d, v, d, 1.0, g, d);
  return st;
}
