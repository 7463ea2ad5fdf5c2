// The JS side of the MLP classifier trainer (assembly/train/classifier.ts): copies a labelled image set into linear
// memory once (as bytes), allocates every buffer in the caller's engine scope, draws the initial weights and fills
// the header that the WASM loop reads; then `train(steps)` is one call for any number of minibatch steps.
import type { Engine } from '../engine/engine.js';
import type { Vector } from '../engine/block.js';
import type { Rng } from '../engine/rng.js';
import { CondlabError, checkDim } from '../engine/errors.js';
import { wasmOf } from '../engine/internal.js';
import type { LabelledImages } from '../data/fmnist.js';

/** Header slots, mirroring assembly/train/classifier.ts (change both together). */
export const C = {
  LAYERS: 0, DIMS: 1, BATCH: 2, NW: 3, NPARAM: 4, OPT: 5, LR: 6, WD: 7, MULT: 8, MULT_LR: 9, SPEC_LAMBDA: 10,
  SPEC_CLIP: 11, SPEC_EVERY: 12, BETA1: 13, BETA2: 14, EPS: 15, STEP: 16, NTRAIN: 17, POS: 18, PIX_SCALE: 19,
  PIX_SHIFT: 20, O_LOSS: 21, O_REASON: 22, O_EVAL_LOSS: 23, O_EVAL_CORRECT: 24, P_IMAGES: 25, P_LABELS: 26,
  P_ORDER: 27, P_RNG: 28, P_PARAMS: 29, P_GRAD: 30, P_M: 31, P_V: 32, P_X: 33, P_Y: 34, P_WS: 35, P_WEFF: 36,
  P_GEFF: 37, P_NS_WS: 38, P_SPEC: 39, P_SVD_S: 40, P_SVD_U: 41, P_SVD_V: 42, ST_TAU: 43, ST_ADAPT_EVERY: 44,
  ST_ADAPT_K: 45, P_ST_LAYERS: 46, P_ST_HVP: 47, P_ST_US: 48, SLOTS: 49,
} as const;
const OPT_CODE = { sgd: 0, adam: 1, muon: 2, st: 3 } as const;
/** Spectral transfer's defaults on the classifier (as the synthetic trainer's ST_DEFAULTS): τ, fit directions. */
const ST = { tau: 0.01, adaptK: 8 } as const;
export const CLS_STOP_REASONS = ['none', 'non-finite loss', 'non-finite weights', 'SVD did not converge'] as const;

interface ClsExports {
  clsHeaderSlots(): number;
  clsShuffle(h: number): void;
  clsTrain(h: number, steps: number): number;
  clsEvaluate(h: number, images: number, labels: number, n: number): number;
  clsCopyEffective(h: number, out: number): void;
  clsBatchGradient(h: number, withReg: number, step: number): number;
  chainWorkspaceBytes(layers: number, dims: number, batch: number): number;
  newtonSchulzWorkspaceBytes(m: number, n: number): number;
}

export interface ClassifierSpec {
  /** Layer widths d_0 … d_L (784, hidden…, 10). */
  dims: number[];
  batch: number;
  optimizer: keyof typeof OPT_CODE;
  lr: number;
  weightDecay?: number;
  /** W_eff = diag(r)·W·diag(c) per layer, r, c from 1 at multLr. */
  multipliers?: boolean;
  multLr?: number;
  /** λ·Σ_l (log κ(W_l))²; 0 = off. */
  specLambda?: number;
  specClip?: number;
  /** Singular vectors refreshed every this many steps (default 10). */
  specEvery?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Spectral transfer (optimizer 'st'): curvature exponent α of every layer's step U·diag(s^(1−α))·Vᵀ (start value when adaptive). */
  stAlpha?: number;
  /** Spectral transfer: directions with s < stTau·s₁ are dropped (default 0.01). */
  stTau?: number;
  /** Spectral transfer: re-measure α per layer every this many steps from exact HVPs; 0 = α fixed. */
  stAdaptEvery?: number;
  /** Adaptive α: top-K gradient directions per layer in the fit (default 8). */
  stAdaptK?: number;
}

function checkSt(spec: ClassifierSpec): void {
  const { stAlpha: a = 1, stTau: t = ST.tau, stAdaptEvery: n = 0, stAdaptK: k = ST.adaptK } = spec;
  if (spec.multipliers || (spec.specLambda ?? 0) !== 0) throw new CondlabError('spectral transfer (optimizer st) does not combine with multipliers or the spectral regulariser', 'bad-option');
  if (!Number.isFinite(a) || a < -4 || a > 4) throw new CondlabError(`spectral transfer: α = ${a}; must be a finite number from -4 to 4`, 'bad-option', { option: 'stAlpha', value: a });
  if (!Number.isFinite(t) || t < 0 || t >= 1) throw new CondlabError(`spectral transfer: τ = ${t}; must be a number in [0, 1)`, 'bad-option', { option: 'stTau', value: t });
  if (!Number.isInteger(n) || n < 0) throw new CondlabError(`spectral transfer: adapt every ${n} steps; must be an integer ≥ 0 (0 = α fixed)`, 'bad-option', { option: 'stAdaptEvery', value: n });
  if (!Number.isInteger(k) || k < 2) throw new CondlabError(`spectral transfer: K = ${k} directions; must be an integer ≥ 2`, 'bad-option', { option: 'stAdaptK', value: k });
}

export interface EvalResult {
  loss: number;
  accuracy: number;
}

/** Pixel standardisation from the training images' own moments: x = (p/255 − μ)/s. Integer sums, so exact. */
export function pixelMoments(images: Uint8Array): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < images.length; i++) {
    s += images[i];
    s2 += images[i] * images[i];
  }
  const n = images.length;
  const mean = s / n / 255;
  const v = s2 / n / (255 * 255) - mean * mean;
  return { mean, std: Math.sqrt(Math.max(v, 1e-12)) };
}

export class MlpClassifier {
  readonly layers: number;
  readonly nWeights: number;
  private readonly w: ClsExports;
  private readonly header: Vector;
  private readonly test?: { images: number; labels: number; n: number };
  private readonly trainSet: { images: number; labels: number; n: number };
  private readonly eff: Vector;
  private readonly stLayers?: Vector;
  readonly params: Vector;
  stopped?: { step: number; reason: string };

  private constructor(
    private readonly engine: Engine,
    readonly spec: ClassifierSpec,
    train: LabelledImages,
    test: LabelledImages | undefined,
    init: Rng,
    order: Rng,
  ) {
    const { dims, batch } = spec;
    if (!Array.isArray(dims) || dims.length < 2 || dims.length > 9) throw new CondlabError(`dims must list 2 to 9 widths, got ${JSON.stringify(dims)}`, 'bad-option');
    dims.forEach((d, i) => checkDim(`dims[${i}]`, d));
    checkDim('batch', batch);
    if (!(spec.optimizer in OPT_CODE)) throw new CondlabError(`optimizer must be sgd, adam, muon or st, got ${String(spec.optimizer)}`, 'bad-option');
    if (spec.optimizer === 'st') checkSt(spec);
    if (train.n < batch) throw new CondlabError(`the training set has ${train.n} images, fewer than one batch of ${batch}`, 'bad-option');
    if (train.images.length !== train.n * dims[0]) throw new CondlabError(`training images hold ${train.images.length} bytes, not ${train.n}×${dims[0]}`, 'shape-mismatch');
    this.w = wasmOf(engine) as unknown as ClsExports;
    this.layers = dims.length - 1;
    let nW = 0, nMult = 0, nSpec = 0, maxK = 1, maxU = 1, maxV = 1, nsWs = 8;
    for (let l = 1; l <= this.layers; l++) {
      const m = dims[l], n = dims[l - 1], k = Math.min(m, n);
      nW += m * n;
      nMult += m + n;
      nSpec += 2 * (m + n);
      maxK = Math.max(maxK, k);
      maxU = Math.max(maxU, m * k);
      maxV = Math.max(maxV, n * k);
      nsWs = Math.max(nsWs, this.w.newtonSchulzWorkspaceBytes(m, n));
    }
    this.nWeights = nW;
    const nP = nW + (spec.multipliers ? nMult : 0);
    const f64 = (n: number) => engine.vector(Math.max(1, n));
    const bytes = (n: number) => engine.vector(Math.max(1, Math.ceil(n / 8)));
    const dimsBuf = bytes(4 * dims.length);
    new Int32Array(engine.memory.buffer, dimsBuf.ptr, dims.length).set(dims);
    const wsBytes = this.w.chainWorkspaceBytes(this.layers, dimsBuf.ptr, batch);
    const put = (data: Uint8Array) => {
      const b = bytes(data.length);
      new Uint8Array(engine.memory.buffer, b.ptr, data.length).set(data);
      return b.ptr;
    };
    this.trainSet = { images: put(train.images), labels: put(train.labels), n: train.n };
    if (test) this.test = { images: put(test.images), labels: put(test.labels), n: test.n };
    const orderBuf = bytes(4 * train.n);
    new Int32Array(engine.memory.buffer, orderBuf.ptr, train.n).set(Int32Array.from({ length: train.n }, (_, i) => i));
    this.params = f64(nP);
    // He init N(0, 2/fan_in) for layers followed by a ReLU, N(0, 1/fan_in) for the logits
    let off = 0;
    for (let l = 1; l <= this.layers; l++) {
      const n = dims[l] * dims[l - 1];
      const layer = engine.vector(n);
      init.fillNormal(layer, 0, Math.sqrt((l < this.layers ? 2 : 1) / dims[l - 1]));
      this.params.data().set(layer.data(), off);
      layer.free();
      off += n;
    }
    if (spec.multipliers) this.params.data().fill(1, nW, nP);
    const st = spec.optimizer === 'st';
    const adaptK = spec.stAdaptK ?? ST.adaptK;
    const stLayers = st ? f64(2 * this.layers) : undefined;
    if (stLayers) stLayers.data().fill(spec.stAlpha ?? 1, 0, this.layers).fill(Number.NaN, this.layers);
    this.stLayers = stLayers;
    const ptrs = {
      grad: f64(nP).ptr, m: f64(nP).ptr, v: f64(nP).ptr, x: f64(batch * dims[0]).ptr, y: f64(batch * dims[this.layers]).ptr,
      ws: bytes(wsBytes).ptr, weff: spec.multipliers ? f64(nW).ptr : 0, geff: spec.multipliers ? f64(nW).ptr : 0,
      ns: bytes(nsWs).ptr, spec: f64(nSpec).ptr, s: f64(maxK).ptr, u: f64(maxU).ptr, vv: f64(maxV).ptr,
      stUs: st ? f64(maxU).ptr : 0, stHvp: st && (spec.stAdaptEvery ?? 0) > 0 ? f64(2 * nW + 2 * adaptK).ptr : 0,
    };
    this.eff = f64(nW);
    this.header = f64(C.SLOTS);
    const { mean, std } = pixelMoments(train.images);
    const h = this.header.data();
    h[C.LAYERS] = this.layers;
    h[C.DIMS] = dimsBuf.ptr;
    h[C.BATCH] = batch;
    h[C.NW] = nW;
    h[C.NPARAM] = nP;
    h[C.OPT] = OPT_CODE[spec.optimizer];
    h[C.LR] = spec.lr;
    h[C.WD] = spec.weightDecay ?? 0;
    h[C.MULT] = spec.multipliers ? 1 : 0;
    h[C.MULT_LR] = spec.multLr ?? spec.lr;
    h[C.SPEC_LAMBDA] = spec.specLambda ?? 0;
    h[C.SPEC_CLIP] = spec.specClip ?? 1;
    h[C.SPEC_EVERY] = spec.specEvery ?? 10;
    h[C.BETA1] = spec.beta1 ?? (spec.optimizer === 'muon' || st ? 0.95 : 0.9);
    h[C.BETA2] = spec.beta2 ?? 0.999;
    h[C.EPS] = spec.eps ?? 1e-8;
    h[C.STEP] = 0;
    h[C.NTRAIN] = train.n;
    h[C.POS] = train.n; // forces a shuffle before the first batch
    h[C.PIX_SCALE] = 1 / (255 * std);
    h[C.PIX_SHIFT] = -mean / std;
    h[C.P_IMAGES] = this.trainSet.images;
    h[C.P_LABELS] = this.trainSet.labels;
    h[C.P_ORDER] = orderBuf.ptr;
    h[C.P_RNG] = order.ptr;
    h[C.P_PARAMS] = this.params.ptr;
    h[C.P_GRAD] = ptrs.grad;
    h[C.P_M] = ptrs.m;
    h[C.P_V] = ptrs.v;
    h[C.P_X] = ptrs.x;
    h[C.P_Y] = ptrs.y;
    h[C.P_WS] = ptrs.ws;
    h[C.P_WEFF] = ptrs.weff;
    h[C.P_GEFF] = ptrs.geff;
    h[C.P_NS_WS] = ptrs.ns;
    h[C.P_SPEC] = ptrs.spec;
    h[C.P_SVD_S] = ptrs.s;
    h[C.P_SVD_U] = ptrs.u;
    h[C.P_SVD_V] = ptrs.vv;
    h[C.ST_TAU] = spec.stTau ?? ST.tau;
    h[C.ST_ADAPT_EVERY] = spec.stAdaptEvery ?? 0;
    h[C.ST_ADAPT_K] = adaptK;
    h[C.P_ST_LAYERS] = stLayers ? stLayers.ptr : 0;
    h[C.P_ST_HVP] = ptrs.stHvp;
    h[C.P_ST_US] = ptrs.stUs;
  }

  /** Spectral transfer: α per layer in use now (adaptive: the last measurement, clamped) and the last unclamped fit per layer (NaN: none). */
  get stLayerAlphas(): { alpha: number[]; fit: number[] } {
    if (!this.stLayers) throw new CondlabError("stLayerAlphas: this classifier does not use optimizer 'st'", 'bad-option');
    const a = this.stLayers.data();
    return { alpha: [...a.subarray(0, this.layers)], fit: [...a.subarray(this.layers)] };
  }

  /** All buffers are allocated in the caller's engine scope and freed with it. `order` drives the shuffles. */
  static create(engine: Engine, spec: ClassifierSpec, train: LabelledImages, test: LabelledImages | undefined, init: Rng, order: Rng): MlpClassifier {
    return new MlpClassifier(engine, spec, train, test, init, order);
  }

  get step(): number {
    return this.header.data()[C.STEP];
  }

  get lastLoss(): number {
    return this.header.data()[C.O_LOSS];
  }

  /** Takes `steps` steps; false (and `stopped` set) if the run diverged. */
  train(steps: number): boolean {
    if (this.stopped) return false;
    const at = this.w.clsTrain(this.header.ptr, steps);
    if (at === 0) return true;
    const h = this.header.data();
    this.stopped = { step: h[C.STEP], reason: CLS_STOP_REASONS[h[C.O_REASON]] ?? 'unknown' };
    return false;
  }

  /** Mean cross-entropy and accuracy over the first n images of the training or test set. */
  evaluate(which: 'train' | 'test', n?: number): EvalResult {
    const set = which === 'train' ? this.trainSet : this.test;
    if (!set) throw new CondlabError('this classifier was created without a test set', 'bad-option');
    const count = Math.min(n ?? set.n, set.n);
    const loss = this.w.clsEvaluate(this.header.ptr, set.images, set.labels, count);
    return { loss, accuracy: this.header.data()[C.O_EVAL_CORRECT] / count };
  }

  /** The effective weights (what the network computes with), all layers concatenated row-major. */
  effectiveWeights(): Vector {
    this.w.clsCopyEffective(this.header.ptr, this.eff.ptr);
    return this.eff;
  }

  /**
   * For tests: loss on the batch the next step would use and its gradient (weights, then multipliers), plus weight
   * decay and the spectral term with `withReg` (refreshing its singular vectors when `step` − 1 is a multiple of
   * the refresh period). Does not step or advance.
   */
  batchGradient(withReg = false, step = 1): { loss: number; grad: Float64Array } {
    const loss = this.w.clsBatchGradient(this.header.ptr, withReg ? 1 : 0, step);
    const g = new Float64Array(this.engine.memory.buffer, this.header.data()[C.P_GRAD], this.params.length);
    return { loss, grad: Float64Array.from(g) };
  }

  /** Copies of the batch now in X (B×d_0, standardised) and Y (B×d_L one-hot): after `batchGradient`, the next step's. */
  currentBatch(): { X: Float64Array; Y: Float64Array } {
    const h = this.header.data(), { dims, batch } = this.spec, buf = this.engine.memory.buffer;
    return { X: new Float64Array(buf, h[C.P_X], batch * dims[0]).slice(), Y: new Float64Array(buf, h[C.P_Y], batch * dims[dims.length - 1]).slice() };
  }

  /** Offset and shape of layer l (1-based) in the weight vector. */
  layer(l: number): { offset: number; rows: number; cols: number } {
    let offset = 0;
    for (let k = 1; k < l; k++) offset += this.spec.dims[k] * this.spec.dims[k - 1];
    return { offset, rows: this.spec.dims[l], cols: this.spec.dims[l - 1] };
  }
}
