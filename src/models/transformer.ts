// A small decoder-only transformer with softmax cross-entropy, as experiments and curvature tools see it: loss,
// gradient, exact Hessian-vector product and Gauss–Newton product, all in WASM (assembly/models/transformer.ts).
// The batch (tokens and next-token target distributions) and the workspace live in WASM memory and are allocated
// once per model; parameters are a caller-owned Vector laid out as tfParamOffset says (see `slice`).
import { internals, wasmOf } from '../engine/internal.js';
import type { Engine } from '../engine/engine.js';
import type { Vector, Matrix } from '../engine/block.js';
import type { Rng } from '../engine/rng.js';
import { CondlabError, checkDim } from '../engine/errors.js';
import { checkVector, type SymmetricOperator } from '../curvature/operator.js';

export interface TransformerSpec {
  vocab: number;
  context: number;
  width: number;
  heads: number;
  mlpWidth: number;
  blocks: number;
  layerNorm: boolean;
  residual: boolean;
  attention: boolean;
  mlp: boolean;
  activation: 'gelu' | 'relu';
}

/** Parameter kinds, in the order of assembly/models/transformer.ts (PK_*). */
export const PARAM_KINDS = [
  'embed', 'pos', 'ln1.g', 'ln1.b', 'q', 'k', 'v', 'attnOut', 'ln2.g', 'ln2.b', 'mlpUp', 'mlpUp.b', 'mlpDown',
  'mlpDown.b', 'lnf.g', 'lnf.b', 'head', 'head.b',
] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

/** The weight matrices the experiments analyse, by layer type. */
export const LAYER_TYPES = ['q', 'k', 'v', 'attnOut', 'mlpUp', 'mlpDown', 'head'] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

interface TransformerExports {
  tfParamCount(cfg: number): number;
  tfParamOffset(cfg: number, block: number, kind: number): number;
  tfWorkspaceBytes(cfg: number): number;
  tfLoss(cfg: number, w: number, tok: number, y: number, ws: number): number;
  tfGradient(cfg: number, w: number, tok: number, y: number, ws: number, grad: number): number;
  tfHvp(cfg: number, w: number, tok: number, y: number, ws: number, v: number, out: number, gn: number): number;
  tfProbs(cfg: number, ws: number, out: number): void;
  tfAdamStep(n: number, lr: number, p: number, g: number, m: number, v: number, t: number): void;
}

export const DEFAULT_SPEC: TransformerSpec = {
  vocab: 16, context: 8, width: 16, heads: 2, mlpWidth: 32, blocks: 2,
  layerNorm: true, residual: true, attention: true, mlp: true, activation: 'gelu',
};

function checkSpec(s: TransformerSpec): void {
  for (const k of ['vocab', 'context', 'width', 'heads', 'mlpWidth', 'blocks'] as const) checkDim(k, s[k]);
  if (s.vocab < 2) throw new CondlabError(`vocab must be at least 2, got ${s.vocab}`, 'bad-option');
  if (s.blocks > 64) throw new CondlabError(`blocks must be from 1 to 64, got ${s.blocks}`, 'bad-option');
  if (s.width % s.heads !== 0) throw new CondlabError(`width ${s.width} must be a multiple of heads ${s.heads}`, 'bad-option');
  if (s.activation !== 'gelu' && s.activation !== 'relu') {
    throw new CondlabError(`activation must be 'gelu' or 'relu', got ${String(s.activation)}`, 'bad-option');
  }
}

export class Transformer {
  readonly size: number;
  readonly spec: TransformerSpec;
  /** Next-token target distributions, (batch·context)×vocab, rows summing to 1 (one-hot for sampled tokens). */
  readonly targets: Matrix;
  private readonly wasm: TransformerExports;
  private readonly cfg: number;
  private readonly tok: number;
  private readonly ws: number;
  private readonly wsBytes: number;
  private freed = false;
  private opIn?: Vector;
  private opOut?: Vector;

  constructor(private readonly engine: Engine, spec: Partial<TransformerSpec>, readonly batch: number) {
    this.spec = { ...DEFAULT_SPEC, ...spec };
    checkSpec(this.spec);
    checkDim('batch', batch);
    const s = this.spec;
    // the workspace is counted in i32 inside the module: refuse sizes whose estimate would not fit one block
    const N = batch * s.context;
    const estimate = 32 * s.blocks * (N * (17 * s.width + 2 * s.mlpWidth) + batch * s.heads * s.context * s.context) + 64 * N * s.vocab;
    if (estimate > 2 ** 30) {
      throw new CondlabError(`a transformer of ${JSON.stringify(s)} on batch ${batch} needs about ${Math.round(estimate / 2 ** 20)} MiB of workspace; at most 1024 MiB fit`, 'too-large');
    }
    this.wasm = wasmOf(engine) as unknown as TransformerExports;
    this.cfg = internals(engine).allocBytes(9 * 4, 'transformer config');
    const flags = (s.layerNorm ? 1 : 0) | (s.residual ? 2 : 0) | (s.attention ? 4 : 0) | (s.mlp ? 8 : 0);
    new Int32Array(wasmOf(engine).memory.buffer, this.cfg, 9).set([batch, s.context, s.vocab, s.width, s.heads, s.mlpWidth, s.blocks, flags, s.activation === 'gelu' ? 1 : 0]);
    this.size = this.wasm.tfParamCount(this.cfg);
    this.tok = internals(engine).allocBytes(4 * batch * s.context, 'transformer tokens');
    this.wsBytes = this.wasm.tfWorkspaceBytes(this.cfg);
    this.ws = internals(engine).allocBytes(this.wsBytes, 'transformer workspace');
    this.targets = engine.matrix(batch * s.context, s.vocab);
  }

  /** Rows of the batch: batch·context positions. */
  get positions(): number {
    return this.batch * this.spec.context;
  }

  /** Copies a batch of token ids (batch×context, row-major) into WASM memory, checking each id. */
  setTokens(tokens: ArrayLike<number>): void {
    const n = this.positions;
    if (tokens.length !== n) throw new CondlabError(`tokens has length ${tokens.length}; need batch×context = ${n}`, 'shape-mismatch');
    const view = new Int32Array(wasmOf(this.engine).memory.buffer, this.tok, n);
    for (let i = 0; i < n; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.spec.vocab) {
        throw new CondlabError(`tokens[${i}] is ${t}; token ids are integers from 0 to ${this.spec.vocab - 1}`, 'bad-option', { option: 'tokens', value: t });
      }
      view[i] = t;
    }
  }

  tokens(): Int32Array {
    return new Int32Array(wasmOf(this.engine).memory.buffer, this.tok, this.positions).slice();
  }

  /** Sets the targets to one-hot rows of the given next-token ids. */
  setTargetTokens(next: ArrayLike<number>): void {
    const n = this.positions, V = this.spec.vocab;
    if (next.length !== n) throw new CondlabError(`targets has length ${next.length}; need batch×context = ${n}`, 'shape-mismatch');
    const y = this.targets.data();
    y.fill(0);
    for (let i = 0; i < n; i++) {
      const t = next[i];
      if (!Number.isInteger(t) || t < 0 || t >= V) throw new CondlabError(`targets[${i}] is ${t}; token ids are integers from 0 to ${V - 1}`, 'bad-option', { option: 'tokens', value: t });
      y[i * V + t] = 1;
    }
  }

  private checkParams(w: Vector): void {
    if (w.length !== this.size) throw new CondlabError(`params has length ${w.length}; this transformer has ${this.size} parameters`, 'shape-mismatch');
  }

  loss(w: Vector): number {
    this.checkParams(w);
    return this.wasm.tfLoss(this.cfg, w.ptr, this.tok, this.targets.ptr, this.ws);
  }

  gradient(w: Vector, out: Vector): number {
    this.checkParams(w);
    this.checkOut(out);
    return this.wasm.tfGradient(this.cfg, w.ptr, this.tok, this.targets.ptr, this.ws, out.ptr);
  }

  /** out ← H·v (exact, R-operator), or G·v with `gaussNewton`. Returns the loss. */
  hvp(w: Vector, v: Vector, out: Vector, gaussNewton = false): number {
    this.checkParams(w);
    this.checkOut(out);
    if (v.length !== this.size) throw new CondlabError(`direction has length ${v.length}; this transformer has ${this.size} parameters`, 'shape-mismatch');
    this.engine.checkFinite('direction', v);
    return this.wasm.tfHvp(this.cfg, w.ptr, this.tok, this.targets.ptr, this.ws, v.ptr, out.ptr, gaussNewton ? 1 : 0);
  }

  /** One Adam step (β = 0.9, 0.999, ε = 1e-8) in WASM: params ← params − lr·m̂/(√v̂ + ε); t counts from 1. */
  adamStep(w: Vector, g: Vector, m: Vector, v: Vector, lr: number, t: number): void {
    for (const x of [w, g, m, v]) this.checkParams(x);
    this.wasm.tfAdamStep(this.size, lr, w.ptr, g.ptr, m.ptr, v.ptr, t);
  }

  /** Softmax output of the last loss/gradient/HVP call, (batch·context)×vocab, into `out`. */
  probs(out: Matrix): void {
    if (out.rows !== this.positions || out.cols !== this.spec.vocab) {
      throw new CondlabError(`probs output is ${out.rows}×${out.cols}; need ${this.positions}×${this.spec.vocab}`, 'shape-mismatch');
    }
    this.wasm.tfProbs(this.cfg, this.ws, out.ptr);
  }

  /** Where parameter `kind` of `block` sits: offset and shape (rows × cols; vectors are 1 × n), or undefined if off. */
  slice(kind: ParamKind, block = 0): { offset: number; rows: number; cols: number } | undefined {
    const k = PARAM_KINDS.indexOf(kind);
    if (k < 0) throw new CondlabError(`unknown parameter kind ${String(kind)}; kinds are ${PARAM_KINDS.join(', ')}`, 'bad-option');
    if (!Number.isInteger(block) || block < 0 || block >= this.spec.blocks) {
      throw new CondlabError(`block must be an integer from 0 to ${this.spec.blocks - 1}, got ${block}`, 'bad-option');
    }
    const offset = this.wasm.tfParamOffset(this.cfg, block, k);
    if (offset < 0) return undefined;
    const { vocab: V, context: T, width: D, mlpWidth: M } = this.spec;
    const shape: Record<ParamKind, [number, number]> = {
      embed: [V, D], pos: [T, D], 'ln1.g': [1, D], 'ln1.b': [1, D], q: [D, D], k: [D, D], v: [D, D], attnOut: [D, D],
      'ln2.g': [1, D], 'ln2.b': [1, D], mlpUp: [M, D], 'mlpUp.b': [1, M], mlpDown: [D, M], 'mlpDown.b': [1, D],
      'lnf.g': [1, D], 'lnf.b': [1, D], head: [V, D], 'head.b': [1, V],
    };
    return { offset, rows: shape[kind][0], cols: shape[kind][1] };
  }

  /** The weight matrices present in this model, by layer type and block (the head once). */
  layers(): { type: LayerType; block: number; offset: number; rows: number; cols: number }[] {
    const out: { type: LayerType; block: number; offset: number; rows: number; cols: number }[] = [];
    for (let b = 0; b < this.spec.blocks; b++) {
      for (const t of LAYER_TYPES) {
        if (t === 'head') continue;
        const s = this.slice(t, b);
        if (s) out.push({ type: t, block: b, ...s });
      }
    }
    out.push({ type: 'head', block: 0, ...this.slice('head')! });
    return out;
  }

  /**
   * GPT-style initialisation into `w`: embeddings and positions N(0, 1), weight matrices N(0, gain²/fan_in),
   * LayerNorm gains 1, biases 0. Draws in parameter order, so the same rng gives the same model.
   */
  init(w: Vector, rng: Rng, gain = 1): Vector {
    this.checkParams(w);
    const d = w.data();
    d.fill(0);
    for (let b = 0; b < this.spec.blocks; b++) {
      for (const g of ['ln1.g', 'ln2.g'] as const) {
        const s = this.slice(g, b);
        if (s) d.fill(1, s.offset, s.offset + s.cols);
      }
    }
    const f = this.slice('lnf.g');
    if (f) d.fill(1, f.offset, f.offset + f.cols);
    const fill = (kind: ParamKind, block: number, std: number) => {
      const s = this.slice(kind, block);
      if (!s) return;
      const n = s.rows * s.cols;
      for (let i = 0; i < n; i++) d[s.offset + i] = std * rng.normal();
    };
    fill('embed', 0, 1);
    fill('pos', 0, 1);
    for (let b = 0; b < this.spec.blocks; b++) {
      for (const t of ['q', 'k', 'v', 'attnOut', 'mlpUp', 'mlpDown'] as const) {
        const s = this.slice(t, b);
        if (s) fill(t, b, gain / Math.sqrt(s.cols));
      }
    }
    fill('head', 0, gain / Math.sqrt(this.spec.width));
    return w;
  }

  /** The Hessian (or Gauss–Newton matrix) at w as a SymmetricOperator over plain arrays. */
  operator(w: Vector, gaussNewton = false): SymmetricOperator {
    this.opIn ??= this.engine.vector(this.size);
    this.opOut ??= this.engine.vector(this.size);
    const vin = this.opIn, vout = this.opOut;
    return {
      size: this.size,
      apply: (v, out) => {
        checkVector('direction', v, this.size);
        vin.data().set(v);
        this.hvp(w, vin, vout, gaussNewton);
        out.set(vout.data());
      },
    };
  }

  private checkOut(out: Vector): void {
    if (out.length !== this.size) throw new CondlabError(`output has length ${out.length}; this transformer has ${this.size} parameters`, 'shape-mismatch');
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    const w = wasmOf(this.engine);
    w.free(this.cfg, 9 * 4);
    w.free(this.tok, 4 * this.positions);
    w.free(this.ws, this.wsBytes);
    if (!this.targets.freed) this.targets.free();
    if (this.opIn && !this.opIn.freed) this.opIn.free();
    if (this.opOut && !this.opOut.freed) this.opOut.free();
  }
}
