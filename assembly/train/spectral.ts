// Spectral correctives on the d×d weight W (PROTOCOL.md "Optimizers and correctives"), both through the Jacobi SVD.
//   Regulariser λ(log κ(W) − log κ*)²: with W = Σ σ_i u_i v_iᵀ, ∂σ_i/∂W = u_i v_iᵀ, so its gradient is
//     2λΔ·(u₁v₁ᵀ/σ₁ − u_n v_nᵀ/σ_n),  Δ = log(σ₁/σ_n) − log κ*,
//   whose Frobenius norm is 2λ|Δ|·√(1/σ₁² + 1/σ_n²) (the two rank-one terms are orthonormal); clipped to `clip`.
//   SVD correction: W ← U·diag(σ + rate·(σ* − σ))·Vᵀ with both spectra sorted descending.

import { gemm } from "../gemm/gemm";
import { SVD_RIGHT_BASIS, SVD_VECTORS, svd } from "../svd/svd";
import { H_PSS_STRENGTH, P_SCRATCH } from "./layout";
import { H_CORR_RATE, H_D, H_LOGK_TARGET, H_SPEC_CLIP, H_SPEC_LAMBDA, O_SPEC_NORM, P_SIGMA_STAR, P_SVD_S, P_SVD_U, P_SVD_V, P_WEFF, at, hf, hi, hp, hset } from "./layout";

/** g += the clipped regulariser gradient at W (d×d at w). Returns the SVD's status (< 0: failure). */
export function addSpectralGradient(h: usize, w: usize, g: usize): i32 {
  const d = hi(h, H_D);
  const s = hp(h, P_SVD_S), u = hp(h, P_SVD_U), v = hp(h, P_SVD_V);
  const st = svd(d, d, w, s, u, v, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  const s1 = load<f64>(s), sn = load<f64>(at(s, d - 1));
  if (!(sn > 0.0)) {
    hset(h, O_SPEC_NORM, Infinity);
    return st; // singular W: log κ is infinite, the regulariser has no gradient; skip this step's term
  }
  const lambda = hf(h, H_SPEC_LAMBDA), clip = hf(h, H_SPEC_CLIP);
  const delta = Math.log(s1 / sn) - hf(h, H_LOGK_TARGET);
  const norm = 2.0 * lambda * Math.abs(delta) * Math.sqrt(1.0 / (s1 * s1) + 1.0 / (sn * sn));
  hset(h, O_SPEC_NORM, norm);
  let scale = 2.0 * lambda * delta;
  if (clip > 0.0 && norm > clip) scale *= clip / norm;
  const a = scale / s1, b = -scale / sn;
  const last = d - 1;
  for (let i = 0; i < d; i++) {
    const u1 = a * load<f64>(at(u, i * d)), un = b * load<f64>(at(u, i * d + last));
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const t = u1 * load<f64>(at(v, j * d)) + un * load<f64>(at(v, j * d + last));
      store<f64>(at(g, row + j), load<f64>(at(g, row + j)) + t);
    }
  }
  return st;
}

/** W ← U·diag(σ + rate(σ* − σ))·Vᵀ in place. Returns the SVD's status. */
export function svdCorrect(h: usize, w: usize): i32 {
  const d = hi(h, H_D);
  const s = hp(h, P_SVD_S), u = hp(h, P_SVD_U), v = hp(h, P_SVD_V), star = hp(h, P_SIGMA_STAR);
  const st = svd(d, d, w, s, u, v, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  const rate = hf(h, H_CORR_RATE);
  for (let k = 0; k < d; k++) {
    const sk = load<f64>(at(s, k));
    store<f64>(at(s, k), sk + rate * (load<f64>(at(star, k)) - sk));
  }
  rebuild(h, w);
  return st;
}

/** W ← U·diag(σ̃)·Vᵀ with log σ̃ = (1 − α)·log σ + α·mean(log σ), in place. Returns the SVD's status. */
export function singularitySmooth(h: usize, w: usize): i32 {
  const d = hi(h, H_D);
  const s = hp(h, P_SVD_S);
  const st = svd(d, d, w, s, hp(h, P_SVD_U), hp(h, P_SVD_V), SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  if (!(load<f64>(at(s, d - 1)) > 0.0)) return st;
  const alpha = hf(h, H_PSS_STRENGTH);
  let meanLog = 0.0;
  for (let k = 0; k < d; k++) meanLog += Math.log(load<f64>(at(s, k)));
  meanLog /= <f64>d;
  for (let k = 0; k < d; k++) {
    store<f64>(at(s, k), Math.exp((1.0 - alpha) * Math.log(load<f64>(at(s, k))) + alpha * meanLog));
  }
  rebuild(h, w);
  return st;
}

/** w ← U·diag(σ)·Vᵀ from the header's SVD buffers. */
function rebuild(h: usize, w: usize): void {
  const d = hi(h, H_D);
  const s = hp(h, P_SVD_S), u = hp(h, P_SVD_U), v = hp(h, P_SVD_V), us = hp(h, P_SCRATCH);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) store<f64>(at(us, i * d + k), load<f64>(at(u, i * d + k)) * load<f64>(at(s, k)));
  }
  gemm(0, 1, d, d, d, 1.0, us, d, v, d, 0.0, w, d);
}
