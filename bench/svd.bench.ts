// SVD time at n = 32…512: condlab (with and without vectors) against ml-matrix (JS) and numpy/LAPACK gesdd with one
// thread, all on the same matrices in one run, plus σ_min relative accuracy on a graded matrix; and the values-only
// fast path (method 'bidiag': bidiagonalisation + dqds) against gesdd(compute_uv=False) at n = 256…2048. Checksums
// (the singular values) are compared across peers so a fast wrong kernel cannot win. The load average is recorded
// at start and end: the machine is shared, and only ratios from one run mean anything.
import { loadavg } from 'node:os';
import b from 'benny';
import { SingularValueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { Engine } from '../src/engine/index.js';
import { internals } from '../src/engine/internal.js';
import { numpySubprocess, type PeerStatus } from './peers.js';

export interface SvdBenchRow {
  n: number;
  condlabMs: number;
  condlabValuesMs: number;
  condlabSweeps: number;
  mlMatrixMs: number | null;
  numpyMs: number | null;
  numpyValuesMs: number | null;
  /** max_i |σᵢ − σᵢ(numpy)| / σ₁ */
  maxSigmaDiffVsNumpy: number | null;
  maxSigmaDiffVsMlMatrix: number | null;
}

/** Values only: condlab's bidiagonal path against gesdd(compute_uv=False). Target (issue 19): ratio ≤ 2. */
export interface SvdValuesRow {
  n: number;
  bidiagMs: number;
  numpyValuesMs: number | null;
  /** bidiagMs / numpyValuesMs */
  ratio: number | null;
  /** max_i |σᵢ − σᵢ(numpy)| / σ₁ */
  maxSigmaDiffVsNumpy: number | null;
}

export interface SvdBenchResult {
  sizes: number[];
  rows: SvdBenchRow[];
  valuesSizes: number[];
  values: SvdValuesRow[];
  /** 1-minute load average at start and end of the run (2 cores shared with other developers) */
  load: { start: number; end: number };
  graded: { n: number; decades: number; condlab: number; numpy: number | null; mlMatrix: number };
  numpy: PeerStatus;
}

function medianOf(result: { details: { median: number } }): number {
  return result.details.median * 1e3;
}

/** Benny's per-case result, run with a small time budget so the whole bench stays in minutes. */
async function timeCases(name: string, cases: Record<string, () => void>, maxTime: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const summary = await b.suite(
    name,
    ...Object.entries(cases).map(([k, fn]) => b.add(k, fn, { maxTime, minSamples: 3 })),
    b.cycle(() => undefined),
  );
  for (const r of summary.results) out[r.name] = medianOf(r);
  return out;
}

/** Rows σ₀ᵢ·vᵢᵀ in a signed-permuted order: σ(A) = σ₀ to a few ulps, spanning `decades` orders of magnitude. */
function gradedMatrix(engine: Engine, n: number, decades: number): { a: Float64Array; sigma: number[] } {
  return engine.scope(() => {
    const g = engine.rng(2024).normalMatrix(n, n);
    const { U: q } = engine.svd(g); // orthonormal
    const qa = q!.toArray();
    const sigma = Array.from({ length: n }, (_, i) => 10 ** (-(decades * i) / (n - 1)));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const row = (i * 7) % n; // a fixed permutation (7 is coprime with the sizes we use)
      for (let j = 0; j < n; j++) a[row * n + j] = (i % 2 ? -1 : 1) * sigma[i] * qa[j * n + i];
    }
    return { a, sigma };
  });
}

export async function runSvdBench(
  opts: { sizes?: number[]; valuesSizes?: number[]; maxTime?: number; quiet?: boolean } = {},
): Promise<SvdBenchResult> {
  const loadStart = loadavg()[0];
  const sizes = opts.sizes ?? [32, 64, 128, 256, 512];
  const valuesSizes = opts.valuesSizes ?? [256, 512, 1024, 2048];
  const maxTime = opts.maxTime ?? 1.5;
  const engine = await Engine.load();
  const rows: SvdBenchRow[] = [];
  const matrices = sizes.map((n) => engine.scope(() => engine.rng(7, n).normalMatrix(n, n).toArray()));
  const valuesMatrices = valuesSizes.map((n) => engine.scope(() => engine.rng(11, n).normalMatrix(n, n).toArray()));
  const graded = gradedMatrix(engine, 128, 12);
  const np = numpySubprocess<{ cases: { n: number; vectors: boolean; medianMs: number; sigma: number[]; set?: string }[]; graded: number[] }>(
    'bench/numpy_svd.py',
    {
      reps: 15,
      cases: [
        ...sizes.flatMap((n, i) => [true, false].map((vectors) => ({ n, vectors, a: Array.from(matrices[i]) }))),
        ...valuesSizes.map((n, i) => ({ n, vectors: false, set: 'values', a: Array.from(valuesMatrices[i]) })),
      ],
      graded: [{ n: 128, a: Array.from(graded.a), sigma: graded.sigma }],
    },
  );

  for (const [i, n] of sizes.entries()) {
    const A = engine.matrix(n, n, matrices[i]);
    const ml = new MlMatrix(n, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) ml.set(r, c, matrices[i][r * n + c]);
    let sweeps = 0;
    const cases: Record<string, () => void> = {
      condlab: () => engine.scope(() => void (sweeps = engine.svd(A).sweeps)),
      'condlab values only': () => engine.scope(() => void engine.svd(A, { vectors: false })),
    };
    const runMl = n <= 256; // ml-matrix at 512 takes tens of seconds per call
    if (runMl) cases['ml-matrix'] = () => void new SingularValueDecomposition(ml);
    const t = await timeCases(`svd n=${n}`, cases, n >= 256 ? maxTime * 2 : maxTime);
    const ours = engine.scope(() => engine.svd(A, { vectors: false }).s.toArray());
    const mlS = runMl ? new SingularValueDecomposition(ml, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal : null;
    const npCase = np.ok ? np.value.cases.find((c) => c.n === n && c.vectors) : undefined;
    const npValues = np.ok ? np.value.cases.find((c) => c.n === n && !c.vectors && c.set !== 'values') : undefined;
    const diff = (other: ArrayLike<number> | null | undefined) =>
      other ? Math.max(...Array.from(ours, (x, k) => Math.abs(x - other[k]))) / ours[0] : null;
    rows.push({
      n,
      condlabMs: t.condlab,
      condlabValuesMs: t['condlab values only'],
      condlabSweeps: sweeps,
      mlMatrixMs: runMl ? t['ml-matrix'] : null,
      numpyMs: npCase?.medianMs ?? null,
      numpyValuesMs: npValues?.medianMs ?? null,
      maxSigmaDiffVsNumpy: diff(npCase?.sigma),
      maxSigmaDiffVsMlMatrix: diff(mlS),
    });
    A.free();
    if (!opts.quiet) console.log(rows[rows.length - 1]);
  }

  const values: SvdValuesRow[] = [];
  for (const [i, n] of valuesSizes.entries()) {
    const A = engine.matrix(n, n, valuesMatrices[i]);
    // a few seconds per case at most: n = 2048 takes seconds per call
    const t = await timeCases(`svd values n=${n}`, {
      bidiag: () => engine.scope(() => void engine.svd(A, { vectors: false, method: 'bidiag' })),
    }, n >= 1024 ? maxTime * 4 : maxTime * 2);
    const ours = engine.scope(() => engine.svd(A, { vectors: false, method: 'bidiag' }).s.toArray());
    A.free();
    const npv = np.ok ? np.value.cases.find((c) => c.n === n && c.set === 'values') : undefined;
    values.push({
      n,
      bidiagMs: t.bidiag,
      numpyValuesMs: npv?.medianMs ?? null,
      ratio: npv ? t.bidiag / npv.medianMs : null,
      maxSigmaDiffVsNumpy: npv ? Math.max(...Array.from(ours, (x, k) => Math.abs(x - npv.sigma[k]))) / npv.sigma[0] : null,
    });
    if (!opts.quiet) console.log(values[values.length - 1]);
  }

  const gA = engine.matrix(128, 128, graded.a);
  const gS = engine.scope(() => engine.svd(gA, { vectors: false }).s.toArray());
  gA.free();
  const gMl = new SingularValueDecomposition(new MlMatrix(Array.from({ length: 128 }, (_, r) => Array.from(graded.a.subarray(r * 128, r * 128 + 128)))), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  }).diagonal;
  const rel = (x: number) => Math.abs(x - graded.sigma[127]) / graded.sigma[127];
  return {
    sizes,
    rows,
    valuesSizes,
    values,
    load: { start: loadStart, end: loadavg()[0] },
    graded: { n: 128, decades: 12, condlab: rel(gS[127]), numpy: np.ok ? np.value.graded[0] : null, mlMatrix: rel(Math.min(...gMl)) },
    numpy: np.ok ? { ok: true, version: np.version } : { ok: false, reason: np.reason },
  };
}

/** One size of the with-vectors comparison (issue 19 part 2, target: right-basis path ≤ 3× gesdd with U, V). */
export interface SvdVectorsRow {
  n: number;
  /** engine.svd(A, { rightBasis: true }) (the right-basis path for these inputs), median ms */
  rightBasisMs: number;
  rightBasisSweeps: number;
  /** assembly/svd/svd.ts svdLastPath(): 1 = right basis was used */
  path: number;
  /** engine.svd(A, { rightBasis: false }): the QRCP-preconditioned path of condlab ≤ 0.4 */
  qrcpMs: number;
  qrcpSweeps: number;
  numpyMs: number | null;
  /** rightBasisMs / numpyMs and qrcpMs / numpyMs */
  ratio: number | null;
  qrcpRatio: number | null;
  /** max_i |σᵢ − σᵢ(numpy)| / σ₁ and max_i |σᵢ − σᵢ(QRCP path)| / σᵢ, of the right-basis σ */
  maxSigmaDiffVsNumpy: number | null;
  maxRelSigmaDiffVsQrcp: number;
  /** max|UᵀU − I|/ε, max|VᵀV − I|/ε, max|A·V − U·Σ|/(ε·σ₁) of the right-basis result */
  orthU: number;
  orthV: number;
  residual: number;
}

export interface SvdVectorsResult {
  rows: SvdVectorsRow[];
  load: { start: number; end: number };
  numpy: PeerStatus;
}

const EPS = 2 ** -52;

function orthogonality(x: Float64Array, rows: number, k: number): number {
  let e = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < rows; t++) s += x[t * k + i] * x[t * k + j];
      e = Math.max(e, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return e / EPS;
}

/**
 * condlab's with-vectors SVD on both preconditioners beside numpy gesdd with U, V, n = 256 and 512 by default, on
 * the same matrices as runSvdBench (rng(7, n)), in one run. numpy is timed first, then condlab: the load average
 * at both ends is recorded, as the machine is shared.
 */
export async function runSvdVectorsBench(opts: { sizes?: number[]; maxTime?: number } = {}): Promise<SvdVectorsResult> {
  const loadStart = loadavg()[0];
  const sizes = opts.sizes ?? [256, 512];
  const maxTime = opts.maxTime ?? 3;
  const engine = await Engine.load();
  const wasm = internals(engine).wasm;
  const matrices = sizes.map((n) => engine.scope(() => engine.rng(7, n).normalMatrix(n, n).toArray()));
  const np = numpySubprocess<{ cases: { n: number; vectors: boolean; medianMs: number; sigma: number[] }[] }>('bench/numpy_svd.py', {
    reps: 15,
    cases: sizes.map((n, i) => ({ n, vectors: true, a: Array.from(matrices[i]) })),
    graded: [],
  });
  const rows: SvdVectorsRow[] = [];
  for (const [i, n] of sizes.entries()) {
    const A = engine.matrix(n, n, matrices[i]);
    let rbSweeps = 0, qrSweeps = 0;
    const t = await timeCases(`svd vectors n=${n}`, {
      rightBasis: () => engine.scope(() => void (rbSweeps = engine.svd(A, { rightBasis: true }).sweeps)),
      qrcp: () => engine.scope(() => void (qrSweeps = engine.svd(A, { rightBasis: false }).sweeps)),
    }, maxTime);
    const q = engine.scope(() => engine.svd(A, { rightBasis: false }).s.toArray());
    const r = engine.scope(() => {
      const o = engine.svd(A, { rightBasis: true });
      return { path: wasm.svdLastPath(), s: o.s.toArray(), U: o.U.toArray(), V: o.V.toArray() };
    });
    const a = matrices[i];
    let res = 0;
    const row = new Float64Array(n);
    for (let x = 0; x < n; x++) {
      row.fill(0);
      for (let l = 0; l < n; l++) {
        const al = a[x * n + l];
        for (let c = 0; c < n; c++) row[c] += al * r.V[l * n + c];
      }
      for (let c = 0; c < n; c++) res = Math.max(res, Math.abs(row[c] - r.U[x * n + c] * r.s[c]));
    }
    const npCase = np.ok ? np.value.cases.find((c) => c.n === n) : undefined;
    rows.push({
      n,
      rightBasisMs: t.rightBasis,
      rightBasisSweeps: rbSweeps,
      path: r.path,
      qrcpMs: t.qrcp,
      qrcpSweeps: qrSweeps,
      numpyMs: npCase?.medianMs ?? null,
      ratio: npCase ? t.rightBasis / npCase.medianMs : null,
      qrcpRatio: npCase ? t.qrcp / npCase.medianMs : null,
      maxSigmaDiffVsNumpy: npCase ? Math.max(...r.s.map((x, k) => Math.abs(x - npCase.sigma[k]))) / r.s[0] : null,
      maxRelSigmaDiffVsQrcp: Math.max(...r.s.map((x, k) => Math.abs(x - q[k]) / q[k])),
      orthU: orthogonality(r.U, n, n),
      orthV: orthogonality(r.V, n, n),
      residual: res / (EPS * r.s[0]),
    });
    A.free();
  }
  return {
    rows,
    load: { start: loadStart, end: loadavg()[0] },
    numpy: np.ok ? { ok: true, version: np.version } : { ok: false, reason: np.reason },
  };
}
