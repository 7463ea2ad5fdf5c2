// A whole run of epochs in one call. One epoch = draw a batch, take the loss gradient, add weight decay and the
// spectral regulariser, one optimiser step, then (every svdCorrEvery epochs) the SVD correction. Nothing here
// allocates except what the Jacobi SVD takes as scratch; every buffer is JS-owned and named in the header.

import { chainGradient, LOSS_MSE } from "../models/dense_chain";
import { firstNonFinite, copy } from "../blas1";
import {
  H_ACT, H_ADAM_EPS, H_BATCH, H_BETA1, H_BETA2, H_CORR_EVERY, H_D, H_DIMS, H_LAYERS, H_LR, H_MODEL, H_MULT,
  H_MULT_LR, H_NPARAM, H_OPT, H_SPEC_LAMBDA, H_STEP, H_WD, MODEL_LINEAR, O_LOSS, O_REASON, OPT_ADAM, OPT_SGD, P_ADAM_M,
  P_ADAM_V, P_GRAD, P_PARAMS, P_WORK, P_WPREV, P_X, P_Y, REASON_LOSS, REASON_NONE, REASON_SVD,
  REASON_WEIGHTS, H_SLOTS, hf, hi, hp, hset,
} from "./layout";
import { batchTargets, drawBatch } from "./data";
import { effectiveWeights, linearGradient, linearResidualLoss, linearSgdApply } from "./linear";
import { addSpectralGradient, singularitySmooth, svdCorrect } from "./spectral";
import { addOrthogonalGradient } from "./orthogonal";
import { svMultEffective } from "./svmult";
import { H_ORTH_LAMBDA, H_PSS_EVERY, H_SD_LAMBDA, H_SVMULT } from "./layout";
import { newtonSchulz } from "../optim/newton_schulz";
import { OPT_MUON, P_NS_WS, at } from "./layout";
import { adamStep, addWeightDecay, sgdStep } from "./optim";
import { OPT_ST } from "./layout";
import { spectralTransferStep } from "./spectral_transfer";
import { addStructuredDecay } from "./structured_decay";
import { H_SD_LAMBDA, H_ST_ADAPT_EVERY, H_ST_ADAPT_K, H_ST_TAU, P_ST_HVP, P_ST_LAYERS, P_SCRATCH, P_SVD_S, P_SVD_U, P_SVD_V } from "./layout";
import { nesterov } from "./optim";
import { CHAIN_MUON, CHAIN_ST, chainMatrixStep, chainStMeasure } from "./chain_steps";

/** Length of the part of the parameters that is "W" (weight decay, main lr, spectral terms). */
function mainCount(h: usize): i32 {
  const d = hi(h, H_D);
  return hi(h, H_MODEL) == MODEL_LINEAR && (hi(h, H_MULT) != 0 || hi(h, H_SVMULT) != 0) ? d * d : hi(h, H_NPARAM);
}

function lossGradient(h: usize, p: usize, g: usize): f64 {
  if (hi(h, H_MODEL) == MODEL_LINEAR) return linearGradient(h, p, g);
  return chainGradient(hi(h, H_LAYERS), hp(h, H_DIMS), hi(h, H_ACT), LOSS_MSE, p, hp(h, P_X), hp(h, P_Y), hi(h, H_BATCH), hp(h, P_WORK), g);
}

/**
 * Loss at the current parameters on the batch now in the header's X, Y, and its gradient into GRAD; with
 * `withReg` ≠ 0 also weight decay and the spectral regulariser. Returns the loss (NaN if the SVD failed).
 * Exposed for tests: it is exactly what one training step uses.
 */
export function trainGradient(h: usize, withReg: i32): f64 {
  const p = hp(h, P_PARAMS), g = hp(h, P_GRAD);
  const loss = lossGradient(h, p, g);
  if (withReg != 0 && !regularise(h, p, g)) return NaN;
  return loss;
}

function regularise(h: usize, p: usize, g: usize): bool {
  addWeightDecay(mainCount(h), hf(h, H_WD), p, g);
  if (hi(h, H_MODEL) != MODEL_LINEAR) return true;
  if (hf(h, H_SPEC_LAMBDA) != 0.0 && addSpectralGradient(h, p, g) < 0) return false;
  if (hf(h, H_ORTH_LAMBDA) != 0.0) addOrthogonalGradient(h, p, g);
  if (hf(h, H_SD_LAMBDA) != 0.0 && addStructuredDecay(h, p, g) < 0) return false;
  return true;
}

/** Draws a fresh batch from the training stream into X, Y (for tests and evaluation). */
export function trainDrawBatch(h: usize): void {
  drawBatch(h);
}

/** out (B×d) ← the current batch's targets Y (data.ts: the linear model never forms them itself). */
export function trainBatchTargets(h: usize, out: usize): void {
  batchTargets(h, out);
}

/**
 * out (d×d) ← W_eff of the linear model (diag(r)·W·diag(c) or U·diag(σ ⊙ m)·Vᵀ with multipliers, else W).
 * Returns the SVD's status for singular-value multipliers (< 0: failure), else 0.
 */
export function trainEffectiveWeights(h: usize, out: usize): i32 {
  const d = hi(h, H_D), p = hp(h, P_PARAMS);
  if (hi(h, H_SVMULT) != 0) return svMultEffective(h, p, out);
  if (hi(h, H_MULT) != 0) effectiveWeights(d, p, out);
  else copy(d * d, p, out);
  return 0;
}

/**
 * Runs epochs fromEpoch+1 … toEpoch (1-based epoch numbers). Returns 0, or the epoch at which the loss or the
 * parameters became non-finite (or an SVD failed); the reason is left in the header (O_REASON) and the run stops
 * there. With keepPrev ≠ 0 the last step leaves the parameters its gradient was taken at in WPREV and that
 * gradient in GRAD.
 */
export function trainRun(h: usize, fromEpoch: i32, toEpoch: i32, keepPrev: i32): i32 {
  const n = hi(h, H_NPARAM), nMain = mainCount(h);
  const p = hp(h, P_PARAMS), g = hp(h, P_GRAD);
  const lr = hf(h, H_LR), multLr = hf(h, H_MULT_LR);
  const adam = hi(h, H_OPT) == OPT_ADAM;
  const every = hi(h, H_CORR_EVERY);
  const linear = hi(h, H_MODEL) == MODEL_LINEAR;
  // plain SGD on the bare layer, nothing added to the gradient: the step is fused into the gradient's GEMM
  const fused = linear && hi(h, H_OPT) == OPT_SGD && hi(h, H_MULT) == 0 && hi(h, H_SVMULT) == 0 &&
    hf(h, H_SPEC_LAMBDA) == 0.0 && hf(h, H_ORTH_LAMBDA) == 0.0 && hf(h, H_SD_LAMBDA) == 0.0;
  hset(h, O_REASON, <f64>REASON_NONE);
  for (let epoch = fromEpoch + 1; epoch <= toEpoch; epoch++) {
    drawBatch(h);
    const keep = keepPrev != 0 && epoch == toEpoch;
    if (keep) copy(n, p, hp(h, P_WPREV));
    hset(h, O_REASON, <f64>REASON_NONE);
    if (fused) {
      // The same fused update on every epoch, so the trajectory does not depend on where the caller splits the
      // run; a keepPrev step also forms the gradient (and weight decay) the caller reads, from the same residual.
      let loss: f64;
      if (keep) {
        loss = linearGradient(h, p, g);
        if (isFinite(loss)) addWeightDecay(n, hf(h, H_WD), p, g);
      } else loss = linearResidualLoss(h, p);
      hset(h, O_LOSS, loss);
      if (!isFinite(loss)) return stop(h, epoch, REASON_LOSS);
      hset(h, H_STEP, hf(h, H_STEP) + 1.0);
      linearSgdApply(h, p, lr, hf(h, H_WD));
    } else {
      const loss = lossGradient(h, p, g);
      hset(h, O_LOSS, loss);
      if (!isFinite(loss)) return stop(h, epoch, hi(h, O_REASON) == REASON_SVD ? REASON_SVD : REASON_LOSS);
      if (!regularise(h, p, g)) return stop(h, epoch, REASON_SVD);
      if (!linear && (hi(h, H_OPT) == OPT_MUON || hi(h, H_OPT) == OPT_ST)) {
        hset(h, H_STEP, hf(h, H_STEP) + 1.0);
        if (chainStep(h, n, lr, p, g) < 0) return stop(h, epoch, REASON_SVD);
      } else if (linear && hi(h, H_OPT) == OPT_MUON) {
        hset(h, H_STEP, hf(h, H_STEP) + 1.0);
        muonStep(h, n, lr, p, g);
      } else if (linear && hi(h, H_OPT) == OPT_ST) {
        hset(h, H_STEP, hf(h, H_STEP) + 1.0);
        if (spectralTransferStep(h, n, lr, p, g) < 0) return stop(h, epoch, REASON_SVD);
      } else if (adam) {
        const t = hi(h, H_STEP) + 1;
        hset(h, H_STEP, <f64>t);
        adamStep(n, nMain, lr, multLr, p, g, hp(h, P_ADAM_M), hp(h, P_ADAM_V), hf(h, H_BETA1), hf(h, H_BETA2), hf(h, H_ADAM_EPS), t);
      } else {
        hset(h, H_STEP, hf(h, H_STEP) + 1.0);
        sgdStep(n, nMain, lr, multLr, p, g);
      }
    }
    if (firstNonFinite(n, p) >= 0) return stop(h, epoch, REASON_WEIGHTS);
    if (linear && every > 0 && epoch % every == 0) {
      if (svdCorrect(h, p) < 0) return stop(h, epoch, REASON_SVD);
    }
    const pss = hi(h, H_PSS_EVERY);
    if (linear && pss > 0 && epoch % pss == 0) {
      if (singularitySmooth(h, p) < 0) return stop(h, epoch, REASON_SVD);
    }
  }
  return 0;
}

/**
 * Muon (Jordan et al. 2024) on the d×d weight: Nesterov momentum, then the update is orthogonalised by five
 * Newton–Schulz steps, so every singular direction of the step moves by about the same amount — the opposite of
 * SGD, whose step along σᵢ is proportional to the gradient signal there.
 */
function muonStep(h: usize, n: i32, lr: f64, p: usize, g: usize): void {
  const d = hi(h, H_D);
  const u = hp(h, P_ADAM_V);
  nesterov(n, hf(h, H_BETA1), g, hp(h, P_ADAM_M), u);
  newtonSchulz(d, d, u, u, 5, hp(h, P_NS_WS));
  for (let i = 0; i < n; i++) store<f64>(at(p, i), load<f64>(at(p, i)) - lr * load<f64>(at(u, i)));
}

/**
 * Muon or spectral transfer on a chain (deep linear net, MLP student): one Nesterov momentum over all weights, then
 * each layer's block steps on its own (chain_steps.ts); adaptive α is re-measured per layer at steps 1, 1 + N, ….
 * Returns the SVD status (< 0: failure).
 */
function chainStep(h: usize, n: i32, lr: f64, p: usize, g: usize): i32 {
  const layers = hi(h, H_LAYERS), dims = hp(h, H_DIMS);
  const st = hi(h, H_OPT) == OPT_ST;
  const alphas = hp(h, P_ST_LAYERS);
  const every = hi(h, H_ST_ADAPT_EVERY);
  if (st && every > 0 && (hi(h, H_STEP) - 1) % every == 0) {
    const hv = hp(h, P_ST_HVP);
    const status = chainStMeasure(layers, dims, hi(h, H_ACT), LOSS_MSE, p, hp(h, P_X), hp(h, P_Y), hi(h, H_BATCH), hp(h, P_WORK), g, n,
      hi(h, H_ST_ADAPT_K), hf(h, H_ST_TAU), alphas, at(alphas, layers), hv, at(hv, n), at(hv, 2 * n), hp(h, P_SVD_S), hp(h, P_SVD_U), hp(h, P_SVD_V));
    if (status < 0) return status;
  }
  const u = hp(h, P_ADAM_V);
  nesterov(n, hf(h, H_BETA1), g, hp(h, P_ADAM_M), u);
  return chainMatrixStep(layers, dims, st ? CHAIN_ST : CHAIN_MUON, lr, p, u, alphas, hf(h, H_ST_TAU), hp(h, P_SVD_S), hp(h, P_SVD_U), hp(h, P_SVD_V), hp(h, P_SCRATCH), hp(h, P_NS_WS));
}

function stop(h: usize, epoch: i32, reason: i32): i32 {
  hset(h, O_REASON, <f64>reason);
  return epoch;
}

/** Size of the header block in f64 slots. */
export function trainHeaderSlots(): i32 {
  return H_SLOTS;
}
