import { F64Block, Matrix, Vector, makeMatrix, makeVector, type BlockOwner } from './block.js';
import { CondlabError, checkDim, checkFiniteNumber, formatBytes } from './errors.js';
import type { CondlabExports } from './exports.js';
import { INSPECT } from './inspect.js';
import { checkHandle, registerInternals, type HandleKind } from './internal.js';
import { compileWasm, instantiateWasm, type WasmSource } from './loader.js';
import { bool, checkOptions, int, num, oneOf, type OptionSpec } from './options.js';
import { Rng, checkSeed } from './rng.js';
import * as linalg from './decompositions.js';
import type { CholeskyOptions, Eigh, EighOptions, EighValues, EighWithVectors, Lstsq, LstsqOptions, Qr } from './decompositions.js';
import type { EngineVariant } from './variants.js';

/** AssemblyScript's TLSF allocator serves blocks below 1 GiB; wasm32 memory tops out at 4 GiB. */
/** Largest single allocation (bytes): AssemblyScript's TLSF allocator serves blocks below 1 GiB. */
export const MAX_BLOCK_BYTES = 2 ** 30 - 64;
/** wasm32 linear memory limit (bytes) for one engine. */
export const MAX_MEMORY_BYTES = 2 ** 32;

/** Options of `engine.gemm` (and `transA`/`transB` of `engine.matmul`). */
export interface GemmOptions {
  /** Use Aᵀ in place of A. */
  transA?: boolean;
  /** Use Bᵀ in place of B. */
  transB?: boolean;
  /** Default 1. */
  alpha?: number;
  /** Default 0 (C's old entries are then not read, so they need not be finite). */
  beta?: number;
}

/** `jacobi`: preconditioned one-sided Jacobi, high relative accuracy (default). `bidiag`: Householder
 *  bidiagonalisation + dqds, values only, |σ̂ᵢ − σᵢ| ≤ c·n·ε·σ₁, several times faster. See docs/numerics.md. */
export type SvdMethod = 'jacobi' | 'bidiag';
export const SVD_METHODS: readonly SvdMethod[] = ['jacobi', 'bidiag'];

const GEMM_OPTIONS: OptionSpec = { transA: bool(), transB: bool(), alpha: num(), beta: num() };
const MATMUL_OPTIONS: OptionSpec = { transA: bool(), transB: bool() };

/** Options of `engine.svd`. */
export interface SvdOptions {
  /** Compute U and V (default true); false skips their accumulation. */
  vectors?: boolean;
  /** Algorithm (default 'jacobi'); 'bidiag' computes values only and needs `vectors: false`. */
  method?: SvdMethod;
  /**
   * Convergence: every column pair satisfies |aᵢ·aⱼ| ≤ tol·‖aᵢ‖‖aⱼ‖, in (0, 1). Default √k·ε with k = min(m, n)
   * (Jacobi runs on the k×k triangular factor of the QR preconditioner, so k is the column length it sees).
   * Method 'jacobi' only.
   */
  tol?: number;
  /** Sweep limit, 1 to 1000; exceeding it throws a `no-convergence` CondlabError carrying the residual. Default 60. */
  maxSweeps?: number;
  /**
   * With vectors, method 'jacobi': precondition by a right basis V₀ (eigenvectors of AᵀA) instead of QR with column
   * pivoting when the input qualifies — k ≥ 32 and σ_min/σ₁ ≥ 1e-5 as estimated from AᵀA; other inputs (graded,
   * ill-conditioned, rank-deficient, small) take the QRCP path whatever this says. ~3 sweeps instead of ~10,
   * 2.5–4× faster at n = 256…512, σ to |σ̂ᵢ − σᵢ| ≤ c·n·ε·σ₁ and U, V orthogonal to a few ε for such inputs (see
   * docs/numerics.md). Default true since 0.6.0 (0.5.0 defaulted to false); false forces the QRCP path, which keeps
   * Jacobi's relative accuracy for graded inputs that pass the grading test. On the right-basis path the default tol is √max(m, n)·ε:
   * Jacobi runs on the columns of A·V₀ (or Aᵀ·V₀), of that length.
   */
  rightBasis?: boolean;
}

/** One line per option: adding an option to svd is one entry here and one field in SvdOptions. */
const SVD_OPTIONS: OptionSpec = {
  vectors: bool(),
  method: oneOf(...SVD_METHODS),
  tol: num({ min: 0, max: 1, openMin: true, openMax: true }),
  maxSweeps: int(1, 1000),
  rightBasis: bool(),
};

const SINGULAR_VALUES_OPTIONS: OptionSpec = { method: oneOf(...SVD_METHODS) };

/** svd's result when vectors are computed (the default). */
export interface SvdWithVectors {
  /** m×k with k = min(m, n), orthonormal columns. */
  U: Matrix;
  /** Singular values, descending, length k. */
  s: Vector;
  /** n×k, orthonormal columns. */
  V: Matrix;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/** svd's result with `{ vectors: false }`: no U or V. */
export interface SvdValues {
  /** Singular values, descending, length k = min(m, n). */
  s: Vector;
  sweeps: number;
}

/** svd's result when whether vectors are computed is only known at run time. */
export interface Svd {
  U?: Matrix;
  s: Vector;
  V?: Matrix;
  sweeps: number;
}

/** What `engine.memoryStats()` reports. */
export interface MemoryStats {
  /** Bytes held by live handles (plus engine bookkeeping allocated at start). */
  liveBytes: number;
  liveBlocks: number;
  /** Size of linear memory, which only grows. */
  heapBytes: number;
}

type Handle = { free(): void; readonly freed: boolean };
type Scope = Set<Handle>;

let nextEngineId = 1;

/**
 * One engine = one WebAssembly instance with its own memory. Workers create their own; nothing is shared, and a
 * handle from one engine passed to another is a `foreign-handle` CondlabError.
 * Allocation goes through `matrix`/`vector`; `scope(fn)` frees everything `fn` allocated except what it returns.
 */
export class Engine implements BlockOwner {
  /** 1, 2, … in load order within this JS realm; shown in handles' labels (`Matrix 4×4 [engine 1]`). */
  readonly id: number;
  /** Which build this instance runs ('plain' or 'fma', src/engine/variants.ts); set by `loadEngine`. */
  variant: EngineVariant = 'plain';
  /** Threads one GEMM may use (src/engine/threads.ts); 1 unless loaded with `loadEngine({ threads })`. */
  threads = 1;
  #wasm: CondlabExports;
  #scopes: Scope[] = [];
  /** 8-byte scratch for passing u64 keys across the boundary. */
  #keyScratch: number;
  #release = (block: F64Block): void => {
    this.#wasm.free(block.ptr, block.bytes);
    this.#untrack(block);
  };

  private constructor(wasm: CondlabExports) {
    this.id = nextEngineId++;
    this.#wasm = wasm;
    this.#keyScratch = wasm.alloc(8);
    registerInternals(this, {
      wasm,
      allocBytes: (bytes, what) => this.#allocBytes(bytes, what),
      track: (h) => this.#track(h),
      untrack: (h) => this.#untrack(h as Handle),
      release: this.#release,
    });
  }

  /** Instantiates a new engine (Node: reads the bundled .wasm; browser: fetches it), or from `source`. */
  static async load(source?: WasmSource): Promise<Engine> {
    return new Engine(await instantiateWasm(source));
  }

  /** Compile once, then `Engine.fromModule` per worker or per test. */
  static compile(source?: WasmSource): Promise<WebAssembly.Module> {
    return compileWasm(source);
  }

  /**
   * A new engine from a module compiled by `Engine.compile` (cheap: no recompilation). `memory`: the shared memory
   * a threads build imports (src/engine/threads.ts).
   */
  static async fromModule(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<Engine> {
    return new Engine(await instantiateWasm(module, memory));
  }

  /** The instance's linear memory (handles build their views on it). */
  get memory(): WebAssembly.Memory {
    return this.#wasm.memory;
  }

  /** Bytes and blocks held by live handles, and the size of linear memory. */
  memoryStats(): MemoryStats {
    return {
      liveBytes: this.#wasm.memLiveBytes(),
      liveBlocks: this.#wasm.memLiveBlocks(),
      heapBytes: this.#wasm.memory.buffer.byteLength,
    };
  }

  /** `Engine 1`: what String() and console.log show (never the exports and memory). */
  toString(): string {
    return `Engine ${this.id}`;
  }

  /** @internal */
  [INSPECT](): string {
    return this.toString();
  }

  // ---- allocation -------------------------------------------------------------------------------------------

  #allocBytes(bytes: number, what: string): number {
    if (bytes > MAX_BLOCK_BYTES) {
      throw new CondlabError(
        `${what} needs ${formatBytes(bytes)}; one block of WASM memory may hold at most ${formatBytes(MAX_BLOCK_BYTES)} ` +
          `(wasm32 memory is ${formatBytes(MAX_MEMORY_BYTES)} in all)`,
        'too-large',
        { bytes },
      );
    }
    try {
      return this.#wasm.alloc(bytes);
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

  #track<T extends Handle>(h: T): T {
    const top = this.#scopes[this.#scopes.length - 1];
    if (top) top.add(h);
    return h;
  }

  #untrack(h: Handle): void {
    for (const s of this.#scopes) s.delete(h);
  }

  /** Checks that `h` is a live handle of this engine of the given kind (see internal.ts). */
  #own(op: string, name: string, h: unknown, kind: 'matrix'): Matrix;
  #own(op: string, name: string, h: unknown, kind: 'vector'): Vector;
  #own(op: string, name: string, h: unknown, kind: HandleKind): F64Block;
  #own(op: string, name: string, h: unknown, kind: HandleKind): F64Block {
    return checkHandle(this, op, name, h, kind);
  }

  /** Zero-filled rows×cols matrix, or filled from `data` (flat row-major or an array of rows). */
  matrix(rows: number, cols: number, data?: ArrayLike<number> | ArrayLike<ArrayLike<number>>): Matrix {
    checkDim('rows', rows);
    checkDim('cols', cols);
    const n = rows * cols;
    const ptr = this.#allocBytes(n * 8, `a ${rows}×${cols} matrix`);
    const m = this.#track(makeMatrix(this, this.#release, ptr, rows, cols));
    if (data !== undefined) {
      try {
        fillChecked(m, data, rows, cols);
      } catch (e) {
        m.free();
        throw e;
      }
    }
    return m;
  }

  /** Builds a matrix from an array of equal-length rows, e.g. `fromRows([[1, 2], [3, 4]])`. */
  fromRows(rows: ArrayLike<ArrayLike<number>>): Matrix {
    if (!rows || rows.length === 0 || !rows[0] || rows[0].length === 0) {
      throw new CondlabError('fromRows needs at least one non-empty row', 'bad-dimension');
    }
    return this.matrix(rows.length, rows[0].length, rows);
  }

  /** Zero-filled vector of `length`, or filled from `data`. */
  vector(length: number, data?: ArrayLike<number>): Vector {
    checkDim('length', length);
    const ptr = this.#allocBytes(length * 8, `a vector of length ${length}`);
    const v = this.#track(makeVector(this, this.#release, ptr, length));
    if (data !== undefined) {
      try {
        fillChecked(v, data, length, 1);
      } catch (e) {
        v.free();
        throw e;
      }
    }
    return v;
  }

  /**
   * Runs `fn` and frees every matrix, vector and generator it allocated, except those it returns
   * (a handle, or an array / plain object whose values are handles), which move to the enclosing scope.
   * Frees also happen when `fn` throws, so a failing trial leaks nothing.
   */
  scope<T>(fn: () => T): T {
    const mine: Scope = new Set();
    this.#scopes.push(mine);
    let result: T | undefined;
    let ok = false;
    try {
      result = fn();
      if (result instanceof Promise) {
        throw new CondlabError('engine.scope takes a synchronous function; await inside it is not supported', 'bad-scope');
      }
      ok = true;
    } finally {
      this.#scopes.pop();
      const kept = ok ? collectHandles(result) : new Set<unknown>();
      const parent = this.#scopes[this.#scopes.length - 1];
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
    this.#own('checkFinite', name, block, 'block');
    this.#finite(name, block);
  }

  #finite(name: string, block: F64Block): void {
    const idx = this.#wasm.firstNonFinite(block.length, block.ptr);
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
  gemm(C: Matrix, A: Matrix, B: Matrix, opts?: GemmOptions): Matrix {
    const o = checkOptions('gemm', opts, GEMM_OPTIONS);
    this.#own('gemm', 'C', C, 'matrix');
    this.#own('gemm', 'A', A, 'matrix');
    this.#own('gemm', 'B', B, 'matrix');
    const transA = !!o.transA, transB = !!o.transB;
    const alpha = checkFiniteNumber('alpha', o.alpha ?? 1);
    const beta = checkFiniteNumber('beta', o.beta ?? 0);
    const m = transA ? A.cols : A.rows, k = transA ? A.rows : A.cols;
    const kb = transB ? B.cols : B.rows, n = transB ? B.rows : B.cols;
    if (k !== kb || C.rows !== m || C.cols !== n) {
      throw new CondlabError(
        `gemm shapes do not agree: op(A) is ${m}×${k}, op(B) is ${kb}×${n}, C is ${C.rows}×${C.cols}; ` +
          `need op(A) m×k, op(B) k×n, C m×n`,
        'shape-mismatch',
        { op: 'gemm' },
      );
    }
    this.#finite('A', A);
    this.#finite('B', B);
    if (beta !== 0) this.#finite('C', C);
    this.#wasm.gemm(+transA, +transB, m, n, k, alpha, A.ptr, A.cols, B.ptr, B.cols, beta, C.ptr, C.cols);
    return C;
  }

  /** New matrix op(A)·op(B). */
  matmul(A: Matrix, B: Matrix, opts?: Pick<GemmOptions, 'transA' | 'transB'>): Matrix {
    const o = checkOptions('matmul', opts, MATMUL_OPTIONS);
    this.#own('matmul', 'A', A, 'matrix');
    this.#own('matmul', 'B', B, 'matrix');
    const m = o.transA ? A.cols : A.rows, n = o.transB ? B.rows : B.cols;
    const C = this.matrix(m, n);
    try {
      return this.gemm(C, A, B, o);
    } catch (e) {
      C.free();
      throw e;
    }
  }

  /** New matrix Aᵀ. */
  transpose(A: Matrix): Matrix {
    this.#own('transpose', 'A', A, 'matrix');
    const T = this.matrix(A.cols, A.rows);
    this.#wasm.transpose(A.ptr, A.rows, A.cols, T.ptr);
    return T;
  }

  /** Euclidean norm of each row, as a new vector of length rows. */
  rowNorms(A: Matrix): Vector {
    this.#own('rowNorms', 'A', A, 'matrix');
    const v = this.vector(A.rows);
    this.#wasm.rowNorms(A.ptr, A.rows, A.cols, v.ptr);
    return v;
  }

  /** Euclidean norm of each column, as a new vector of length cols. */
  colNorms(A: Matrix): Vector {
    this.#own('colNorms', 'A', A, 'matrix');
    const v = this.vector(A.cols);
    this.#wasm.colNorms(A.ptr, A.rows, A.cols, v.ptr);
    return v;
  }

  /** ‖A‖_F (the 2-norm for a vector), computed without overflow or underflow. */
  frobenius(A: F64Block): number {
    this.#own('frobenius', 'A', A, 'block');
    return this.#wasm.nrm2(A.length, A.ptr);
  }

  /** y ← αx + y */
  axpy(alpha: number, x: F64Block, y: F64Block): F64Block {
    this.#own('axpy', 'x', x, 'block');
    this.#own('axpy', 'y', y, 'block');
    sameLength('axpy', x, y);
    this.#wasm.axpy(x.length, checkFiniteNumber('alpha', alpha), x.ptr, y.ptr);
    return y;
  }

  /** x ← αx */
  scale(alpha: number, x: F64Block): F64Block {
    this.#own('scale', 'x', x, 'block');
    this.#wasm.scal(x.length, checkFiniteNumber('alpha', alpha), x.ptr);
    return x;
  }

  /** Σ xᵢyᵢ over all entries (row-major for matrices). */
  dot(x: F64Block, y: F64Block): number {
    this.#own('dot', 'x', x, 'block');
    this.#own('dot', 'y', y, 'block');
    sameLength('dot', x, y);
    return this.#wasm.dot(x.length, x.ptr, y.ptr);
  }

  /**
   * Thin SVD A = U·diag(s)·Vᵀ by one-sided Jacobi (see assembly/svd/). Singular values come out descending and
   * with Jacobi's high relative accuracy for graded matrices. With `{ vectors: false }` only `s` is computed.
   */
  svd(A: Matrix, opts?: SvdOptions & { vectors?: true }): SvdWithVectors;
  svd(A: Matrix, opts: SvdOptions & { vectors: false }): SvdValues;
  svd(A: Matrix, opts?: SvdOptions): Svd;
  svd(A: Matrix, opts?: SvdOptions): Svd {
    const o = checkOptions('svd', opts, SVD_OPTIONS);
    this.#own('svd', 'A', A, 'matrix');
    const wantVectors = o.vectors ?? true;
    if (o.method === 'bidiag') return this.#svdBidiag(A, wantVectors, o);
    const tol = o.tol ?? 0;
    const maxSweeps = o.maxSweeps ?? 60;
    this.#finite('A', A);
    const k = Math.min(A.rows, A.cols);
    const s = this.vector(k);
    const U = wantVectors ? this.matrix(A.rows, k) : undefined;
    const V = wantVectors ? this.matrix(A.cols, k) : undefined;
    // flags: bit 0 = vectors, bit 3 = right-basis preconditioner when the input qualifies (assembly/svd/svd.ts)
    const flags = wantVectors ? 1 | (o.rightBasis ?? true ? 8 : 0) : 0;
    const sweeps = this.#wasm.svd(A.rows, A.cols, A.ptr, s.ptr, U ? U.ptr : 0, V ? V.ptr : 0, flags, tol, maxSweeps);
    if (sweeps < 0) {
      const residual = this.#wasm.svdLastResidual();
      s.free();
      U?.free();
      V?.free();
      throw new CondlabError(
        `svd of ${A.describe()} did not converge in ${maxSweeps} sweeps: largest remaining |aᵢ·aⱼ|/(‖aᵢ‖‖aⱼ‖) = ${residual.toExponential(3)}; ` +
          `raise maxSweeps or tol`,
        'no-convergence',
        { residual, maxSweeps, op: 'svd' },
      );
    }
    return wantVectors ? { U, s, V, sweeps } : { s, sweeps };
  }

  /** Singular values only, descending (skips U and V accumulation): `svd(A, { vectors: false, method }).s`. */
  singularValues(A: Matrix, opts?: { method?: SvdMethod }): Vector {
    const o = checkOptions('singularValues', opts, SINGULAR_VALUES_OPTIONS);
    return this.svd(A, { vectors: false, method: o.method }).s;
  }

  /** The values-only path: bidiagonalisation + dqds (assembly/svd/values.ts). `sweeps` is 0: there are none. */
  #svdBidiag(A: Matrix, wantVectors: boolean, o: Partial<SvdOptions>): SvdValues {
    if (wantVectors) {
      throw new CondlabError(
        "svd method 'bidiag' computes singular values only: pass { vectors: false }, or use method 'jacobi' for U and V",
        'bad-option',
        { option: 'vectors', op: 'svd' },
      );
    }
    if (o.tol !== undefined || o.maxSweeps !== undefined) {
      throw new CondlabError("svd tol and maxSweeps are options of method 'jacobi'; method 'bidiag' has no sweeps", 'bad-option', {
        option: o.tol !== undefined ? 'tol' : 'maxSweeps',
        op: 'svd',
      });
    }
    this.#finite('A', A);
    const s = this.vector(Math.min(A.rows, A.cols));
    const status = this.#wasm.svdValues(A.rows, A.cols, A.ptr, s.ptr);
    if (status !== 0) {
      // dqds gave up (seen on exactly repeated σ, e.g. a 3×9 matrix with σ = 0.5, 0.5, 0.5, found by the conformance
      // bench): the values come from the Jacobi path instead, which is slower but cannot stall there. Deterministic:
      // the same input always takes the same route.
      s.free();
      return this.svd(A, { vectors: false, method: 'jacobi' });
    }
    return { s, sweeps: 0 };
  }

  /**
   * Symmetric eigendecomposition A = V·diag(λ)·Vᵀ by cyclic Jacobi, eigenvalues ascending. Every eigenvalue of a
   * positive definite A = D·H·D comes out to relative accuracy ~ε·κ(H) however strongly D grades it
   * (Demmel–Veselić), which tridiagonal QR cannot promise. A must be square and symmetric (see `symmetryTol`).
   */
  eigh(A: Matrix, opts?: EighOptions & { vectors?: true }): EighWithVectors;
  eigh(A: Matrix, opts: EighOptions & { vectors: false }): EighValues;
  eigh(A: Matrix, opts?: EighOptions): Eigh;
  eigh(A: Matrix, opts?: EighOptions): Eigh {
    return linalg.eigh(this, A, opts);
  }

  /** A·P = Q·R by Householder QR with column pivoting (|r_ii| non-increasing) for m ≥ n: thin Q (m×n), R (n×n), perm. */
  qr(A: Matrix): Qr {
    return linalg.qr(this, A);
  }

  /** Lower-triangular L with A = L·Lᵀ for symmetric positive definite A; otherwise a `not-positive-definite` error. */
  cholesky(A: Matrix, opts?: CholeskyOptions): Matrix {
    return linalg.cholesky(this, A, opts);
  }

  /**
   * Least squares min ‖A·x − b‖₂ (m ≥ n) through the pivoted QR: rank-revealing (`rank` counts |r_ii| >
   * rcond·|r_11|), dependent columns get x = 0 (the basic solution; for full-rank A the unique minimiser).
   * `b` is a vector (x is then a vector) or an m×k matrix of right-hand sides.
   */
  lstsq(A: Matrix, b: Matrix, opts?: LstsqOptions): Lstsq<Matrix>;
  lstsq(A: Matrix, b: Vector, opts?: LstsqOptions): Lstsq<Vector>;
  lstsq(A: Matrix, b: Matrix | Vector, opts?: LstsqOptions): Lstsq<Matrix | Vector> {
    return linalg.lstsq(this, A, b, opts);
  }

  /**
   * Muon's orthogonalisation: O ≈ U·Vᵀ of G by `steps` (1 to 100, default 5) quintic Newton–Schulz iterations
   * (coefficients 3.4445, −4.7750, 2.0315) from G/‖G‖_F. Singular values of O land in about [0.7, 1.2]; zero G
   * gives zero. Returns a new matrix.
   */
  newtonSchulz(G: Matrix, steps = 5): Matrix {
    this.#own('newtonSchulz', 'G', G, 'matrix');
    if (!Number.isInteger(steps) || steps < 1 || steps > 100) {
      throw new CondlabError(`newtonSchulz steps must be an integer from 1 to 100, got ${steps}`, 'bad-option', {
        op: 'newtonSchulz',
        option: 'steps',
        value: steps,
      });
    }
    this.#finite('G', G);
    const out = this.matrix(G.rows, G.cols);
    const bytes = this.#wasm.newtonSchulzWorkspaceBytes(G.rows, G.cols);
    const ws = this.#allocBytes(bytes, 'Newton–Schulz workspace');
    try {
      this.#wasm.newtonSchulz(G.rows, G.cols, G.ptr, out.ptr, steps, ws);
    } finally {
      this.#wasm.free(ws, bytes);
    }
    return out;
  }

  /**
   * eˣ computed inside the module, bit-identical in every JS engine (V8 versions disagree in the last bit of
   * Math.exp). Use it for anything that reaches a results file.
   */
  exp(x: number): number {
    return this.#wasm.mathExp(x);
  }

  /** Natural log computed inside the module, bit-identical in every JS engine (see `exp`). */
  log(x: number): number {
    return this.#wasm.mathLog(x);
  }

  /**
   * A generator seeded from `seed` and a stream path, e.g. `rng(42 + 100 * trial, STREAM.target)`.
   * Different paths give independent streams; the same (seed, path) always gives the same stream.
   */
  rng(seed: number, ...path: number[]): Rng {
    checkSeed(seed, path);
    let lo = seed >>> 0, hi = Math.floor(seed / 2 ** 32) >>> 0;
    const u32 = () => new Uint32Array(this.#wasm.memory.buffer, this.#keyScratch, 2);
    for (const index of path) {
      this.#wasm.rngDerive(lo, hi, index >>> 0, this.#keyScratch);
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

function checkSvdMethod(method: unknown): SvdMethod {
  if (method === undefined) return 'jacobi';
  if (typeof method === 'string' && (SVD_METHODS as readonly string[]).includes(method)) return method as SvdMethod;
  throw new CondlabError(`svd method must be one of ${SVD_METHODS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(method)}`, 'bad-option');
}
