// svdProperties(svdFn): the invariants any SVD must satisfy, with tolerances from backward error analysis.
//
// A backward-stable SVD returns the exact SVD of A + E with ‖E‖ ≤ p(n)·ε·‖A‖, p a modest polynomial; Weyl's theorem
// then bounds every singular value by |σ̂ᵢ − σᵢ| ≤ ‖E‖₂. So each bound below is c·n·ε times the relevant norm, with
// n = max(m, n) and c (default 10) absorbing p's constant and the rounding of the test matrix's own construction
// (a dense U₀ΣV₀ᵀ is ~3·n·ε from its σ). Methods that claim more — one-sided Jacobi's relative accuracy on graded
// matrices — are held to it only when `relativeAccuracy: true`.
import fc from 'fast-check';
import {
  anyMatrix, graded, hugeScale, kahan, knownSpectrum, matrixWithSpectrum, randomMatrix, shapeArb, subnormalScale, withZeros,
  type ShapeOptions, type TestMatrix,
} from './arbitraries.js';
import { describeValue, leadingColumns, maxAbs, orthogonalityError, toDense, toRows, transpose, type Dense, type MatrixLike } from './dense.js';
import { EPS_F64, callTimed, fmt, makeProperty, type SpectralProperty, type Verdict } from './property.js';
import { referenceSingularValues } from './reference.js';

/** What an SVD adapter returns: singular values (any order the implementation claims), optionally U (m×≥k) and V (n×≥k). */
export interface SvdOutput {
  s: ArrayLike<number>;
  U?: MatrixLike;
  V?: MatrixLike;
}

/**
 * The implementation under test. It gets A as rows (number[][]) and, as a second argument, the same matrix as a
 * row-major {rows, cols, data: Float64Array}; it must not modify either.
 */
export type SvdFunction = (rows: number[][], flat: Dense) => SvdOutput;

export interface SvdSuiteOptions {
  /** The implementation returns U and V (default true): adds reconstruction and orthogonality. */
  vectors?: boolean;
  /** It claims σ in descending order (default true). */
  sorted?: boolean;
  /** It claims relative accuracy for every σᵢ of graded matrices (one-sided Jacobi does; default false). */
  relativeAccuracy?: boolean;
  /** Restrict every matrix to this shape class (e.g. 'tall' for an implementation documented to need m ≥ n). */
  shape?: ShapeOptions['shape'];
  /** Largest dimension drawn (default 12). */
  maxDim?: number;
  /** The c of c·n·ε (default 10). */
  c?: number;
  /** Per-call time limit, checked after the call returns (default 2000 ms). */
  timeLimitMs?: number;
}

interface Checked {
  s: number[];
  U?: Dense;
  V?: Dense;
}

export function svdProperties(svd: SvdFunction, options: SvdSuiteOptions = {}): SpectralProperty<TestMatrix>[] {
  const o = { vectors: true, sorted: true, relativeAccuracy: false, shape: 'any' as const, maxDim: 12, c: 10, timeLimitMs: 2000, ...options };
  const shape: ShapeOptions = { maxDim: o.maxDim, shape: o.shape };
  const squareOk = o.shape === 'any' || o.shape === 'square';
  const n = (a: Dense) => Math.max(a.rows, a.cols);
  const cne = (a: Dense) => o.c * n(a) * EPS_F64;
  // the underflow analogue of c·n·ε: below the normal range each operation errs by up to 2^−1075 ABSOLUTE, and an
  // SVD does ~n² of them per entry of the result
  const floor = (a: Dense) => o.c * n(a) ** 2 * Number.MIN_VALUE;

  /** Calls the implementation and validates its output; a string is the reason it is unusable. */
  const run = (a: Dense, wantVectors = o.vectors): Checked | string => {
    const rows = toRows(a);
    const copy = Float64Array.from(a.data);
    const r = callTimed('svd', () => svd(rows, { rows: a.rows, cols: a.cols, data: copy }), o.timeLimitMs);
    if (!r.ok) return r.reason;
    const out = r.value as Partial<SvdOutput> | undefined;
    const k = Math.min(a.rows, a.cols);
    if (!out || typeof out !== 'object' || !out.s) return `svd returned ${describeValue(out)}, not {s, U?, V?}`;
    const s = Array.from(out.s as ArrayLike<number>, Number);
    if (s.length !== k) return `svd returned ${s.length} singular values for a ${a.rows}×${a.cols} matrix; expected min(m, n) = ${k}`;
    const bad = s.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return `σ[${bad}] = ${s[bad]} is not finite`;
    if (!wantVectors) return { s };
    let U: Dense, V: Dense;
    try {
      U = toDense(out.U, 'U');
      V = toDense(out.V, 'V');
    } catch (e) {
      return (e as Error).message;
    }
    if (U.rows !== a.rows || U.cols < k) return `U is ${U.rows}×${U.cols}; expected ${a.rows}×${k} (or more columns)`;
    if (V.rows !== a.cols || V.cols < k) return `V is ${V.rows}×${V.cols}; expected ${a.cols}×${k} (or more columns)`;
    for (const [nm, M] of [['U', U], ['V', V]] as const) {
      const i = M.data.findIndex((x) => !Number.isFinite(x));
      if (i >= 0) return `${nm}[${Math.floor(i / M.cols)}][${i % M.cols}] = ${M.data[i]} is not finite`;
    }
    return { s, U: leadingColumns(U, k), V: leadingColumns(V, k) };
  };
  const desc = (s: number[]) => [...s].sort((x, y) => y - x);
  const valuesVersus = (a: Dense, got: number[], want: number[], relative: boolean): Verdict => {
    const g = desc(got);
    const s1 = Math.max(want[0] ?? 0, 0);
    let measured = 0, at = 0;
    for (let i = 0; i < want.length; i++) {
      const err = relative ? (want[i] === 0 ? (g[i] === 0 ? 0 : Infinity) : Math.abs(g[i] - want[i]) / want[i]) : Math.abs(g[i] - want[i]);
      if (!(err <= measured)) [measured, at] = [err, i];
    }
    const quantity = relative ? `max |σ̂ᵢ − σᵢ|/σᵢ (at i = ${at}: σ̂ = ${fmt(g[at])}, σ = ${fmt(want[at])})` : `max |σ̂ᵢ − σᵢ| (at i = ${at}: σ̂ = ${fmt(g[at])}, σ = ${fmt(want[at])})`;
    return relative
      ? { measured, bound: cne(a), quantity, boundText: `${o.c}·n·ε` }
      : { measured, bound: cne(a) * s1 + floor(a), quantity, boundText: `${o.c}·n·ε·σ₁ + ${o.c}·n²·2⁻¹⁰⁷⁴` };
  };

  const generic = fc.oneof(anyMatrix(o.maxDim, { shape: o.shape }), withZeros(shape));
  const props: SpectralProperty<TestMatrix>[] = [];

  props.push(
    makeProperty('svd.shape', 'returns min(m, n) finite singular values (and U m×k, V n×k, finite) for every shape incl. 1×n, m×1 and zero matrices', generic, ({ a }) => {
      const r = run(a);
      return typeof r === 'string' ? { broken: r } : { measured: 0, bound: 0, quantity: 'well-formed', boundText: '0' };
    }),
  );
  if (o.sorted) {
    props.push(
      makeProperty('svd.order', 'σ₁ ≥ σ₂ ≥ … ≥ σ_k ≥ 0 exactly (the order is a claim, not a rounding question)', generic, ({ a }) => {
        const r = run(a, false);
        if (typeof r === 'string') return { broken: r };
        let measured = 0;
        for (let i = 0; i < r.s.length; i++) measured = Math.max(measured, -r.s[i], i > 0 ? r.s[i] - r.s[i - 1] : 0);
        return { measured, bound: 0, quantity: `largest increase or negative value in σ = ${JSON.stringify(r.s)}`, boundText: '0' };
      }),
    );
  }
  props.push(
    makeProperty(
      'svd.values',
      'on U₀·diag(σ)·V₀ᵀ with known σ (drawn, clustered, repeated, rank-deficient, near-singular, zero): |σ̂ᵢ − σᵢ| ≤ c·n·ε·σ₁ (Weyl)',
      knownSpectrum(shape),
      (t) => {
        const r = run(t.a, false);
        return typeof r === 'string' ? { broken: r } : valuesVersus(t.a, r.s, t.sigma!, false);
      },
    ),
  );
  if (o.vectors) {
    const withVectors = fc.oneof(generic, knownSpectrum(shape));
    props.push(
      makeProperty('svd.reconstruction', '‖A − U·diag(σ)·Vᵀ‖_F ≤ c·n·ε·‖A‖_F (backward stability)', withVectors, ({ a }) => {
        const r = run(a);
        if (typeof r === 'string') return { broken: r };
        // in units of max|aᵢⱼ| so huge and tiny matrices neither overflow nor underflow here
        const scale = maxAbs(a.data) || 1;
        const k = r.s.length;
        let err2 = 0, fro2 = 0;
        for (let i = 0; i < a.rows; i++)
          for (let j = 0; j < a.cols; j++) {
            let x = 0;
            for (let p = 0; p < k; p++) x += r.U!.data[i * k + p] * (r.s[p] / scale) * r.V!.data[j * k + p];
            const aij = a.data[i * a.cols + j] / scale;
            err2 += (aij - x) ** 2;
            fro2 += aij ** 2;
          }
        return { measured: Math.sqrt(err2) * scale, bound: cne(a) * Math.sqrt(fro2) * scale + floor(a), quantity: '‖A − UΣVᵀ‖_F', boundText: `${o.c}·n·ε·‖A‖_F + ${o.c}·n²·2⁻¹⁰⁷⁴` };
      }),
      makeProperty('svd.orthogonality', 'max |UᵀU − I|, |VᵀV − I| ≤ c·n·ε, also for repeated and zero σ', withVectors, ({ a }) => {
        const r = run(a);
        if (typeof r === 'string') return { broken: r };
        const eu = orthogonalityError(r.U!), ev = orthogonalityError(r.V!);
        return { measured: Math.max(eu, ev), bound: cne(a), quantity: `max(|UᵀU − I| = ${fmt(eu)}, |VᵀV − I| = ${fmt(ev)})`, boundText: `${o.c}·n·ε` };
      }),
    );
  }
  if (squareOk) {
    props.push(
      makeProperty('svd.transpose', 'σ(Aᵀ) = σ(A) to 2·c·n·ε·σ₁ (both are backward stable for the same A)', anyMatrix(o.maxDim), ({ a }) => {
        const r1 = run(a, false);
        if (typeof r1 === 'string') return { broken: r1 };
        const r2 = run(transpose(a), false);
        if (typeof r2 === 'string') return { broken: `on Aᵀ: ${r2}` };
        const s1 = desc(r1.s), s2 = desc(r2.s);
        let measured = 0;
        for (let i = 0; i < s1.length; i++) measured = Math.max(measured, Math.abs(s1[i] - s2[i]));
        return { measured, bound: 2 * (cne(a) * s1[0] + floor(a)), quantity: 'max |σᵢ(Aᵀ) − σᵢ(A)|', boundText: `2·(${o.c}·n·ε·σ₁ + ${o.c}·n²·2⁻¹⁰⁷⁴)` };
      }),
    );
  }
  props.push(
    makeProperty('svd.frobenius', 'Σσᵢ² = ‖A‖_F² to relative 2·c·n·ε', generic, ({ a }) => {
      const r = run(a, false);
      if (typeof r === 'string') return { broken: r };
      const scale = maxAbs(a.data) || 1;
      let fro2 = 0, sum2 = 0;
      for (const x of a.data) fro2 += (x / scale) ** 2;
      for (const x of r.s) sum2 += (x / scale) ** 2;
      if (fro2 === 0) return { measured: sum2, bound: 0, quantity: 'Σσᵢ² of the zero matrix', boundText: '0' };
      // a matrix with subnormal entries has them rounded to an absolute 2^−1074: relative to ‖A‖ that is tiny·n/‖A‖
      const sub = floor(a) / (Math.sqrt(fro2) * scale);
      return { measured: Math.abs(sum2 - fro2) / fro2, bound: 2 * (cne(a) + sub), quantity: '|Σσᵢ² − ‖A‖_F²|/‖A‖_F²', boundText: `2·(${o.c}·n·ε + ${o.c}·n²·2⁻¹⁰⁷⁴/‖A‖_F)` };
    }),
  );
  const scaleShape: ShapeOptions = { maxDim: Math.min(o.maxDim, 8), shape: o.shape };
  props.push(
    makeProperty(
      'svd.scale',
      'entries near overflow (2^960…2^1010) and in the subnormal range (2^−1060…2^−1000): known σ scaled exactly by 2^e, to c·n·ε·σ₁ plus the subnormal rounding floor',
      fc.oneof(hugeScale(matrixWithSpectrum(scaleShape)), subnormalScale(matrixWithSpectrum(scaleShape))),
      (t) => {
        const r = run(t.a, false);
        if (typeof r === 'string') return { broken: r };
        // entries rounded into the subnormal range carry absolute error 2^−1075 each: ‖E‖₂ ≤ √(mn)·2^−1075
        const v = valuesVersus(t.a, r.s, t.sigma!, false);
        if ('broken' in v) return v;
        return { ...v, bound: v.bound + Math.sqrt(t.a.rows * t.a.cols) * Number.MIN_VALUE, boundText: `${v.boundText} + √(mn)·2⁻¹⁰⁷⁴` };
      },
    ),
  );
  const refShape = Math.min(o.maxDim, 10);
  const refInputs: fc.Arbitrary<TestMatrix> = fc.oneof(
    kahan({ maxDim: refShape }),
    graded({ maxDim: refShape, side: 'two-sided' }),
    shapeArb({ maxDim: refShape, shape: o.shape }).chain(([m, n2]) => randomMatrix(m, n2).map((a) => ({ kind: 'random', a }))),
  ).filter((t) => o.shape !== 'wide' || t.a.rows <= t.a.cols).filter((t) => o.shape !== 'tall' || t.a.rows >= t.a.cols);
  props.push(
    makeProperty(
      'svd.reference',
      'on Kahan, two-sided graded and random matrices: |σ̂ᵢ − σᵢ| ≤ c·n·ε·σ₁ against the double-double Jacobi oracle (σ to ~30 digits)',
      refInputs,
      (t) => {
        const r = run(t.a, false);
        if (typeof r === 'string') return { broken: r };
        return valuesVersus(t.a, r.s, referenceSingularValues(t.a), false);
      },
    ),
  );
  if (o.relativeAccuracy) {
    props.push(
      makeProperty(
        'svd.relative',
        'graded P·diag(σ)·V₀ᵀ and V₀·diag(σ)·P (σ over up to 12 decades, known to a few ulps each): |σ̂ᵢ − σᵢ|/σᵢ ≤ c·n·ε for every i (Demmel–Veselić)',
        fc.oneof(graded({ maxDim: o.maxDim, side: 'row' }), graded({ maxDim: o.maxDim, side: 'column' })),
        (t) => {
          const r = run(t.a, false);
          return typeof r === 'string' ? { broken: r } : valuesVersus(t.a, r.s, t.sigma!, true);
        },
      ),
    );
  }
  return props;
}
