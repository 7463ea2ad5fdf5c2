// Closed-form predictions for the single-layer model trained by SGD on fresh Gaussian batches with label noise
// (PROTOCOL.md: x ~ N(0, I_d), y = W*x + ε, ε ~ N(0, σ²I), batch B, loss ½·mean‖Wx − y‖²).
//
// With E_t = W_t − W* and S_t = X_tᵀX_t/B, one step is E_{t+1} = E_t(I − η S_t) + η N_tᵀX_t/B. Hence
//   mean:           E[E_t] = (1 − η)^t · E_0                                   (E[S] = I)
//   second moment:  m_{t+1} = ρ·m_t + η²σ²d²/B,  m_t = E‖E_t‖_F²,  ρ = 1 − 2η + η²(B + d + 1)/B
// using the Wishart moment E[S²] = (B + d + 1)/B · I and E[NᵀXXᵀN] = σ²·B·d per row. The fixed point
//   m_∞ = η σ² d² / (2B − η(B + d + 1))
// is the label-noise floor that long training (Exp 9) plateaus on; with σ = 0 it vanishes.
// These are the λ = 0, trial-averaged forms. overlay.ts has the per-trial (actual W*, W₀) per-row/column version
// with coupled weight decay, and trial.ts the metrics the experiments record from it.
// Powers by binary exponentiation (detmath.powInt), not `**`: V8's Math.pow differs in the last bit across versions.
import { CondlabError } from '../engine/errors.js';
import { powInt } from './detmath.js';

export interface LinearSgdSetting {
  lr: number;
  batch: number;
  d: number;
  noise: number;
}

function check(s: LinearSgdSetting): void {
  const { lr, batch, d, noise } = s;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new CondlabError(`lr must be a positive finite number, got ${lr}`, 'bad-option');
  if (!Number.isInteger(batch) || batch < 1) throw new CondlabError(`batch must be a positive integer, got ${batch}`, 'bad-option');
  if (!Number.isInteger(d) || d < 1) throw new CondlabError(`d must be a positive integer, got ${d}`, 'bad-option');
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new CondlabError(`noise must be a finite number ≥ 0, got ${noise}`, 'bad-option');
}

/** Contraction factor of the second moment per step; SGD is mean-square stable iff ρ < 1. */
export function secondMomentFactor(s: LinearSgdSetting): number {
  check(s);
  return 1 - 2 * s.lr + (s.lr * s.lr * (s.batch + s.d + 1)) / s.batch;
}

/** Per-step noise injection η²σ²d²/B into E‖E‖_F². */
export function noiseInjection(s: LinearSgdSetting): number {
  return (s.lr * s.lr * s.noise * s.noise * s.d * s.d) / s.batch;
}

/** m_∞ = E‖W − W*‖_F² at stationarity (Infinity when SGD is not mean-square stable). */
export function noiseFloor(s: LinearSgdSetting): number {
  const rho = secondMomentFactor(s);
  if (rho >= 1) return Infinity;
  return noiseInjection(s) / (1 - rho);
}

/** E‖W_t − W*‖_F² from a known start ‖E_0‖_F² (the deterministic recursion solved in closed form). */
export function expectedSquaredError(s: LinearSgdSetting, t: number, e0Squared: number): number {
  const rho = secondMomentFactor(s);
  const q = noiseInjection(s);
  const rt = powInt(rho, t);
  return rt * e0Squared + (rho === 1 ? q * t : (q * (1 - rt)) / (1 - rho));
}

/** Predicted overall error ‖W_t − W*‖_F/‖W*‖_F (root of the expected square; Jensen makes it an upper estimate of the mean). */
export function predictedOverallError(s: LinearSgdSetting, t: number, e0Squared: number, targetFrobSquared: number): number {
  return Math.sqrt(expectedSquaredError(s, t, e0Squared) / targetFrobSquared);
}

/**
 * Predicted mean relative row-norm error at step t, for a row w* of norm r with start w_0:
 * the mean path shrinks the gap by a = (1 − η)^t, so ‖w_t‖ ≈ ‖(1 − a)w* + a·w_0‖, plus the noise term
 * E|⟨ŵ*, e⟩| ≈ √(2/π)·√(m_t)/d from the fluctuation e around the mean (spread evenly over d rows and d directions).
 */
export function predictedRowNormError(s: LinearSgdSetting, t: number, e0Squared: number): number {
  const a = powInt(1 - s.lr, t);
  const mNoise = expectedSquaredError(s, t, e0Squared) - a * a * e0Squared; // variance part only
  return a + (Math.sqrt(2 / Math.PI) * Math.sqrt(Math.max(mNoise, 0))) / s.d;
}
