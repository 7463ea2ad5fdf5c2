// Closed-form predictions for ONE trial of the single-layer SGD model — its own target W* and initial weights W₀,
// averaged only over the batches — recorded next to the measurements of Exp 1, 5, 8 and 9 ("closed-form overlay").
//
// Model (PROTOCOL.md). x ~ N(0, I_d), y = W*x + ε, ε ~ N(0, σ²I); per step a fresh batch X (B×d), Y = XW*ᵀ + N.
// Loss ½·mean_b‖Wx_b − y_b‖², so with S = XᵀX/B and Z = NᵀX/B the gradient is G = (W − W*)S − Z, and SGD with
// coupled weight decay λ (PROTOCOL.md: λW added to the gradient) steps W' = W − η(G + λW).
//
// Fixed point and mean path. Put V = W*/(1 + λ) and F = W − V (so W − W* = F − λV). Then
//     F' = F·A + ηλ·V(S − I) + η·Z,     A = (1 − ηλ)I − ηS.
// F_t depends only on earlier batches, so it is independent of (S, Z) of step t; E[S] = I and E[Z | X] = 0 give
//     E[F_t] = c^t F₀,   c = 1 − η(1 + λ)        ⇒   W̄_t = V + c^t (W₀ − V),
// i.e. the mean contracts at rate c toward W*/(1 + λ), not W*. With λ = 0, c = a = 1 − η and row i follows
// w̄ᵢ(t) = w*ᵢ + a^t (w₀ᵢ − w*ᵢ). Every singular direction (indeed every direction) shrinks at the same rate.
//
// Second moments. Wishart moments of S (B samples of N(0, I_d)):
//     E[S²] = (B + d + 1)/B·I,   E[(S − I)²] = (d + 1)/B·I,   E[S M S] = ((B − 1)M + M + Mᵀ + tr(M)·I)/B,
// and E[ZZᵀ] = E[ZᵀZ] = σ²d/B·I with Z uncorrelated with anything else. Hence E[A²] = ρ·I with
//     ρ = c² + η²(d + 1)/B           (λ = 0: 1 − 2η + η²(B + d + 1)/B, linear_sgd.ts's factor).
// The weight-decay term does not decouple: A and S − I are correlated, E[A(S − I)] = −η·E[S² − S] = −η(d + 1)/B·I,
// so the cross term 2ηλ·E⟨F·A, V(S − I)⟩ = −2η²λ(d + 1)/B·⟨E[F_t], V⟩ = −2η²λ(d + 1)/B·c^t⟨F₀, V⟩ survives, and
// E‖ηλV(S − I)‖² = η²λ²(d + 1)/B·‖V‖². For row i (fᵢ, vᵢ rows of F, V) this is exact:
//     E‖fᵢ‖²_{t+1} = ρ·E‖fᵢ‖²_t + η²λ²(d+1)/B·‖vᵢ‖² + η²σ²d/B − 2η²λ(d+1)/B·c^t⟨f₀ᵢ, vᵢ⟩,
// and the fluctuation about the mean, Varᵢ = E‖fᵢ‖² − c^{2t}‖f₀ᵢ‖², obeys
//     Varᵢ(t+1) = ρ·Varᵢ(t) + η²(d+1)/B·c^{2t}‖f₀ᵢ‖² + [the same injection terms],   Varᵢ(0) = 0.
// Summing rows gives the total (‖V‖², ⟨F₀, V⟩, and η²σ²d²/B). Columns gⱼ = F eⱼ couple through the trace: with
// K = E[FᵀF], E[A K A]ⱼⱼ = α·Kⱼⱼ + η²/B·tr K, α = c² + η²/B, and the cross term gives −2η²λ((F̄ᵀV)ⱼⱼ + ⟨F̄, V⟩)/B:
//     Var⁽ᶜ⁾ⱼ(t+1) = α·Var⁽ᶜ⁾ⱼ(t) + η²/B·c^{2t}‖g₀ⱼ‖² + η²/B·m_t + η²σ²d/B + η²λ²(‖Veⱼ‖² + ‖V‖²)/B
//                    − 2η²λ·c^t(⟨g₀ⱼ, Veⱼ⟩ + ⟨F₀, V⟩)/B,                 m_t = E‖F_t‖²_F.
// All of these are linear recursions with constant coefficients, solved exactly with
// D(r₁, r₂, t) = Σ_{s<t} r₁^{t−1−s} r₂^s (detmath.geomConv) and the one shared convolution Σ_{s<t} α^{t−1−s} m_s
// (a power of a 4×4 triangular matrix); t = ∞ gives the stationary values — the label-noise floor (+ the λ bias).
// Nothing in them is approximate: they need only Gaussian x and independent fresh batches. E‖W_t − W*‖² =
// ‖Ē_t‖² + Var(t) with Ē_t = c^t F₀ − λV.
//
// Derived error predictions (the approximations are here, and only here):
// - overallErr ≈ √(E‖W_t − W*‖²_F)/‖W*‖_F — the RMS, exact as such; by Jensen an UPPER estimate of the mean of
//   ‖W_t − W*‖/‖W*‖, tight when ‖W_t − W*‖² concentrates (d² entries: the gap is O(1/d²) relative).
// - row/column-norm and Frobenius-norm errors: the fluctuation of a row (column; the whole matrix) is taken as an
//   isotropic Gaussian N(0, Var/n·I) around the exact mean μ (n = d; d²). This is exact for the label-noise and
//   ηλV(S − I) injections up to O(1/d); the part driven by the mean has an extra O(1/d) share along μ. Then
//   ‖w‖² has mean ‖μ‖² + Var and variance 4s²‖μ‖² + 2ns⁴ (s² = Var/n), ‖w‖ ≈ N(√E‖w‖² − Var‖w‖²/(8(E‖w‖²)^{3/2}),
//   Var‖w‖²/(4E‖w‖²)) by the second-order delta method, and E|‖w‖ − r| is the folded-normal mean. Relative errors
//   are E|‖w‖ − r|/r averaged over rows (columns), as the metrics are (PROTOCOL.md).
// - κ: the closed form predicts no shape effect beyond W̄_t itself — every direction shrinks by the same c^t — so
//   the mean path's κ(W̄_t) is what a shape prediction can be built from (see trial.ts); with W₀ = 0 and λ ≥ 0 it
//   is exactly κ* (W̄_t = (1 − c^t)V).
//
// DETERMINISM: only +, −, ×, ÷ and Math.sqrt (IEEE, identical in every engine) and detmath's exp/erf; no `**`,
// Math.pow/exp/log. Loops run in a fixed order, so results JSON is bit-identical in Node and Chromium.
import { foldedNormalMean, geomConv, matPowInt, powInt } from './detmath.js';

export interface SgdSetting {
  /** η ≥ 0 */
  lr: number;
  batch: number;
  d: number;
  /** label-noise std σ */
  noise: number;
  /** coupled weight decay λ ≥ 0 (gradient + λW) */
  weightDecay: number;
}

/** A trial's geometry: everything the predictions need from W* and W₀ (row-major d×d), computed once. */
export interface TrialGeometry {
  d: number;
  weightDecay: number;
  /** V = W* / (1 + λ), the mean fixed point. */
  V: Float64Array;
  /** F₀ = W₀ − V. */
  F0: Float64Array;
  Wstar: Float64Array;
  /** ‖w*ᵢ‖ (rows), ‖W* eⱼ‖ (columns), ‖W*‖_F. */
  rowTarget: Float64Array;
  colTarget: Float64Array;
  targetFrob: number;
  /** Per row / column: ‖v‖², ⟨f₀, v⟩, ‖f₀‖². */
  rowVV: Float64Array;
  rowFV: Float64Array;
  rowFF: Float64Array;
  colVV: Float64Array;
  colFV: Float64Array;
  colFF: Float64Array;
  VV: number;
  FV: number;
  FF: number;
}

export function trialGeometry(Wstar: ArrayLike<number>, W0: ArrayLike<number>, d: number, weightDecay: number): TrialGeometry {
  if (Wstar.length !== d * d || W0.length !== d * d) throw new RangeError(`trialGeometry: expected ${d}×${d} matrices, got ${Wstar.length} and ${W0.length} values`);
  if (!(weightDecay >= 0)) throw new RangeError(`weight decay must be ≥ 0, got ${weightDecay}`);
  const shrink = 1 + weightDecay;
  const V = new Float64Array(d * d), F0 = new Float64Array(d * d), Ws = Float64Array.from(Wstar);
  for (let k = 0; k < d * d; k++) {
    V[k] = Ws[k] / shrink;
    F0[k] = W0[k] - V[k];
  }
  const rowVV = new Float64Array(d), rowFV = new Float64Array(d), rowFF = new Float64Array(d), rowT = new Float64Array(d);
  const colVV = new Float64Array(d), colFV = new Float64Array(d), colFF = new Float64Array(d), colT = new Float64Array(d);
  let VV = 0, FV = 0, FF = 0, TT = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      const k = i * d + j, v = V[k], f = F0[k], w = Ws[k];
      rowVV[i] += v * v; rowFV[i] += f * v; rowFF[i] += f * f; rowT[i] += w * w;
      colVV[j] += v * v; colFV[j] += f * v; colFF[j] += f * f; colT[j] += w * w;
    }
  for (let i = 0; i < d; i++) {
    VV += rowVV[i]; FV += rowFV[i]; FF += rowFF[i]; TT += rowT[i];
    rowT[i] = Math.sqrt(rowT[i]);
    colT[i] = Math.sqrt(colT[i]);
  }
  return {
    d, weightDecay, V, F0, Wstar: Ws, rowTarget: rowT, colTarget: colT, targetFrob: Math.sqrt(TT),
    rowVV, rowFV, rowFF, colVV, colFV, colFF, VV, FV, FF,
  };
}

/** The constants of the recursions. */
export interface Rates {
  /** mean contraction c = 1 − η(1 + λ) */
  c: number;
  /** row / total second-moment factor ρ = c² + η²(d + 1)/B */
  rho: number;
  /** column factor α = c² + η²/B */
  alpha: number;
  /** η²/B */
  e2B: number;
  /** η²(d + 1)/B = ρ − c² */
  e2dB: number;
}

export function rates(s: SgdSetting): Rates {
  check(s);
  const { lr: eta, batch: B, d, weightDecay: lam } = s;
  const c = 1 - eta * (1 + lam);
  const e2B = (eta * eta) / B;
  const e2dB = (eta * eta * (d + 1)) / B;
  return { c, rho: c * c + e2dB, alpha: c * c + e2B, e2B, e2dB };
}

function check(s: SgdSetting): void {
  const bad = (what: string, v: number) => new RangeError(`${what}, got ${v}`);
  if (!(s.lr >= 0) || !Number.isFinite(s.lr)) throw bad('lr must be a finite number ≥ 0', s.lr);
  if (!Number.isInteger(s.batch) || s.batch < 1) throw bad('batch must be a positive integer', s.batch);
  if (!Number.isInteger(s.d) || s.d < 1) throw bad('d must be a positive integer', s.d);
  if (!(s.noise >= 0) || !Number.isFinite(s.noise)) throw bad('noise must be a finite number ≥ 0', s.noise);
  if (!(s.weightDecay >= 0) || !Number.isFinite(s.weightDecay)) throw bad('weight decay must be a finite number ≥ 0', s.weightDecay);
}

/** Exact second moments of the fluctuation about the mean path at step t (t = ∞: stationary). */
export interface Moments {
  t: number;
  /** c^t */
  ct: number;
  /** Var of row i / column j: E‖fᵢ − f̄ᵢ‖², E‖gⱼ − ḡⱼ‖². */
  rowVar: Float64Array;
  colVar: Float64Array;
  /** Σ rowVar = Σ colVar. */
  totalVar: number;
  /** m_t = E‖W_t − V‖²_F. */
  m: number;
  /** E‖W_t − W*‖²_F = ‖c^t F₀ − λV‖² + totalVar. */
  errSquared: number;
}

/** Injection constants of the recursions (per row, total, per column). */
function injections(s: SgdSetting, g: TrialGeometry, r: Rates) {
  const { d } = s;
  const lam = s.weightDecay;
  const sig2 = s.noise * s.noise;
  const rowNoise = r.e2B * sig2 * d; // η²σ²d/B
  const wd2 = r.e2dB * lam * lam; // η²λ²(d+1)/B
  const cross = -2 * r.e2dB * lam; // −2η²λ(d+1)/B
  return {
    rowQ: (i: number) => wd2 * g.rowVV[i] + rowNoise,
    rowH: (i: number) => cross * g.rowFV[i],
    totQ: wd2 * g.VV + rowNoise * d,
    totH: cross * g.FV,
    colP: (j: number) => rowNoise + r.e2B * lam * lam * (g.colVV[j] + g.VV),
    colU: (j: number) => -2 * r.e2B * lam * (g.colFV[j] + g.FV),
  };
}

/** The closed form of the moments at step t (integer ≥ 0, or Infinity). */
export function moments(s: SgdSetting, g: TrialGeometry, t: number): Moments {
  if (s.d !== g.d) throw new RangeError(`setting has d = ${s.d}, geometry ${g.d}`);
  const r = rates(s);
  const inj = injections(s, g, r);
  const c2 = r.c * r.c;
  const ct = powInt(r.c, t);
  // row-type recursions (factor ρ)
  const Dc2 = geomConv(r.rho, c2, t), D1 = geomConv(r.rho, 1, t), Dc = geomConv(r.rho, r.c, t);
  const rowVar = new Float64Array(g.d);
  for (let i = 0; i < g.d; i++) rowVar[i] = r.e2dB * g.rowFF[i] * Dc2 + inj.rowQ(i) * D1 + inj.rowH(i) * Dc;
  const totalVar = r.e2dB * g.FF * Dc2 + inj.totQ * D1 + inj.totH * Dc;
  // m_t = E‖F_t‖² and the shared column convolution S_t = Σ_{s<t} α^{t−1−s} m_s
  let m: number, St: number;
  if (t === Infinity) {
    m = r.rho < 1 ? inj.totQ / (1 - r.rho) : Infinity;
    St = r.alpha < 1 ? m / (1 - r.alpha) : Infinity;
  } else {
    // state (S, m, c^s, 1): S' = αS + m, m' = ρm + H·c^s + Q
    const M = [r.alpha, 1, 0, 0, 0, r.rho, inj.totH, inj.totQ, 0, 0, r.c, 0, 0, 0, 0, 1];
    const P = matPowInt(M, 4, t);
    const z0 = [0, g.FF, 1, 1];
    St = P[0] * z0[0] + P[1] * z0[1] + P[2] * z0[2] + P[3] * z0[3];
    m = P[4] * z0[0] + P[5] * z0[1] + P[6] * z0[2] + P[7] * z0[3];
  }
  const Ac2 = geomConv(r.alpha, c2, t), A1 = geomConv(r.alpha, 1, t), Ac = geomConv(r.alpha, r.c, t);
  const colVar = new Float64Array(g.d);
  for (let j = 0; j < g.d; j++) colVar[j] = r.e2B * (g.colFF[j] * Ac2 + St) + inj.colP(j) * A1 + inj.colU(j) * Ac;
  // ‖Ē_t‖² with Ē_t = c^t F₀ − λV, summed entry by entry (no cancellation between large scalars)
  let meanErr2 = 0;
  const lam = s.weightDecay;
  for (let k = 0; k < g.d * g.d; k++) {
    const e = ct * g.F0[k] - lam * g.V[k];
    meanErr2 += e * e;
  }
  return { t, ct, rowVar, colVar, totalVar, m, errSquared: meanErr2 + totalVar };
}

/**
 * The same moments by running the recursions step by step (the definition the closed form solves; for tests).
 * Returns the moments at every t in `at` (ascending integers).
 */
export function iterateMoments(s: SgdSetting, g: TrialGeometry, at: number[]): Moments[] {
  const r = rates(s);
  const inj = injections(s, g, r);
  const d = g.d, lam = s.weightDecay;
  const rowVar = new Float64Array(d), colVar = new Float64Array(d);
  let totalVar = 0, m = g.FF, ct = 1;
  const out: Moments[] = [];
  let t = 0;
  const snap = () => {
    let meanErr2 = 0;
    for (let k = 0; k < d * d; k++) {
      const e = ct * g.F0[k] - lam * g.V[k];
      meanErr2 += e * e;
    }
    out.push({ t, ct, rowVar: rowVar.slice(), colVar: colVar.slice(), totalVar, m, errSquared: meanErr2 + totalVar });
  };
  for (const target of at) {
    while (t < target) {
      const c2t = ct * ct;
      for (let i = 0; i < d; i++) rowVar[i] = r.rho * rowVar[i] + r.e2dB * c2t * g.rowFF[i] + inj.rowQ(i) + inj.rowH(i) * ct;
      for (let j = 0; j < d; j++) colVar[j] = r.alpha * colVar[j] + r.e2B * c2t * g.colFF[j] + r.e2B * m + inj.colP(j) + inj.colU(j) * ct;
      totalVar = r.rho * totalVar + r.e2dB * c2t * g.FF + inj.totQ + inj.totH * ct;
      m = r.rho * m + inj.totQ + inj.totH * ct;
      ct *= r.c;
      t++;
    }
    snap();
  }
  return out;
}

/** E|‖w‖ − r|/r for w ~ N(μ, Var/n·I_n), ‖μ‖² = mean2 (delta method + folded normal; see the header). */
export function normErrPrediction(mean2: number, variance: number, n: number, target: number): number {
  const EQ = mean2 + variance;
  if (!(EQ > 0)) return 1; // w = 0 exactly
  const s2 = variance / n;
  const VQ = 4 * s2 * mean2 + 2 * n * s2 * s2;
  const root = Math.sqrt(EQ);
  const mu = root - VQ / (8 * EQ * root);
  const tau = Math.sqrt(VQ / (4 * EQ));
  return foldedNormalMean(mu - target, tau) / target;
}

export interface Prediction {
  t: number;
  /** mean over rows of E|‖wᵢ‖ − ‖w*ᵢ‖|/‖w*ᵢ‖ */
  rowNormErr: number;
  colNormErr: number;
  /** E|‖W‖_F − ‖W*‖_F|/‖W*‖_F */
  frobErr: number;
  /** √(E‖W_t − W*‖²)/‖W*‖ (RMS: an upper estimate of the mean by Jensen) */
  overallErr: number;
  /** ‖E[W_t] − W*‖/‖W*‖: the mean path alone, no fluctuation */
  meanPathOverallErr: number;
}

/** The mean path W̄_t = V + c^t F₀ (row-major). */
export function meanPath(s: SgdSetting, g: TrialGeometry, t: number): Float64Array {
  const ct = powInt(rates(s).c, t);
  const out = new Float64Array(g.d * g.d);
  for (let k = 0; k < out.length; k++) out[k] = g.V[k] + ct * g.F0[k];
  return out;
}

/** All error predictions at step t (t = ∞: the stationary floor). */
export function predict(s: SgdSetting, g: TrialGeometry, t: number): Prediction {
  const mo = moments(s, g, t);
  const d = g.d, ct = mo.ct;
  const rowMean2 = new Float64Array(d), colMean2 = new Float64Array(d);
  let frobMean2 = 0, meanErr2 = 0;
  const lam = s.weightDecay;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      const w = g.V[k] + ct * g.F0[k];
      rowMean2[i] += w * w;
      colMean2[j] += w * w;
      const e = ct * g.F0[k] - lam * g.V[k];
      meanErr2 += e * e;
    }
  let row = 0, col = 0;
  for (let i = 0; i < d; i++) {
    row += normErrPrediction(rowMean2[i], mo.rowVar[i], d, g.rowTarget[i]);
    col += normErrPrediction(colMean2[i], mo.colVar[i], d, g.colTarget[i]);
    frobMean2 += rowMean2[i];
  }
  return {
    t,
    rowNormErr: row / d,
    colNormErr: col / d,
    frobErr: normErrPrediction(frobMean2, mo.totalVar, d * d, g.targetFrob),
    overallErr: Math.sqrt(mo.errSquared) / g.targetFrob,
    meanPathOverallErr: Math.sqrt(meanErr2) / g.targetFrob,
  };
}
