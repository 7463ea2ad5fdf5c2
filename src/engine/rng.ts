import type { Matrix, Vector, F64Block } from './block.js';
import { CondlabError } from './errors.js';
import type { Engine } from './engine.js';
import { INSPECT } from './inspect.js';
import { checkHandle, internals, type EngineInternals } from './internal.js';

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
  #engine: Engine;
  #core: EngineInternals;
  #ptr: number;
  #freed = false;
  /** The 64-bit key as two u32 halves, kept so children can be derived. */
  readonly keyLo: number;
  readonly keyHi: number;

  private constructor(engine: Engine, ptr: number, keyLo: number, keyHi: number) {
    this.#engine = engine;
    this.#core = internals(engine);
    this.#ptr = ptr;
    this.keyLo = keyLo;
    this.keyHi = keyHi;
  }

  /** @internal */
  static create(engine: Engine, keyLo: number, keyHi: number): Rng {
    const core = internals(engine);
    const ptr = core.allocBytes(RNG_STATE_BYTES, 'a generator state');
    core.wasm.rngSeed(ptr, keyLo, keyHi);
    return core.track(new Rng(engine, ptr, keyLo, keyHi));
  }

  /** @internal Byte offset of the state in linear memory; throws once freed. */
  get ptr(): number {
    if (this.#freed) throw new CondlabError('generator was used after free()', 'freed-handle', { handle: 'generator' });
    return this.#ptr;
  }

  /** True once `free()` ran (by hand or at scope exit). */
  get freed(): boolean {
    return this.#freed;
  }

  /** Id of the engine whose memory holds the state. */
  get engineId(): number {
    return this.#engine.id;
  }

  /** The key as a bigint, for logs and results files. */
  get key(): bigint {
    return (BigInt(this.keyHi >>> 0) << 32n) | BigInt(this.keyLo >>> 0);
  }

  /** `Rng 0x… [engine 1]` */
  toString(): string {
    return `Rng 0x${this.key.toString(16).padStart(16, '0')} [engine ${this.engineId}]${this.#freed ? ' (freed)' : ''}`;
  }

  /** @internal */
  [INSPECT](): string {
    return this.toString();
  }

  /** An independent stream derived from this one's key and `index` (does not advance this stream). */
  split(index: number): Rng {
    checkSeed(0, [index]);
    const w = this.#core.wasm;
    const scratch = this.#core.allocBytes(8, 'a key');
    try {
      w.rngDerive(this.keyLo, this.keyHi, index, scratch);
      const [lo, hi] = new Uint32Array(w.memory.buffer, scratch, 2);
      return Rng.create(this.#engine, lo, hi);
    } finally {
      w.free(scratch, 8);
    }
  }

  /** Next raw 32-bit output, as an unsigned integer. */
  u32(): number {
    return this.#core.wasm.rngNextU32(this.ptr) >>> 0;
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    return this.#core.wasm.rngNextUniform(this.ptr);
  }

  /** Standard normal (256-layer Ziggurat, as numpy). */
  normal(): number {
    return this.#core.wasm.rngNextNormal(this.ptr);
  }

  /** Fills `block` (a handle of this generator's engine) with N(mean, std²) in row-major order. */
  fillNormal<T extends F64Block>(block: T, mean = 0, std = 1): T {
    checkHandle(this.#engine, 'fillNormal', 'block', block, 'block');
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new CondlabError(`fillNormal needs finite mean and std ≥ 0, got mean=${mean}, std=${std}`, 'bad-option', { op: 'fillNormal' });
    }
    this.#core.wasm.rngFillNormal(this.ptr, block.ptr, block.length, mean, std);
    return block;
  }

  /** Fills `block` (a handle of this generator's engine) with U[lo, hi). */
  fillUniform<T extends F64Block>(block: T, lo = 0, hi = 1): T {
    checkHandle(this.#engine, 'fillUniform', 'block', block, 'block');
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
      throw new CondlabError(`fillUniform needs finite lo ≤ hi, got lo=${lo}, hi=${hi}`, 'bad-option', { op: 'fillUniform' });
    }
    this.#core.wasm.rngFillUniform(this.ptr, block.ptr, block.length, lo, hi);
    return block;
  }

  /** A new rows×cols matrix of N(mean, std²) draws. */
  normalMatrix(rows: number, cols: number, mean = 0, std = 1): Matrix {
    return this.fillNormal(this.#engine.matrix(rows, cols), mean, std);
  }

  /** A new length-n vector of N(mean, std²) draws. */
  normalVector(n: number, mean = 0, std = 1): Vector {
    return this.fillNormal(this.#engine.vector(n), mean, std);
  }

  /** Gives the state's memory back; using the generator afterwards is a `freed-handle` error. */
  free(): void {
    if (this.#freed) throw new CondlabError('generator was freed twice', 'freed-handle', { handle: 'generator' });
    this.#core.wasm.free(this.#ptr, RNG_STATE_BYTES);
    this.#core.untrack(this);
    this.#freed = true;
  }
}
