// Training a ReLU MLP classifier (softmax cross-entropy, assembly/models/dense_chain.ts) on a labelled image set held
// in linear memory as unsigned bytes — Fashion-MNIST's 47 MB stays bytes; only the current batch is widened to f64.
// One call runs any number of minibatch steps: epochs are passes over a permutation of the training set, reshuffled
// (Fisher–Yates on the trial's generator) whenever the next batch would run past its end (the last partial batch of
// a pass is dropped, as DataLoader(drop_last=True) does). Nothing here allocates except the Jacobi SVD's scratch.
//
// Methods (one header, JS mirrors it in src/train/classifier.ts):
//   SGD, Adam;  Muon (per layer: Nesterov momentum, update orthogonalised by 5 Newton–Schulz steps);
//   spectral transfer (per layer: Nesterov momentum, step U·diag(φ)·Vᵀ with φ ∝ s^(1−α), α fixed or adaptive;
//   chain_steps.ts, shared with the deep/MLP students of the synthetic trainer);
//   learnable multipliers W_eff = diag(r)·W·diag(c) per layer, r and c at their own lr;
//   spectral regulariser λ·Σ_l (log κ(W_l))², i.e. the paper's λ(log κ − log κ*)² with κ* = 1 (no target is known on
//   a real task, so it is a pull toward well-conditioned layers). Its gradient needs the top and bottom singular
//   pairs; an SVD of every layer at every step would cost more than the step itself, so the singular vectors are
//   refreshed every `specEvery` steps and in between σ₁, σ_k are tracked by Rayleigh quotients uᵀWv (exact when the
//   vectors are current, first-order accurate as W drifts).
import { chainGradient, chainLoss, chainProbs, ACT_RELU, LOSS_CE } from "../models/dense_chain";
import { firstNonFinite, copy } from "../blas1";
import { nextUniform } from "../rng/xoshiro256ss";
import { SVD_RIGHT_BASIS, SVD_VECTORS, svd } from "../svd/svd";
import { adamStep, addWeightDecay, nesterov, sgdStep } from "./optim";
import { CHAIN_MUON, CHAIN_ST, chainMatrixStep, chainStMeasure } from "./chain_steps";
import { at, hf, hi, hp, hset } from "./layout";

export const C_LAYERS: i32 = 0;
export const C_DIMS: i32 = 1; // address of layers + 1 i32 widths: 784, hidden…, 10
export const C_BATCH: i32 = 2;
export const C_NW: i32 = 3; // weights only
export const C_NPARAM: i32 = 4; // weights + multipliers
export const C_OPT: i32 = 5; // CLS_SGD | CLS_ADAM | CLS_MUON
export const C_LR: i32 = 6;
export const C_WD: i32 = 7;
export const C_MULT: i32 = 8;
export const C_MULT_LR: i32 = 9;
export const C_SPEC_LAMBDA: i32 = 10;
export const C_SPEC_CLIP: i32 = 11;
export const C_SPEC_EVERY: i32 = 12;
export const C_BETA1: i32 = 13;
export const C_BETA2: i32 = 14;
export const C_EPS: i32 = 15;
export const C_STEP: i32 = 16; // steps taken so far
export const C_NTRAIN: i32 = 17;
export const C_POS: i32 = 18; // next index into ORDER; ≥ NTRAIN − BATCH + 1 forces a reshuffle
export const C_PIX_SCALE: i32 = 19; // x = pixel·scale + shift (standardisation, from the training set's moments)
export const C_PIX_SHIFT: i32 = 20;
export const O_LOSS: i32 = 21;
export const O_REASON: i32 = 22;
export const O_EVAL_LOSS: i32 = 23;
export const O_EVAL_CORRECT: i32 = 24;
export const P_IMAGES: i32 = 25; // NTRAIN × d_0 bytes
export const P_LABELS: i32 = 26; // NTRAIN bytes
export const P_ORDER: i32 = 27; // NTRAIN i32
export const P_RNG: i32 = 28;
export const P_PARAMS: i32 = 29;
export const P_GRAD: i32 = 30;
export const P_M: i32 = 31; // Adam m / Muon momentum
export const P_V: i32 = 32; // Adam v / Muon update scratch
export const P_X: i32 = 33; // B × d_0
export const P_Y: i32 = 34; // B × d_L one-hot
export const P_WS: i32 = 35; // dense_chain workspace for B
export const P_WEFF: i32 = 36; // effective weights (multipliers), NW
export const P_GEFF: i32 = 37; // ∂L/∂W_eff, NW
export const P_NS_WS: i32 = 38; // Newton–Schulz workspace for the largest layer
export const P_SPEC: i32 = 39; // per layer u₁ (m), v₁ (n), u_k (m), v_k (n)
export const P_SVD_S: i32 = 40;
export const P_SVD_U: i32 = 41;
export const P_SVD_V: i32 = 42;
// spectral transfer per layer (CLS_ST; chain_steps.ts): α per layer, τ, adaptive period and K
export const C_ST_TAU: i32 = 43;
export const C_ST_ADAPT_EVERY: i32 = 44; // 0 = α fixed
export const C_ST_ADAPT_K: i32 = 45;
export const P_ST_LAYERS: i32 = 46; // 2·layers: α per layer, then the last unclamped fit (NaN: none)
export const P_ST_HVP: i32 = 47; // adaptive α: direction (NW), its HVP (NW), fit points (2·K)
export const P_ST_US: i32 = 48; // U·diag(φ) scratch for the largest layer
export const C_SLOTS: i32 = 49;

export const CLS_SGD: i32 = 0;
export const CLS_ADAM: i32 = 1;
export const CLS_MUON: i32 = 2;
export const CLS_ST: i32 = 3; // W_l ← W_l − lr·U·diag(φ)·Vᵀ per layer, φ ∝ s^(1−α_l) (spectral_transfer.ts)
const REASON_NONE: i32 = 0, REASON_LOSS: i32 = 1, REASON_WEIGHTS: i32 = 2, REASON_SVD: i32 = 3;

// @ts-ignore: decorator
@inline function dim(h: usize, l: i32): i32 {
  return load<i32>(hp(h, C_DIMS) + (<usize>l << 2));
}

function weightOffset(h: usize, l: i32): i32 {
  let off = 0;
  for (let k = 1; k < l; k++) off += dim(h, k) * dim(h, k - 1);
  return off;
}

/** Offset of layer l's [r (d_l) | c (d_{l−1})] in the multiplier tail (after the NW weights). */
function multOffset(h: usize, l: i32): i32 {
  let off = hi(h, C_NW);
  for (let k = 1; k < l; k++) off += dim(h, k) + dim(h, k - 1);
  return off;
}

function specOffset(h: usize, l: i32): i32 {
  let off = 0;
  for (let k = 1; k < l; k++) off += 2 * (dim(h, k) + dim(h, k - 1));
  return off;
}

export function clsHeaderSlots(): i32 {
  return C_SLOTS;
}

/** Fisher–Yates shuffle of ORDER (the identity is written by JS once); resets the position. */
export function clsShuffle(h: usize): void {
  const n = hi(h, C_NTRAIN), order = hp(h, P_ORDER), rng = hp(h, P_RNG);
  for (let i = n - 1; i > 0; i--) {
    const j = min(<i32>(nextUniform(rng) * <f64>(i + 1)), i);
    const oi = order + (<usize>i << 2), oj = order + (<usize>j << 2);
    const t = load<i32>(oi);
    store<i32>(oi, load<i32>(oj));
    store<i32>(oj, t);
  }
  hset(h, C_POS, 0.0);
}

/** Row b of X and Y ← image `idx` of `images`/`labels`, standardised, one-hot. */
function fillRow(h: usize, images: usize, labels: usize, idx: i32, b: i32): void {
  const d0 = dim(h, 0), dL = dim(h, hi(h, C_LAYERS));
  const scale = hf(h, C_PIX_SCALE), shift = hf(h, C_PIX_SHIFT);
  const src = images + <usize>idx * <usize>d0;
  const x = hp(h, P_X) + ((<usize>b * <usize>d0) << 3);
  for (let j = 0; j < d0; j++) store<f64>(at(x, j), <f64>load<u8>(src + <usize>j) * scale + shift);
  const y = hp(h, P_Y) + ((<usize>b * <usize>dL) << 3);
  const label = <i32>load<u8>(labels + <usize>idx);
  for (let j = 0; j < dL; j++) store<f64>(at(y, j), j == label ? 1.0 : 0.0);
}

/** The weights the chain runs on: W_eff = diag(r)·W·diag(c) (multipliers) or W itself. */
export function clsEffectiveWeights(h: usize): usize {
  const p = hp(h, P_PARAMS);
  if (hi(h, C_MULT) == 0) return p;
  const w = hp(h, P_WEFF), L = hi(h, C_LAYERS);
  for (let l = 1; l <= L; l++) {
    const m = dim(h, l), n = dim(h, l - 1), off = weightOffset(h, l), mo = multOffset(h, l);
    for (let i = 0; i < m; i++) {
      const ri = load<f64>(at(p, mo + i));
      for (let j = 0; j < n; j++) {
        const k = off + i * n + j;
        store<f64>(at(w, k), ri * load<f64>(at(p, k)) * load<f64>(at(p, mo + m + j)));
      }
    }
  }
  return w;
}

function lossGradient(h: usize): f64 {
  const L = hi(h, C_LAYERS), dims = hp(h, C_DIMS), B = hi(h, C_BATCH);
  const p = hp(h, P_PARAMS), g = hp(h, P_GRAD);
  if (hi(h, C_MULT) == 0) {
    return chainGradient(L, dims, ACT_RELU, LOSS_CE, p, hp(h, P_X), hp(h, P_Y), B, hp(h, P_WS), g);
  }
  const ge = hp(h, P_GEFF);
  const loss = chainGradient(L, dims, ACT_RELU, LOSS_CE, clsEffectiveWeights(h), hp(h, P_X), hp(h, P_Y), B, hp(h, P_WS), ge);
  // chain rule through W_eff = r_i·W_ij·c_j
  for (let l = 1; l <= L; l++) {
    const m = dim(h, l), n = dim(h, l - 1), off = weightOffset(h, l), mo = multOffset(h, l);
    for (let j = 0; j < n; j++) store<f64>(at(g, mo + m + j), 0.0);
    for (let i = 0; i < m; i++) {
      const ri = load<f64>(at(p, mo + i));
      let gr = 0.0;
      for (let j = 0; j < n; j++) {
        const k = off + i * n + j;
        const gij = load<f64>(at(ge, k)), wij = load<f64>(at(p, k)), cj = load<f64>(at(p, mo + m + j));
        store<f64>(at(g, k), ri * gij * cj);
        gr += gij * wij * cj;
        store<f64>(at(g, mo + m + j), load<f64>(at(g, mo + m + j)) + gij * ri * wij);
      }
      store<f64>(at(g, mo + i), gr);
    }
  }
  return loss;
}

/** uᵀ·W·v for W (m×n) at w. */
function bilinear(m: i32, n: i32, w: usize, u: usize, v: usize): f64 {
  let s = 0.0;
  for (let i = 0; i < m; i++) {
    let r = 0.0;
    const row = i * n;
    for (let j = 0; j < n; j++) r += load<f64>(at(w, row + j)) * load<f64>(at(v, j));
    s += load<f64>(at(u, i)) * r;
  }
  return s;
}

/** Refreshes layer l's cached top and bottom singular vectors. Returns the SVD status (< 0: failure). */
function refreshSingular(h: usize, l: i32): i32 {
  const m = dim(h, l), n = dim(h, l - 1), k = min(m, n);
  const w = hp(h, P_PARAMS) + (<usize>weightOffset(h, l) << 3);
  const s = hp(h, P_SVD_S), u = hp(h, P_SVD_U), v = hp(h, P_SVD_V);
  const st = svd(m, n, w, s, u, v, SVD_VECTORS | SVD_RIGHT_BASIS, 0.0, 0);
  if (st < 0) return st;
  const c = hp(h, P_SPEC) + (<usize>specOffset(h, l) << 3);
  const u1 = c, v1 = at(c, m), uk = at(c, m + n), vk = at(c, 2 * m + n);
  for (let i = 0; i < m; i++) {
    store<f64>(at(u1, i), load<f64>(at(u, i * k)));
    store<f64>(at(uk, i), load<f64>(at(u, i * k + k - 1)));
  }
  for (let j = 0; j < n; j++) {
    store<f64>(at(v1, j), load<f64>(at(v, j * k)));
    store<f64>(at(vk, j), load<f64>(at(v, j * k + k - 1)));
  }
  return st;
}

/** g += ∇ λ(log σ₁ − log σ_k)² for every layer, clipped per layer to norm `clip`. False if an SVD failed. */
function addSpectral(h: usize, step: i32): bool {
  const L = hi(h, C_LAYERS), lambda = hf(h, C_SPEC_LAMBDA), clip = hf(h, C_SPEC_CLIP);
  const every = max(1, hi(h, C_SPEC_EVERY));
  const p = hp(h, P_PARAMS), g = hp(h, P_GRAD);
  for (let l = 1; l <= L; l++) {
    if ((step - 1) % every == 0 && refreshSingular(h, l) < 0) return false;
    const m = dim(h, l), n = dim(h, l - 1), off = weightOffset(h, l);
    const c = hp(h, P_SPEC) + (<usize>specOffset(h, l) << 3);
    const u1 = c, v1 = at(c, m), uk = at(c, m + n), vk = at(c, 2 * m + n);
    const w = at(p, off);
    const s1 = Math.abs(bilinear(m, n, w, u1, v1)), sk = Math.abs(bilinear(m, n, w, uk, vk));
    if (!(sk > 0.0) || !(s1 > 0.0)) continue; // singular layer: log κ infinite, no gradient this step
    const delta = Math.log(s1 / sk);
    const norm = 2.0 * lambda * Math.abs(delta) * Math.sqrt(1.0 / (s1 * s1) + 1.0 / (sk * sk));
    let scale = 2.0 * lambda * delta;
    if (clip > 0.0 && norm > clip) scale *= clip / norm;
    const a = scale / s1, b = -scale / sk;
    const gl = at(g, off);
    for (let i = 0; i < m; i++) {
      const x1 = a * load<f64>(at(u1, i)), xk = b * load<f64>(at(uk, i));
      const row = i * n;
      for (let j = 0; j < n; j++) {
        store<f64>(at(gl, row + j), load<f64>(at(gl, row + j)) + x1 * load<f64>(at(v1, j)) + xk * load<f64>(at(vk, j)));
      }
    }
  }
  return true;
}

/**
 * Muon or spectral transfer on each layer's block (chain_steps.ts): buf ← β·buf + g, then per layer
 * W ← W − lr·√max(1, m/n)·NS₅(g + β·buf) or W ← W − lr·U·diag(φ)·Vᵀ; adaptive α re-measured per layer at steps
 * 1, 1 + N, … on the current batch. Returns the SVD status (< 0: failure).
 */
function matrixStep(h: usize, t: i32): i32 {
  const L = hi(h, C_LAYERS), dims = hp(h, C_DIMS), n = hi(h, C_NW);
  const p = hp(h, P_PARAMS), g = hp(h, P_GRAD), u = hp(h, P_V);
  const st = hi(h, C_OPT) == CLS_ST, alphas = hp(h, P_ST_LAYERS), every = hi(h, C_ST_ADAPT_EVERY);
  if (st && every > 0 && (t - 1) % every == 0) {
    const hv = hp(h, P_ST_HVP);
    const status = chainStMeasure(L, dims, ACT_RELU, LOSS_CE, p, hp(h, P_X), hp(h, P_Y), hi(h, C_BATCH), hp(h, P_WS), g, n,
      hi(h, C_ST_ADAPT_K), hf(h, C_ST_TAU), alphas, at(alphas, L), hv, at(hv, n), at(hv, 2 * n), hp(h, P_SVD_S), hp(h, P_SVD_U), hp(h, P_SVD_V));
    if (status < 0) return status;
  }
  nesterov(n, hf(h, C_BETA1), g, hp(h, P_M), u);
  return chainMatrixStep(L, dims, st ? CHAIN_ST : CHAIN_MUON, hf(h, C_LR), p, u, alphas, hf(h, C_ST_TAU), hp(h, P_SVD_S), hp(h, P_SVD_U), hp(h, P_SVD_V), hp(h, P_ST_US), hp(h, P_NS_WS));
}

function stop(h: usize, step: i32, reason: i32): i32 {
  hset(h, O_REASON, <f64>reason);
  return step;
}

/**
 * Takes `steps` minibatch steps. Returns 0, or the 1-based index (within this call) of the step at which the loss
 * or the parameters became non-finite or an SVD failed (reason in O_REASON); the run stops there.
 */
export function clsTrain(h: usize, steps: i32): i32 {
  const B = hi(h, C_BATCH), N = hi(h, C_NTRAIN);
  const nP = hi(h, C_NPARAM), nW = hi(h, C_NW);
  const p = hp(h, P_PARAMS), g = hp(h, P_GRAD);
  const images = hp(h, P_IMAGES), labels = hp(h, P_LABELS), order = hp(h, P_ORDER);
  const opt = hi(h, C_OPT);
  hset(h, O_REASON, <f64>REASON_NONE);
  for (let s = 1; s <= steps; s++) {
    if (hi(h, C_POS) + B > N) clsShuffle(h);
    const pos = hi(h, C_POS);
    for (let b = 0; b < B; b++) fillRow(h, images, labels, load<i32>(order + (<usize>(pos + b) << 2)), b);
    hset(h, C_POS, <f64>(pos + B));
    const t = hi(h, C_STEP) + 1;
    hset(h, C_STEP, <f64>t);
    const loss = lossGradient(h);
    hset(h, O_LOSS, loss);
    if (!isFinite(loss)) return stop(h, s, REASON_LOSS);
    addWeightDecay(nW, hf(h, C_WD), p, g);
    if (hf(h, C_SPEC_LAMBDA) != 0.0 && !addSpectral(h, t)) return stop(h, s, REASON_SVD);
    if (opt == CLS_MUON || opt == CLS_ST) {
      if (matrixStep(h, t) < 0) return stop(h, s, REASON_SVD);
    } else if (opt == CLS_ADAM) {
      adamStep(nP, nW, hf(h, C_LR), hf(h, C_MULT_LR), p, g, hp(h, P_M), hp(h, P_V), hf(h, C_BETA1), hf(h, C_BETA2), hf(h, C_EPS), t);
    } else sgdStep(nP, nW, hf(h, C_LR), hf(h, C_MULT_LR), p, g);
    if (firstNonFinite(nP, p) >= 0) return stop(h, s, REASON_WEIGHTS);
  }
  return 0;
}

/**
 * Mean cross-entropy and the number of correct argmax predictions over images [0, n) of `images`/`labels`, in
 * chunks of the training batch (X, Y and the workspace are reused, so call it between training calls only).
 * Results in O_EVAL_LOSS and O_EVAL_CORRECT; returns the mean loss.
 */
export function clsEvaluate(h: usize, images: usize, labels: usize, n: i32): f64 {
  const L = hi(h, C_LAYERS), dims = hp(h, C_DIMS), B = hi(h, C_BATCH), dL = dim(h, L);
  const w = clsEffectiveWeights(h), ws = hp(h, P_WS);
  let lossSum = 0.0;
  let correct = 0;
  for (let start = 0; start < n; start += B) {
    const b = min(B, n - start);
    for (let r = 0; r < b; r++) fillRow(h, images, labels, start + r, r);
    lossSum += chainLoss(L, dims, ACT_RELU, LOSS_CE, w, hp(h, P_X), hp(h, P_Y), b, ws) * <f64>b;
    const pr = chainProbs(L, dims, b, ws);
    for (let r = 0; r < b; r++) {
      let best = 0;
      let bestP = load<f64>(at(pr, r * dL));
      for (let j = 1; j < dL; j++) {
        const q = load<f64>(at(pr, r * dL + j));
        if (q > bestP) {
          bestP = q;
          best = j;
        }
      }
      if (best == <i32>load<u8>(labels + <usize>(start + r))) correct++;
    }
  }
  const mean = lossSum / <f64>n;
  hset(h, O_EVAL_LOSS, mean);
  hset(h, O_EVAL_CORRECT, <f64>correct);
  return mean;
}

/** Copies the effective weights (W, or diag(r)·W·diag(c)) to `out` (NW f64). */
export function clsCopyEffective(h: usize, out: usize): void {
  copy(hi(h, C_NW), clsEffectiveWeights(h), out);
}

/**
 * For tests: loss and gradient (into GRAD; with withReg ≠ 0 plus weight decay and the spectral term at step `step`)
 * on the batch that the next training step would use, without taking the step or advancing the position.
 */
export function clsBatchGradient(h: usize, withReg: i32, step: i32): f64 {
  const B = hi(h, C_BATCH), N = hi(h, C_NTRAIN);
  if (hi(h, C_POS) + B > N) clsShuffle(h);
  const pos = hi(h, C_POS), order = hp(h, P_ORDER);
  for (let b = 0; b < B; b++) fillRow(h, hp(h, P_IMAGES), hp(h, P_LABELS), load<i32>(order + (<usize>(pos + b) << 2)), b);
  const loss = lossGradient(h);
  if (withReg != 0) {
    addWeightDecay(hi(h, C_NW), hf(h, C_WD), hp(h, P_PARAMS), hp(h, P_GRAD));
    if (hf(h, C_SPEC_LAMBDA) != 0.0 && !addSpectral(h, step)) return NaN;
  }
  return loss;
}
