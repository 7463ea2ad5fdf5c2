// One fresh batch from the training stream, in PROTOCOL.md's order: X (B×d) ~ N(0, 1), then ε (B×d) ~ N(0, noise²),
// then Y = teacher(X) + ε. ε is drawn even when noise = 0 so the stream stays aligned across noise settings.

import { gemm } from "../gemm/gemm";
import { rngFillNormal } from "../rng/xoshiro256ss";
import { H_BATCH, H_D, H_HIDDEN, H_NOISE, H_TEACHER, P_RNG, P_THID, P_WSTAR, P_WSTAR2, P_X, P_Y, TEACHER_MLP, at, hf, hi, hp } from "./layout";

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
  } else {
    gemm(0, 1, B, d, d, 1.0, x, d, hp(h, P_WSTAR), d, 1.0, y, d);
  }
}
