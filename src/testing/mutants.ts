// Deliberately broken wrappers around a correct implementation ("mutants"): a property suite is only worth running
// if each of its properties fails on some plausible bug. Each mutant is one bug that real code has had — a dropped
// σ, a perturbed or unnormalised basis, unsorted output, a wrong sign, an overflow from squaring, NaN on degenerate
// input, a wrong count, a slow or hanging call. condlab's tests and conformance bench run them as a self-check.
import { toDense, toRows, type Dense } from './dense.js';
import type { EigFunction, LanczosFunction } from './eig-properties.js';
import type { SvdFunction } from './svd-properties.js';

export type SvdMutant =
  | 'drop-last-sigma'
  | 'perturb-U'
  | 'unsorted'
  | 'wrong-count'
  | 'nan-on-zero-row'
  | 'throws-on-vector-shape'
  | 'absolute-only'
  | 'squares-sigma'
  | 'wide-drops-sigma'
  | 'slow'
  | 'hang';

export const SVD_MUTANTS: SvdMutant[] = [
  'drop-last-sigma', 'perturb-U', 'unsorted', 'wrong-count', 'nan-on-zero-row', 'throws-on-vector-shape',
  'absolute-only', 'squares-sigma', 'wide-drops-sigma', 'slow',
];

function busyWait(ms: number): void {
  const t = performance.now();
  while (performance.now() - t < ms);
}

/** `good` with one bug. Expects `good` to return U and V as rows or flat matrices. */
export function mutateSvd(good: SvdFunction, mutant: SvdMutant): SvdFunction {
  return (rows, flat) => {
    const r = good(rows, flat);
    const s = Array.from(r.s, Number);
    const k = s.length;
    const U = r.U ? toDense(r.U, 'U') : undefined;
    const V = r.V ? toDense(r.V, 'V') : undefined;
    const out = () => ({ s, U: U && toRows(U), V: V && toRows(V) });
    switch (mutant) {
      case 'drop-last-sigma':
        if (k > 0) s[k - 1] = 0;
        return out();
      case 'perturb-U':
        if (U) U.data[0] += 1e-9;
        return out();
      case 'unsorted': {
        // reversed consistently (values and vector columns), so only the order claim is broken
        s.reverse();
        const flip = (M?: Dense) => M && toRows(M).map((row) => [...row.slice(0, k).reverse(), ...row.slice(k)]);
        return { s, U: flip(U), V: flip(V) };
      }
      case 'wrong-count':
        return { ...out(), s: s.slice(0, Math.max(0, k - 1)) };
      case 'nan-on-zero-row':
        if (rows.some((row) => row.every((x) => x === 0))) s[0] = NaN;
        return out();
      case 'throws-on-vector-shape':
        if (flat.rows === 1 || flat.cols === 1) throw new Error('matrix must be at least 2×2');
        return out();
      case 'absolute-only':
        // every σ off by 4ε·σ₁: within a backward-stable bound, fatal for relative accuracy of the small ones
        for (let i = 1; i < k; i++) s[i] += 4 * 2 ** -52 * s[0];
        return out();
      case 'squares-sigma':
        // σ via √(σ²), as an AᵀA-based method would: overflows near 2^512 and underflows below 2^−537
        for (let i = 0; i < k; i++) s[i] = Math.sqrt(s[i] * s[i]);
        return out();
      case 'wide-drops-sigma':
        if (flat.rows < flat.cols && k > 0) s[k - 1] = 0;
        return out();
      case 'slow':
        busyWait(30);
        return out();
      case 'hang':
        for (;;);
    }
  };
}

export type EigMutant = 'wrong-sign' | 'unnormalised' | 'reversed' | 'non-orthogonal-repeated' | 'wrong-count';
export const EIG_MUTANTS: EigMutant[] = ['wrong-sign', 'unnormalised', 'reversed', 'non-orthogonal-repeated', 'wrong-count'];

/** `good` (values descending, vectors as columns) with one bug. */
export function mutateEig(good: EigFunction, mutant: EigMutant): EigFunction {
  return (rows, flat) => {
    const r = good(rows, flat);
    const values = Array.from(r.values, Number);
    const n = values.length;
    const V = r.vectors ? toRows(toDense(r.vectors, 'vectors')) : undefined;
    switch (mutant) {
      case 'wrong-sign': {
        // the eigenvalue of largest magnitude comes back negated (a sign slip in a deflation)
        let j = 0;
        values.forEach((x, i) => (Math.abs(x) > Math.abs(values[j]) ? (j = i) : 0));
        values[j] = -values[j];
        return { values, vectors: V };
      }
      case 'unnormalised':
        return { values, vectors: V?.map((row) => row.map((x) => 2 * x)) };
      case 'reversed':
        return { values: [...values].reverse(), vectors: V?.map((row) => [...row].reverse()) };
      case 'non-orthogonal-repeated': {
        // within an exactly repeated eigenvalue any basis is an eigenbasis, but not any basis is orthonormal:
        // replace the second vector by (v₁ + v₂)/√2 (still a unit eigenvector)
        if (V)
          for (let j = 1; j < n; j++)
            if (Math.abs(values[j] - values[j - 1]) <= 1e-9 * Math.max(1, Math.abs(values[j]))) {
              for (let i = 0; i < n; i++) V[i][j] = (V[i][j - 1] + V[i][j]) / Math.SQRT2;
              break;
            }
        return { values, vectors: V };
      }
      case 'wrong-count':
        return { values: values.slice(1), vectors: V };
    }
  };
}

export type LanczosMutant = 'overshoot' | 'lowball' | 'unnormalised-vectors' | 'merges-repeated' | 'ascending';
export const LANCZOS_MUTANTS: LanczosMutant[] = ['overshoot', 'lowball', 'unnormalised-vectors', 'merges-repeated', 'ascending'];

export function mutateLanczos(good: LanczosFunction, mutant: LanczosMutant): LanczosFunction {
  return (op, k) => {
    const r = good(op, k);
    const values = Array.from(r.values, Number);
    const vectors = r.vectors ? Array.from(r.vectors, (v) => Array.from(v, Number)) : undefined;
    const scale = Math.max(1, ...values.map(Math.abs));
    switch (mutant) {
      case 'overshoot':
        // a Ritz value above the true eigenvalue: impossible for Rayleigh–Ritz, typical of a lost orthogonality
        return { values: values.map((v) => v + 1e-6 * scale), vectors };
      case 'lowball':
        // stopped too early: below λ₁ by more than the claimed tolerance
        return { values: values.map((v, i) => (i === 0 ? v - 1e-4 * scale : v)), vectors };
      case 'unnormalised-vectors':
        return { values, vectors: vectors?.map((v) => v.map((x) => 3 * x)) };
      case 'ascending':
        return { values: [...values].reverse(), vectors: vectors && [...vectors].reverse() };
      case 'merges-repeated': {
        // single-vector Lanczos without restarts sees a multiple eigenvalue once: report the rest from further down
        const more = Array.from(good(op, Math.min(op.size, 2 * k)).values, Number);
        const distinct: number[] = [];
        for (const v of more) if (!distinct.some((d) => Math.abs(d - v) <= 1e-6 * scale)) distinct.push(v);
        while (distinct.length < k) distinct.push(distinct[distinct.length - 1] - 1);
        return { values: distinct.slice(0, k), vectors };
      }
    }
  };
}

/**
 * Which properties each mutant must fail (others may fail too): one list for condlab's own tests and the
 * conformance bench's self-check. `slow` is caught only with a per-call time limit (`timeLimitMs`), `hang` only by
 * the bench's worker watchdog.
 */
export const SVD_MUTANT_CATCHES: Record<SvdMutant, string[]> = {
  'drop-last-sigma': ['svd.values', 'svd.reconstruction', 'svd.frobenius', 'svd.scale', 'svd.reference'],
  'perturb-U': ['svd.reconstruction', 'svd.orthogonality'],
  unsorted: ['svd.order'],
  'wrong-count': ['svd.shape'],
  'nan-on-zero-row': ['svd.shape'],
  'throws-on-vector-shape': ['svd.shape'],
  'absolute-only': ['svd.relative'],
  'squares-sigma': ['svd.scale'],
  'wide-drops-sigma': ['svd.transpose'],
  slow: ['svd.shape'],
  hang: ['svd.shape'],
};
export const EIG_MUTANT_CATCHES: Record<EigMutant, string[]> = {
  'wrong-sign': ['eig.values', 'eig.residual'],
  unnormalised: ['eig.residual', 'eig.orthogonality'],
  reversed: ['eig.order'],
  'non-orthogonal-repeated': ['eig.orthogonality'],
  'wrong-count': ['eig.shape'],
};
export const LANCZOS_MUTANT_CATCHES: Record<LanczosMutant, string[]> = {
  overshoot: ['lanczos.interlacing', 'lanczos.top'],
  lowball: ['lanczos.top'],
  'unnormalised-vectors': ['lanczos.residual'],
  'merges-repeated': ['lanczos.multiplicity'],
  ascending: ['lanczos.shape'],
};
