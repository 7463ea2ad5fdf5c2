// The JS side of one training run: allocates every buffer once (in the caller's engine scope), fills the header
// that assembly/train reads, draws W₀, and drives `trainRun`, which runs any number of epochs in one wasm call.
import type { Engine } from '../engine/engine.js';
import type { Matrix, Vector } from '../engine/block.js';
import type { Rng } from '../engine/rng.js';
import type { InitKind } from '../experiments/types.js';
import { CondlabError } from '../engine/errors.js';
import {
  H, HEADER_SLOTS, MODEL_CHAIN, MODEL_LINEAR, OPT_ADAM, OPT_MUON, OPT_SGD, OPT_ST, STOP_REASONS, TEACHER_LINEAR, TEACHER_MLP,
  type TrainExports,
} from './layout.js';
import { wasmOf } from '../engine/internal.js';
import type { CondlabExports } from '../engine/exports.js';

export type ModelKind = 'linear' | 'deep' | 'mlp';
/** 'st': spectral transfer, step U·diag(φ(s))·Vᵀ with φ ∝ s^(1−stAlpha) (assembly/train/spectral_transfer.ts). */
export type OptimizerKind = 'sgd' | 'adam' | 'muon' | 'st';

export interface TrainSpec {
  model: ModelKind;
  d: number;
  /** Deep linear depth L (model 'deep'). */
  depth?: number;
  /** Student hidden width (model 'mlp'). */
  hidden?: number;
  batch: number;
  optimizer: OptimizerKind;
  lr: number;
  weightDecay: number;
  noise: number;
  /** Learnable multipliers W_eff = diag(r)·W·diag(c) (linear model). */
  multipliers?: boolean;
  multLrFactor?: number;
  /** Singular-value multipliers W_eff = U·diag(σ ⊙ m)·Vᵀ of svd(W), m at lr·multLrFactor (linear model). */
  svMultipliers?: boolean;
  /** Structured decay (λ/2)·Σ_{i∈S} σᵢ² (linear model); 0 = off. */
  structDecayLambda?: number;
  /** Structured decay band: top k singular directions (k > 0) or bottom |k| (k < 0). */
  structDecayK?: number;
  /** Orthogonality regulariser λ_o‖WᵀW − I‖²_F (linear model); 0 = off. */
  orthLambda?: number;
  /** Parametric Singularity Smoothing period in epochs (linear model); 0 = off. */
  pssEvery?: number;
  /** PSS strength α ∈ [0, 1]. */
  pssStrength?: number;
  /** Spectral regulariser weight (linear model); 0 = off. */
  specLambda?: number;
  specClip?: number;
  /** SVD correction period in epochs (linear model); 0 = off. */
  svdCorrEvery?: number;
  svdCorrRate?: number;
  init: InitKind;
  /** Std of the single layer's Gaussian init. Deep and MLP layers use N(0, 1/d) (PROTOCOL.md Exp 7). */
  initStd: number;
  beta1?: number;
  beta2?: number;
  adamEps?: number;
  /** Spectral transfer: curvature exponent α (0 = SGD direction, 1 = polar factor, 2 = Spectral Newton). */
  stAlpha?: number;
  /** Spectral transfer: directions with s < stTau·s₁ are dropped. */
  stTau?: number;
  /** Spectral transfer: re-measure α (from stAlpha) every this many steps from exact HVPs; 0 = α fixed. */
  stAdaptEvery?: number;
  /** Adaptive α: top-K gradient directions in the fit. */
  stAdaptK?: number;
}

/** What the student learns from: a linear target W* (with its spectrum, for the correctives) or an MLP teacher. */
export type Teacher =
  | { kind: 'linear'; W: Matrix; sigma: Float64Array }
  | { kind: 'mlp'; W1: Matrix; W2: Matrix };

export interface Streams {
  /** The training stream: W₀'s d×d block, then per epoch X then ε. */
  train: Rng;
  /** Child streams for parameters beyond the first d×d block (layer l ≥ 2, an MLP layer of another shape). */
  initChild: (layer: number) => Rng;
}

export interface StopInfo {
  epoch: number;
  reason: string;
}

const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
/** Muon's Nesterov momentum (Jordan et al. 2024). */
export const MUON_MOMENTUM = 0.95;

/** Spectral transfer's defaults: Spectral Newton (α = 2), directions below 1% of s₁ dropped. */
export const ST_DEFAULTS = { alpha: 2, tau: 0.01, adaptK: 8 } as const;

function checkSpectralTransfer(spec: TrainSpec, withMultipliers: boolean): void {
  if (withMultipliers) throw new CondlabError('spectral transfer (optimizer st) steps the weight matrices; it does not combine with multipliers', 'bad-config', { field: 'optimizer', value: 'st' });
  const { stAlpha: a = ST_DEFAULTS.alpha, stTau: t = ST_DEFAULTS.tau } = spec;
  if (!Number.isFinite(a) || a < -4 || a > 4) throw new CondlabError(`spectral transfer: α = ${a}; must be a finite number from -4 to 4`, 'bad-config', { field: 'stAlpha', value: a });
  if (!Number.isFinite(t) || t < 0 || t >= 1) throw new CondlabError(`spectral transfer: τ = ${t}; must be a number in [0, 1)`, 'bad-config', { field: 'stTau', value: t });
  const { stAdaptEvery: n = 0, stAdaptK: k = ST_DEFAULTS.adaptK } = spec;
  if (!Number.isInteger(n) || n < 0) throw new CondlabError(`spectral transfer: adapt every ${n} steps; must be an integer ≥ 0 (0 = α fixed)`, 'bad-config', { field: 'stAdaptEvery', value: n });
  if (!Number.isInteger(k) || k < 2) throw new CondlabError(`spectral transfer: K = ${k} directions; must be an integer ≥ 2`, 'bad-config', { field: 'stAdaptK', value: k });
}

/** Init std of a layer with fan-in `fanIn`, fan-out `fanOut`. */
function initStdOf(kind: InitKind, singleLayer: boolean, initStd: number, fanIn: number, fanOut: number, d: number): number {
  if (kind === 'zeros') return 0;
  if (kind === 'xavier') return Math.sqrt(2 / (fanIn + fanOut));
  return singleLayer ? initStd : 1 / Math.sqrt(d);
}

export class Trainer {
  readonly header: Vector;
  readonly params: Vector;
  readonly grad: Vector;
  readonly prev: Vector;
  /** Layer shapes [rows, cols] in parameter order (the linear model has one). */
  readonly shapes: [number, number][];
  epoch = 0;
  stopped?: StopInfo;

  private constructor(
    private readonly engine: Engine,
    readonly spec: TrainSpec,
    header: Vector,
    params: Vector,
    grad: Vector,
    prev: Vector,
    shapes: [number, number][],
  ) {
    this.header = header;
    this.params = params;
    this.grad = grad;
    this.prev = prev;
    this.shapes = shapes;
  }

  get wasm(): TrainExports {
    return wasmOf(this.engine) as unknown as TrainExports;
  }

  /**
   * Allocates a run in the current scope and draws W₀ from `streams.train`: the first d×d block always comes from
   * the training stream (so every model sees the same batches afterwards), further parameters from child streams.
   */
  static create(engine: Engine, spec: TrainSpec, teacher: Teacher, streams: Streams): Trainer {
    const { d, batch } = spec;
    const w = wasmOf(engine) as unknown as TrainExports & CondlabExports;
    if (w.trainHeaderSlots() !== HEADER_SLOTS) {
      // a .wasm from another build (e.g. dist/ compiled before assembly/ changed) would read the header wrongly
      throw new Error(`build/condlab.wasm has a ${w.trainHeaderSlots()}-slot trainer header but this code expects ${HEADER_SLOTS}; rebuild with \`npm run build\``);
    }
    const linear = spec.model === 'linear';
    const mult = linear && !!spec.multipliers;
    const svMult = linear && !!spec.svMultipliers;
    const linearOnly = spec.multipliers || spec.svMultipliers || (spec.specLambda ?? 0) !== 0 || (spec.svdCorrEvery ?? 0) > 0 ||
      (spec.orthLambda ?? 0) !== 0 || (spec.pssEvery ?? 0) > 0 || (spec.structDecayLambda ?? 0) !== 0;
    if (!linear && linearOnly) {
      throw new Error('multipliers, spectral/orthogonality regularisation, SVD correction, PSS and structured decay apply to the linear model only');
    }
    if (mult && svMult) throw new Error('row/column multipliers and singular-value multipliers are exclusive');
    const depth = spec.model === 'deep' ? (spec.depth ?? 2) : spec.model === 'mlp' ? 2 : 1;
    const hidden = spec.hidden ?? d;
    const widths = spec.model === 'mlp' ? [d, hidden, d] : Array.from({ length: depth + 1 }, () => d);
    const shapes: [number, number][] = [];
    for (let l = 1; l < widths.length; l++) shapes.push([widths[l], widths[l - 1]]);
    const nW = shapes.reduce((a, [r, c]) => a + r * c, 0);
    const n = mult ? nW + 2 * d : svMult ? nW + d : nW;

    const header = engine.vector(HEADER_SLOTS);
    const params = engine.vector(n);
    const grad = engine.vector(n);
    const prev = engine.vector(n);
    const moments = spec.optimizer === 'adam' || spec.optimizer === 'muon' || spec.optimizer === 'st';
    if (spec.optimizer === 'muon' && (mult || svMult)) throw new Error('Muon steps the weight matrices; it does not combine with multipliers');
    if (spec.optimizer === 'st') checkSpectralTransfer(spec, mult || svMult);
    const adamM = moments ? engine.vector(n) : undefined; // Muon, st: momentum buffer
    const adamV = moments ? engine.vector(n) : undefined; // Muon, st: the update being orthogonalised / decomposed
    // per-layer matrix steps on chains (assembly/train/chain_steps.ts) need scratch for the largest layer
    const maxK = Math.max(d, ...shapes.map(([r, c]) => Math.min(r, c)));
    const maxU = Math.max(d * d, ...shapes.map(([r, c]) => r * Math.min(r, c)));
    const maxV = Math.max(d * d, ...shapes.map(([r, c]) => c * Math.min(r, c)));
    const nsBytes = Math.max(...shapes.map(([r, c]) => w.newtonSchulzWorkspaceBytes(r, c)));
    const nsWs = spec.optimizer === 'muon' ? engine.vector(Math.ceil(nsBytes / 8)) : undefined;
    const X = engine.matrix(batch, d);
    const Y = engine.matrix(batch, d);
    const svdS = engine.vector(maxK);
    const svdU = linear ? engine.matrix(d, d) : engine.vector(maxU), svdV = linear ? engine.matrix(d, d) : engine.vector(maxV);
    const weff = engine.matrix(d, d), geff = engine.matrix(d, d);
    const sigmaStar = engine.vector(d);
    // the linear model's correctives; also U·diag(φ) of the spectral-transfer step (any model)
    const scratch = linear ? engine.matrix(d, d) : spec.optimizer === 'st' ? engine.vector(maxU) : undefined;
    const alpha0 = spec.stAlpha ?? ST_DEFAULTS.alpha, adaptK = spec.stAdaptK ?? ST_DEFAULTS.adaptK;
    const stLayers = !linear && spec.optimizer === 'st' ? engine.vector(2 * shapes.length) : undefined;
    if (stLayers) stLayers.data().fill(alpha0, 0, shapes.length).fill(Number.NaN, shapes.length);
    const stHvp = stLayers && (spec.stAdaptEvery ?? 0) > 0 ? engine.vector(2 * n + 2 * adaptK) : undefined;
    let work: Vector;
    let dimsPtr = 0;
    if (linear) {
      work = engine.vector(batch * d);
    } else {
      const dimsBlock = engine.vector(Math.ceil(widths.length / 2));
      new Int32Array(engine.memory.buffer, dimsBlock.ptr, widths.length).set(widths);
      dimsPtr = dimsBlock.ptr;
      const bytes = w.chainWorkspaceBytes(depth, dimsPtr, batch);
      work = engine.vector(Math.ceil(bytes / 8));
    }
    let wstar = 0, wstar2 = 0, thid = 0, tHidden = 0, logK = 0;
    if (teacher.kind === 'linear') {
      wstar = teacher.W.ptr;
      const s = teacher.sigma;
      if (s.length !== d) throw new Error(`teacher spectrum has ${s.length} values, expected ${d}`);
      sigmaStar.set(s);
      logK = engine.log(s[0] / s[d - 1]);
    } else {
      wstar = teacher.W1.ptr;
      wstar2 = teacher.W2.ptr;
      tHidden = teacher.W1.rows;
      thid = engine.vector(batch * tHidden).ptr;
    }

    header.data().fill(0);
    // re-derive the view per write: nothing below allocates, but the rule is cheap to keep
    const set = (slot: number, v: number) => {
      header.data()[slot] = v;
    };
    set(H.MODEL, linear ? MODEL_LINEAR : MODEL_CHAIN);
    set(H.ACT, spec.model === 'mlp' ? 1 : 0);
    set(H.LAYERS, depth);
    set(H.DIMS, dimsPtr);
    set(H.D, d);
    set(H.HIDDEN, tHidden);
    set(H.BATCH, batch);
    set(H.NPARAM, n);
    set(H.OPT, spec.optimizer === 'adam' ? OPT_ADAM : spec.optimizer === 'muon' ? OPT_MUON : spec.optimizer === 'st' ? OPT_ST : OPT_SGD);
    set(H.NS_WS, nsWs ? nsWs.ptr : 0);
    set(H.LR, spec.lr);
    set(H.WD, spec.weightDecay);
    set(H.NOISE, spec.noise);
    set(H.MULT, mult ? 1 : 0);
    set(H.MULT_LR, spec.lr * (spec.multLrFactor ?? 0.1));
    set(H.SPEC_LAMBDA, linear ? (spec.specLambda ?? 0) : 0);
    set(H.SPEC_CLIP, spec.specClip ?? 1);
    set(H.LOGK_TARGET, logK);
    set(H.CORR_EVERY, linear ? (spec.svdCorrEvery ?? 0) : 0);
    set(H.CORR_RATE, spec.svdCorrRate ?? 0.1);
    set(H.BETA1, spec.beta1 ?? (spec.optimizer === 'muon' || spec.optimizer === 'st' ? MUON_MOMENTUM : ADAM.beta1));
    set(H.BETA2, spec.beta2 ?? ADAM.beta2);
    set(H.ADAM_EPS, spec.adamEps ?? ADAM.eps);
    set(H.STEP, 0);
    set(H.TEACHER, teacher.kind === 'mlp' ? TEACHER_MLP : TEACHER_LINEAR);
    set(H.PARAMS, params.ptr);
    set(H.GRAD, grad.ptr);
    set(H.ADAM_M, adamM ? adamM.ptr : 0);
    set(H.ADAM_V, adamV ? adamV.ptr : 0);
    set(H.X, X.ptr);
    set(H.Y, Y.ptr);
    set(H.WORK, work.ptr);
    set(H.WSTAR, wstar);
    set(H.WSTAR2, wstar2);
    set(H.THID, thid);
    set(H.SVD_S, svdS.ptr);
    set(H.SVD_U, svdU.ptr);
    set(H.SVD_V, svdV.ptr);
    set(H.SIGMA_STAR, sigmaStar.ptr);
    set(H.WPREV, prev.ptr);
    set(H.RNG, streams.train.ptr);
    set(H.WEFF, weff.ptr);
    set(H.GEFF, geff.ptr);
    set(H.SVMULT, svMult ? 1 : 0);
    set(H.ORTH_LAMBDA, linear ? (spec.orthLambda ?? 0) : 0);
    set(H.PSS_EVERY, linear ? (spec.pssEvery ?? 0) : 0);
    set(H.PSS_STRENGTH, spec.pssStrength ?? 0.1);
    set(H.SCRATCH, scratch ? scratch.ptr : 0);
    set(H.ST_ALPHA, spec.stAlpha ?? ST_DEFAULTS.alpha);
    set(H.ST_TAU, spec.stTau ?? ST_DEFAULTS.tau);
    set(H.ST_ADAPT_EVERY, spec.stAdaptEvery ?? 0);
    set(H.ST_ADAPT_K, spec.stAdaptK ?? ST_DEFAULTS.adaptK);
    set(H.ST_ALPHA_FIT, Number.NaN);
    const sdK = spec.structDecayK ?? 8;
    if (linear && (spec.structDecayLambda ?? 0) !== 0 && (!Number.isInteger(sdK) || sdK === 0 || Math.abs(sdK) > d)) {
      throw new CondlabError(`structured decay: k = ${sdK}; must be a non-zero integer with |k| ≤ d = ${d} (k > 0 top, k < 0 bottom)`, 'bad-config', { field: 'structDecayK', value: sdK });
    }
    set(H.SD_LAMBDA, linear ? (spec.structDecayLambda ?? 0) : 0);
    set(H.SD_K, sdK);
    set(H.ST_LAYERS, stLayers ? stLayers.ptr : 0);
    set(H.ST_HVP, stHvp ? stHvp.ptr : 0);

    // W₀: the training stream's first d² normals always form the first d×d block
    const z0 = engine.vector(d * d);
    streams.train.fillNormal(z0);
    let off = 0;
    shapes.forEach(([rows, cols], i) => {
      const std = initStdOf(spec.init, linear, spec.initStd, cols, rows, d);
      const count = rows * cols;
      if (i === 0 && count === d * d) {
        w.copy(count, z0.ptr, params.ptr + off * 8);
        w.scal(count, std, params.ptr + off * 8);
      } else {
        const child = streams.initChild(i + 1);
        w.rngFillNormal(child.ptr, params.ptr + off * 8, count, 0, std);
        child.free();
      }
      off += count;
    });
    z0.free();
    if (mult || svMult) params.data().fill(1, nW, n);
    return new Trainer(engine, spec, header, params, grad, prev, shapes);
  }

  /** Trains up to `toEpoch`; returns the stop info if the run diverged (then it stays stopped). */
  run(toEpoch: number, keepPrev = false): StopInfo | undefined {
    if (this.stopped || toEpoch <= this.epoch) return this.stopped;
    const at = this.wasm.trainRun(this.header.ptr, this.epoch, toEpoch, keepPrev ? 1 : 0);
    if (at > 0) {
      const reason = STOP_REASONS[this.header.data()[H.REASON]] ?? 'unknown';
      this.stopped = { epoch: at, reason };
      this.epoch = at;
      return this.stopped;
    }
    this.epoch = toEpoch;
    return undefined;
  }

  /** Draws the next batch from the training stream into X, Y without stepping (tests, evaluation). */
  drawBatch(): void {
    this.wasm.trainDrawBatch(this.header.ptr);
  }

  /** Copies of the current batch (X and Y, B×d row-major). */
  batch(): { X: Float64Array; Y: Float64Array } {
    const h = this.header.data();
    const n = this.spec.batch * this.spec.d;
    return this.engine.scope(() => {
      const Y = this.engine.vector(n);
      this.wasm.trainBatchTargets(this.header.ptr, Y.ptr);
      return { X: new Float64Array(this.engine.memory.buffer, h[H.X], n).slice(), Y: Y.toArray() };
    });
  }

  /** Loss at the current parameters on the current batch; gradient into `grad` (with weight decay and the spectral term when `withReg`). */
  gradient(withReg = false): number {
    return this.wasm.trainGradient(this.header.ptr, withReg ? 1 : 0);
  }

  /** Spectral transfer on the single layer: α in use now (adaptive: the last measurement, clamped) and the last unclamped fit (NaN: none). */
  get stAlpha(): { alpha: number; fit: number } {
    const h = this.header.data();
    return { alpha: h[H.ST_ALPHA], fit: h[H.ST_ALPHA_FIT] };
  }

  /** Spectral transfer on a chain: α per layer in use now and the last unclamped fit per layer (NaN: none yet). */
  get stLayerAlphas(): { alpha: number[]; fit: number[] } {
    const h = this.header.data();
    const L = this.shapes.length;
    if (!h[H.ST_LAYERS]) throw new Error('stLayerAlphas: this run is not a spectral-transfer chain (optimizer st, model deep or mlp)');
    const a = new Float64Array(this.engine.memory.buffer, h[H.ST_LAYERS], 2 * L);
    return { alpha: [...a.subarray(0, L)], fit: [...a.subarray(L)] };
  }

  /** Unclipped Frobenius norm of the last spectral-regulariser gradient. */
  get lastSpecNorm(): number {
    return this.header.data()[H.SPEC_NORM];
  }

  get lastLoss(): number {
    return this.header.data()[H.LOSS];
  }

  /** Layer l (0-based) of a parameter vector as a new matrix. */
  layer(l: number, from: Vector = this.params): Matrix {
    const [rows, cols] = this.shapes[l];
    let off = 0;
    for (let k = 0; k < l; k++) off += this.shapes[k][0] * this.shapes[k][1];
    const M = this.engine.matrix(rows, cols);
    wasmOf(this.engine).copy(rows * cols, from.ptr + off * 8, M.ptr);
    return M;
  }

  /**
   * The end-to-end linear map as a new matrix: W_eff for the linear model (diag(r)·W·diag(c) or U·diag(σ ⊙ m)·Vᵀ
   * with multipliers),
   * the product W_L⋯W_1 for deep linear nets. Not defined for the MLP.
   */
  weights(): Matrix {
    const { engine } = this;
    if (this.spec.model === 'linear') {
      const W = engine.matrix(this.spec.d, this.spec.d);
      const st = this.wasm.trainEffectiveWeights(this.header.ptr, W.ptr);
      if (st < 0) throw new Error(`singular-value multipliers: the SVD of W failed (status ${st})`);
      return W;
    }
    if (this.spec.model === 'mlp') throw new Error('the MLP has no single weight matrix; use layer(l)');
    return this.product(this.params);
  }

  /** W_L⋯W_1 of the deep linear net at a parameter vector. */
  product(from: Vector): Matrix {
    const { engine } = this;
    return engine.scope(() => {
      let P = this.layer(0, from);
      for (let l = 1; l < this.shapes.length; l++) {
        const L = this.layer(l, from);
        P = engine.matmul(L, P);
      }
      return P;
    });
  }
}
