// Spectral-transfer optimiser for the transformer (assembly/train/transformer_st.ts): every weight matrix (Q, K, V,
// attention out, MLP up, MLP down, head) takes W ← W − η·U·diag(φ)·Vᵀ of its own Nesterov momentum (φ ∝ s^(1−α),
// max φ = 1, s < τ·s₁ dropped; α per layer type), every other parameter (embeddings, positions, LayerNorm gains and
// biases, biases) takes exactly the `adam` student's step. The matrix table, the α per layer type and the scratch
// live in WASM memory, allocated once per optimiser; a step allocates nothing on this side.
import { internals, wasmOf } from '../engine/internal.js';
import type { Engine } from '../engine/engine.js';
import type { Vector } from '../engine/block.js';
import { CondlabError } from '../engine/errors.js';
import { LAYER_TYPES, type LayerType, type Transformer } from './transformer.js';

interface StExports {
  tfStWorkDoubles(nMat: number, table: number): number;
  tfStStep(
    n: number, nMat: number, table: number, alphas: number, tau: number, beta: number, lrMat: number, lrOther: number,
    p: number, g: number, m: number, v: number, t: number, work: number,
  ): number;
}

export interface SpectralTransferOptions {
  /** The curvature exponent α, one for every layer type or per layer type. */
  alpha: number | Record<LayerType, number>;
  /** Step length η of the matrices: the spectral norm of each matrix's step. */
  lr: number;
  /** Adam's learning rate for every non-matrix parameter. */
  otherLr: number;
  /** Directions with s < τ·s₁ are dropped (default 0.01). */
  tau?: number;
  /** Nesterov momentum β of the matrices (default 0.95, Muon's). */
  beta?: number;
}

export const TF_ST_DEFAULTS = { tau: 0.01, beta: 0.95 } as const;

function checkAlpha(type: string, a: number): void {
  if (!Number.isFinite(a) || a < -4 || a > 4) {
    throw new CondlabError(`spectral transfer: α of ${type} is ${a}; must be a finite number from -4 to 4`, 'bad-config', { field: 'stAlpha', value: a, allowed: '[-4, 4]' });
  }
}

export class TransformerSpectralTransfer {
  /** The matrices it steps, sorted by offset (the rest is Adam's). */
  readonly matrices: { type: LayerType; block: number; offset: number; rows: number; cols: number }[];
  readonly tau: number;
  readonly beta: number;
  private readonly wasm: StExports;
  private readonly table: number;
  private readonly alphas: number;
  private readonly work: number;
  private readonly workBytes: number;
  private freed = false;

  constructor(private readonly engine: Engine, private readonly model: Transformer, readonly options: SpectralTransferOptions) {
    const { lr, otherLr, tau = TF_ST_DEFAULTS.tau, beta = TF_ST_DEFAULTS.beta } = options;
    for (const [field, x] of [['stLr', lr], ['adamLr', otherLr]] as const) {
      if (!Number.isFinite(x) || x < 0) throw new CondlabError(`spectral transfer: ${field} is ${x}; must be a finite number ≥ 0`, 'bad-config', { field, value: x, allowed: '≥ 0' });
    }
    if (!Number.isFinite(tau) || tau < 0 || tau >= 1) throw new CondlabError(`spectral transfer: τ = ${tau}; must be a number in [0, 1)`, 'bad-config', { field: 'stTau', value: tau, allowed: '[0, 1)' });
    if (!Number.isFinite(beta) || beta < 0 || beta >= 1) throw new CondlabError(`spectral transfer: β = ${beta}; must be a number in [0, 1)`, 'bad-config', { field: 'beta', value: beta, allowed: '[0, 1)' });
    const a = options.alpha;
    const perType = LAYER_TYPES.map((t) => (typeof a === 'number' ? a : a[t]));
    LAYER_TYPES.forEach((t, i) => checkAlpha(t, perType[i]));
    this.tau = tau;
    this.beta = beta;
    this.wasm = wasmOf(engine) as unknown as StExports;
    this.matrices = [...model.layers()].sort((x, y) => x.offset - y.offset);
    const mem = internals(engine);
    this.table = mem.allocBytes(16 * this.matrices.length, 'spectral-transfer table');
    this.alphas = mem.allocBytes(8 * LAYER_TYPES.length, 'spectral-transfer α');
    new Int32Array(wasmOf(engine).memory.buffer, this.table, 4 * this.matrices.length).set(
      this.matrices.flatMap((l) => [l.offset, l.rows, l.cols, LAYER_TYPES.indexOf(l.type)]),
    );
    new Float64Array(wasmOf(engine).memory.buffer, this.alphas, LAYER_TYPES.length).set(perType);
    this.workBytes = 8 * this.wasm.tfStWorkDoubles(this.matrices.length, this.table);
    this.work = mem.allocBytes(this.workBytes, 'spectral-transfer scratch');
  }

  alpha(type: LayerType): number {
    return new Float64Array(wasmOf(this.engine).memory.buffer, this.alphas, LAYER_TYPES.length)[LAYER_TYPES.indexOf(type)];
  }

  /** Sets α of one layer type (adaptive α: re-measured between steps). */
  setAlpha(type: LayerType, a: number): void {
    checkAlpha(type, a);
    new Float64Array(wasmOf(this.engine).memory.buffer, this.alphas, LAYER_TYPES.length)[LAYER_TYPES.indexOf(type)] = a;
  }

  /**
   * One step t ≥ 1: matrices by spectral transfer, the rest by Adam; m and v are Adam's moments (m also holds the
   * matrices' momentum), zero before step 1. Returns 0, or the failing SVD's status (< 0: the run diverged).
   */
  step(w: Vector, g: Vector, m: Vector, v: Vector, t: number): number {
    if (this.freed) throw new CondlabError('spectral transfer: used after free()', 'freed-handle', { handle: 'TransformerSpectralTransfer' });
    for (const x of [w, g, m, v]) {
      if (x.length !== this.model.size) throw new CondlabError(`spectral transfer: a vector has length ${x.length}; this transformer has ${this.model.size} parameters`, 'shape-mismatch');
    }
    if (!Number.isInteger(t) || t < 1) throw new CondlabError(`spectral transfer: step ${t}; steps count from 1`, 'bad-option', { option: 't', value: t });
    const o = this.options;
    return this.wasm.tfStStep(this.model.size, this.matrices.length, this.table, this.alphas, this.tau, this.beta, o.lr, o.otherLr, w.ptr, g.ptr, m.ptr, v.ptr, t, this.work);
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    const w = wasmOf(this.engine);
    w.free(this.table, 16 * this.matrices.length);
    w.free(this.alphas, 8 * LAYER_TYPES.length);
    w.free(this.work, this.workBytes);
  }
}
