// A dense-layer chain (linear, deep linear, ReLU MLP, MLP + softmax classifier) on a fixed batch, as the curvature
// tools see it: loss, gradient, exact Hessian-vector product and Gauss–Newton product, all computed in WASM
// (assembly/models/dense_chain.ts). Parameter vectors are the layers' weights concatenated row-major.
import type { Engine } from '../engine/engine.js';
import { Matrix, Vector } from '../engine/block.js';
import { CondlabError, checkDim } from '../engine/errors.js';
import { checkVector, type SymmetricOperator } from './operator.js';
import { checkHandle, internals, wasmOf } from '../engine/internal.js';

export type Activation = 'linear' | 'relu';
export type LossKind = 'mse' | 'cross-entropy';

export interface ChainSpec {
  /** d_0 (input), d_1, …, d_L (output). */
  dims: number[];
  activation: Activation;
  loss: LossKind;
}

export class DenseChain {
  readonly layers: number;
  readonly size: number;
  private readonly dimsPtr: number;
  private readonly ws: number;
  private readonly wsBytes: number;
  private readonly scratch: Vector;
  private freed = false;
  private opIn?: Vector;

  /** Weights live in `params` (owned by the caller); X is batch×d_0, Y batch×d_L (one-hot rows for cross-entropy). */
  constructor(
    private readonly engine: Engine,
    readonly spec: ChainSpec,
    readonly params: Vector,
    readonly X: Matrix,
    readonly Y: Matrix,
  ) {
    checkHandle(engine, 'DenseChain', 'params', params, 'vector');
    checkHandle(engine, 'DenseChain', 'X', X, 'matrix');
    checkHandle(engine, 'DenseChain', 'Y', Y, 'matrix');
    const { dims } = spec;
    if (!Array.isArray(dims) || dims.length < 2 || dims.length > 9) {
      throw new CondlabError(`dims must list 2 to 9 layer widths (input … output), got ${JSON.stringify(dims)}`, 'bad-option');
    }
    dims.forEach((d, i) => checkDim(`dims[${i}]`, d));
    if (spec.activation !== 'linear' && spec.activation !== 'relu') {
      throw new CondlabError(`activation must be 'linear' or 'relu', got ${String(spec.activation)}`, 'bad-option');
    }
    if (spec.loss !== 'mse' && spec.loss !== 'cross-entropy') {
      throw new CondlabError(`loss must be 'mse' or 'cross-entropy', got ${String(spec.loss)}`, 'bad-option');
    }
    this.layers = dims.length - 1;
    const w = wasmOf(engine);
    this.dimsPtr = internals(engine).allocBytes(4 * dims.length, 'chain dims');
    new Int32Array(w.memory.buffer, this.dimsPtr, dims.length).set(dims);
    this.size = w.chainParamCount(this.layers, this.dimsPtr);
    if (params.length !== this.size) {
      this.release();
      throw new CondlabError(`params has length ${params.length}; dims ${dims.join('→')} need ${this.size}`, 'shape-mismatch');
    }
    if (X.cols !== dims[0] || Y.cols !== dims[this.layers] || X.rows !== Y.rows) {
      this.release();
      throw new CondlabError(
        `batch shapes do not agree: X is ${X.rows}×${X.cols}, Y is ${Y.rows}×${Y.cols}; need B×${dims[0]} and B×${dims[this.layers]}`,
        'shape-mismatch',
      );
    }
    this.wsBytes = w.chainWorkspaceBytes(this.layers, this.dimsPtr, X.rows);
    this.ws = internals(engine).allocBytes(this.wsBytes, 'chain workspace');
    this.scratch = engine.vector(this.size);
  }

  get batch(): number {
    return this.X.rows;
  }

  private get codes(): [number, number] {
    return [this.spec.activation === 'relu' ? 1 : 0, this.spec.loss === 'cross-entropy' ? 1 : 0];
  }

  loss(): number {
    const [a, l] = this.codes;
    return wasmOf(this.engine).chainLoss(this.layers, this.dimsPtr, a, l, this.params.ptr, this.X.ptr, this.Y.ptr, this.batch, this.ws);
  }

  /** Writes the gradient into `out` (length = size) and returns the loss. */
  gradient(out: Vector): number {
    this.checkOut(out);
    const [a, l] = this.codes;
    return wasmOf(this.engine).chainGradient(this.layers, this.dimsPtr, a, l, this.params.ptr, this.X.ptr, this.Y.ptr, this.batch, this.ws, out.ptr);
  }

  /** out ← H·v (exact, R-operator), or G·v with `gaussNewton`. */
  hvp(v: Vector, out: Vector, gaussNewton = false): void {
    this.checkOut(out);
    if (v.length !== this.size) throw new CondlabError(`direction has length ${v.length}; this model has ${this.size} parameters`, 'shape-mismatch');
    this.engine.checkFinite('direction', v);
    const [a, l] = this.codes;
    wasmOf(this.engine).chainHvp(this.layers, this.dimsPtr, a, l, this.params.ptr, this.X.ptr, this.Y.ptr, this.batch, this.ws, v.ptr, out.ptr, gaussNewton ? 1 : 0);
  }

  /** Offset and shape of layer l's weights (1-based) in the parameter vector. */
  layer(l: number): { offset: number; rows: number; cols: number } {
    if (!Number.isInteger(l) || l < 1 || l > this.layers) {
      throw new CondlabError(`layer must be an integer from 1 to ${this.layers}, got ${l}`, 'bad-option');
    }
    let offset = 0;
    for (let k = 1; k < l; k++) offset += this.spec.dims[k] * this.spec.dims[k - 1];
    return { offset, rows: this.spec.dims[l], cols: this.spec.dims[l - 1] };
  }

  /** The Hessian (or Gauss–Newton matrix) as a SymmetricOperator over plain arrays, for Lanczos and friends. */
  operator(gaussNewton = false): SymmetricOperator {
    this.opIn ??= this.engine.vector(this.size);
    const vin = this.opIn;
    return {
      size: this.size,
      apply: (v, out) => {
        checkVector('direction', v, this.size);
        vin.data().set(v);
        this.hvp(vin, this.scratch, gaussNewton);
        out.set(this.scratch.data());
      },
    };
  }

  private checkOut(out: Vector): void {
    checkHandle(this.engine, 'DenseChain', 'out', out, 'vector');
    if (out.length !== this.size) throw new CondlabError(`output has length ${out.length}; this model has ${this.size} parameters`, 'shape-mismatch');
  }

  private release(): void {
    wasmOf(this.engine).free(this.dimsPtr, 4 * this.spec.dims.length);
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    wasmOf(this.engine).free(this.dimsPtr, 4 * this.spec.dims.length);
    wasmOf(this.engine).free(this.ws, this.wsBytes);
    if (!this.scratch.freed) this.scratch.free();
    if (this.opIn && !this.opIn.freed) this.opIn.free();
  }
}
