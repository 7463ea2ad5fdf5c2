// The single linear layer, plain or with learnable multipliers W_eff = diag(r)·W·diag(c) (Velikanov et al.).
// Loss ½·mean_b ‖W_eff x_b − y_b‖²; with R = X·W_effᵀ − Y (B×d), ∂L/∂W_eff = Rᵀ·X / B. Through the multipliers:
//   ∂L/∂W_ij = r_i·G_ij·c_j,  ∂L/∂r_i = Σ_j G_ij·W_ij·c_j,  ∂L/∂c_j = Σ_i G_ij·r_i·W_ij   (G = ∂L/∂W_eff).
// Parameters are laid out [W (d×d) | r (d) | c (d)]; without multipliers just W. Singular-value multipliers
// (svmult.ts) reuse the residual and G here with their own W_eff and backward pass.

import { gemm } from "../gemm/gemm";
import { sub } from "../blas1";
import { H_BATCH, H_D, H_MULT, H_SVMULT, O_REASON, P_GEFF, P_WEFF, P_WORK, P_WSTAR, P_X, P_Y, REASON_SVD, at, hi, hp, hset } from "./layout";
import { svMultBackward, svMultEffective } from "./svmult";
import { residualForm } from "./data";

/** out (d×d) ← diag(r)·W·diag(c) for parameters p = [W | r | c]. */
export function effectiveWeights(d: i32, p: usize, out: usize): void {
  const r = at(p, d * d), c = at(p, d * d + d);
  for (let i = 0; i < d; i++) {
    const ri = load<f64>(at(r, i));
    const row = i * d;
    for (let j = 0; j < d; j++) store<f64>(at(out, row + j), ri * load<f64>(at(p, row + j)) * load<f64>(at(c, j)));
  }
}

/**
 * Plain SGD on the bare linear layer is fused (run.ts): p ← (1 − lr·wd)·p − (lr/B)·Rᵀ·X, the gradient never
 * formed — the GEMM accumulates onto p (β = 1 − lr·wd), which saves writing G and two passes over p and G per step
 * (what the SGD loop costs beside its two GEMMs at d = 512). The same step as linearGradient + weight decay + sgdStep
 * up to rounding. linearResidualLoss leaves R in P_WORK and returns the loss at p; linearSgdApply then takes the step.
 */
export function linearResidualLoss(h: usize, p: usize): f64 {
  const B = hi(h, H_BATCH), d = hi(h, H_D);
  return 0.5 * linearResidual(h, p, B, d, false) * (1.0 / <f64>B); // as linearGradient rounds it
}

/** The fused step from the residual linearResidualLoss (or linearGradient) left in P_WORK. */
export function linearSgdApply(h: usize, p: usize, lr: f64, wd: f64): void {
  const B = hi(h, H_BATCH), d = hi(h, H_D);
  gemm(1, 0, d, d, B, -lr / <f64>B, hp(h, P_WORK), d, hp(h, P_X), d, 1.0 - lr * wd, p, d);
}

/** R = X·W_effᵀ − Y into P_WORK (w = W_eff, already formed); returns Σ R². */
function linearResidual(h: usize, w: usize, B: i32, d: i32, mult: bool): f64 {
  const x = hp(h, P_X), y = hp(h, P_Y), res = hp(h, P_WORK);
  if (residualForm(h)) {
    // R = X·(W_eff − W*)ᵀ − ε (data.ts); the difference goes to a d×d scratch the gradient overwrites later
    const e = mult ? hp(h, P_GEFF) : hp(h, P_WEFF), ws = hp(h, P_WSTAR);
    sub(d * d, w, ws, e);
    gemm(0, 1, B, d, d, 1.0, x, d, e, d, 0.0, res, d);
  } else gemm(0, 1, B, d, d, 1.0, x, d, w, d, 0.0, res, d);
  return subtractSquares(B * d, res, y);
}

/** Loss at p on the batch in the header, and its gradient into g (same layout as p). NaN if an SVD failed. */
export function linearGradient(h: usize, p: usize, g: usize): f64 {
  const B = hi(h, H_BATCH), d = hi(h, H_D);
  const svMult = hi(h, H_SVMULT) != 0;
  const mult = hi(h, H_MULT) != 0 || svMult;
  const x = hp(h, P_X), res = hp(h, P_WORK);
  const w = mult ? hp(h, P_WEFF) : p;
  if (svMult) {
    if (svMultEffective(h, p, w) < 0) {
      hset(h, O_REASON, <f64>REASON_SVD);
      return NaN;
    }
  } else if (mult) effectiveWeights(d, p, w);
  const loss = linearResidual(h, w, B, d, mult);
  const invB = 1.0 / <f64>B;
  const ge = mult ? hp(h, P_GEFF) : g;
  gemm(1, 0, d, d, B, invB, res, d, x, d, 0.0, ge, d);
  if (svMult) svMultBackward(h, p, ge, g);
  else if (mult) {
    const r = at(p, d * d), c = at(p, d * d + d);
    const gr = at(g, d * d), gc = at(g, d * d + d);
    memory.fill(gc, 0, <usize>d << 3);
    for (let i = 0; i < d; i++) {
      const ri = load<f64>(at(r, i));
      const row = i * d;
      let sr = 0.0;
      for (let j = 0; j < d; j++) {
        const gij = load<f64>(at(ge, row + j)), wij = load<f64>(at(p, row + j)), cj = load<f64>(at(c, j));
        store<f64>(at(g, row + j), ri * gij * cj);
        sr += gij * wij * cj;
        store<f64>(at(gc, j), load<f64>(at(gc, j)) + gij * ri * wij);
      }
      store<f64>(at(gr, i), sr);
    }
  }
  return 0.5 * loss * invB;
}

/** res ← res − y over n entries; returns Σ res² (two lanes, then their sum: a fixed order, so reproducible). */
function subtractSquares(n: i32, res: usize, y: usize): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const r = f64x2.sub(v128.load(at(res, i)), v128.load(at(y, i)));
    v128.store(at(res, i), r);
    acc = f64x2.add(acc, f64x2.mul(r, r));
  }
  let loss = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const r = load<f64>(at(res, i)) - load<f64>(at(y, i));
    store<f64>(at(res, i), r);
    loss += r * r;
  }
  return loss;
}
