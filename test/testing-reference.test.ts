// The double-double reference oracle of condlab/testing against closed forms (exact integer identities, Hadamard
// and diagonal matrices, a 2×2 with known roots) and, when python3 has mpmath, against 40-digit mpmath SVDs.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import {
  dd, ddAdd, ddFromBigInt, ddMul, ddSqrt, ddSub, kahanMatrix, referenceSingularValues, referenceSingularValuesDD, dense, type DD,
} from '../src/testing/index.js';

/** |x − y| as a double (x, y double-doubles). */
const diff = (x: DD, y: DD) => Math.abs(ddSub(x, y).hi);

/** det of an integer matrix exactly, by Bareiss' fraction-free elimination. */
function detBig(n: number, a: number[]): bigint {
  const m = a.map((x) => BigInt(x));
  let prev = 1n, sign = 1n;
  for (let k = 0; k < n - 1; k++) {
    if (m[k * n + k] === 0n) {
      const r = [...Array(n).keys()].find((i) => i > k && m[i * n + k] !== 0n);
      if (r === undefined) return 0n;
      for (let j = 0; j < n; j++) [m[k * n + j], m[r * n + j]] = [m[r * n + j], m[k * n + j]];
      sign = -sign;
    }
    for (let i = k + 1; i < n; i++)
      for (let j = k + 1; j < n; j++) m[i * n + j] = (m[i * n + j] * m[k * n + k] - m[i * n + k] * m[k * n + j]) / prev;
    prev = m[k * n + k];
  }
  return sign * m[n * n - 1];
}

function mpmathAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import mpmath'], { encoding: 'utf8' }).status === 0;
}

describe('reference oracle: closed forms', () => {
  it('2×2 [[3,0],[4,5]] has σ = √45, √5 to 1e−31 relative', () => {
    const s = referenceSingularValuesDD([[3, 0], [4, 5]]);
    expect(diff(s[0], ddSqrt(dd(45))) / 6.7).toBeLessThan(1e-31);
    expect(diff(s[1], ddSqrt(dd(5))) / 2.2).toBeLessThan(1e-31);
  });

  it('Sylvester–Hadamard matrices (n = 1…32) have every σ = √n', () => {
    for (let n = 1; n <= 32; n *= 2) {
      const h = dense(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h.data[i * n + j] = popcount(i & j) % 2 ? -1 : 1;
      const r = ddSqrt(dd(n));
      for (const s of referenceSingularValuesDD(h)) expect(diff(s, r) / r.hi).toBeLessThan(1e-30);
    }
  });

  it('diagonal and signed-permuted diagonals give |dᵢ| exactly, over 2^−400 of range and at huge and subnormal scales', () => {
    for (const d of [[3e60, -1, 2 ** -60, 0.5, 7e-20], [1e308, -1.7e308, 2e300, 5e301, 1e299], [2 ** -1060, 3e-320, -2e-310, 5e-324, 1e-315]]) {
      const n = d.length;
      const a = dense(n, n);
      const perm = [2, 0, 4, 1, 3];
      for (let i = 0; i < n; i++) a.data[i * n + perm[i]] = d[i];
      expect(referenceSingularValues(a)).toEqual(d.map(Math.abs).sort((x, y) => y - x));
    }
  });


  it('random integer matrices: Π σᵢ = |det A| and Σ σᵢ² = ‖A‖_F², to 1e−29 relative (exact BigInt sides)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: -9, max: 9 }), { minLength: n * n, maxLength: n * n }))),
        ([n, a]) => {
          const s = referenceSingularValuesDD(dense(n, n, a));
          const fro = a.reduce((acc, x) => acc + x * x, 0);
          const sumSq = s.reduce((acc, x) => ddAdd(acc, ddMul(x, x)), dd(0));
          expect(diff(sumSq, dd(fro)) / Math.max(1, fro)).toBeLessThan(1e-29);
          const det = detBig(n, a);
          const prod = s.reduce((acc, x) => ddMul(acc, x), dd(1));
          const exact = ddFromBigInt(det < 0n ? -det : det);
          // first-order: each σᵢ is off by ≤ c·n·u·σ₁ absolute, so Π σᵢ is off by ≤ c·n·u·σ₁·Σᵢ Πⱼ≠ᵢ σⱼ (no division: det may be 0)
          const sig = s.map((x) => x.hi);
          const others = sig.reduce((acc, _, i) => acc + sig.reduce((p, x, j) => (j === i ? p : p * x), 1), 0);
          expect(diff(prod, exact)).toBeLessThanOrEqual(16 * n * 2 ** -106 * sig[0] * others);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rank one u·vᵀ has σ₁ = ‖u‖‖v‖ and the rest exactly 0 up to 1e−30·σ₁', () => {
    const u = [1, -2, 3, 4, 0, 2], v = [2, 2, -1, 5];
    const a = dense(6, 4);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) a.data[i * 4 + j] = u[i] * v[j];
    const s = referenceSingularValuesDD(a);
    const want = ddSqrt(dd(34 * 34));
    expect(diff(s[0], want)).toBeLessThan(1e-30 * 34);
    for (const x of s.slice(1)) expect(Math.abs(x.hi)).toBeLessThan(1e-30 * 34);
  });

  it('refuses what it cannot do: non-finite entries and matrices past 32', () => {
    expect(() => referenceSingularValues([[1, Number.NaN]])).toThrow(/NaN at \(0, 1\) is not finite/);
    expect(() => referenceSingularValues(dense(33, 33))).toThrow(/min\(m, n\) ≤ 32/);
  });
});

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

describe('reference oracle against mpmath (40 digits)', () => {
  const have = mpmathAvailable();
  it.runIf(!have)('skips: python3 with mpmath is not available', () => console.warn('mpmath comparison skipped: python3 -c "import mpmath" failed'));

  it.runIf(have)('agrees to 1e−29·σ₁ on random, graded and Kahan matrices up to 16×16', () => {
    const cases = [
      ...fc.sample(fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 })).chain(([m, n]) =>
        fc.tuple(fc.constant(m), fc.constant(n), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: m * n, maxLength: m * n }))), { numRuns: 8, seed: 11 }),
      ...[6, 12, 16].map((n) => [n, n, Array.from(kahanMatrix(n, 1.2).data)] as [number, number, number[]]),
      // row-graded over 14 decades
      [8, 8, Array.from({ length: 64 }, (_, k) => Math.cos(k * 0.7 + 1) * 10 ** -(2 * Math.floor(k / 8)))] as [number, number, number[]],
    ];
    const ours = cases.map(([m, n, a]) => referenceSingularValuesDD(dense(m, n, a)));
    const script = [
      'import sys, json, mpmath as mp',
      'mp.mp.dps = 40',
      'cases, ours = json.load(sys.stdin)',
      'out = []',
      'for (m, n, a), s in zip(cases, ours):',
      '    A = mp.matrix([[mp.mpf(a[i*n+j]) for j in range(n)] for i in range(m)])',
      '    ref = sorted([abs(x) for x in mp.svd_r(A, compute_uv=False)], reverse=True)',
      '    sig1 = ref[0] if ref[0] != 0 else mp.mpf(1)',
      '    out.append(max(float(abs(mp.mpf(h) + mp.mpf(l) - r) / sig1) for (h, l), r in zip(s, ref)))',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script], { input: JSON.stringify([cases, ours.map((s) => s.map((x) => [x.hi, x.lo]))]), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const worst = JSON.parse(r.stdout) as number[];
    worst.forEach((w) => expect(w).toBeLessThan(1e-29));
  });
});
