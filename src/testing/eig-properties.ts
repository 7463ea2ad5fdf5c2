// eigProperties(eigFn) for symmetric eigensolvers, and lanczosProperties(fn) for iterative extreme-eigenvalue
// solvers. Inputs are Q·diag(λ)·Qᵀ with λ known by construction (so no other eigensolver is trusted).
//
// Tolerances: a backward-stable symmetric eigensolver returns the exact eigen-pairs of A + E, ‖E‖₂ ≤ p(n)·ε·‖A‖₂, so
// |λ̂ᵢ − λᵢ| ≤ ‖E‖₂ (Weyl) and ‖A·v − λ̂·v‖ ≤ ‖E‖₂ — both c·n·ε·‖A‖₂ with ‖A‖₂ = max|λ|. Eigenvectors of a repeated
// or clustered λ are ill-determined individually but an orthonormal basis of the eigenspace is not, so orthogonality
// is held to c·n·ε on every input. Lanczos is iterative: its values are held to its own claimed tolerance, but the
// Cauchy interlacing bound λ_min ≤ θᵢ ≤ λᵢ holds for ANY Rayleigh–Ritz value, converged or not, to rounding.
import fc from 'fast-check';
import { symmetricGapped, symmetricWithEigenvalues, type TestMatrix } from './arbitraries.js';
import { describeValue, maxAbs, norm2, orthogonalityError, toDense, toRows, type Dense, type MatrixLike } from './dense.js';
import { EPS_F64, callTimed, fmt, makeProperty, type SpectralProperty, type Verdict } from './property.js';

/** values in any order; vectors with COLUMN j the eigenvector of values[j] (n×n, rows or flat). */
export interface EigOutput {
  values: ArrayLike<number>;
  vectors?: MatrixLike;
}

export type EigFunction = (rows: number[][], flat: Dense) => EigOutput;

export interface EigSuiteOptions {
  /** The implementation returns eigenvectors (default true). */
  vectors?: boolean;
  /** The order it claims for values, checked only when given ('ascending-magnitude': by |λ|, as mathjs' eigs). */
  order?: 'ascending' | 'descending' | 'ascending-magnitude';
  /** Largest n drawn (default 12). */
  maxDim?: number;
  /** The c of c·n·ε (default 10). */
  c?: number;
  timeLimitMs?: number;
}

export function eigProperties(eig: EigFunction, options: EigSuiteOptions = {}): SpectralProperty<TestMatrix>[] {
  const o = { vectors: true, maxDim: 12, c: 10, timeLimitMs: 2000, ...options };
  const inputs = fc.oneof(
    symmetricWithEigenvalues({ maxDim: o.maxDim }),
    symmetricWithEigenvalues({ maxDim: o.maxDim, definiteness: 'positive' }),
    symmetricWithEigenvalues({ maxDim: o.maxDim, definiteness: 'indefinite' }),
  );
  const cne = (a: Dense) => o.c * a.rows * EPS_F64;
  const run = (a: Dense): { values: number[]; V?: Dense } | string => {
    const r = callTimed('eig', () => eig(toRows(a), { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data) }), o.timeLimitMs);
    if (!r.ok) return r.reason;
    const out = r.value as Partial<EigOutput> | undefined;
    if (!out || typeof out !== 'object' || !out.values) return `eig returned ${describeValue(out)}, not {values, vectors?}`;
    const values = Array.from(out.values as ArrayLike<number>, Number);
    if (values.length !== a.rows) return `eig returned ${values.length} eigenvalues for a ${a.rows}×${a.rows} matrix`;
    const bad = values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return `λ[${bad}] = ${values[bad]} is not finite`;
    if (!o.vectors) return { values };
    let V: Dense;
    try {
      V = toDense(out.vectors, 'vectors');
    } catch (e) {
      return (e as Error).message;
    }
    if (V.rows !== a.rows || V.cols !== a.rows) return `vectors are ${V.rows}×${V.cols}; expected ${a.rows}×${a.rows} (column j = eigenvector of values[j])`;
    const i = V.data.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) return `vectors[${Math.floor(i / V.cols)}][${i % V.cols}] = ${V.data[i]} is not finite`;
    return { values, V };
  };
  const normA = (t: TestMatrix) => Math.max(...t.eigenvalues!.map(Math.abs), 0);

  const props: SpectralProperty<TestMatrix>[] = [
    makeProperty('eig.shape', 'returns n finite eigenvalues (and an n×n finite vector matrix) for symmetric inputs, n ≥ 1', inputs, ({ a }) => {
      const r = run(a);
      return typeof r === 'string' ? { broken: r } : { measured: 0, bound: 0, quantity: 'well-formed', boundText: '0' };
    }),
  ];
  if (o.order) {
    const sign = o.order === 'descending' ? 1 : -1;
    const key = o.order === 'ascending-magnitude' ? Math.abs : (x: number) => x;
    props.push(
      makeProperty('eig.order', `values come ${o.order} exactly`, inputs, ({ a }) => {
        const r = run(a);
        if (typeof r === 'string') return { broken: r };
        let measured = 0;
        for (let i = 1; i < r.values.length; i++) measured = Math.max(measured, sign * (key(r.values[i]) - key(r.values[i - 1])));
        return { measured, bound: 0, quantity: `largest step against the ${o.order} order in ${JSON.stringify(r.values)}`, boundText: '0' };
      }),
    );
  }
  props.push(
    makeProperty('eig.values', 'known λ (definite, indefinite, repeated): |λ̂ᵢ − λᵢ| ≤ c·n·ε·‖A‖₂ after sorting (Weyl)', inputs, (t) => {
      const r = run(t.a);
      if (typeof r === 'string') return { broken: r };
      const got = [...r.values].sort((x, y) => y - x);
      let measured = 0, at = 0;
      t.eigenvalues!.forEach((l, i) => {
        const e = Math.abs(got[i] - l);
        if (e > measured) [measured, at] = [e, i];
      });
      return { measured, bound: cne(t.a) * normA(t), quantity: `max |λ̂ᵢ − λᵢ| (at i = ${at}: λ̂ = ${fmt(got[at])}, λ = ${fmt(t.eigenvalues![at])})`, boundText: `${o.c}·n·ε·‖A‖₂` };
    }),
  );
  if (o.vectors) {
    props.push(
      makeProperty('eig.residual', 'every pair: ‖A·vⱼ − λⱼ·vⱼ‖₂ ≤ c·n·ε·‖A‖₂ and |‖vⱼ‖ − 1| ≤ c·n·ε', inputs, (t) => {
        const r = run(t.a);
        if (typeof r === 'string') return { broken: r };
        const { a } = t;
        const n = a.rows;
        const scale = normA(t) || maxAbs(a.data) || 1;
        let measured = 0, at = 0, unit = 0;
        for (let j = 0; j < n; j++) {
          const v = Array.from({ length: n }, (_, i) => r.V!.data[i * n + j]);
          const res = new Array<number>(n).fill(0);
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let p = 0; p < n; p++) s += a.data[i * n + p] * v[p];
            res[i] = s - r.values[j] * v[i];
          }
          // unit-norm failure counts in units of ‖A‖ so one ratio covers both
          const e = norm2(res);
          unit = Math.max(unit, Math.abs(norm2(v) - 1));
          if (e > measured) [measured, at] = [e, j];
        }
        const m = Math.max(measured, unit * scale);
        return { measured: m, bound: cne(a) * scale, quantity: `max ‖A·vⱼ − λⱼ·vⱼ‖ (worst j = ${at}: ${fmt(measured)}; max |‖vⱼ‖ − 1| = ${fmt(unit)} × ‖A‖)`, boundText: `${o.c}·n·ε·‖A‖₂` };
      }),
      makeProperty('eig.orthogonality', '|VᵀV − I| ≤ c·n·ε, including within repeated eigenvalues', inputs, ({ a }) => {
        const r = run(a);
        if (typeof r === 'string') return { broken: r };
        const e = orthogonalityError(r.V!);
        return { measured: e, bound: cne(a), quantity: 'max |VᵀV − I|', boundText: `${o.c}·n·ε` };
      }),
    );
  }
  return props;
}

/** What a Lanczos-type solver is given: the operator (matrix-free) and, for convenience, the matrix itself. */
export interface SymmetricOperatorInput {
  readonly size: number;
  /** out ← A·v. */
  apply(v: Float64Array, out: Float64Array): void;
  readonly rows: number[][];
}

export interface LanczosOutput {
  /** The k largest (algebraic) eigenvalue estimates, descending. */
  values: ArrayLike<number>;
  /** Optional Ritz vectors, one per value. */
  vectors?: ArrayLike<ArrayLike<number>>;
}

export type LanczosFunction = (op: SymmetricOperatorInput, k: number) => LanczosOutput;

export interface LanczosSuiteOptions {
  /** Relative accuracy claimed for converged values: |θᵢ − λᵢ| ≤ tol·‖A‖₂ (default 1e-8). */
  tol?: number;
  /** The solver returns Ritz vectors (adds lanczos.residual; default false). */
  vectors?: boolean;
  /** Residual claimed for Ritz pairs: ‖A·y − θ·y‖ ≤ residualTol·‖A‖₂ (default √tol). */
  residualTol?: number;
  /** It claims to find a repeated top eigenvalue with its multiplicity (block or restarted Lanczos). */
  multiplicity?: boolean;
  /** Largest k asked for (default 3). */
  maxK?: number;
  maxDim?: number;
  c?: number;
  timeLimitMs?: number;
}

export function lanczosProperties(solve: LanczosFunction, options: LanczosSuiteOptions = {}): SpectralProperty<{ t: TestMatrix; k: number }>[] {
  const o = { tol: 1e-8, vectors: false, multiplicity: false, maxK: 3, maxDim: 30, c: 10, timeLimitMs: 5000, ...options };
  const residualTol = o.residualTol ?? Math.sqrt(o.tol);
  type In = { t: TestMatrix; k: number };
  const withK = (arb: fc.Arbitrary<TestMatrix>) => arb.chain((t) => fc.integer({ min: 1, max: Math.min(o.maxK, t.a.rows) }).map((k) => ({ t, k })));
  const describe = ({ t, k }: In) => `k = ${k} on a ${t.a.rows}×${t.a.rows} '${t.kind}' matrix\nA = ${JSON.stringify(toRows(t.a))}\nknown λ = ${JSON.stringify(t.eigenvalues)}`;
  const run = (t: TestMatrix, k: number): { values: number[]; vectors?: number[][] } | string => {
    const a = t.a;
    const n = a.rows;
    const op: SymmetricOperatorInput = {
      size: n,
      rows: toRows(a),
      apply(v, out) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += a.data[i * n + j] * v[j];
          out[i] = s;
        }
      },
    };
    const r = callTimed('lanczos', () => solve(op, k), o.timeLimitMs);
    if (!r.ok) return r.reason;
    const out = r.value as Partial<LanczosOutput> | undefined;
    if (!out || !out.values) return `lanczos returned ${describeValue(out)}, not {values, vectors?}`;
    const values = Array.from(out.values as ArrayLike<number>, Number);
    if (values.length !== k) return `lanczos returned ${values.length} values for k = ${k}`;
    const bad = values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return `θ[${bad}] = ${values[bad]} is not finite`;
    for (let i = 1; i < k; i++) if (values[i] > values[i - 1]) return `values are not descending: ${JSON.stringify(values)}`;
    if (!o.vectors) return { values };
    if (!out.vectors || out.vectors.length !== k) return `expected ${k} Ritz vectors, got ${describeValue(out.vectors)}`;
    const vectors = Array.from(out.vectors, (v) => Array.from(v, Number));
    if (vectors.some((v) => v.length !== n || v.some((x) => !Number.isFinite(x)))) return `a Ritz vector is not ${n} finite numbers`;
    return { values, vectors };
  };
  const normA = (t: TestMatrix) => Math.max(...t.eigenvalues!.map(Math.abs), 0) || 1;
  const anySpectrum = withK(symmetricWithEigenvalues({ minDim: 1, maxDim: o.maxDim }));
  const gapped = withK(symmetricGapped({ minDim: 1, maxDim: o.maxDim }));

  const props: SpectralProperty<In>[] = [
    makeProperty<In>('lanczos.shape', 'returns k finite values, descending (and k Ritz vectors of length n when vectors are claimed)', anySpectrum, ({ t, k }) => {
      const r = run(t, k);
      return typeof r === 'string' ? { broken: r } : { measured: 0, bound: 0, quantity: 'well-formed', boundText: '0' };
    }, describe),
    makeProperty<In>(
      'lanczos.interlacing',
      'Cauchy interlacing, true of every Rayleigh–Ritz value converged or not: λ_min − c·n·ε·‖A‖ ≤ θᵢ ≤ λᵢ + c·n·ε·‖A‖',
      anySpectrum,
      ({ t, k }) => {
        const r = run(t, k);
        if (typeof r === 'string') return { broken: r };
        const lam = t.eigenvalues!;
        let measured = 0, at = 0;
        r.values.forEach((th, i) => {
          const e = Math.max(th - lam[i], lam[lam.length - 1] - th, 0);
          if (e > measured) [measured, at] = [e, i];
        });
        return { measured, bound: o.c * t.a.rows * EPS_F64 * normA(t), quantity: `overshoot of θ past λ (at i = ${at}: θ = ${fmt(r.values[at])}, λ = ${fmt(lam[at])})`, boundText: `${o.c}·n·ε·‖A‖₂` };
      },
      describe,
    ),
    makeProperty<In>('lanczos.top', 'distinct eigenvalues in [−10, 10] with gaps ≥ 0.1: |θᵢ − λᵢ| ≤ tol·‖A‖₂ + c·n·ε·‖A‖₂ for the k largest', gapped, ({ t, k }) => {
      const r = run(t, k);
      if (typeof r === 'string') return { broken: r };
      let measured = 0;
      r.values.forEach((th, i) => (measured = Math.max(measured, Math.abs(th - t.eigenvalues![i]))));
      return { measured, bound: (o.tol + o.c * t.a.rows * EPS_F64) * normA(t), quantity: 'max |θᵢ − λᵢ|', boundText: `(${o.tol} + ${o.c}·n·ε)·‖A‖₂` };
    }, describe),
  ];
  if (o.vectors) {
    props.push(
      makeProperty<In>('lanczos.residual', 'every Ritz pair: ‖A·y − θ·y‖ ≤ residualTol·‖A‖₂ with ‖y‖ = 1 to c·n·ε', gapped, ({ t, k }) => {
        const r = run(t, k);
        if (typeof r === 'string') return { broken: r };
        const n = t.a.rows;
        let measured = 0;
        r.vectors!.forEach((y, i) => {
          const res = Array.from({ length: n }, (_, p) => y.reduce((acc, yj, j) => acc + t.a.data[p * n + j] * yj, 0) - r.values[i] * y[p]);
          measured = Math.max(measured, norm2(res), Math.abs(norm2(y) - 1) > o.c * n * EPS_F64 ? Infinity : 0);
        });
        return { measured, bound: residualTol * normA(t), quantity: 'max ‖A·y − θ·y‖ (∞ when some ‖y‖ ≠ 1)', boundText: `${residualTol.toExponential(1)}·‖A‖₂` };
      }, describe),
    );
  }
  if (o.multiplicity) {
    const repeated = fc
      .tuple(fc.integer({ min: 4, max: Math.max(4, Math.min(o.maxDim, 16)) }), fc.integer({ min: 2, max: o.maxK }))
      .chain(([n, k]) =>
        fc.array(fc.integer({ min: -80, max: 80 }), { minLength: n - k, maxLength: n - k }).chain((rest) =>
          symmetricWithEigenvalues({ eigenvalues: [...Array<number>(k).fill(10), ...rest.map((x) => x / 10)] }).map((t) => ({ t, k })),
        ),
      );
    props.push(
      makeProperty<In>('lanczos.multiplicity', 'a top eigenvalue of multiplicity k is returned k times: |θᵢ − λᵢ| ≤ tol·‖A‖₂', repeated, ({ t, k }) => {
        const r = run(t, k);
        if (typeof r === 'string') return { broken: r };
        let measured = 0;
        r.values.forEach((th, i) => (measured = Math.max(measured, Math.abs(th - t.eigenvalues![i]))));
        return { measured, bound: (o.tol + o.c * t.a.rows * EPS_F64) * normA(t), quantity: `max |θᵢ − λᵢ| with λ₁ = … = λ_k = 10, got ${JSON.stringify(r.values)}`, boundText: `(${o.tol} + ${o.c}·n·ε)·‖A‖₂` };
      }, describe),
    );
  }
  return props;
}

export type { Verdict };
