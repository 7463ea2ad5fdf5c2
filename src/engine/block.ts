import { CondlabError } from './errors.js';
import { INSPECT } from './inspect.js';

/** What a handle needs from its engine: memory to view, a way to give its bytes back, and an id to print. */
export interface BlockOwner {
  readonly id: number;
  readonly memory: WebAssembly.Memory;
}

/**
 * Only engine code holds this token, so `new Matrix(engine, 0, 10, 10)` from user code (which would alias any
 * address in linear memory) is refused at run time as well as by the types.
 */
const TOKEN: unique symbol = Symbol('condlab.block');

/** How a block gives its bytes back (supplied by the engine that made it). */
export type BlockRelease = (block: F64Block) => void;

/**
 * @internal Engine-side factories (the only holders of TOKEN). Exported from this module but not from the package
 * entry, whose `exports` map blocks deep imports.
 */
export let makeMatrix: (owner: BlockOwner, release: BlockRelease, ptr: number, rows: number, cols: number) => Matrix;
/** @internal */
export let makeVector: (owner: BlockOwner, release: BlockRelease, ptr: number, length: number) => Vector;

/**
 * A run of f64 values in WASM linear memory. JS never holds a cached view: `data()` builds a fresh
 * Float64Array each call, because `memory.grow` detaches every earlier view of the buffer.
 */
export abstract class F64Block {
  #owner: BlockOwner;
  #release: BlockRelease;
  #ptr: number;
  #freed = false;
  /** Number of f64 elements. */
  readonly length: number;

  protected constructor(token: typeof TOKEN, owner: BlockOwner, release: BlockRelease, ptr: number, length: number) {
    if (token !== TOKEN) {
      throw new CondlabError('handles are made by an engine (engine.matrix, engine.vector), not with new', 'bad-argument', {
        name: 'constructor',
      });
    }
    this.#owner = owner;
    this.#release = release;
    this.#ptr = ptr;
    this.length = length;
  }

  /** Lower-case description used inside error messages, e.g. `matrix 4×4 (freed)`. */
  abstract describe(): string;

  /** Id of the engine whose memory holds this block (engines are numbered 1, 2, … in load order). */
  get engineId(): number {
    return this.#owner.id;
  }

  /** @internal The owning engine; engine code compares it with itself before touching memory. */
  get owner(): BlockOwner {
    return this.#owner;
  }

  /** Byte offset in linear memory; throws once the block has been freed. */
  get ptr(): number {
    if (this.#freed) throw new CondlabError(`${this.describe()} was used after free()`, 'freed-handle', { handle: this.describe() });
    return this.#ptr;
  }

  /** Size in bytes (8 per entry). */
  get bytes(): number {
    return this.length * 8;
  }

  /** True once `free()` ran (by hand or at scope exit). */
  get freed(): boolean {
    return this.#freed;
  }

  /** A live view; valid until the next allocation that may grow memory. Re-derive it, never keep it. */
  data(): Float64Array {
    return new Float64Array(this.#owner.memory.buffer, this.ptr, this.length);
  }

  /** A copy that outlives the block and any memory growth. */
  toArray(): Float64Array {
    return this.data().slice();
  }

  /** Copies `values` in, checking their count. */
  set(values: ArrayLike<number>): this {
    if (values.length !== this.length) {
      throw new CondlabError(`${this.describe()} holds ${this.length} values, got ${values.length}`, 'shape-mismatch', {
        expected: [this.length],
        got: [values.length],
      });
    }
    this.data().set(values);
    return this;
  }

  /** Gives the memory back to the engine. Using the handle afterwards is a `freed-handle` error. */
  free(): void {
    if (this.#freed) throw new CondlabError(`${this.describe()} was freed twice`, 'freed-handle', { handle: this.describe() });
    this.#release(this);
    this.#freed = true;
  }

  /** @internal Called by the owner when it has already released the memory. */
  markFreed(): void {
    this.#freed = true;
  }

  /** `Matrix 4×4 [engine 1]`: what `String(handle)` and template strings show. */
  toString(): string {
    return this.label();
  }

  /** @internal Node's util.inspect / console.log shows the label, not the engine and its exports. */
  [INSPECT](): string {
    return this.label();
  }

  /** @internal */
  protected abstract label(): string;
}

/** A row-major rows×cols f64 matrix in WASM memory. Make one with `engine.matrix`, `engine.fromRows` or a kernel. */
export class Matrix extends F64Block {
  /** Makes the type nominal: a Vector (same members otherwise) is not assignable to Matrix, nor the reverse. */
  readonly #kind = 'matrix';
  readonly rows: number;
  readonly cols: number;

  private constructor(token: typeof TOKEN, owner: BlockOwner, release: BlockRelease, ptr: number, rows: number, cols: number) {
    super(token, owner, release, ptr, rows * cols);
    this.rows = rows;
    this.cols = cols;
  }

  static {
    makeMatrix = (owner, release, ptr, rows, cols) => new Matrix(TOKEN, owner, release, ptr, rows, cols);
  }

  /** `matrix 4×4` (used inside error messages). */
  describe(): string {
    return `matrix ${this.rows}×${this.cols}${this.freed ? ' (freed)' : ''}`;
  }

  /** @internal */
  protected label(): string {
    return `Matrix ${this.rows}×${this.cols} [engine ${this.engineId}]${this.freed ? ' (freed)' : ''}`;
  }

  /** Entry (i, j), 0-based; out-of-range indices are a `bad-index` error. */
  get(i: number, j: number): number {
    this.checkIndex(i, j);
    return new Float64Array(this.owner.memory.buffer, this.ptr + (i * this.cols + j) * 8, 1)[0];
  }

  /** Sets entry (i, j), 0-based. */
  put(i: number, j: number, value: number): void {
    this.checkIndex(i, j);
    new Float64Array(this.owner.memory.buffer, this.ptr + (i * this.cols + j) * 8, 1)[0] = value;
  }

  /** Row i as a copy. */
  row(i: number): Float64Array {
    this.checkIndex(i, 0);
    return new Float64Array(this.owner.memory.buffer, this.ptr + i * this.cols * 8, this.cols).slice();
  }

  /** A copy as an array of rows (plain numbers). */
  toRows(): number[][] {
    const d = this.data();
    return Array.from({ length: this.rows }, (_, i) => Array.from(d.subarray(i * this.cols, (i + 1) * this.cols)));
  }

  private checkIndex(i: number, j: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows || !Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new CondlabError(
        `index (${i}, ${j}) is outside ${this.describe()}; rows 0..${this.rows - 1}, columns 0..${this.cols - 1}`,
        'bad-index',
        { index: [i, j], shape: [this.rows, this.cols] },
      );
    }
  }
}

/** A length-n f64 vector in WASM memory. Make one with `engine.vector` or a kernel. */
export class Vector extends F64Block {
  /** Nominal typing (see Matrix). */
  readonly #kind = 'vector';

  private constructor(token: typeof TOKEN, owner: BlockOwner, release: BlockRelease, ptr: number, length: number) {
    super(token, owner, release, ptr, length);
  }

  static {
    makeVector = (owner, release, ptr, length) => new Vector(TOKEN, owner, release, ptr, length);
  }

  /** `vector of length 3` (used inside error messages). */
  describe(): string {
    return `vector of length ${this.length}${this.freed ? ' (freed)' : ''}`;
  }

  /** @internal */
  protected label(): string {
    return `Vector ${this.length} [engine ${this.engineId}]${this.freed ? ' (freed)' : ''}`;
  }
}
