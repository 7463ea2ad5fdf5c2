// Compiled by test/package.test.ts with `tsc --noEmit` (strict, exactOptionalPropertyTypes, skipLibCheck off)
// against the packed package's .d.ts, as a strict TypeScript user would. Every @ts-expect-error line must be an
// error, or tsc fails ("unused @ts-expect-error"), so each line is a test that the types refuse that misuse.
import { CondlabError, Matrix, isCondlabError, loadEngine, type CondlabErrorCode, type CondlabErrorDetails } from 'condlab';

const engine = await loadEngine();
const A = engine.matrix(3, 3);

// svd overloads: vectors by default and with { vectors: true }, none with { vectors: false }
const full = engine.svd(A);
const rows: number = full.U.rows + full.V.cols;
const full2 = engine.svd(A, { vectors: true, tol: 1e-14 });
const cols: number = full2.U.cols;
const values = engine.svd(A, { vectors: false });
const s: number = values.s.length;
// @ts-expect-error values-only mode has no U
values.U;
// @ts-expect-error values-only mode has no V
values.V;
declare const flag: boolean;
const maybe = engine.svd(A, { vectors: flag });
// @ts-expect-error U is only maybe there when vectors is a run-time boolean
maybe.U.rows;
// @ts-expect-error misspelt option key
engine.svd(A, { vector: false });
// @ts-expect-error option of the wrong type
engine.svd(A, { maxSweeps: '5' });
// @ts-expect-error a vector where a matrix belongs
engine.svd(engine.vector(3));

// internals are not part of the types
// @ts-expect-error raw exports are internal
engine.wasm;
// @ts-expect-error raw allocation is internal
engine.allocBytes(8, 'x');
// @ts-expect-error internal
engine.releaseRaw;
// @ts-expect-error internal
engine.trackRng;
// @ts-expect-error internal
engine.release(A);
// @ts-expect-error internal
A.markFreed();
// @ts-expect-error internal
A.owner;
// @ts-expect-error handles are made by the engine only
new Matrix(engine, 0, 10, 10);

// error codes are a closed union with typed details
const code: CondlabErrorCode = 'foreign-handle';
// @ts-expect-error misspelt code
const misspelt: CondlabErrorCode = 'foriegn-handle';
try {
  engine.frobenius(A);
} catch (e) {
  if (isCondlabError(e, 'foreign-handle')) {
    const other: number = e.details.handleEngine;
  }
  if (e instanceof CondlabError && e.is('unknown-option')) {
    const allowed: string[] = e.details.allowed;
    // @ts-expect-error details of another code
    e.details.handleEngine;
  }
  if (e instanceof CondlabError) {
    // @ts-expect-error comparing with a code that does not exist
    if (e.code === 'no-such-code') throw e;
  }
}
const shape: CondlabErrorDetails['bad-index']['shape'] = [1, 2];

// the decompositions
const eig = engine.eigh(engine.matrix(2, 2, [2, 1, 1, 2]));
const lambda: number = eig.values.length + eig.vectors.rows;
const eigValues = engine.eigh(engine.matrix(2, 2, [2, 1, 1, 2]), { vectors: false });
// @ts-expect-error no eigenvectors with vectors: false
eigValues.vectors;
const qr = engine.qr(A);
const perm: Int32Array = qr.perm;
const ls = engine.lstsq(A, engine.vector(3));
const rank: number = ls.rank;
// @ts-expect-error a vector right-hand side gives a vector x, which has no rows
ls.x.rows;
const lsm = engine.lstsq(A, engine.matrix(3, 2));
const xRows: number = lsm.x.rows;
const L: Matrix = engine.cholesky(engine.matrix(1, 1, [4]));
// @ts-expect-error a matrix is not a vector
const notVector: import('condlab').Vector = L;
// @ts-expect-error misspelt option
engine.cholesky(A, { symmetrytol: 0 });

export { rows, cols, s, code, misspelt, shape, lambda, perm, rank, xRows, L, notVector };
