// The test helpers that build inputs for the property tests must not fail on the inputs fast-check draws.
import { describe, expect, it } from 'vitest';
import { dense, orthonormalFrom } from '../src/testing/index.js';

describe('orthonormalFrom', () => {
  it('gives QᵀQ = I even for degenerate seeds (zero, repeated and dependent columns)', () => {
    const n = 5;
    const seeds = [
      new Array(n * n).fill(0),
      new Array(n * n).fill(1), // every column the same
      Array.from({ length: n * n }, (_, k) => Math.floor(k / n) * ((k % n) + 1)), // rank one
    ];
    for (const s of seeds) {
      const q = orthonormalFrom(dense(n, n, s));
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += q.data[i * n + a] * q.data[i * n + b];
          expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-12);
        }
    }
  });
});
