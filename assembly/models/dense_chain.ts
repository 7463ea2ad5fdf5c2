// A chain of dense layers, x ↦ W_L·φ(⋯φ(W_1·x)), with φ = identity (linear and deep linear models) or ReLU
// between layers (MLPs), and a mean-squared-error or softmax cross-entropy loss. One implementation of the
// forward pass, the gradient, and the exact Hessian-vector product by Pearlmutter's R-operator
// (forward-over-reverse), so curvature tools get H·v at the cost of about two gradients.
//
// Layout: a batch is row-major, one example per row: X is B×d_0, targets Y are B×d_L (one-hot or soft labels for
// cross-entropy). Parameters are W_1 (d_1×d_0), W_2 (d_2×d_1), … concatenated row-major; v and H·v use the same
// layout. Loss = ½·mean_b ‖f(x_b) − y_b‖² (MSE) or −mean_b Σ_j y_bj log softmax(f(x_b))_j (CE).

import { gemm } from "../gemm/gemm";

export const LOSS_MSE: i32 = 0;
export const LOSS_CE: i32 = 1;
export const ACT_LINEAR: i32 = 0;
export const ACT_RELU: i32 = 1;

// @ts-ignore: decorator
@inline function dim(dims: usize, l: i32): i32 {
  return load<i32>(dims + (<usize>l << 2));
}

// @ts-ignore: decorator
@inline function f64p(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/** f64 count of all layer weights. */
export function chainParamCount(layers: i32, dims: usize): i32 {
  let n = 0;
  for (let l = 1; l <= layers; l++) n += dim(dims, l) * dim(dims, l - 1);
  return n;
}

/** Bytes of workspace a call needs for batch size `batch` (caller allocates once and reuses it). */
export function chainWorkspaceBytes(layers: i32, dims: usize, batch: i32): i32 {
  let per = 0;
  for (let l = 1; l <= layers; l++) per += dim(dims, l);
  // H, A, δ, RH, RA, Rδ per layer, plus softmax probabilities
  return (6 * per + dim(dims, layers)) * batch * 8;
}

/** Workspace block for layer l (1-based) and slot s ∈ 0..5 (H, A, δ, RH, RA, Rδ). */
function slot(ws: usize, layers: i32, dims: usize, batch: i32, l: i32, s: i32): usize {
  let before = 0;
  for (let k = 1; k < l; k++) before += dim(dims, k);
  let per = 0;
  for (let k = 1; k <= layers; k++) per += dim(dims, k);
  return ws + ((<usize>(s * per + before) * <usize>batch) << 3);
}

function probs(ws: usize, layers: i32, dims: usize, batch: i32): usize {
  let per = 0;
  for (let k = 1; k <= layers; k++) per += dim(dims, k);
  return ws + ((<usize>(6 * per) * <usize>batch) << 3);
}

function weightOffset(dims: usize, l: i32): i32 {
  let off = 0;
  for (let k = 1; k < l; k++) off += dim(dims, k) * dim(dims, k - 1);
  return off;
}

const H_: i32 = 0, A_: i32 = 1, D_: i32 = 2, RH_: i32 = 3, RA_: i32 = 4, RD_: i32 = 5;

/** Activations of layer l (A_0 = X). For the last layer and for linear chains A_l is H_l itself. */
function act(ws: usize, layers: i32, dims: usize, batch: i32, x: usize, l: i32, relu: bool): usize {
  if (l == 0) return x;
  return relu && l < layers ? slot(ws, layers, dims, batch, l, A_) : slot(ws, layers, dims, batch, l, H_);
}

function ract(ws: usize, layers: i32, dims: usize, batch: i32, l: i32, relu: bool): usize {
  return relu && l < layers ? slot(ws, layers, dims, batch, l, RA_) : slot(ws, layers, dims, batch, l, RH_);
}

/** Forward pass; returns the loss and leaves δ_L = ∂loss/∂H_L in the workspace. */
function forward(layers: i32, dims: usize, actKind: i32, lossKind: i32, w: usize, x: usize, y: usize, batch: i32, ws: usize): f64 {
  const relu = actKind == ACT_RELU;
  for (let l = 1; l <= layers; l++) {
    const din = dim(dims, l - 1), dout = dim(dims, l);
    const h = slot(ws, layers, dims, batch, l, H_);
    gemm(0, 1, batch, dout, din, 1.0, act(ws, layers, dims, batch, x, l - 1, relu), din, w + (<usize>weightOffset(dims, l) << 3), din, 0.0, h, dout);
    if (relu && l < layers) {
      const a = slot(ws, layers, dims, batch, l, A_);
      const n = batch * dout;
      for (let i = 0; i < n; i++) store<f64>(f64p(a, i), max(load<f64>(f64p(h, i)), 0.0));
    }
  }
  const dout = dim(dims, layers);
  const out = slot(ws, layers, dims, batch, layers, H_);
  const delta = slot(ws, layers, dims, batch, layers, D_);
  const invB = 1.0 / <f64>batch;
  let loss = 0.0;
  if (lossKind == LOSS_MSE) {
    const n = batch * dout;
    for (let i = 0; i < n; i++) {
      const r = load<f64>(f64p(out, i)) - load<f64>(f64p(y, i));
      loss += r * r;
      store<f64>(f64p(delta, i), r * invB);
    }
    return 0.5 * loss * invB;
  }
  const p = probs(ws, layers, dims, batch);
  for (let b = 0; b < batch; b++) {
    const row = b * dout;
    let mx = -Infinity;
    for (let j = 0; j < dout; j++) mx = max(mx, load<f64>(f64p(out, row + j)));
    let sum = 0.0;
    for (let j = 0; j < dout; j++) {
      const e = Math.exp(load<f64>(f64p(out, row + j)) - mx);
      store<f64>(f64p(p, row + j), e);
      sum += e;
    }
    const lse = mx + Math.log(sum);
    for (let j = 0; j < dout; j++) {
      const pj = load<f64>(f64p(p, row + j)) / sum;
      store<f64>(f64p(p, row + j), pj);
      const yj = load<f64>(f64p(y, row + j));
      if (yj != 0.0) loss -= yj * (load<f64>(f64p(out, row + j)) - lse);
      store<f64>(f64p(delta, row + j), (pj - yj) * invB);
    }
  }
  return loss * invB;
}

/** Multiplies block `d` (batch × width) by relu'(H_l) = [H_l > 0] in place. */
function maskRelu(d: usize, h: usize, n: i32): void {
  for (let i = 0; i < n; i++) if (!(load<f64>(f64p(h, i)) > 0.0)) store<f64>(f64p(d, i), 0.0);
}

/** Loss only. */
export function chainLoss(layers: i32, dims: usize, actKind: i32, lossKind: i32, w: usize, x: usize, y: usize, batch: i32, ws: usize): f64 {
  return forward(layers, dims, actKind, lossKind, w, x, y, batch, ws);
}

/** Loss and its gradient (same layout as w) by back-propagation. */
export function chainGradient(layers: i32, dims: usize, actKind: i32, lossKind: i32, w: usize, x: usize, y: usize, batch: i32, ws: usize, grad: usize): f64 {
  const relu = actKind == ACT_RELU;
  const loss = forward(layers, dims, actKind, lossKind, w, x, y, batch, ws);
  for (let l = layers; l >= 1; l--) {
    const din = dim(dims, l - 1), dout = dim(dims, l);
    const delta = slot(ws, layers, dims, batch, l, D_);
    const wl = w + (<usize>weightOffset(dims, l) << 3);
    gemm(1, 0, dout, din, batch, 1.0, delta, dout, act(ws, layers, dims, batch, x, l - 1, relu), din, 0.0, grad + (<usize>weightOffset(dims, l) << 3), din);
    if (l > 1) {
      const prev = slot(ws, layers, dims, batch, l - 1, D_);
      gemm(0, 0, batch, din, dout, 1.0, delta, dout, wl, din, 0.0, prev, din);
      if (relu) maskRelu(prev, slot(ws, layers, dims, batch, l - 1, H_), batch * din);
    }
  }
  return loss;
}

/**
 * out ← H·v (gaussNewton = 0) or G·v, the Gauss–Newton product Jᵀ·H_loss·J·v (gaussNewton ≠ 0), of the mean batch
 * loss with respect to all weights. Returns the loss. ReLU's second derivative is zero almost everywhere, so the
 * R-operator below is exact for every model here.
 */
export function chainHvp(layers: i32, dims: usize, actKind: i32, lossKind: i32, w: usize, x: usize, y: usize, batch: i32, ws: usize, v: usize, out: usize, gaussNewton: i32): f64 {
  const relu = actKind == ACT_RELU;
  const full = gaussNewton == 0;
  const loss = chainGradientDeltas(layers, dims, actKind, lossKind, w, x, y, batch, ws);

  // R-forward: RH_l = A_{l−1}·V_lᵀ + RA_{l−1}·W_lᵀ, RA_l = relu'(H_l) ⊙ RH_l
  for (let l = 1; l <= layers; l++) {
    const din = dim(dims, l - 1), dout = dim(dims, l);
    const off = <usize>weightOffset(dims, l) << 3;
    const rh = slot(ws, layers, dims, batch, l, RH_);
    gemm(0, 1, batch, dout, din, 1.0, act(ws, layers, dims, batch, x, l - 1, relu), din, v + off, din, 0.0, rh, dout);
    if (l > 1) gemm(0, 1, batch, dout, din, 1.0, ract(ws, layers, dims, batch, l - 1, relu), din, w + off, din, 1.0, rh, dout);
    if (relu && l < layers) {
      const ra = slot(ws, layers, dims, batch, l, RA_);
      const n = batch * dout;
      for (let i = 0; i < n; i++) store<f64>(f64p(ra, i), load<f64>(f64p(rh, i)));
      maskRelu(ra, slot(ws, layers, dims, batch, l, H_), n);
    }
  }

  // R of the loss gradient at the output: the loss Hessian applied to RH_L
  const dL = dim(dims, layers);
  const rhL = slot(ws, layers, dims, batch, layers, RH_);
  const rdL = slot(ws, layers, dims, batch, layers, RD_);
  const invB = 1.0 / <f64>batch;
  if (lossKind == LOSS_MSE) {
    const n = batch * dL;
    for (let i = 0; i < n; i++) store<f64>(f64p(rdL, i), load<f64>(f64p(rhL, i)) * invB);
  } else {
    const p = probs(ws, layers, dims, batch);
    for (let b = 0; b < batch; b++) {
      const row = b * dL;
      let pr = 0.0;
      for (let j = 0; j < dL; j++) pr += load<f64>(f64p(p, row + j)) * load<f64>(f64p(rhL, row + j));
      for (let j = 0; j < dL; j++) {
        const pj = load<f64>(f64p(p, row + j));
        store<f64>(f64p(rdL, row + j), pj * (load<f64>(f64p(rhL, row + j)) - pr) * invB);
      }
    }
  }

  // R-backward: out_l = Rδ_lᵀ·A_{l−1} + δ_lᵀ·RA_{l−1};  Rδ_{l−1} = (Rδ_l·W_l + δ_l·V_l) ⊙ relu'(H_{l−1})
  for (let l = layers; l >= 1; l--) {
    const din = dim(dims, l - 1), dout = dim(dims, l);
    const off = <usize>weightOffset(dims, l) << 3;
    const rd = slot(ws, layers, dims, batch, l, RD_);
    const delta = slot(ws, layers, dims, batch, l, D_);
    gemm(1, 0, dout, din, batch, 1.0, rd, dout, act(ws, layers, dims, batch, x, l - 1, relu), din, 0.0, out + off, din);
    if (full && l > 1) gemm(1, 0, dout, din, batch, 1.0, delta, dout, ract(ws, layers, dims, batch, l - 1, relu), din, 1.0, out + off, din);
    if (l > 1) {
      const prev = slot(ws, layers, dims, batch, l - 1, RD_);
      gemm(0, 0, batch, din, dout, 1.0, rd, dout, w + off, din, 0.0, prev, din);
      if (full) gemm(0, 0, batch, din, dout, 1.0, delta, dout, v + off, din, 1.0, prev, din);
      if (relu) maskRelu(prev, slot(ws, layers, dims, batch, l - 1, H_), batch * din);
    }
  }
  return loss;
}

/** Forward pass plus the δ_l of every layer (the backward pass without forming weight gradients). */
function chainGradientDeltas(layers: i32, dims: usize, actKind: i32, lossKind: i32, w: usize, x: usize, y: usize, batch: i32, ws: usize): f64 {
  const relu = actKind == ACT_RELU;
  const loss = forward(layers, dims, actKind, lossKind, w, x, y, batch, ws);
  for (let l = layers; l > 1; l--) {
    const din = dim(dims, l - 1), dout = dim(dims, l);
    const prev = slot(ws, layers, dims, batch, l - 1, D_);
    gemm(0, 0, batch, din, dout, 1.0, slot(ws, layers, dims, batch, l, D_), dout, w + (<usize>weightOffset(dims, l) << 3), din, 0.0, prev, din);
    if (relu) maskRelu(prev, slot(ws, layers, dims, batch, l - 1, H_), batch * din);
  }
  return loss;
}

/**
 * Address of the softmax probabilities (batch × d_L, row-major) that the last cross-entropy forward pass left in the
 * workspace — for accuracy without a second pass. Only meaningful after chainLoss/chainGradient with LOSS_CE.
 */
export function chainProbs(layers: i32, dims: usize, batch: i32, ws: usize): usize {
  return probs(ws, layers, dims, batch);
}
