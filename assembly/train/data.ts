// One fresh batch from the training stream, in PROTOCOL.md's order: X (B×d) ~ N(0, 1), then ε (B×d) ~ N(0, noise²),
// then Y = teacher(X) + ε. ε is drawn even when noise = 0 so the stream stays aligned across noise settings.
//
// Residual form: when a single linear layer learns a linear teacher, Y is never formed. P_Y keeps ε alone and
// linear.ts computes the residual as X·(W − W*)ᵀ − ε, which is X·Wᵀ − Y in exact arithmetic. This is one B×d×d GEMM
// per step instead of two (Exp 1–6, 8, 9 spend most of their time there). It is also more accurate: W − W* is formed
// before the product, so the residual does not cancel when W ≈ W*. batchTargets() forms Y when a caller needs it.

import { gemm } from "../gemm/gemm";
import { copy } from "../blas1";
import { rngFillNormal } from "../rng/xoshiro256ss";
import {
  H_BATCH, H_D, H_HIDDEN, H_MODEL, H_NOISE, H_TEACHER, MODEL_LINEAR, P_RNG, P_THID, P_WSTAR, P_WSTAR2, P_X, P_Y,
  TEACHER_LINEAR, TEACHER_MLP, at, hf, hi, hp,
} from "./layout";

/** True when P_Y holds ε only and the linear model's residual is formed from W − W* (see above). */
export function residualForm(h: usize): bool {
  return hi(h, H_MODEL) == MODEL_LINEAR && hi(h, H_TEACHER) == TEACHER_LINEAR;
}

export function drawBatch(h: usize): void {
  const B = hi(h, H_BATCH), d = hi(h, H_D);
  const x = hp(h, P_X), y = hp(h, P_Y), rng = hp(h, P_RNG);
  rngFillNormal(rng, x, B * d, 0.0, 1.0);
  rngFillNormal(rng, y, B * d, 0.0, hf(h, H_NOISE));
  if (hi(h, H_TEACHER) == TEACHER_MLP) {
    const k = hi(h, H_HIDDEN), t = hp(h, P_THID);
    gemm(0, 1, B, k, d, 1.0, x, d, hp(h, P_WSTAR), d, 0.0, t, k);
    const n = B * k;
    for (let i = 0; i < n; i++) store<f64>(at(t, i), max(load<f64>(at(t, i)), 0.0));
    gemm(0, 1, B, d, k, 1.0, t, k, hp(h, P_WSTAR2), k, 1.0, y, d);
  } else if (!residualForm(h)) {
    gemm(0, 1, B, d, d, 1.0, x, d, hp(h, P_WSTAR), d, 1.0, y, d);
  }
}

/** out (B×d) ← the current batch's targets Y: P_Y itself, or X·W*ᵀ + ε in the residual form (for tests, evaluation). */
export function batchTargets(h: usize, out: usize): void {
  const B = hi(h, H_BATCH), d = hi(h, H_D);
  copy(B * d, hp(h, P_Y), out);
  if (residualForm(h)) gemm(0, 1, B, d, d, 1.0, hp(h, P_X), d, hp(h, P_WSTAR), d, 1.0, out, d);
}
