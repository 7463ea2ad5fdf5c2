// eigh, qr, cholesky and lstsq at n = 32…256: condlab against ml-matrix (JS) and numpy/LAPACK (one BLAS thread;
// scipy's pivoted geqp3 beside condlab's pivoted QR) on the same matrices in one run. Checksums against numpy
// (eigenvalues, |r_ii|, L, x) are recorded so a fast wrong kernel cannot win.
import b from 'benny';
import { CholeskyDecomposition, EigenvalueDecomposition, Matrix as MlMatrix, QrDecomposition, solve } from 'ml-matrix';
import { Engine } from '../src/engine/index.js';
import { numpySubprocess, type PeerStatus } from './peers.js';

export interface LinalgBenchRow {
  n: number;
  /** eigh: symmetric indefinite (two-sided Jacobi); eigh-spd: positive definite (Cholesky + one-sided Jacobi). */
  op: 'eigh' | 'eigh-spd' | 'qr' | 'cholesky' | 'lstsq';
  /** Shape factored: n×n, or 2n×n for qr and lstsq. */
  shape: string;
  condlabMs: number;
  mlMatrixMs: number;
  numpyMs: number | null;
  /** scipy.linalg.qr(pivoting=True), the same algorithm as condlab's qr (LAPACK geqp3). */
  numpyPivotedMs: number | null;
  /** max relative difference against numpy's result (eigenvalues / |r_ii| / L / x), scaled by its max |entry|. */
  diffVsNumpy: number | null;
  condlabSweeps?: number;
}

export interface LinalgBenchResult {
  sizes: number[];
  rows: LinalgBenchRow[];
  numpy: PeerStatus & { scipy?: string | null };
}

async function timeCases(name: string, cases: Record<string, () => void>, maxTime: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const summary = await b.suite(name, ...Object.entries(cases).map(([k, fn]) => b.add(k, fn, { maxTime, minSamples: 3 })), b.cycle(() => undefined));
  for (const r of summary.results) out[r.name] = r.details.median * 1e3;
  return out;
}

const toMl = (a: Float64Array, rows: number, cols: number) => new MlMatrix(Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols))));

function maxRelDiff(ours: ArrayLike<number>, theirs: ArrayLike<number> | null | undefined): number | null {
  if (!theirs) return null;
  let scale = 0, d = 0;
  for (let i = 0; i < theirs.length; i++) scale = Math.max(scale, Math.abs(theirs[i]));
  for (let i = 0; i < theirs.length; i++) d = Math.max(d, Math.abs(ours[i] - theirs[i]));
  return d / (scale || 1);
}

export async function runLinalgBench(opts: { sizes?: number[]; maxTime?: number } = {}): Promise<LinalgBenchResult> {
  const sizes = opts.sizes ?? [32, 64, 128, 256];
  const maxTime = opts.maxTime ?? 1;
  const engine = await Engine.load();
  // symmetric (G + Gᵀ)/2, SPD GᵀG/n + I, tall 2n×n Gaussian, b of length 2n — fixed seeds
  const data = sizes.map((n) =>
    engine.scope(() => {
      const rng = engine.rng(18, n);
      const g = rng.normalMatrix(n, n).toArray();
      const sym = new Float64Array(n * n), spd = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          sym[i * n + j] = 0.5 * (g[i * n + j] + g[j * n + i]);
          let s = 0;
          for (let k = 0; k < n; k++) s += g[k * n + i] * g[k * n + j];
          spd[i * n + j] = s / n + (i === j ? 1 : 0);
        }
      return { n, sym, spd, tall: rng.normalMatrix(2 * n, n).toArray(), b: rng.normalVector(2 * n).toArray() };
    }),
  );
  const np = numpySubprocess<{ scipy: string | null; cases: { n: number; eighMs: number; eighSpdMs: number; eigvalsSpd: number[]; qrMs: number; qrPivotedMs: number | null; choleskyMs: number; lstsqMs: number; eigvals: number[]; rdiag: number[] | null; chol: number[]; x: number[] }[] }>(
    'bench/numpy_linalg.py',
    { reps: 30, cases: data.map((d) => ({ n: d.n, sym: Array.from(d.sym), spd: Array.from(d.spd), tall: Array.from(d.tall), b: Array.from(d.b) })) },
  );

  const rows: LinalgBenchRow[] = [];
  for (const d of data) {
    const { n } = d;
    const ref = np.ok ? np.value.cases.find((c) => c.n === n) : undefined;
    const S = engine.matrix(n, n, d.sym), P = engine.matrix(n, n, d.spd), T = engine.matrix(2 * n, n, d.tall), B = engine.vector(2 * n, d.b);
    const mlS = toMl(d.sym, n, n), mlP = toMl(d.spd, n, n), mlT = toMl(d.tall, 2 * n, n), mlB = MlMatrix.columnVector(Array.from(d.b));
    let sweeps = 0;
    const budget = n >= 128 ? maxTime * 2 : maxTime;
    const t = await timeCases(`linalg n=${n}`, {
      'condlab eigh': () => engine.scope(() => void (sweeps = engine.eigh(S).sweeps)),
      'ml-matrix eigh': () => void new EigenvalueDecomposition(mlS, { assumeSymmetric: true }),
      'condlab eigh-spd': () => engine.scope(() => void engine.eigh(P)),
      'ml-matrix eigh-spd': () => void new EigenvalueDecomposition(mlP, { assumeSymmetric: true }),
      'condlab qr': () => engine.scope(() => void engine.qr(T)),
      'ml-matrix qr': () => {
        const q = new QrDecomposition(mlT);
        void q.orthogonalMatrix; // ml-matrix forms Q lazily; condlab returns it
      },
      'condlab cholesky': () => engine.scope(() => void engine.cholesky(P)),
      'ml-matrix cholesky': () => void new CholeskyDecomposition(mlP),
      'condlab lstsq': () => engine.scope(() => void engine.lstsq(T, B)),
      'ml-matrix lstsq': () => void solve(mlT, mlB),
    }, budget);
    const [eig, eigSpd, rdiag, chol, x] = engine.scope(() => {
      const R = engine.qr(T).R;
      return [
        engine.eigh(S, { vectors: false }).values.toArray(),
        engine.eigh(P, { vectors: false }).values.toArray(),
        Float64Array.from({ length: n }, (_, i) => Math.abs(R.get(i, i))),
        engine.cholesky(P).toArray(),
        engine.lstsq(T, B).x.toArray(),
      ];
    });
    rows.push(
      { n, op: 'eigh', shape: `${n}×${n}`, condlabMs: t['condlab eigh'], mlMatrixMs: t['ml-matrix eigh'], numpyMs: ref?.eighMs ?? null, numpyPivotedMs: null, diffVsNumpy: maxRelDiff(eig, ref?.eigvals), condlabSweeps: sweeps },
      { n, op: 'eigh-spd', shape: `${n}×${n}`, condlabMs: t['condlab eigh-spd'], mlMatrixMs: t['ml-matrix eigh-spd'], numpyMs: ref?.eighSpdMs ?? null, numpyPivotedMs: null, diffVsNumpy: maxRelDiff(eigSpd, ref?.eigvalsSpd) },
      { n, op: 'qr', shape: `${2 * n}×${n}`, condlabMs: t['condlab qr'], mlMatrixMs: t['ml-matrix qr'], numpyMs: ref?.qrMs ?? null, numpyPivotedMs: ref?.qrPivotedMs ?? null, diffVsNumpy: maxRelDiff(rdiag, ref?.rdiag) },
      { n, op: 'cholesky', shape: `${n}×${n}`, condlabMs: t['condlab cholesky'], mlMatrixMs: t['ml-matrix cholesky'], numpyMs: ref?.choleskyMs ?? null, numpyPivotedMs: null, diffVsNumpy: maxRelDiff(chol, ref?.chol) },
      { n, op: 'lstsq', shape: `${2 * n}×${n}`, condlabMs: t['condlab lstsq'], mlMatrixMs: t['ml-matrix lstsq'], numpyMs: ref?.lstsqMs ?? null, numpyPivotedMs: null, diffVsNumpy: maxRelDiff(x, ref?.x) },
    );
    for (const h of [S, P, T, B]) h.free();
  }
  return { sizes, rows, numpy: np.ok ? { ok: true, version: np.version, scipy: np.value.scipy } : { ok: false, reason: np.reason } };
}
