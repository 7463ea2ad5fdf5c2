// The closed-form overlay for one experiment trial: the predictions of overlay.ts for the trial's own W*, W₀ and
// training spec, as metrics (`pred…`) and series that the experiments record next to their measurements.
// Cheap: O(d²) per time point plus, for the mean-path κ, one singular-value decomposition — no extra training.
//
// Names (all relative errors, as the measured metrics of the same name without `pred`):
//   predRowNormErr, predColNormErr, predFrobErr   norm errors from the exact mean path and fluctuation variance
//   predOverallErr                                √(E‖W_t − W*‖²)/‖W*‖ — the RMS, an upper estimate of the mean
//   predMeanPathKappaErr, predMeanPathLogKappaErr κ error of the mean path W̄_t = W*/(1+λ) + c^t(W₀ − W*/(1+λ)):
//                                                 what the closed form says about shape (nothing beyond W₀'s
//                                                 leftover — all directions shrink at the same rate c)
//   predFloorRowNormErr, predFloorColNormErr, predFloorOverallErr   the same at t = ∞ (label-noise floor, + the
//                                                 weight-decay bias W*/(1+λ) − W* when λ > 0)
import type { Engine } from '../engine/engine.js';
import type { Reference } from '../metrics/components.js';
import { kappaOf, scalarRelErr } from '../metrics/components.js';
import type { TrainSpec } from '../train/trainer.js';
import { meanPath, predict, trialGeometry, type Prediction, type SgdSetting, type TrialGeometry } from './overlay.js';

/** The closed form covers plain single-layer SGD (with coupled weight decay) only. */
export function sgdSetting(spec: TrainSpec): SgdSetting | undefined {
  const plain = spec.model === 'linear' && spec.optimizer === 'sgd' && !spec.multipliers && !spec.svMultipliers && !spec.specLambda
    && !spec.svdCorrEvery && !spec.orthLambda && !spec.pssEvery && !spec.structDecayLambda;
  if (!plain) return undefined;
  return { lr: spec.lr, batch: spec.batch, d: spec.d, noise: spec.noise, weightDecay: spec.weightDecay };
}

export const PRED_METRICS = ['predRowNormErr', 'predColNormErr', 'predFrobErr', 'predOverallErr'] as const;

function asMetrics(p: Prediction, prefix = 'pred'): Record<string, number> {
  return {
    [`${prefix}RowNormErr`]: p.rowNormErr,
    [`${prefix}ColNormErr`]: p.colNormErr,
    [`${prefix}FrobErr`]: p.frobErr,
    [`${prefix}OverallErr`]: p.overallErr,
  };
}

/** Keeps finite values only (a mean-square-unstable setting has no finite prediction; JSON has no ∞). */
function finiteOnly(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));
}

export interface Overlay {
  setting: SgdSetting;
  geometry: TrialGeometry;
}

/** The trial's overlay from its reference W*, initial weights W₀ (row-major) and spec; undefined if not plain SGD. */
export function overlayOf(ref: Reference, W0: Float64Array, spec: TrainSpec): Overlay | undefined {
  const setting = sgdSetting(spec);
  if (!setting) return undefined;
  return { setting, geometry: trialGeometry(ref.W.toArray(), W0, spec.d, spec.weightDecay) };
}

/** Predicted metrics at step t, with the mean path's κ errors (one SVD) when an engine is given. */
export function closedFormMetrics(o: Overlay, ref: Reference, t: number, engine?: Engine): Record<string, number> {
  const out = asMetrics(predict(o.setting, o.geometry, t));
  if (engine) {
    const d = o.geometry.d;
    const k = engine.scope(() => kappaOf(engine.singularValues(engine.matrix(d, d, meanPath(o.setting, o.geometry, t)), { method: 'bidiag' }).toArray()));
    out.predMeanPathKappaErr = scalarRelErr(k, ref.c.kappa);
    out.predMeanPathLogKappaErr = Math.abs(engine.log(k) - engine.log(ref.c.kappa));
  }
  return finiteOnly(out);
}

/** The stationary predictions (t = ∞): the label-noise floor. */
export function closedFormFloor(o: Overlay): Record<string, number> {
  const p = predict(o.setting, o.geometry, Infinity);
  return finiteOnly({ predFloorRowNormErr: p.rowNormErr, predFloorColNormErr: p.colNormErr, predFloorOverallErr: p.overallErr });
}

/** Predicted series at the given epochs (named like the metrics); a non-finite value drops its whole series. */
export function closedFormSeries(o: Overlay, epochs: number[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const e of epochs) for (const [k, v] of Object.entries(asMetrics(predict(o.setting, o.geometry, e)))) (out[k] ??= []).push(v);
  for (const k of Object.keys(out)) if (!out[k].every(Number.isFinite)) delete out[k];
  return out;
}
