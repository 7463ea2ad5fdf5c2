// The engine's internal entry: raw exports, raw allocation and handle checks for condlab's own modules (trainer,
// curvature, metrics, benchmarks, tests). Not re-exported from the package entry, and package.json's `exports`
// map blocks deep imports, so library users cannot reach it; none of it appears in the public .d.ts.
import { F64Block, Matrix, Vector, makeMatrix, makeVector, type BlockOwner, type BlockRelease } from './block.js';
import { CondlabError, type CondlabErrorDetails } from './errors.js';
import type { CondlabExports } from './exports.js';

export { makeMatrix, makeVector, type BlockRelease };

/** What the engine keeps private but its sibling modules need. */
export interface EngineInternals {
  readonly wasm: CondlabExports;
  /** Raw allocation with a clear error instead of a trap when memory cannot grow. */
  allocBytes(bytes: number, what: string): number;
  /** Adds a handle to the innermost open scope (so scope exit frees it). */
  track<T extends { free(): void; readonly freed: boolean }>(h: T): T;
  /** Removes a handle from every open scope (it was freed by hand). */
  untrack(h: object): void;
  /** Frees a block's memory and untracks it; handed to every block the engine makes. */
  release: BlockRelease;
}

const table = new WeakMap<object, EngineInternals>();

export function registerInternals(engine: object, internals: EngineInternals): void {
  table.set(engine, internals);
}

export function internals(engine: object): EngineInternals {
  const i = table.get(engine);
  if (!i) throw new CondlabError('expected a condlab Engine (from loadEngine)', 'bad-argument', { name: 'engine' });
  return i;
}

/** The module's raw exports, for kernels that have no typed wrapper (trainer, curvature chain). */
export function wasmOf(engine: object): CondlabExports {
  return internals(engine).wasm;
}

export type HandleKind = 'matrix' | 'vector' | 'block';

function kindName(kind: HandleKind): CondlabErrorDetails['wrong-kind']['expected'] {
  return kind === 'block' ? 'matrix or vector' : kind;
}

function describeValue(v: unknown): string {
  if (v instanceof F64Block) return v.describe();
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'object') return `an object (${Object.prototype.toString.call(v)})`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Checks that `h` is a live handle of the right kind belonging to `engine`. Foreign handles would silently read
 * another instance's memory at the same address, so they are refused before any pointer is used.
 */
export function checkHandle(engine: BlockOwner, op: string, name: string, h: unknown, kind: 'matrix'): Matrix;
export function checkHandle(engine: BlockOwner, op: string, name: string, h: unknown, kind: 'vector'): Vector;
export function checkHandle(engine: BlockOwner, op: string, name: string, h: unknown, kind: HandleKind): F64Block;
export function checkHandle(engine: BlockOwner, op: string, name: string, h: unknown, kind: HandleKind): F64Block {
  const ok = kind === 'matrix' ? h instanceof Matrix : kind === 'vector' ? h instanceof Vector : h instanceof F64Block;
  if (!ok) {
    let hint = '';
    if (kind === 'matrix' && h instanceof Vector) {
      hint = `; ${op} needs a matrix — for a column use engine.matrix(${h.length}, 1, v.toArray()), for a row engine.matrix(1, ${h.length}, v.toArray())`;
    } else if (kind === 'vector' && h instanceof Matrix) {
      hint = `; ${op} needs a vector — engine.vector(${h.length}, M.toArray()) copies the entries`;
    } else if (!(h instanceof F64Block) && (Array.isArray(h) || ArrayBuffer.isView(h))) {
      hint = `; wrap the values first with engine.${kind === 'vector' ? 'vector(n, values)' : 'matrix(rows, cols, values) or engine.fromRows(rows)'}`;
    }
    throw new CondlabError(`${op}: ${name} must be a ${kindName(kind)}, got ${describeValue(h)}${hint}`, 'wrong-kind', {
      name,
      expected: kindName(kind),
      got: describeValue(h),
    });
  }
  const b = h as F64Block;
  if (b.owner !== engine) {
    throw new CondlabError(
      `${op}: ${name} (${String(b)}) belongs to engine ${b.engineId}, not to engine ${engine.id} that was called; ` +
        `handles cannot cross engines — copy it with engine.matrix(rows, cols, ${name}.toArray())`,
      'foreign-handle',
      { name, handle: String(b), handleEngine: b.engineId, engine: engine.id },
    );
  }
  if (b.freed) throw new CondlabError(`${op}: ${name} (${b.describe()}) was used after free()`, 'freed-handle', { handle: b.describe() });
  return b;
}
