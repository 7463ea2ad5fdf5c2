// Spectral-transfer steps (seed 004 §7.3): if the curvature along the gradient's k-th singular direction scales as
// h_k ∝ s_k^α, the Newton step along that direction scales as s_k / h_k ∝ s_k^(1−α). For the d×d weight's update
// direction G = U·diag(s)·Vᵀ (the gradient's Nesterov momentum, as Muon uses) the step is
//   W ← W − η·U·diag(φ)·Vᵀ,   φ_k = s_k^(1−α) / max_j s_j^(1−α)   for s_k ≥ τ·s₁,   φ_k = 0 otherwise,
// i.e. normalised so the step's SPECTRAL norm is exactly η, whatever α: α = 0 is SGD's direction G/‖G‖₂, α = 1 is
// the exact polar factor U·Vᵀ (Muon without the Newton–Schulz approximation), α = 2 is "Spectral Newton" U·diag(1/s)·Vᵀ
// scaled by the smallest kept s. Why spectral and not Frobenius: ‖ΔW·x‖ ≤ ‖ΔW‖₂·‖x‖ bounds how far one step moves
// the layer's output, which is what sets stability, and it keeps η a distance per step that means the same for every
// α (Muon's convention); a Frobenius normalisation would shrink every direction's step by √(kept rank) and tie it
// to τ. τ drops directions the minibatch cannot resolve: for α > 1 the kept range caps the largest-to-smallest step
// ratio at τ^(1−α), so τ also bounds how hard a noise direction can be pushed.
// s^(1−α) is exp((1−α)·log s) compiled into this module (AssemblyScript's NativeMath — deterministic, detmath.ts).
// The exact Jacobi SVD is used (d ≤ a few hundred here); its singular vectors are accurate to rounding.
//
// Adaptive α (H_ST_ADAPT_EVERY = N > 0): at steps 1, 1 + N, … α is re-measured as seed 004 defines it — the slope of
// log h_k against log s_k over the top-K singular directions a_k b_kᵀ of the raw minibatch gradient g (s_k ≥ τ·s₁),
// with h_k = ⟨a_k b_kᵀ, H·a_k b_kᵀ⟩ the exact curvature on the same batch. For the single layer's loss
// ½·mean_b ‖W x_b − y_b‖² the Hessian acts as H·D = D·XᵀX/B, so h_k = ‖X b_k‖²/B exactly (checked against the
// dense-chain R-operator HVP in the tests). The fitted slope is clamped to [0, 2] (SGD … Spectral Newton, the family's
// documented range) and used until the next measurement; the unclamped slope is left in O_ST_ALPHA_FIT.

import { gemm } from "../gemm/gemm";
import { SVD_RIGHT_BASIS, SVD_VECTORS, svd } from "../svd/svd";
import { nesterov } from "./optim";
import { lineSlope } from "./line_slope";
import { H_BATCH, H_BETA1, H_D, H_STEP, H_ST_ADAPT_EVERY, H_ST_ADAPT_K, H_ST_ALPHA, H_ST_TAU, O_ST_ALPHA_FIT, P_ADAM_M, P_ADAM_V, P_SCRATCH, P_SVD_S, P_SVD_U, P_SVD_V, P_X, at, hf, hi, hp, hset } from "./layout";

/** φ_k for the d singular values at s (descending) into phi; returns how many were kept (0: G = 0, no step). */
export function spectralTransferWeights(d: i32, s: usize, phi: usize, alpha: f64, tau: f64): i32 {
  const s1 = load<f64>(s);
  if (!(s1 > 0.0)) {
    for (let k = 0; k < d; k++) store<f64>(at(phi, k), 0.0);
    return 0;
  }
  const e = 1.0 - alpha;
  let top = 0.0, kept = 0;
  for (let k = 0; k < d; k++) {
    const sk = load<f64>(at(s, k));
    let f = 0.0;
    if (sk > 0.0 && sk >= tau * s1) {
      f = Math.exp(e * Math.log(sk));
      kept++;
      if (f > top) top = f;
    }
    store<f64>(at(phi, k), f);
  }
  // divide (not multiply by 1/top) so the largest φ is exactly 1 and the step's spectral norm exactly lr
  for (let k = 0; k < d; k++) store<f64>(at(phi, k), load<f64>(at(phi, k)) / top);
  return kept;
}

/**
 * One spectral-transfer step on the d×d weight p with gradient g (n = d² entries). Momentum as Muon: buf ← β·buf + g,
 * G = g + β·buf (β = H_BETA1; β = 0 is the plain gradient). Returns the SVD's status (< 0: failure, p untouched).
 */
export function spectralTransferStep(h: usize, n: i32, lr: f64, p: usize, g: usize): i32 {
  const d = hi(h, H_D);
  const every = hi(h, H_ST_ADAPT_EVERY);
  // H_STEP was already advanced for this step: step t = 1, 1 + N, …
  if (every > 0 && (hi(h, H_STEP) - 1) % every == 0) {
    const st = spectralTransferMeasure(h, g);
    if (st < 0) return st;
  }
  const u0 = hp(h, P_ADAM_V);
  nesterov(n, hf(h, H_BETA1), g, hp(h, P_ADAM_M), u0);
  return spectralTransferApply(d, u0, p, lr, hf(h, H_ST_ALPHA), hf(h, H_ST_TAU), hp(h, P_SVD_S), hp(h, P_SVD_U), hp(h, P_SVD_V), hp(h, P_SCRATCH));
}

/**
 * p (d×d) ← p − lr·U·diag(φ)·Vᵀ for the SVD G = U·diag(s)·Vᵀ of the d×d matrix at gm (left unchanged); s (d), u, v,
 * us (d×d) are scratch. G = 0 takes no step. Returns the SVD's status (< 0: failure, p untouched).
 */
export function spectralTransferApply(d: i32, gm: usize, p: usize, lr: f64, alpha: f64, tau: f64, s: usize, u: usize, v: usize, us: usize): i32 {
  return spectralTransferApplyRect(d, d, gm, p, lr, alpha, tau, s, u, v, us);
}

/**
 * The same step on an m×n matrix (k = min(m, n)): thin SVD G = U·diag(s)·Vᵀ (U m×k, V n×k), p ← p − lr·U·diag(φ)·Vᵀ.
 * Scratch: s (k), u (m×k), v (n×k), us (m×k). The transformer's per-matrix steps (transformer_st.ts) use this.
 */
export function spectralTransferApplyRect(m: i32, n: i32, gm: usize, p: usize, lr: f64, alpha: f64, tau: f64, s: usize, u: usize, v: usize, us: usize): i32 {
  const k = min(m, n);
  const st = svd(m, n, gm, s, u, v, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  // φ overwrites s in place (s is not needed afterwards)
  if (spectralTransferWeights(k, s, s, alpha, tau) == 0) return st;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) store<f64>(at(us, i * k + j), load<f64>(at(u, i * k + j)) * load<f64>(at(s, j)));
  }
  gemm(0, 1, m, n, k, -lr, us, k, v, k, 1.0, p, n); // p ← p − η·U·diag(φ)·Vᵀ
  return st;
}

/**
 * Re-measures α from the raw gradient g on the batch in X (see the header comment) into H_ST_ALPHA (clamped to
 * [0, 2]) and O_ST_ALPHA_FIT (unclamped; NaN and α unchanged when fewer than two directions qualify). Returns the
 * SVD's status.
 */
export function spectralTransferMeasure(h: usize, g: usize): i32 {
  const d = hi(h, H_D), B = hi(h, H_BATCH), x = hp(h, P_X);
  const s = hp(h, P_SVD_S), v = hp(h, P_SVD_V);
  const st = svd(d, d, g, s, hp(h, P_SVD_U), v, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  const K = min(hi(h, H_ST_ADAPT_K), d), tau = hf(h, H_ST_TAU), s1 = load<f64>(s);
  // the points (log s_k, log h_k) go to P_SCRATCH (d×d, unused until the step): xs at 0, ys at K
  const pts = hp(h, P_SCRATCH);
  if (K < 2) { // d = 1: one direction, no slope (and no room for two points in the 1×1 scratch)
    hset(h, O_ST_ALPHA_FIT, NaN);
    return st;
  }
  let n = 0;
  for (let k = 0; k < K; k++) {
    const sk = load<f64>(at(s, k));
    if (!(sk > 0.0) || sk < tau * s1) break;
    let hk = 0.0; // ‖X b_k‖²/B
    for (let b = 0; b < B; b++) {
      let xv = 0.0;
      for (let j = 0; j < d; j++) xv += load<f64>(at(x, b * d + j)) * load<f64>(at(v, j * d + k));
      hk += xv * xv;
    }
    hk /= <f64>B;
    if (!(hk > 0.0)) continue;
    store<f64>(at(pts, n), Math.log(sk));
    store<f64>(at(pts, K + n), Math.log(hk));
    n++;
  }
  const slope = lineSlope(n, pts, at(pts, K));
  hset(h, O_ST_ALPHA_FIT, slope);
  if (!isNaN(slope)) hset(h, H_ST_ALPHA, slope < 0.0 ? 0.0 : slope > 2.0 ? 2.0 : slope);
  return st;
}
