import { F64Block, Matrix, Vector, type BlockOwner } from './block.js';
import { CondlabError, checkDim, checkFiniteNumber, formatBytes } from './errors.js';
import type { CondlabExports } from './exports.js';
import { compileWasm, instantiateWasm, type WasmSource } from './loader.js';
import { Rng, checkSeed } from './rng.js';
import type { EngineVariant } from './variants.js';

/** AssemblyScript's TLSF allocator serves blocks below 1 GiB; wasm32 memory tops out at 4 GiB. */
export const MAX_BLOCK_BYTES = 2 ** 30 - 64;
export const MAX_MEMORY_BYTES = 2 ** 32;

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

export interface SvdOptions {
  /** Compute U and V (default true); false skips their accumulation. */
  vectors?: boolean;
  /** Convergence: every column pair satisfies |aᵢ·aⱼ| ≤ tol·‖aᵢ‖‖aⱼ‖. Default m·ε. */
  tol?: number;
  /** Sweep limit; exceeding it throws a CondlabError carrying the residual. Default 60. */
  maxSweeps?: number;
}

export interface Svd {
  /** m×k with k = min(m, n), orthonormal columns (absent in values-only mode). */
  U?: Matrix;
  /** Singular values, descending, length k. */
  s: Vector;
  /** n×k, orthonormal columns (absent in values-only mode). */
  V?: Matrix;
  sweeps: number;
}

export interface MemoryStats {
  /** Bytes held by live handles (plus engine bookkeeping allocated at start). */
  liveBytes: number;
  liveBlocks: number;
  /** Size of linear memory, which only grows. */
  heapBytes: number;
}

type Scope = Set<F64Block | Rng>;

/**
 * One engine = one WebAssembly instance with its own memory. Workers create their own; nothing is shared.
 * Allocation goes through `matrix`/`vector`; `scope(fn)` frees everything `fn` allocated except what it returns.
 */
export class Engine implements BlockOwner {
  readonly wasm: CondlabExports;
  /** Which build this instance runs ('plain' or 'fma', src/engine/variants.ts); set by `loadEngine`. */
  variant: EngineVariant = 'plain';
  /** Threads one GEMM may use (src/engine/threads.ts); 1 unless loaded with `loadEngine({ threads })`. */
  threads = 1;
  private readonly scopes: Scope[] = [];
  /** 8-byte scratch for passing u64 keys across the boundary. */
  private readonly keyScratch: number;

  private constructor(wasm: CondlabExports) {
    this.wasm = wasm;
    this.keyScratch = wasm.alloc(8);
  }

  static async load(source?: WasmSource): Promise<Engine> {
    return new Engine(await instantiateWasm(source));
  }

  /** Compile once, then `Engine.fromModule` per worker or per test. */
  static compile(source?: WasmSource): Promise<WebAssembly.Module> {
    return compileWasm(source);
  }

  /** `memory`: the shared memory a threads build imports (src/engine/threads.ts). */
  static async fromModule(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<Engine> {
    return new Engine(await instantiateWasm(module, memory));
  }

  get memory(): WebAssembly.Memory {
    return this.wasm.memory;
  }

  memoryStats(): MemoryStats {
    return {
      liveBytes: this.wasm.memLiveBytes(),
      liveBlocks: this.wasm.memLiveBlocks(),
      heapBytes: this.wasm.memory.buffer.byteLength,
    };
  }

  // ---- allocation -------------------------------------------------------------------------------------------

  /** Raw allocation with a clear error instead of a trap when memory cannot grow. */
  allocBytes(bytes: number, what: string): number {
    if (bytes > MAX_BLOCK_BYTES) {
      throw new CondlabError(
        `${what} needs ${formatBytes(bytes)}; one block of WASM memory may hold at most ${formatBytes(MAX_BLOCK_BYTES)} ` +
          `(wasm32 memory is ${formatBytes(MAX_MEMORY_BYTES)} in all)`,
        'too-large',
        { bytes },
      );
    }
    try {
      return this.wasm.alloc(bytes);
    } catch (e) {
      const inUse = this.memoryStats();
      throw new CondlabError(
        `${what} needs ${formatBytes(bytes)} but WASM memory cannot grow further ` +
          `(${formatBytes(inUse.liveBytes)} in use by live matrices, ${formatBytes(inUse.heapBytes)} reserved, ` +
          `limit ${formatBytes(MAX_MEMORY_BYTES)}); free matrices or use smaller dimensions`,
        'out-of-memory',
        { bytes, cause: String(e) },
      );
    }
  }

  private track<T extends F64Block | Rng>(h: T): T {
    const top = this.scopes[this.scopes.length - 1];
    if (top) top.add(h);
    return h;
  }

  /** Zero-filled rows×cols matrix, or filled from `data` (flat row-major or an array of rows). */
  matrix(rows: number, cols: number, data?: ArrayLike<number> | ArrayLike<ArrayLike<number>>): Matrix {
    checkDim('rows', rows);
    checkDim('cols', cols);
    const n = rows * cols;
    const ptr = this.allocBytes(n * 8, `a ${rows}×${cols} matrix`);
    const m = this.track(new Matrix(this, ptr, rows, cols));
    if (data !== undefined) {
      try {
        fillChecked(m, data, rows, cols);
      } catch (e) {
        this.release(m);
        m.markFreed();
        throw e;
      }
    }
    return m;
  }

  /** Builds a matrix from an array of equal-length rows. */
  fromRows(rows: ArrayLike<ArrayLike<number>>): Matrix {
    if (!rows || rows.length === 0 || !rows[0] || rows[0].length === 0) {
      throw new CondlabError('fromRows needs at least one non-empty row', 'bad-dimension');
    }
    return this.matrix(rows.length, rows[0].length, rows);
  }

  vector(length: number, data?: ArrayLike<number>): Vector {
    checkDim('length', length);
    const ptr = this.allocBytes(length * 8, `a vector of length ${length}`);
    const v = this.track(new Vector(this, ptr, length));
    if (data !== undefined) {
      try {
        fillChecked(v, data, length, 1);
      } catch (e) {
        this.release(v);
        v.markFreed();
        throw e;
      }
    }
    return v;
  }

  /** BlockOwner: give a block's memory back (called by F64Block.free and by scope exit). */
  release(block: F64Block): void {
    this.wasm.free(block.ptr, block.bytes);
    for (const s of this.scopes) s.delete(block);
  }

  /** @internal used by Rng */
  releaseRaw(ptr: number, bytes: number, handle: Rng): void {
    this.wasm.free(ptr, bytes);
    for (const s of this.scopes) s.delete(handle);
  }

  /** @internal used by Rng */
  trackRng(r: Rng): Rng {
    return this.track(r);
  }

  /**
   * Runs `fn` and frees every matrix, vector and generator it allocated, except those it returns
   * (a handle, or an array / plain object whose values are handles), which move to the enclosing scope.
   * Frees also happen when `fn` throws, so a failing trial leaks nothing.
   */
  scope<T>(fn: () => T): T {
    const mine: Scope = new Set();
    this.scopes.push(mine);
    let result: T | undefined;
    let ok = false;
    try {
      result = fn();
      if (result instanceof Promise) {
        throw new CondlabError('engine.scope takes a synchronous function; await inside it is not supported', 'bad-scope');
      }
      ok = true;
    } finally {
      this.scopes.pop();
      const kept = ok ? collectHandles(result) : new Set<unknown>();
      const parent = this.scopes[this.scopes.length - 1];
      for (const h of mine) {
        if (kept.has(h)) parent?.add(h);
        else if (!h.freed) h.free();
      }
    }
    return result as T;
  }

  // ---- checks -------------------------------------------------------------------------------------------------

  /** Throws naming the first NaN/±Inf entry of `block`. One SIMD pass in WASM. */
  checkFinite(name: string, block: F64Block): void {
    const idx = this.wasm.firstNonFinite(block.length, block.ptr);
    if (idx >= 0) {
      const v = block.data()[idx];
      const where = block instanceof Matrix ? `(${Math.floor(idx / block.cols)}, ${idx % block.cols})` : `[${idx}]`;
      throw new CondlabError(
        `${name} (${block.describe()}) has a non-finite entry ${v} at ${where}; only finite values are allowed`,
        'non-finite',
        { name, index: idx },
      );
    }
  }

  // ---- kernels ------------------------------------------------------------------------------------------------

  /** C ← α·op(A)·op(B) + β·C (output first, as gl-matrix does). Returns C. */
  gemm(C: Matrix, A: Matrix, B: Matrix, opts: GemmOptions = {}): Matrix {
    const transA = !!opts.transA, transB = !!opts.transB;
    const alpha = checkFiniteNumber('alpha', opts.alpha ?? 1);
    const beta = checkFiniteNumber('beta', opts.beta ?? 0);
    const m = transA ? A.cols : A.rows, k = transA ? A.rows : A.cols;
    const kb = transB ? B.cols : B.rows, n = transB ? B.rows : B.cols;
    if (k !== kb || C.rows !== m || C.cols !== n) {
      throw new CondlabError(
        `gemm shapes do not agree: op(A) is ${m}×${k}, op(B) is ${kb}×${n}, C is ${C.rows}×${C.cols}; ` +
          `need op(A) m×k, op(B) k×n, C m×n`,
        'shape-mismatch',
      );
    }
    this.checkFinite('A', A);
    this.checkFinite('B', B);
    if (beta !== 0) this.checkFinite('C', C);
    this.wasm.gemm(+transA, +transB, m, n, k, alpha, A.ptr, A.cols, B.ptr, B.cols, beta, C.ptr, C.cols);
    return C;
  }

  /** New matrix op(A)·op(B). */
  matmul(A: Matrix, B: Matrix, opts: Pick<GemmOptions, 'transA' | 'transB'> = {}): Matrix {
    const m = opts.transA ? A.cols : A.rows, n = opts.transB ? B.rows : B.cols;
    const C = this.matrix(m, n);
    try {
      return this.gemm(C, A, B, opts);
    } catch (e) {
      C.free();
      throw e;
    }
  }

  transpose(A: Matrix): Matrix {
    const T = this.matrix(A.cols, A.rows);
    this.wasm.transpose(A.ptr, A.rows, A.cols, T.ptr);
    return T;
  }

  rowNorms(A: Matrix): Vector {
    const v = this.vector(A.rows);
    this.wasm.rowNorms(A.ptr, A.rows, A.cols, v.ptr);
    return v;
  }

  colNorms(A: Matrix): Vector {
    const v = this.vector(A.cols);
    this.wasm.colNorms(A.ptr, A.rows, A.cols, v.ptr);
    return v;
  }

  frobenius(A: F64Block): number {
    return this.wasm.nrm2(A.length, A.ptr);
  }

  /** y ← αx + y */
  axpy(alpha: number, x: F64Block, y: F64Block): F64Block {
    sameLength('axpy', x, y);
    this.wasm.axpy(x.length, checkFiniteNumber('alpha', alpha), x.ptr, y.ptr);
    return y;
  }

  /** x ← αx */
  scale(alpha: number, x: F64Block): F64Block {
    this.wasm.scal(x.length, checkFiniteNumber('alpha', alpha), x.ptr);
    return x;
  }

  dot(x: F64Block, y: F64Block): number {
    sameLength('dot', x, y);
    return this.wasm.dot(x.length, x.ptr, y.ptr);
  }

  /**
   * Thin SVD A = U·diag(s)·Vᵀ by one-sided Jacobi (see assembly/svd/). Singular values come out descending and
   * with Jacobi's high relative accuracy for graded matrices.
   */
  svd(A: Matrix, opts: SvdOptions = {}): Svd {
    const wantVectors = opts.vectors ?? true;
    const tol = opts.tol ?? 0;
    if (tol !== 0 && !(Number.isFinite(tol) && tol > 0 && tol < 1)) {
      throw new CondlabError(`svd tol must be in (0, 1), got ${tol}`, 'bad-option');
    }
    const maxSweeps = opts.maxSweeps ?? 60;
    if (!Number.isInteger(maxSweeps) || maxSweeps < 1 || maxSweeps > 1000) {
      throw new CondlabError(`svd maxSweeps must be an integer from 1 to 1000, got ${maxSweeps}`, 'bad-option');
    }
    this.checkFinite('A', A);
    const k = Math.min(A.rows, A.cols);
    const s = this.vector(k);
    const U = wantVectors ? this.matrix(A.rows, k) : undefined;
    const V = wantVectors ? this.matrix(A.cols, k) : undefined;
    const sweeps = this.wasm.svd(A.rows, A.cols, A.ptr, s.ptr, U ? U.ptr : 0, V ? V.ptr : 0, +wantVectors, tol, maxSweeps);
    if (sweeps < 0) {
      const residual = this.wasm.svdLastResidual();
      s.free();
      U?.free();
      V?.free();
      throw new CondlabError(
        `svd of ${A.describe()} did not converge in ${maxSweeps} sweeps: largest remaining |aᵢ·aⱼ|/(‖aᵢ‖‖aⱼ‖) = ${residual.toExponential(3)}; ` +
          `raise maxSweeps or tol`,
        'no-convergence',
        { residual, maxSweeps },
      );
    }
    return { U, s, V, sweeps };
  }

  /**
   * Muon's orthogonalisation: O ≈ U·Vᵀ of G by `steps` quintic Newton–Schulz iterations (coefficients 3.4445,
   * −4.7750, 2.0315) from G/‖G‖_F. Singular values of O land in about [0.7, 1.2]; zero G gives zero.
   */
  newtonSchulz(G: Matrix, steps = 5): Matrix {
    if (!Number.isInteger(steps) || steps < 1 || steps > 100) {
      throw new CondlabError(`newtonSchulz steps must be an integer from 1 to 100, got ${steps}`, 'bad-option');
    }
    this.checkFinite('G', G);
    const out = this.matrix(G.rows, G.cols);
    const bytes = this.wasm.newtonSchulzWorkspaceBytes(G.rows, G.cols);
    const ws = this.allocBytes(bytes, 'Newton–Schulz workspace');
    try {
      this.wasm.newtonSchulz(G.rows, G.cols, G.ptr, out.ptr, steps, ws);
    } finally {
      this.wasm.free(ws, bytes);
    }
    return out;
  }

  /**
   * exp and log computed inside the module, bit-identical in every JS engine (V8 versions disagree in the last bit
   * of Math.exp / Math.log). Use these for anything that reaches a results file.
   */
  exp(x: number): number {
    return this.wasm.mathExp(x);
  }

  log(x: number): number {
    return this.wasm.mathLog(x);
  }

  /** Singular values only (skips U and V accumulation). */
  singularValues(A: Matrix): Vector {
    return this.svd(A, { vectors: false }).s;
  }

  /**
   * A generator seeded from `seed` and a stream path, e.g. `rng(42 + 100 * trial, STREAM.target)`.
   * Different paths give independent streams; the same (seed, path) always gives the same stream.
   */
  rng(seed: number, ...path: number[]): Rng {
    checkSeed(seed, path);
    let lo = seed >>> 0, hi = Math.floor(seed / 2 ** 32) >>> 0;
    const u32 = () => new Uint32Array(this.wasm.memory.buffer, this.keyScratch, 2);
    for (const index of path) {
      this.wasm.rngDerive(lo, hi, index >>> 0, this.keyScratch);
      [lo, hi] = u32();
    }
    return Rng.create(this, lo, hi);
  }
}

function sameLength(op: string, x: F64Block, y: F64Block): void {
  if (x.length !== y.length) {
    throw new CondlabError(`${op}: lengths differ (${x.length} vs ${y.length})`, 'shape-mismatch');
  }
}

function fillChecked(block: F64Block, data: ArrayLike<number> | ArrayLike<ArrayLike<number>>, rows: number, cols: number): void {
  const out = block.data();
  const first = data.length > 0 ? (data as ArrayLike<unknown>)[0] : undefined;
  if (typeof first === 'object' && first !== null) {
    const rowsData = data as ArrayLike<ArrayLike<number>>;
    if (rowsData.length !== rows) {
      throw new CondlabError(`expected ${rows} rows, got ${rowsData.length}`, 'shape-mismatch');
    }
    for (let i = 0; i < rows; i++) {
      const r = rowsData[i];
      if (!r || r.length !== cols) {
        throw new CondlabError(`row ${i} has ${r ? r.length : 'no'} entries, expected ${cols}`, 'shape-mismatch');
      }
      for (let j = 0; j < cols; j++) out[i * cols + j] = finiteAt(r[j], i, j);
    }
  } else {
    const flat = data as ArrayLike<number>;
    if (flat.length !== rows * cols) {
      throw new CondlabError(
        `expected ${rows * cols} values for ${rows}×${cols}, got ${flat.length}`,
        'shape-mismatch',
      );
    }
    for (let i = 0; i < flat.length; i++) out[i] = finiteAt(flat[i], Math.floor(i / cols), i % cols);
  }
}

function finiteAt(v: number, i: number, j: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new CondlabError(`entry (${i}, ${j}) is ${String(v)}; only finite numbers are allowed`, 'non-finite', { i, j });
  }
  return v;
}

function collectHandles(value: unknown): Set<unknown> {
  const out = new Set<unknown>();
  const visit = (v: unknown, depth: number) => {
    if (v instanceof F64Block || v instanceof Rng) out.add(v);
    else if (depth < 2 && Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (depth < 2 && v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      Object.values(v).forEach((x) => visit(x, depth + 1));
    }
  };
  visit(value, 0);
  return out;
}
