// fast-check arbitraries for matrices whose spectrum or structure is KNOWN by construction: the oracle is the
// construction itself (U₀·diag(σ)·V₀ᵀ, P·diag(σ)·V₀ᵀ, Q·diag(λ)·Qᵀ), not another solver. Everything random is
// drawn from arbitraries (no Math.random), so a failure shrinks and replays from its seed. Sizes are integers that
// shrink toward their minimum and "decades" are integers that shrink toward 0, so a shrunk counterexample is the
// smallest, least graded matrix that still fails.
import fc from 'fast-check';
import { dense, diag, matmul, orthonormalFrom, signedPermutation, transpose, type Dense } from './dense.js';

export const unit = fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true });

export function entries(count: number): fc.Arbitrary<number[]> {
  return fc.array(unit, { minLength: count, maxLength: count });
}

export const smallDim = fc.integer({ min: 1, max: 24 });

/** Entries uniform in [−1, 1] (fast-check's doubles, including exact 0 and ±1). */
export function randomMatrix(m: number, n: number): fc.Arbitrary<Dense> {
  return entries(m * n).map((d) => dense(m, n, d));
}

/** Orthonormal k×k matrix (a random seed matrix made well-conditioned by adding ±2I before Gram–Schmidt). */
export function orthonormal(k: number): fc.Arbitrary<Dense> {
  return entries(k * k).map((d) => {
    const s = dense(k, k, d);
    for (let i = 0; i < k; i++) s.data[i * k + i] += 2 * (i % 2 === 0 ? 1 : -1);
    return orthonormalFrom(s);
  });
}

/**
 * A test matrix and what is known about it. `sigma` (descending) are the singular values of the construction; how
 * closely they describe the float matrix `a` is `sigmaAccuracy`: 'relative' when each σᵢ holds to a few ulps·n of
 * itself (diagonal and signed-permutation constructions), 'absolute' when only to ~n·ε·σ₁ (a dense U₀ΣV₀ᵀ, whose
 * entries are rounded, moves small σ by ε·σ₁). `eigenvalues` (descending) likewise for symmetric constructions.
 */
export interface TestMatrix {
  kind: string;
  a: Dense;
  sigma?: number[];
  sigmaAccuracy?: 'relative' | 'absolute';
  eigenvalues?: number[];
}

/** Kept for condlab's own tests: the generic-kind draw. */
export type LabelledMatrix = TestMatrix;

export interface ShapeOptions {
  minDim?: number;
  maxDim?: number;
  /** 'any' (default: square, tall, wide, 1×n, m×1), 'square', 'tall' (m ≥ n), 'wide' (m ≤ n). */
  shape?: 'any' | 'square' | 'tall' | 'wide';
}

/** [m, n] within the options; shrinks toward the smallest sizes. */
export function shapeArb(o: ShapeOptions = {}): fc.Arbitrary<[number, number]> {
  const lo = o.minDim ?? 1;
  const hi = o.maxDim ?? 16;
  const dim = fc.integer({ min: lo, max: hi });
  switch (o.shape ?? 'any') {
    case 'square':
      return dim.map((n) => [n, n] as [number, number]);
    case 'tall':
      return fc.tuple(dim, dim).map(([a, b]) => [Math.max(a, b), Math.min(a, b)] as [number, number]);
    case 'wide':
      return fc.tuple(dim, dim).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
    default:
      return fc.oneof(
        { weight: 6, arbitrary: fc.tuple(dim, dim) },
        // the edge shapes get drawn on purpose, not by luck
        { weight: 1, arbitrary: dim.map((n) => [1, n] as [number, number]) },
        { weight: 1, arbitrary: dim.map((m) => [m, 1] as [number, number]) },
      );
  }
}

export interface SpectrumOptions {
  /** σ₁/σ_k spans this many decades (integer; shrinks toward 0). Default 0..8. */
  maxDecades?: number;
  minDecades?: number;
}

/**
 * k singular values, descending, σ₁ = 1, log-spaced over a drawn integer number of decades with jitter (so they are
 * distinct unless decades = 0, where they are all 1).
 */
export function spectrum(k: number, o: SpectrumOptions = {}): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.integer({ min: o.minDecades ?? 0, max: o.maxDecades ?? 8 }), fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { minLength: k, maxLength: k }))
    .map(([decades, jitter]) => {
      if (k === 1) return [1];
      const s = jitter.map((j, i) => (i === 0 ? 1 : 10 ** (-(decades * (i + j * (i < k - 1 ? 1 : 0))) / (k - 1))));
      return s.sort((x, y) => y - x);
    });
}

/** U₀·diag(σ)·V₀ᵀ in an m×n matrix for orthonormal U₀ (m×m), V₀ (n×n). */
function compose(u0: Dense, sigma: number[], v0: Dense): Dense {
  return matmul(matmul(u0, diag(u0.rows, v0.rows, sigma)), transpose(v0));
}

export interface WithSpectrumOptions extends ShapeOptions, SpectrumOptions {
  /** Fixed σ (any order, ≥ 0; sorted for you), or an arbitrary of them; its length is min(m, n). */
  sigma?: number[] | ((k: number) => fc.Arbitrary<number[]>);
}

/**
 * A = U₀·diag(σ)·V₀ᵀ with random orthonormal U₀, V₀ drawn from the arbitrary, σ given or drawn (`spectrum`).
 * σ are A's singular values to ~n·ε·σ₁ absolute (rounding of the product).
 */
export function matrixWithSpectrum(o: WithSpectrumOptions = {}): fc.Arbitrary<TestMatrix> {
  const fixed = Array.isArray(o.sigma) ? [...o.sigma].sort((x, y) => y - x) : undefined;
  const shapes: fc.Arbitrary<[number, number]> = fixed
    ? fc.tuple(fc.integer({ min: 0, max: Math.max(0, (o.maxDim ?? fixed.length + 4) - fixed.length) }), fc.boolean()).map(([extra, tall]) =>
        (tall ? [fixed.length + extra, fixed.length] : [fixed.length, fixed.length + extra]) as [number, number])
    : shapeArb(o);
  const draw = typeof o.sigma === 'function' ? o.sigma : (k: number) => spectrum(k, o);
  return shapes.chain(([m, n]) => {
    const k = Math.min(m, n);
    return fc.tuple(orthonormal(m), fixed ? fc.constant(fixed) : draw(k), orthonormal(n)).map(([u0, s, v0]) => {
      const sigma = [...s].sort((x, y) => y - x);
      return { kind: 'withSpectrum', a: compose(u0, sigma, v0), sigma, sigmaAccuracy: 'absolute' as const };
    });
  });
}

/** Rank r < min(m, n): U₀·diag(σ₁…σ_r, 0…0)·V₀ᵀ (r may be 0: the zero matrix). */
export function rankDeficient(o: ShapeOptions = {}): fc.Arbitrary<TestMatrix> {
  return shapeArb({ ...o, minDim: Math.max(2, o.minDim ?? 2) }).chain(([m, n]) => {
    const k = Math.min(m, n);
    return fc.integer({ min: 0, max: Math.max(0, k - 1) }).chain((r) =>
      fc.tuple(orthonormal(m), spectrum(Math.max(r, 1), { maxDecades: 4 }), orthonormal(n)).map(([u0, s, v0]) => {
        const sigma = Array.from({ length: k }, (_, i) => (i < r ? s[i] : 0));
        return { kind: `rank${r}`, a: compose(u0, sigma, v0), sigma, sigmaAccuracy: 'absolute' as const };
      }),
    );
  });
}

/**
 * Clustered σ: a few cluster centres, members within a relative spread of 10^−d (d drawn 4..14), the hard case for
 * vectors (they are ill-determined within a cluster) but not for values.
 */
export function clusteredSpectrum(o: ShapeOptions = {}): fc.Arbitrary<TestMatrix> {
  return matrixWithSpectrum({
    ...o,
    sigma: (k) =>
      fc
        .tuple(fc.integer({ min: 1, max: Math.max(1, Math.min(3, k)) }), fc.integer({ min: 4, max: 14 }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: k, maxLength: k }))
        .map(([clusters, d, jit]) => jit.map((j, i) => (1 / (1 + (i % clusters))) * (1 + j * 10 ** -d))),
  }).map((t) => ({ ...t, kind: 'clustered' }));
}

/** Exactly repeated σ: each value one of two levels (3 and 0.5), multiplicities drawn. */
export function repeatedSpectrum(o: ShapeOptions = {}): fc.Arbitrary<TestMatrix> {
  return matrixWithSpectrum({
    ...o,
    sigma: (k) => fc.integer({ min: 0, max: k }).map((split) => Array.from({ length: k }, (_, i) => (i < split ? 3 : 0.5))),
  }).map((t) => ({ ...t, kind: 'repeated' }));
}

/** Near-singular: σ = 1, …, 1, 10^−d with d drawn 6..15 (σ_min known only to ~n·ε absolute). */
export function nearSingular(o: ShapeOptions = {}): fc.Arbitrary<TestMatrix> {
  return matrixWithSpectrum({
    ...o,
    minDim: Math.max(2, o.minDim ?? 2),
    sigma: (k) => fc.integer({ min: 6, max: 15 }).map((d) => Array.from({ length: k }, (_, i) => (i === k - 1 ? 10 ** -d : 1))),
  }).map((t) => ({ ...t, kind: 'nearSingular' }));
}

export interface GradedOptions extends ShapeOptions {
  /** 'row', 'column' or 'two-sided' grading. Default: drawn. */
  side?: 'row' | 'column' | 'two-sided';
  /** Decades the grading spans (integer, shrinks toward minDecades). Default 0..12. */
  minDecades?: number;
  maxDecades?: number;
}

/**
 * Graded square matrices with σ known to RELATIVE accuracy: row-graded P·diag(σ)·V₀ᵀ or column-graded
 * V₀·diag(σ)·P with P a signed permutation, so every entry is one rounding from exact and A's own σ are the
 * construction's to a few ulps·n each. A method that claims relative accuracy (one-sided Jacobi) must find even the
 * smallest to that accuracy; a backward-stable-only one (bidiagonalisation) need only get them to ε·σ₁.
 * 'two-sided' is D₁·B·D₂ with a random B: σ unknown (use the reference oracle).
 */
export function graded(o: GradedOptions = {}): fc.Arbitrary<TestMatrix> {
  const side = o.side ? fc.constant(o.side) : fc.constantFrom<'row' | 'column' | 'two-sided'>('row', 'column', 'two-sided');
  return fc
    .tuple(fc.integer({ min: Math.max(2, o.minDim ?? 2), max: o.maxDim ?? 16 }), side, fc.integer({ min: o.minDecades ?? 0, max: o.maxDecades ?? 12 }))
    .chain(([n, s, decades]) => {
      if (s === 'two-sided') {
        return randomMatrix(n, n).map((b) => {
          const a = dense(n, n, b.data);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.data[i * n + j] *= 10 ** (-(decades * (i + j)) / (2 * (n - 1)));
          return { kind: `graded-two-sided-${decades}`, a } as TestMatrix;
        });
      }
      return fc
        .tuple(
          orthonormal(n),
          fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
          fc.array(fc.constantFrom(-1, 1), { minLength: n, maxLength: n }),
          fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { minLength: n, maxLength: n }),
        )
        .map(([v0, perm, sign, jitter]) => {
          const sigma = Array.from({ length: n }, (_, i) => 10 ** (-(decades * (i + (i > 0 && i < n - 1 ? jitter[i] : 0))) / (n - 1)));
          const p = signedPermutation(perm, sign);
          const core = diag(n, n, sigma);
          const a = s === 'row' ? matmul(matmul(p, core), transpose(v0)) : matmul(matmul(v0, core), p);
          return { kind: `graded-${s}-${decades}`, a, sigma: [...sigma].sort((x, y) => y - x), sigmaAccuracy: 'relative' as const };
        });
    });
}

/**
 * Kahan's matrix: diag(1, s, …, s^{n−1})·(I − c·strictly-upper ones), c = cos θ, s = sin θ. Upper triangular,
 * row-graded, with one σ far smaller than its diagonal suggests — the classic counterexample to rank-revealing QR.
 * σ unknown in closed form: check against the reference oracle.
 */
export function kahan(o: { minDim?: number; maxDim?: number } = {}): fc.Arbitrary<TestMatrix> {
  return fc.tuple(fc.integer({ min: Math.max(2, o.minDim ?? 2), max: o.maxDim ?? 16 }), fc.double({ min: 0.3, max: 1.3, noNaN: true })).map(([n, theta]) => ({
    kind: `kahan(θ=${theta.toPrecision(3)})`,
    a: kahanMatrix(n, theta),
  }));
}

export function kahanMatrix(n: number, theta: number): Dense {
  const c = Math.cos(theta), s = Math.sin(theta);
  const a = dense(n, n);
  for (let i = 0; i < n; i++) {
    const si = s ** i;
    a.data[i * n + i] = si;
    for (let j = i + 1; j < n; j++) a.data[i * n + j] = -c * si;
  }
  return a;
}

/** Exact zeros: the zero matrix, or a random matrix with whole rows and columns zeroed. */
export function withZeros(o: ShapeOptions = {}): fc.Arbitrary<TestMatrix> {
  return shapeArb(o).chain(([m, n]) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant({ kind: 'zero', a: dense(m, n), sigma: new Array<number>(Math.min(m, n)).fill(0), sigmaAccuracy: 'relative' as const } as TestMatrix) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(randomMatrix(m, n), fc.array(fc.boolean(), { minLength: m, maxLength: m }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
          .map(([a, zr, zc]) => {
            const out = dense(m, n, a.data);
            for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (zr[i] || zc[j]) out.data[i * n + j] = 0;
            return { kind: 'zeroLines', a: out } as TestMatrix;
          }),
      },
    ),
  );
}

/**
 * Multiplies a drawn matrix by 2^e, e in [minExp, maxExp]: exact unless entries fall into the subnormal range, so σ
 * scale by exactly 2^e (and keep their accuracy label only when no entry went subnormal).
 */
export function scaledBy(arb: fc.Arbitrary<TestMatrix>, minExp: number, maxExp: number): fc.Arbitrary<TestMatrix> {
  return fc.tuple(arb, fc.integer({ min: minExp, max: maxExp })).map(([t, e]) => {
    const s = 2 ** e;
    const data = t.a.data.map((x) => x * s);
    const lostBits = data.some((x, i) => x / s !== t.a.data[i] || (x !== 0 && Math.abs(x) < 2 ** -1022));
    return {
      kind: `${t.kind}·2^${e}`,
      a: dense(t.a.rows, t.a.cols, data),
      sigma: t.sigma?.map((x) => x * s),
      sigmaAccuracy: lostBits ? undefined : t.sigmaAccuracy,
      eigenvalues: t.eigenvalues?.map((x) => x * s),
    };
  });
}

/** Entries near the overflow threshold: σ₁ up to ~2^1000·n, where forming AᵀA or Σaᵢⱼ² naively overflows. */
export function hugeScale(arb: fc.Arbitrary<TestMatrix> = matrixWithSpectrum({ maxDim: 8 })): fc.Arbitrary<TestMatrix> {
  return scaledBy(arb, 960, 1010);
}

/** Entries near and below 2^−1022, where squaring underflows to zero and subnormals carry fewer bits. */
export function subnormalScale(arb: fc.Arbitrary<TestMatrix> = matrixWithSpectrum({ maxDim: 8 })): fc.Arbitrary<TestMatrix> {
  return scaledBy(arb, -1060, -1000);
}

/** The generic kinds anyMatrix mixes (σ unknown except for 'repeated'). */
export type MatrixKind = 'random' | 'scaled' | 'gradedRows' | 'gradedCols' | 'rankDeficient' | 'zeroLines' | 'repeated';

function kindArb(kind: MatrixKind, m: number, n: number): fc.Arbitrary<TestMatrix> {
  const k = Math.min(m, n);
  switch (kind) {
    case 'random':
      return randomMatrix(m, n).map((a) => ({ kind, a }));
    case 'scaled':
      return fc.tuple(randomMatrix(m, n), fc.integer({ min: -900, max: 900 })).map(([a, e]) => {
        const s = 2 ** e;
        return { kind, a: dense(m, n, a.data.map((x) => x * s)) };
      });
    case 'gradedRows':
    case 'gradedCols':
      // random entries graded by a drawn (real) number of decades along rows or columns: σ unknown
      return fc.tuple(randomMatrix(m, n), fc.integer({ min: 0, max: 12 })).map(([a, decades]) => {
        const out = dense(m, n, a.data);
        const lines = kind === 'gradedRows' ? m : n;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            const line = kind === 'gradedRows' ? i : j;
            out.data[i * n + j] *= 10 ** (-(decades * line) / Math.max(1, lines - 1));
          }
        return { kind, a: out };
      });
    case 'rankDeficient':
      // B·C with inner dimension r < k: σ_{r+1..k} vanish in exact arithmetic
      return fc
        .integer({ min: 0, max: Math.max(0, k - 1) })
        .chain((r) => fc.tuple(fc.constant(r), randomMatrix(m, Math.max(r, 1)), randomMatrix(Math.max(r, 1), n)))
        .map(([r, b, c]) => ({ kind: `rankDeficient${r}`, a: r === 0 ? dense(m, n) : matmul(b, c) }));
    case 'zeroLines':
      return fc
        .tuple(randomMatrix(m, n), fc.array(fc.boolean(), { minLength: m, maxLength: m }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
        .map(([a, zr, zc]) => {
          const out = dense(m, n, a.data);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (zr[i] || zc[j]) out.data[i * n + j] = 0;
          return { kind, a: out };
        });
    case 'repeated':
      return fc.tuple(orthonormal(m), orthonormal(n), fc.integer({ min: 0, max: k })).map(([u0, v0, split]) => {
        const sigma = Array.from({ length: k }, (_, i) => (i < split ? 3 : 0.5));
        return { kind, a: compose(u0, sigma, v0), sigma, sigmaAccuracy: 'absolute' as const };
      });
  }
}

const KINDS: MatrixKind[] = ['random', 'scaled', 'gradedRows', 'gradedCols', 'rankDeficient', 'zeroLines', 'repeated'];

/** Any of the generic kinds, at shapes from 1×1 to maxDim×maxDim including 1×n, m×1 and very unequal ones. */
export function anyMatrix(maxDim = 24, o: Pick<ShapeOptions, 'shape'> = {}): fc.Arbitrary<TestMatrix> {
  return fc
    .tuple(shapeArb({ maxDim, shape: o.shape }), fc.constantFrom(...KINDS))
    .chain(([[m, n], kind]) => kindArb(kind, m, n));
}

/** Every family with known σ (absolute or relative), mixed: the input of value-accuracy properties. */
export function knownSpectrum(o: ShapeOptions = {}): fc.Arbitrary<TestMatrix> {
  return fc.oneof(
    matrixWithSpectrum(o),
    rankDeficient(o),
    clusteredSpectrum(o),
    repeatedSpectrum(o),
    nearSingular(o),
    withZeros(o).filter((t) => t.sigma !== undefined),
  );
}

export interface SymmetricOptions {
  minDim?: number;
  maxDim?: number;
  /** 'positive' definite, 'indefinite' (both signs, some zero allowed) or 'any' (default). */
  definiteness?: 'positive' | 'indefinite' | 'any';
  /** Fixed eigenvalues (length = n), or drawn. */
  eigenvalues?: number[];
}

/**
 * Symmetric Q·diag(λ)·Qᵀ (rounding symmetrised, so it is exactly symmetric) with known eigenvalues λ (descending)
 * to ~n·ε·max|λ|. Drawn λ are integer multiples of 1/8 in [−16, 16] (exactly representable; repeats happen, and
 * shrink toward 0), positive ones in [1/8, 16] for 'positive'.
 */
export function symmetricWithEigenvalues(o: SymmetricOptions = {}): fc.Arbitrary<TestMatrix> {
  const dims = o.eigenvalues ? fc.constant(o.eigenvalues.length) : fc.integer({ min: o.minDim ?? 1, max: o.maxDim ?? 12 });
  return dims.chain((n) => {
    const lamArb = o.eigenvalues
      ? fc.constant(o.eigenvalues)
      : o.definiteness === 'positive'
        ? fc.array(fc.integer({ min: 1, max: 128 }), { minLength: n, maxLength: n }).map((xs) => xs.map((x) => x / 8))
        : fc.array(fc.integer({ min: -128, max: 128 }), { minLength: n, maxLength: n }).map((xs) => {
            const l = xs.map((x) => x / 8);
            // 'indefinite' forces both signs when n ≥ 2
            if (o.definiteness === 'indefinite' && n >= 2) {
              l[0] = Math.abs(l[0]) || 1;
              l[n - 1] = -Math.abs(l[n - 1]) || -1;
            }
            return l;
          });
    return fc.tuple(orthonormal(n), lamArb).map(([q, lam]) => {
      const h = matmul(matmul(q, diag(n, n, lam)), transpose(q));
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) h.data[i * n + j] = h.data[j * n + i];
      const sorted = [...lam].sort((x, y) => y - x);
      const kind = sorted[n - 1] > 0 ? 'symmetric-positive' : sorted[0] < 0 ? 'symmetric-negative' : 'symmetric-indefinite';
      return { kind, a: h, eigenvalues: sorted };
    });
  });
}

/** Symmetric with distinct eigenvalues (gap ≥ 0.1) in [−10, 10]: what single-vector Lanczos can resolve. */
export function symmetricGapped(o: { minDim?: number; maxDim?: number } = {}): fc.Arbitrary<TestMatrix> {
  return fc.integer({ min: o.minDim ?? 1, max: o.maxDim ?? 16 }).chain((n) =>
    fc
      .uniqueArray(fc.integer({ min: -100, max: 100 }), { minLength: n, maxLength: n })
      .chain((xs) => symmetricWithEigenvalues({ eigenvalues: xs.map((x) => x / 10) })),
  );
}
