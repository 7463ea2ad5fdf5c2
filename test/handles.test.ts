// Handle safety with several engines in one process, option checking and how handles print (issue 18, part 1).
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CondlabError, Engine, Matrix, Vector, isCondlabError } from '../src/engine/index.js';

let e1: Engine, e2: Engine;
beforeAll(async () => {
  const mod = await Engine.compile();
  e1 = await Engine.fromModule(mod);
  e2 = await Engine.fromModule(mod);
});

function caught(fn: () => unknown): CondlabError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CondlabError) return e;
    throw e;
  }
  throw new Error('expected a CondlabError, nothing was thrown');
}

describe('foreign handles', () => {
  it('every engine call refuses a handle of another engine, naming both engines', () => {
    // the case: equal addresses in the two memories hold different data, so a missing check returns a number
    const a1 = e1.matrix(4, 4, Array.from({ length: 16 }, (_, i) => i + 1));
    const b2 = e2.matrix(4, 4, Array.from({ length: 16 }, (_, i) => 10 * (i + 1)));
    const v1 = e1.vector(16), v2 = e2.vector(16);
    const calls: Record<string, () => unknown> = {
      frobenius: () => e1.frobenius(b2),
      svd: () => e1.svd(b2),
      singularValues: () => e1.singularValues(b2),
      gemmA: () => e1.gemm(e1.matrix(4, 4), b2, a1),
      gemmC: () => e1.gemm(b2, a1, a1),
      matmul: () => e1.matmul(a1, b2),
      transpose: () => e1.transpose(b2),
      rowNorms: () => e1.rowNorms(b2),
      colNorms: () => e1.colNorms(b2),
      axpy: () => e1.axpy(1, v1, v2),
      scale: () => e1.scale(2, v2),
      dot: () => e1.dot(v2, v1),
      newtonSchulz: () => e1.newtonSchulz(b2),
      checkFinite: () => e1.checkFinite('b', b2),
      fillNormal: () => e1.rng(1).fillNormal(b2),
      fillUniform: () => e2.rng(1).fillUniform(a1),
      eigh: () => e1.eigh(e2.matrix(2, 2, [2, 1, 1, 2])),
      qr: () => e1.qr(b2),
      cholesky: () => e1.cholesky(e2.matrix(1, 1, [4])),
      lstsqA: () => e1.lstsq(b2, v1),
      lstsqB: () => e1.lstsq(a1, e2.vector(4)),
    };
    for (const [name, call] of Object.entries(calls)) {
      const err = caught(call);
      expect(err.code, name).toBe('foreign-handle');
      expect(err.details, name).toHaveProperty('handleEngine');
    }
    const err = caught(() => e1.frobenius(b2));
    expect(err.message).toMatch(new RegExp(`A \\(Matrix 4×4 \\[engine ${e2.id}\\]\\) belongs to engine ${e2.id}, not to engine ${e1.id}`));
    if (!err.is('foreign-handle')) throw new Error('narrowing failed');
    expect(err.details).toEqual({ name: 'A', handle: `Matrix 4×4 [engine ${e2.id}]`, handleEngine: e2.id, engine: e1.id });
    // same-engine calls still work and give the right numbers
    expect(e2.frobenius(b2)).toBeCloseTo(10 * Math.sqrt((16 * 17 * 33) / 6), 10);
    expect(e1.frobenius(a1)).toBeCloseTo(Math.sqrt((16 * 17 * 33) / 6), 10);
  });

  it('a freed handle is refused by every call, not read', () => {
    const a = e1.matrix(2, 2);
    a.free();
    expect(caught(() => e1.frobenius(a)).code).toBe('freed-handle');
    expect(caught(() => e1.svd(a)).code).toBe('freed-handle');
    expect(String(a)).toBe(`Matrix 2×2 [engine ${e1.id}] (freed)`);
  });

  it('handles cannot be constructed outside the engine (no aliasing of arbitrary addresses)', () => {
    const Ctor = Matrix as unknown as new (...args: unknown[]) => Matrix;
    const err = caught(() => new Ctor(e1, 0, 10, 10));
    expect(err.code).toBe('bad-argument');
    const VCtor = Vector as unknown as new (...args: unknown[]) => Vector;
    expect(caught(() => new VCtor(Symbol('x'), e1, () => {}, 0, 4)).code).toBe('bad-argument');
  });
});

describe('wrong kinds', () => {
  it('a vector where a matrix belongs says so and how to make a matrix', () => {
    const v = e1.vector(4, [1, 2, 3, 4]);
    const err = caught(() => e1.svd(v as unknown as Matrix));
    expect(err.code).toBe('wrong-kind');
    expect(err.message).toMatch(/svd: A must be a matrix, got vector of length 4; svd needs a matrix — for a column use engine\.matrix\(4, 1, v\.toArray\(\)\)/);
    expect(caught(() => e1.transpose(v as unknown as Matrix)).code).toBe('wrong-kind');
    expect(caught(() => e1.qr(v as unknown as Matrix)).code).toBe('wrong-kind');
    expect(caught(() => e1.eigh(v as unknown as Matrix)).code).toBe('wrong-kind');
  });

  it('plain arrays and non-handles are named, with a hint to wrap them', () => {
    expect(caught(() => e1.frobenius([1, 2, 3] as never)).message).toMatch(/A must be a matrix or vector, got an array of length 3; wrap the values first/);
    expect(caught(() => e1.svd(new Float64Array(4) as never)).message).toMatch(/got a Float64Array/);
    expect(caught(() => e1.svd(undefined as never)).message).toMatch(/A must be a matrix, got undefined undefined/);
  });
});

describe('options', () => {
  it('unknown keys are errors with a did-you-mean (the issue: { vector: false } ran with vectors)', () => {
    const A = e1.matrix(3, 3, [2, 0, 0, 0, 1, 0, 0, 0, 3]);
    const err = caught(() => e1.svd(A, { vector: false } as never));
    expect(err.code).toBe('unknown-option');
    expect(err.message).toBe("svd has no option 'vector' — did you mean 'vectors'?; its options are 'vectors', 'method', 'tol', 'maxSweeps', 'rightBasis'");
    if (!err.is('unknown-option')) throw new Error('narrowing failed');
    expect(err.details.suggestion).toBe('vectors');
    expect(caught(() => e1.svd(A, { maxsweeps: 3 } as never)).message).toMatch(/did you mean 'maxSweeps'/);
    expect(caught(() => e1.gemm(A, A, A, { transa: true } as never)).message).toMatch(/gemm has no option 'transa' — did you mean 'transA'/);
    expect(caught(() => e1.matmul(A, A, { alpha: 2 } as never)).message).toMatch(/matmul has no option 'alpha'; its options are 'transA', 'transB'/);
    // far from every name: no suggestion
    expect(caught(() => e1.svd(A, { colour: 1 } as never)).message).not.toMatch(/did you mean/);
  });

  it('wrong types and ranges name the option, the value and what is allowed', () => {
    const A = e1.matrix(2, 2, [1, 0, 0, 1]);
    expect(caught(() => e1.svd(A, { vectors: 'no' } as never)).message).toBe("svd option vectors must be true or false, got 'no'");
    expect(caught(() => e1.svd(A, { tol: 2 })).message).toBe('svd option tol must be a finite number in (0, 1), got 2');
    expect(caught(() => e1.svd(A, { maxSweeps: 2.5 })).message).toBe('svd option maxSweeps must be an integer from 1 to 1000, got 2.5');
    expect(caught(() => e1.gemm(A, A, A, { alpha: NaN })).code).toBe('bad-option');
    expect(caught(() => e1.svd(A, 5 as never)).message).toBe('svd options must be an object, got number');
    expect(caught(() => e1.eigh(A, { vector: true } as never)).message).toMatch(/eigh has no option 'vector' — did you mean 'vectors'/);
    expect(caught(() => e1.cholesky(A, { symmetrytol: 1 } as never)).message).toMatch(/did you mean 'symmetryTol'/);
    // undefined means "default"
    expect(e1.svd(A, { tol: undefined }).s.toArray()).toEqual(new Float64Array([1, 1]));
  });
});

describe('printing', () => {
  it('String() and util.inspect show a short label, never the engine and its exports', () => {
    const A = e1.matrix(4, 4);
    const v = e2.vector(3);
    expect(String(A)).toBe(`Matrix 4×4 [engine ${e1.id}]`);
    expect(`${v}`).toBe(`Vector 3 [engine ${e2.id}]`);
    expect(inspect(A)).toBe(`Matrix 4×4 [engine ${e1.id}]`);
    expect(inspect({ A })).toBe(`{ A: Matrix 4×4 [engine ${e1.id}] }`);
    expect(inspect(e1)).toBe(`Engine ${e1.id}`);
    expect(inspect(e1.rng(0))).toMatch(new RegExp(`^Rng 0x[0-9a-f]{16} \\[engine ${e1.id}\\]$`));
    expect(e1.id).not.toBe(e2.id);
  });

  it('isCondlabError narrows by code', () => {
    const err: unknown = caught(() => e1.matrix(0, 1));
    expect(isCondlabError(err, 'bad-dimension')).toBe(true);
    expect(isCondlabError(err, 'foreign-handle')).toBe(false);
    expect(isCondlabError(new Error('x'))).toBe(false);
  });
});
