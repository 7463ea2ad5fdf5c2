// Learnable singular-value multipliers (review Q6 / W4c): one gain per singular direction of W,
//   W_eff = W·V·diag(m)·Vᵀ = U·diag(σ ⊙ m)·Vᵀ,   (U, σ, V) = svd(W) recomputed at every step, m ∈ ℝᵈ, m₀ = 1,
// so mᵢ rescales the i-th largest singular value of W exactly as the row/column multipliers rescale norms. The basis
// is held fixed inside a step (a stop-gradient on U, V — differentiating through the SVD is ill-posed at repeated
// singular values, which zero and small inits start from):
//   ∂L/∂W ≈ G·V·diag(m)·Vᵀ,   ∂L/∂mᵢ = σᵢ·uᵢᵀ·G·vᵢ   (exact),   G = ∂L/∂W_eff.
// At m = 1 the W-gradient is exactly SGD's. Parameters are laid out [W (d×d) | m (d)]; m trains at multLr.

import { gemm } from "../gemm/gemm";
import { SVD_RIGHT_BASIS, SVD_VECTORS, svd } from "../svd/svd";
import { H_D, P_SCRATCH, P_SVD_S, P_SVD_U, P_SVD_V, at, hi, hp } from "./layout";

/** out ← U·diag(σ ⊙ m)·Vᵀ from the SVD of W (left in the header's SVD buffers). Returns the SVD's status. */
export function svMultEffective(h: usize, p: usize, out: usize): i32 {
  const d = hi(h, H_D);
  const s = hp(h, P_SVD_S), u = hp(h, P_SVD_U), v = hp(h, P_SVD_V), us = hp(h, P_SCRATCH);
  const st = svd(d, d, p, s, u, v, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  const m = at(p, d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      store<f64>(at(us, i * d + k), load<f64>(at(u, i * d + k)) * (load<f64>(at(s, k)) * load<f64>(at(m, k))));
    }
  }
  gemm(0, 1, d, d, d, 1.0, us, d, v, d, 0.0, out, d);
  return st;
}

/**
 * Given G = ∂L/∂W_eff at `ge` and the SVD left by svMultEffective, writes the gradient of [W | m] into g.
 */
export function svMultBackward(h: usize, p: usize, ge: usize, g: usize): void {
  const d = hi(h, H_D);
  const s = hp(h, P_SVD_S), u = hp(h, P_SVD_U), v = hp(h, P_SVD_V), t = hp(h, P_SCRATCH);
  const m = at(p, d * d), gm = at(g, d * d);
  gemm(0, 0, d, d, d, 1.0, ge, d, v, d, 0.0, t, d); // T = G·V
  for (let k = 0; k < d; k++) {
    let acc = 0.0;
    for (let i = 0; i < d; i++) acc += load<f64>(at(u, i * d + k)) * load<f64>(at(t, i * d + k));
    store<f64>(at(gm, k), load<f64>(at(s, k)) * acc); // σ_k·u_kᵀ·G·v_k
  }
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) store<f64>(at(t, i * d + k), load<f64>(at(t, i * d + k)) * load<f64>(at(m, k)));
  }
  gemm(0, 1, d, d, d, 1.0, t, d, v, d, 0.0, g, d); // G·V·diag(m)·Vᵀ
}
