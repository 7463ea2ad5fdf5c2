import { CondlabError } from './errors.js';

/** What a handle needs from its engine: memory to view and a way to give its bytes back. */
export interface BlockOwner {
  readonly memory: WebAssembly.Memory;
  release(block: F64Block): void;
}

/**
 * A run of f64 values in WASM linear memory. JS never holds a cached view: `data()` builds a fresh
 * Float64Array each call, because `memory.grow` detaches every earlier view of the buffer.
 */
export abstract class F64Block {
  #ptr: number;
  #freed = false;

  protected constructor(
    protected readonly owner: BlockOwner,
    ptr: number,
    /** Number of f64 elements. */
    readonly length: number,
  ) {
    this.#ptr = ptr;
  }

  abstract describe(): string;

  /** Byte offset in linear memory; throws once the block has been freed. */
  get ptr(): number {
    if (this.#freed) throw new CondlabError(`${this.describe()} was used after free()`, 'freed-handle');
    return this.#ptr;
  }

  get bytes(): number {
    return this.length * 8;
  }

  get freed(): boolean {
    return this.#freed;
  }

  /** A live view; valid until the next allocation that may grow memory. Re-derive it, never keep it. */
  data(): Float64Array {
    return new Float64Array(this.owner.memory.buffer, this.ptr, this.length);
  }

  /** A copy that outlives the block and any memory growth. */
  toArray(): Float64Array {
    return this.data().slice();
  }

  /** Copies `values` in, checking their count. */
  set(values: ArrayLike<number>): this {
    if (values.length !== this.length) {
      throw new CondlabError(
        `${this.describe()} holds ${this.length} values, got ${values.length}`,
        'shape-mismatch',
      );
    }
    this.data().set(values);
    return this;
  }

  free(): void {
    if (this.#freed) throw new CondlabError(`${this.describe()} was freed twice`, 'freed-handle');
    this.owner.release(this);
    this.#freed = true;
  }

  /** Internal: called by the owner when it has already released the memory (scope exit). */
  markFreed(): void {
    this.#freed = true;
  }
}

/** A row-major rows×cols f64 matrix in WASM memory. */
export class Matrix extends F64Block {
  constructor(owner: BlockOwner, ptr: number, readonly rows: number, readonly cols: number) {
    super(owner, ptr, rows * cols);
  }

  describe(): string {
    return `matrix ${this.rows}×${this.cols}${this.freed ? ' (freed)' : ''}`;
  }

  get(i: number, j: number): number {
    this.checkIndex(i, j);
    return new Float64Array(this.owner.memory.buffer, this.ptr + (i * this.cols + j) * 8, 1)[0];
  }

  put(i: number, j: number, value: number): void {
    this.checkIndex(i, j);
    new Float64Array(this.owner.memory.buffer, this.ptr + (i * this.cols + j) * 8, 1)[0] = value;
  }

  /** Row i as a copy. */
  row(i: number): Float64Array {
    this.checkIndex(i, 0);
    return new Float64Array(this.owner.memory.buffer, this.ptr + i * this.cols * 8, this.cols).slice();
  }

  toRows(): number[][] {
    const d = this.data();
    return Array.from({ length: this.rows }, (_, i) => Array.from(d.subarray(i * this.cols, (i + 1) * this.cols)));
  }

  private checkIndex(i: number, j: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows || !Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new CondlabError(
        `index (${i}, ${j}) is outside ${this.describe()}; rows 0..${this.rows - 1}, columns 0..${this.cols - 1}`,
        'bad-index',
      );
    }
  }
}

/** A length-n f64 vector in WASM memory. */
export class Vector extends F64Block {
  constructor(owner: BlockOwner, ptr: number, length: number) {
    super(owner, ptr, length);
  }

  describe(): string {
    return `vector of length ${this.length}${this.freed ? ' (freed)' : ''}`;
  }
}
