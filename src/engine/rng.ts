import { Matrix, Vector, F64Block } from './block.js';
import { CondlabError } from './errors.js';
import type { Engine } from './engine.js';

/** Bytes of generator state in linear memory (assembly/rng/xoshiro256ss.ts). */
export const RNG_STATE_BYTES = 48;

export function checkSeed(seed: unknown, path: unknown[]): void {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new CondlabError(`seed must be a non-negative safe integer, got ${String(seed)}`, 'bad-seed', { seed });
  }
  for (const p of path) {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 0xffffffff) {
      throw new CondlabError(`stream index must be an integer from 0 to 2^32−1, got ${String(p)}`, 'bad-seed', { index: p });
    }
  }
}

/**
 * A seeded xoshiro256** stream whose state lives in WASM memory, so kernels can draw from it without crossing
 * into JS. Create through `engine.rng(seed, ...path)`; `split(i)` derives an independent child stream.
 */
export class Rng {
  #ptr: number;
  #freed = false;

  private constructor(
    private readonly engine: Engine,
    ptr: number,
    /** The 64-bit key as two u32 halves, kept so children can be derived. */
    readonly keyLo: number,
    readonly keyHi: number,
  ) {
    this.#ptr = ptr;
  }

  /** @internal */
  static create(engine: Engine, keyLo: number, keyHi: number): Rng {
    const ptr = engine.allocBytes(RNG_STATE_BYTES, 'a generator state');
    engine.wasm.rngSeed(ptr, keyLo, keyHi);
    return engine.trackRng(new Rng(engine, ptr, keyLo, keyHi)) as Rng;
  }

  get ptr(): number {
    if (this.#freed) throw new CondlabError('generator was used after free()', 'freed-handle');
    return this.#ptr;
  }

  get freed(): boolean {
    return this.#freed;
  }

  /** The key as a bigint, for logs and results files. */
  get key(): bigint {
    return (BigInt(this.keyHi >>> 0) << 32n) | BigInt(this.keyLo >>> 0);
  }

  /** An independent stream derived from this one's key and `index` (does not advance this stream). */
  split(index: number): Rng {
    checkSeed(0, [index]);
    const w = this.engine.wasm;
    const scratch = this.engine.allocBytes(8, 'a key');
    try {
      w.rngDerive(this.keyLo, this.keyHi, index, scratch);
      const [lo, hi] = new Uint32Array(w.memory.buffer, scratch, 2);
      return Rng.create(this.engine, lo, hi);
    } finally {
      w.free(scratch, 8);
    }
  }

  u32(): number {
    return this.engine.wasm.rngNextU32(this.ptr) >>> 0;
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    return this.engine.wasm.rngNextUniform(this.ptr);
  }

  /** Standard normal (256-layer Ziggurat, as numpy). */
  normal(): number {
    return this.engine.wasm.rngNextNormal(this.ptr);
  }

  /** Fills `block` with N(mean, std²) in row-major order. */
  fillNormal<T extends F64Block>(block: T, mean = 0, std = 1): T {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new CondlabError(`fillNormal needs finite mean and std ≥ 0, got mean=${mean}, std=${std}`, 'bad-option');
    }
    this.engine.wasm.rngFillNormal(this.ptr, block.ptr, block.length, mean, std);
    return block;
  }

  /** Fills `block` with U[lo, hi). */
  fillUniform<T extends F64Block>(block: T, lo = 0, hi = 1): T {
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
      throw new CondlabError(`fillUniform needs finite lo ≤ hi, got lo=${lo}, hi=${hi}`, 'bad-option');
    }
    this.engine.wasm.rngFillUniform(this.ptr, block.ptr, block.length, lo, hi);
    return block;
  }

  /** A new rows×cols matrix of N(mean, std²) draws. */
  normalMatrix(rows: number, cols: number, mean = 0, std = 1): Matrix {
    return this.fillNormal(this.engine.matrix(rows, cols), mean, std);
  }

  normalVector(n: number, mean = 0, std = 1): Vector {
    return this.fillNormal(this.engine.vector(n), mean, std);
  }

  free(): void {
    if (this.#freed) throw new CondlabError('generator was freed twice', 'freed-handle');
    this.engine.releaseRaw(this.#ptr, RNG_STATE_BYTES, this);
    this.#freed = true;
  }
}
