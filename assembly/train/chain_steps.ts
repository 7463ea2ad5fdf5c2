// Per-layer matrix steps for dense chains (deep linear nets, MLP students, the Fashion-MNIST classifier): Muon and the
// spectral-transfer step of spectral_transfer.ts applied to every layer's weight block on its own, each on its slice
// of one Nesterov momentum vector — the way Muon is used on real networks (one polar factor per weight matrix; a
// single polar factor of the concatenated parameters would couple unrelated layers). α is per layer, so adaptive α
// can find a different exponent for each (seed 004 reports α differing by layer type).
//
// Adaptive α per layer (seed 004's definition, as the single layer's spectralTransferMeasure and the TS
// curvatureAlongGradient): for layer l, the top-K singular directions a_k b_kᵀ of the raw minibatch gradient block
// with s_k ≥ τ·s₁; λ_k = ⟨D_k, H·D_k⟩ with D_k = a_k b_kᵀ embedded in layer l's block (zero elsewhere) and H the exact
// Hessian of the batch loss (dense_chain's R-operator HVP, one full-network HVP per direction). α_l is the
// least-squares slope of log λ_k on log s_k over the directions with λ_k > 0, clamped to [0, 2]; fewer than two
// points leave α_l unchanged and record NaN as the fit. (Within one layer's block these models' Hessian is its
// Gauss–Newton block — the output of a linear chain is linear, of a ReLU chain piecewise linear, in any single
// layer's weights, and MSE and cross-entropy are convex in the output — so λ_k ≥ 0;
// the filter only drops λ_k = 0, a direction the batch does not see, where log is undefined.)

import { chainHvp } from "../models/dense_chain";
import { newtonSchulz } from "../optim/newton_schulz";
import { SVD_RIGHT_BASIS, SVD_VECTORS, svd } from "../svd/svd";
import { spectralTransferApplyRect } from "./spectral_transfer";
import { at } from "./layout";
import { lineSlope } from "./line_slope";

export const CHAIN_MUON: i32 = 0;
export const CHAIN_ST: i32 = 1;

// @ts-ignore: decorator
@inline function dim(dims: usize, l: i32): i32 {
  return load<i32>(dims + (<usize>l << 2));
}

/**
 * One matrix step on every layer of the chain: u holds the update direction (the Nesterov momentum, all layers);
 * CHAIN_MUON: W_l ← W_l − lr·√max(1, rows/cols)·NS₅(u_l) (Muon's shape factor, as the classifier always had);
 * CHAIN_ST: W_l ← W_l − lr·U·diag(φ)·Vᵀ of u_l's thin SVD, φ ∝ s^(1−α_l), ‖step‖₂ = lr (spectral_transfer.ts).
 * Scratch: s (max k), su (max rows·k), sv (max cols·k), us (max rows·k) for ST; nsWs for Muon. u is overwritten by
 * Muon. Returns the first failing SVD's status (< 0; the layers before it have stepped), else 0.
 */
export function chainMatrixStep(layers: i32, dims: usize, kind: i32, lr: f64, p: usize, u: usize, alphas: usize, tau: f64, s: usize, su: usize, sv: usize, us: usize, nsWs: usize): i32 {
  let off = 0;
  for (let l = 1; l <= layers; l++) {
    const rows = dim(dims, l), cols = dim(dims, l - 1), cnt = rows * cols;
    const ul = at(u, off), pl = at(p, off);
    if (kind == CHAIN_MUON) {
      newtonSchulz(rows, cols, ul, ul, 5, nsWs);
      const rate = lr * Math.sqrt(max(1.0, <f64>rows / <f64>cols));
      for (let i = 0; i < cnt; i++) store<f64>(at(pl, i), load<f64>(at(pl, i)) - rate * load<f64>(at(ul, i)));
    } else {
      const st = spectralTransferApplyRect(rows, cols, ul, pl, lr, load<f64>(at(alphas, l - 1)), tau, s, su, sv, us);
      if (st < 0) return st;
    }
    off += cnt;
  }
  return 0;
}

/**
 * Re-measures α per layer (header comment) from the raw gradient g of the batch (x, y) at weights w into alphas
 * (clamped to [0, 2]) and fits (unclamped; NaN when fewer than two directions qualify, α then unchanged). n = all
 * weights; dir, hdir: n doubles; pts: 2K doubles; s, su, sv as chainMatrixStep. The chain workspace ws is
 * overwritten (call it after the gradient, before the step). Returns the first failing SVD's status, else 0.
 */
export function chainStMeasure(
  layers: i32, dims: usize, act: i32, lossKind: i32, w: usize, x: usize, y: usize, batch: i32, ws: usize, g: usize, n: i32,
  K: i32, tau: f64, alphas: usize, fits: usize, dir: usize, hdir: usize, pts: usize, s: usize, su: usize, sv: usize,
): i32 {
  let off = 0;
  for (let l = 1; l <= layers; l++) {
    const rows = dim(dims, l), cols = dim(dims, l - 1), k = min(rows, cols);
    const st = svd(rows, cols, at(g, off), s, su, sv, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
    if (st < 0) return st;
    const s1 = load<f64>(s), kk = min(K, k);
    let np = 0;
    for (let q = 0; q < kk; q++) {
      const sq = load<f64>(at(s, q));
      if (!(sq > 0.0) || sq < tau * s1) break;
      memory.fill(dir, 0, <usize>n << 3);
      for (let i = 0; i < rows; i++) {
        const ai = load<f64>(at(su, i * k + q));
        for (let j = 0; j < cols; j++) store<f64>(at(dir, off + i * cols + j), ai * load<f64>(at(sv, j * k + q)));
      }
      chainHvp(layers, dims, act, lossKind, w, x, y, batch, ws, dir, hdir, 0);
      let lam = 0.0;
      for (let i = 0; i < rows * cols; i++) lam += load<f64>(at(dir, off + i)) * load<f64>(at(hdir, off + i));
      if (!(lam > 0.0)) continue;
      store<f64>(at(pts, np), Math.log(sq));
      store<f64>(at(pts, K + np), Math.log(lam));
      np++;
    }
    const slope = lineSlope(np, pts, at(pts, K));
    store<f64>(at(fits, l - 1), slope);
    if (!isNaN(slope)) store<f64>(at(alphas, l - 1), slope < 0.0 ? 0.0 : slope > 2.0 ? 2.0 : slope);
    off += rows * cols;
  }
  return 0;
}
