// The trainer's header: one block of f64 slots in linear memory that JS fills once per trial (sizes, hyper-parameters
// and the byte addresses of buffers JS allocated), so a whole run of epochs is one call with no argument marshalling.
// src/train/layout.ts mirrors these indices; change both together.

// ---- model and sizes
export const H_MODEL: i32 = 0; // MODEL_LINEAR | MODEL_CHAIN
export const H_ACT: i32 = 1; // chain activation: 0 linear, 1 ReLU (dense_chain's ACT_*)
export const H_LAYERS: i32 = 2; // chain layer count
export const H_DIMS: i32 = 3; // address of layers + 1 i32 widths (chain only)
export const H_D: i32 = 4; // input = output dimension d
export const H_HIDDEN: i32 = 5; // teacher hidden width (MLP teacher)
export const H_BATCH: i32 = 6;
export const H_NPARAM: i32 = 7; // length of the optimiser's vector: W (+ r + c)
// ---- optimiser and correctives
export const H_OPT: i32 = 8; // OPT_SGD | OPT_ADAM
export const H_LR: i32 = 9;
export const H_WD: i32 = 10;
export const H_NOISE: i32 = 11;
export const H_MULT: i32 = 12; // 1 = learnable multipliers (linear model only)
export const H_MULT_LR: i32 = 13; // absolute lr of r and c
export const H_SPEC_LAMBDA: i32 = 14; // 0 = off (linear model only)
export const H_SPEC_CLIP: i32 = 15;
export const H_LOGK_TARGET: i32 = 16; // log κ(W*)
export const H_CORR_EVERY: i32 = 17; // 0 = off (linear model only)
export const H_CORR_RATE: i32 = 18;
export const H_BETA1: i32 = 19;
export const H_BETA2: i32 = 20;
export const H_ADAM_EPS: i32 = 21;
export const H_STEP: i32 = 22; // optimiser steps taken so far (Adam's bias correction)
export const H_TEACHER: i32 = 23; // TEACHER_LINEAR (Y = X W*ᵀ) | TEACHER_MLP (Y = ReLU(X W1*ᵀ) W2*ᵀ)
// ---- buffers (byte addresses)
export const P_PARAMS: i32 = 24;
export const P_GRAD: i32 = 25;
export const P_ADAM_M: i32 = 26;
export const P_ADAM_V: i32 = 27;
export const P_X: i32 = 28; // B×d batch inputs
export const P_Y: i32 = 29; // B×d batch targets
export const P_WORK: i32 = 30; // linear: B×d residual; chain: dense_chain workspace
export const P_WSTAR: i32 = 31; // W* (d×d) or teacher W1* (hidden×d)
export const P_WSTAR2: i32 = 32; // teacher W2* (d×hidden)
export const P_THID: i32 = 33; // B×hidden teacher activations
export const P_SVD_S: i32 = 34; // d
export const P_SVD_U: i32 = 35; // d×d
export const P_SVD_V: i32 = 36; // d×d
export const P_SIGMA_STAR: i32 = 37; // d, σ(W*) descending
export const P_WPREV: i32 = 38; // nparam: the parameters the last step's gradient was taken at (when asked)
export const P_RNG: i32 = 39; // the training stream's state
export const P_WEFF: i32 = 40; // d×d scratch: W_eff, U·diag(σ)
export const P_GEFF: i32 = 41; // d×d scratch: ∂L/∂W_eff
// ---- outputs
export const O_LOSS: i32 = 42; // loss of the last step (at the parameters before it)
export const O_SPEC_NORM: i32 = 43; // unclipped Frobenius norm of the last spectral-regulariser gradient
export const O_REASON: i32 = 44; // why a run stopped: REASON_*
export const P_NS_WS: i32 = 45; // Newton–Schulz workspace (Muon)
// ---- correctives beyond the paper (linear model only)
export const H_SVMULT: i32 = 46; // 1 = singular-value multipliers W_eff = U·diag(σ ⊙ m)·Vᵀ, parameters [W | m]
export const H_ORTH_LAMBDA: i32 = 47; // orthogonality regulariser λ_o‖WᵀW − I‖²_F; 0 = off
export const H_PSS_EVERY: i32 = 48; // Parametric Singularity Smoothing period in epochs; 0 = off
export const H_PSS_STRENGTH: i32 = 49; // α: log σᵢ ← (1 − α)·log σᵢ + α·mean log σ
export const P_SCRATCH: i32 = 50; // d×d scratch for the correctives above
// ---- spectral-transfer steps (OPT_ST; spectral_transfer.ts; chains keep α per layer in P_ST_LAYERS)
export const H_ST_ALPHA: i32 = 51; // curvature exponent α: step along gradient direction k ∝ s_k^(1−α)
export const H_ST_TAU: i32 = 52; // directions with s_k < τ·s₁ are dropped
export const H_ST_ADAPT_EVERY: i32 = 53; // adaptive α: re-measured at steps 1, 1 + N, 1 + 2N, …; 0 = α fixed
export const H_ST_ADAPT_K: i32 = 54; // adaptive α: top-K gradient directions in the fit
export const O_ST_ALPHA_FIT: i32 = 55; // adaptive α: the last fitted slope before clamping (NaN: too few points)
// ---- structured decay (linear model only; structured_decay.ts)
export const H_SD_LAMBDA: i32 = 56; // λ of (λ/2)·Σ_{i∈S} σᵢ²; 0 = off
export const H_SD_K: i32 = 57; // S = top k (k > 0) or bottom |k| (k < 0) singular directions
// ---- per-layer matrix steps on chains (OPT_MUON / OPT_ST with MODEL_CHAIN; chain_steps.ts)
export const P_ST_LAYERS: i32 = 58; // 2·layers: α per layer, then the last unclamped fit per layer (NaN: none)
export const P_ST_HVP: i32 = 59; // adaptive α: direction (nparam), its HVP (nparam), fit points (2·K)
export const H_SLOTS: i32 = 60;

export const MODEL_LINEAR: i32 = 0;
export const MODEL_CHAIN: i32 = 1;
export const OPT_SGD: i32 = 0;
export const OPT_ADAM: i32 = 1;
export const OPT_MUON: i32 = 2; // per weight matrix (chains: per layer, chain_steps.ts): W ← W − lr·NS₅(g + β·buf), buf ← β·buf + g (Nesterov momentum β = H_BETA1)
export const OPT_ST: i32 = 3; // per weight matrix: W ← W − lr·U·diag(φ(s))·Vᵀ of G = g + β·buf, φ ∝ s^(1−α) (spectral_transfer.ts)
export const TEACHER_LINEAR: i32 = 0;
export const TEACHER_MLP: i32 = 1;
export const REASON_NONE: i32 = 0;
export const REASON_LOSS: i32 = 1;
export const REASON_WEIGHTS: i32 = 2;
export const REASON_SVD: i32 = 3;

// @ts-ignore: decorator
@inline export function hf(h: usize, slot: i32): f64 {
  return load<f64>(h + (<usize>slot << 3));
}

// @ts-ignore: decorator
@inline export function hi(h: usize, slot: i32): i32 {
  return <i32>load<f64>(h + (<usize>slot << 3));
}

// @ts-ignore: decorator
@inline export function hp(h: usize, slot: i32): usize {
  return <usize>load<f64>(h + (<usize>slot << 3));
}

// @ts-ignore: decorator
@inline export function hset(h: usize, slot: i32, v: f64): void {
  store<f64>(h + (<usize>slot << 3), v);
}

// @ts-ignore: decorator
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}
