/**
 * What `details` holds for each error code. Engine codes carry exact shapes; the lab's codes (config, runner,
 * files) carry what their call sites know. Narrow with `err.is('foreign-handle')` to read them typed.
 */
export interface CondlabErrorDetails {
  /** A handle of one engine passed to another engine's method or generator. */
  'foreign-handle': { name: string; handle: string; handleEngine: number; engine: number };
  /** A vector where a matrix belongs (or the reverse), or something that is not a handle at all. */
  'wrong-kind': { name: string; expected: 'matrix' | 'vector' | 'matrix or vector' | 'generator'; got: string };
  /** An options object has a key the call does not know. */
  'unknown-option': { op: string; option: string; allowed: string[]; suggestion?: string };
  /** An option or numeric argument of the wrong type or outside its range. */
  'bad-option': { op?: string; option?: string; value?: unknown; allowed?: string; k?: number };
  /** Something not built by an engine used as a handle, or an engine internal called wrongly. */
  'bad-argument': { name: string };
  'bad-dimension': { name?: string; value?: unknown };
  'bad-index': { index: [number, number]; shape: [number, number] };
  'bad-seed': { seed?: unknown; index?: unknown };
  'bad-scope': Record<string, never>;
  'shape-mismatch': { op?: string; name?: string; expected?: number[]; got?: number[] };
  'non-finite': { name?: string; value?: unknown; index?: number; i?: number; j?: number };
  'freed-handle': { handle?: string };
  'too-large': { bytes?: number; [estimate: string]: unknown };
  'out-of-memory': { bytes: number; cause: string };
  'no-convergence': { residual?: number; maxSweeps?: number; op?: string; status?: number };
  /** Cholesky met a pivot ≤ 0: the matrix is not (numerically) positive definite. */
  'not-positive-definite': { pivot: number; value: number };
  /** eigh was given a matrix whose A − Aᵀ is larger than its tolerance. */
  'not-symmetric': { asymmetry: number; tolerance: number };
  /** The thread pool of a threads build could not start. */
  'threads-failed': Record<string, unknown>;
  // ---- the lab around the engine ----
  'bad-args': { option?: string; dir?: string };
  'bad-config': { field?: string; value?: unknown; allowed?: unknown; cell?: string; lr?: number };
  'bad-file': Record<string, unknown>;
  'bad-log': Record<string, unknown>;
  'bad-results': Record<string, unknown>;
  'no-results': Record<string, unknown>;
  'resume-mismatch': { differ?: unknown };
  'interrupted': Record<string, unknown>;
  'unit-failed': { trial?: number; cell?: string; [unit: string]: unknown };
  'worker-failed': { experiment?: string };
  'unknown-experiment': { id?: string };
  /** A data set (e.g. Fashion-MNIST's IDX files) is not where the run looked. */
  'data-missing': Record<string, unknown>;
  /** A file format feature condlab does not read (e.g. an IDX element type). */
  'unsupported': Record<string, unknown>;
  // ---- sharded runs and merge ----
  'bad-shard': Record<string, unknown>;
  'bad-cost': Record<string, unknown>;
  'bad-shard-file': Record<string, unknown>;
  'bad-shard-log': Record<string, unknown>;
  'truncated-log': Record<string, unknown>;
  'no-shards': Record<string, unknown>;
  'missing-units': Record<string, unknown>;
  'shard-mismatch': Record<string, unknown>;
  'shard-conflict': Record<string, unknown>;
}

/** Every code a CondlabError can carry; a misspelt code does not compile. */
export type CondlabErrorCode = keyof CondlabErrorDetails;

/** The details argument of `new CondlabError`: optional for codes whose details are all optional. */
export type OptionalDetails<C extends CondlabErrorCode> = {} extends CondlabErrorDetails[C] ? [details?: CondlabErrorDetails[C]] : [details: CondlabErrorDetails[C]];

/**
 * Every failure condlab reports on purpose is a CondlabError: it names the bad value and what is allowed,
 * so a user never has to read a WASM trap or a NaN table to find out what went wrong.
 * `code` is a closed union; `err.is(code)` (or `isCondlabError(err, code)`) narrows `details` to that code's shape.
 */
export interface CondlabError<C extends CondlabErrorCode = CondlabErrorCode> extends Error {
  readonly name: 'CondlabError';
  /** Stable machine-readable category, e.g. 'bad-dimension', 'shape-mismatch', 'foreign-handle'. */
  readonly code: C;
  readonly details: CondlabErrorDetails[C];
  /** Narrows code and details together: `if (e.is('foreign-handle')) e.details.handleEngine`. */
  is<K extends CondlabErrorCode>(code: K): this is CondlabError<K>;
}

/**
 * The constructor, typed so `new CondlabError(msg, code, details)` checks details against the code, while
 * `e instanceof CondlabError` narrows to the union of all codes (a generic class would narrow to `any` codes).
 */
export interface CondlabErrorConstructor {
  new <C extends CondlabErrorCode>(message: string, code: C, ...details: OptionalDetails<C>): CondlabError<C>;
  readonly prototype: CondlabError;
}

// a named class expression, so stack traces and util.inspect say CondlabError
const CondlabErrorClass = class CondlabError extends Error {
  readonly code: CondlabErrorCode;
  readonly details: unknown;

  constructor(message: string, code: CondlabErrorCode, details?: unknown) {
    super(message);
    this.name = 'CondlabError';
    this.code = code;
    this.details = details ?? {};
  }

  is(code: CondlabErrorCode): boolean {
    return this.code === code;
  }
};

/**
 * The error class: `new CondlabError(message, code, details)`; `e instanceof CondlabError` narrows to the
 * {@link CondlabError} interface with `code` a {@link CondlabErrorCode}.
 */
export const CondlabError = CondlabErrorClass as unknown as CondlabErrorConstructor;

/** True when `e` is a CondlabError with `code` (any code when omitted), with details typed for that code. */
export function isCondlabError<K extends CondlabErrorCode = CondlabErrorCode>(e: unknown, code?: K): e is CondlabError<K> {
  return e instanceof CondlabError && (code === undefined || e.code === code);
}

/** Largest side we accept for one matrix dimension; far beyond anything that fits, it only stops absurd input early. */
export const MAX_DIM = 1 << 24;

export function checkDim(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_DIM) {
    throw new CondlabError(`${name} must be an integer from 1 to ${MAX_DIM}, got ${String(value)}`, 'bad-dimension', { name, value });
  }
  return value;
}

export function checkFiniteNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CondlabError(`${name} must be a finite number, got ${String(value)}`, 'non-finite', { name, value });
  }
  return value;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}
