// Householder tridiagonalisation (assembly/linalg/tridiag.ts), the first stage of a V₀ for the Jacobi SVD:
// G = Q·T·Qᵀ to backward-stable accuracy, Q orthogonal, T symmetric tridiagonal. Checked in plain TS against the
// definition, on Gram matrices AᵀA (the intended input) and on indefinite symmetric matrices.
import { beforeAll, describe, expect, it } from 'vitest';
import { instantiateWasm } from '../src/engine/loader.js';
import type { CondlabExports } from '../src/engine/exports.js';
import { Engine } from '../src/engine/index.js';

let w: CondlabExports;
let engine: Engine;
beforeAll(async () => {
  w = await instantiateWasm();
  engine = await Engine.load();
});

const EPS = 2 ** -52;

function f64(ptr: number, len: number): Float64Array {
  return new Float64Array(w.memory.buffer, ptr, len);
}

/** Runs tridiagonalize + tridiagFormQ on a copy of g (n×n), returns Q, d, e. */
function reduce(g: Float64Array, n: number): { q: Float64Array; d: Float64Array; e: Float64Array; rc: number } {
  const a = w.alloc(n * n * 8), d = w.alloc(n * 8), e = w.alloc(Math.max(n - 1, 1) * 8);
  const tau = w.alloc(Math.max(n - 1, 1) * 8), work = w.alloc(n * 8), q = w.alloc(n * n * 8);
  f64(a, n * n).set(g);
  const rc = w.tridiagonalize(n, a, d, e, tau, work);
  w.tridiagFormQ(n, a, tau, q, work);
  return { q: f64(q, n * n).slice(), d: f64(d, n).slice(), e: f64(e, Math.max(n - 1, 0)).slice(), rc };
}

function symmetricInput(n: number, seed: number, gram: boolean): Float64Array {
  return engine.scope(() => {
    const x = engine.rng(seed, n).normalMatrix(n, n).toArray();
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        if (gram) for (let k = 0; k < n; k++) s += x[k * n + i] * x[k * n + j];
        else s = x[i * n + j] + x[j * n + i];
        g[i * n + j] = s;
      }
    }
    return g;
  });
}

/** max|Q·T·Qᵀ − G| / ‖G‖_F and max|QᵀQ − I|. */
function errors(g: Float64Array, n: number, q: Float64Array, d: Float64Array, e: Float64Array) {
  const qt = new Float64Array(n * n); // Q·T
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = q[i * n + j] * d[j];
      if (j > 0) s += q[i * n + j - 1] * e[j - 1];
      if (j + 1 < n) s += q[i * n + j + 1] * e[j];
      qt[i * n + j] = s;
    }
  }
  let fro = 0;
  for (const x of g) fro += x * x;
  fro = Math.sqrt(fro);
  let rec = 0, orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, o = 0;
      for (let k = 0; k < n; k++) {
        s += qt[i * n + k] * q[j * n + k];
        o += q[k * n + i] * q[k * n + j];
      }
      rec = Math.max(rec, Math.abs(s - g[i * n + j]) / fro);
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { rec, orth };
}

describe('tridiagonalize', () => {
  for (const n of [1, 2, 3, 5, 40, 97]) {
    for (const gram of [true, false]) {
      it(`n = ${n}, ${gram ? 'Gram AᵀA' : 'indefinite X + Xᵀ'}: G = Q·T·Qᵀ and QᵀQ = I to c·n·ε`, () => {
        const g = symmetricInput(n, 7 + n, gram);
        const { q, d, e, rc } = reduce(g, n);
        expect(rc).toBe(0);
        const { rec, orth } = errors(g, n, q, d, e);
        // measured ≤ 0.4·n·ε for both (n = 3…97); c = 4 leaves room for other draws, not for a wrong reflector
        expect(rec).toBeLessThanOrEqual(4 * n * EPS);
        expect(orth).toBeLessThanOrEqual(4 * n * EPS);
      });
    }
  }

  it('a matrix that is already tridiagonal gets τ = 0 reflectors and is returned unchanged', () => {
    const n = 6;
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      g[i * n + i] = i + 1;
      if (i + 1 < n) g[i * n + i + 1] = g[(i + 1) * n + i] = 0.5 * (i + 1);
    }
    const { q, d, e } = reduce(g, n);
    expect(Array.from(d)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(e)).toEqual([0.5, 1, 1.5, 2, 2.5]);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(q[i * n + j]).toBe(i === j ? 1 : 0);
  });
});
