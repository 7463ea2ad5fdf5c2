// The implementations the conformance bench runs the condlab/testing suites against, and the mutants it runs as a
// self-check. To add a library: one entry with an id, the suite, the options that state what it claims (from its
// documentation), and an async `load` returning the adapter, or { unavailable } with the reason.
import { readFileSync } from 'node:fs';
import {
  mutateEig, mutateLanczos, mutateSvd, EIG_MUTANTS, LANCZOS_MUTANTS, SVD_MUTANTS, EIG_MUTANT_CATCHES, LANCZOS_MUTANT_CATCHES, SVD_MUTANT_CATCHES,
  type EigFunction, type EigSuiteOptions, type LanczosFunction, type LanczosSuiteOptions, type SvdFunction, type SvdSuiteOptions,
} from '../../src/testing/index.js';

export type Suite =
  | { suite: 'svd'; options: SvdSuiteOptions; load: () => Promise<SvdFunction | { unavailable: string }> }
  | { suite: 'eig'; options: EigSuiteOptions; load: () => Promise<EigFunction | { unavailable: string }> }
  | { suite: 'lanczos'; options: LanczosSuiteOptions; load: () => Promise<LanczosFunction | { unavailable: string }> };

export type Entry = Suite & {
  id: string;
  /** npm package whose version is reported ('condlab' for our own). */
  pkg: string;
  /** What the adapter calls and what it claims, for the table. */
  call: string;
  /** Mutants are expected to fail; `catches` lists the properties that must catch each. */
  mutant?: { of: string; catches: string[] };
};

export function versionOf(pkg: string): string {
  try {
    // the package folder itself, since not every package exports its package.json
    const path = new URL(pkg === 'condlab' ? '../../package.json' : `../../node_modules/${pkg}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function condlabEngine() {
  const { Engine } = await import('../../src/engine/index.js');
  return Engine.load();
}

const condlabJacobi = async (): Promise<SvdFunction> => {
  const engine = await condlabEngine();
  return (_rows, a) =>
    engine.scope(() => {
      const r = engine.svd(engine.matrix(a.rows, a.cols, a.data));
      const k = Math.min(a.rows, a.cols);
      return { s: r.s.toArray(), U: { rows: a.rows, cols: k, data: r.U!.toArray() }, V: { rows: a.cols, cols: k, data: r.V!.toArray() } };
    });
};

const condlabEig = async (): Promise<EigFunction> => {
  const { symmetricEigen } = await import('../../src/curvature/index.js');
  return (_rows, a) => {
    const r = symmetricEigen(a.rows, a.data);
    return { values: r.values, vectors: { rows: a.rows, cols: a.rows, data: r.vectors } };
  };
};

const condlabLanczos = (block: boolean) => async (): Promise<LanczosFunction> => {
  const { lanczos } = await import('../../src/curvature/index.js');
  return (op, k) => {
    const r = lanczos(op, { k, vectors: true, maxIter: op.size, seed: 1, blockSize: block ? k : 1 });
    return { values: r.values, vectors: r.vectors };
  };
};

/** The k largest eigenpairs of a dense solve: has the multiplicity property, so it anchors that mutant. */
const denseTopK = async (): Promise<LanczosFunction> => {
  const eig = await condlabEig();
  return (op, k) => {
    const r = eig(op.rows, { rows: op.size, cols: op.size, data: Float64Array.from(op.rows.flat()) });
    const V = r.vectors as { data: ArrayLike<number> };
    return { values: Array.from(r.values).slice(0, k), vectors: Array.from({ length: k }, (_, j) => Array.from({ length: op.size }, (_, i) => V.data[i * op.size + j])) };
  };
};

const LANCZOS_CLAIMS: LanczosSuiteOptions = { tol: 1e-8, vectors: true, residualTol: 1e-6, multiplicity: true, maxDim: 20 };
/** Single-vector Lanczos does not claim multiplicities (a Krylov space holds a repeated eigenvalue once). */
const LANCZOS_SINGLE_CLAIMS: LanczosSuiteOptions = { ...LANCZOS_CLAIMS, multiplicity: false };

export const LIBRARIES: Entry[] = [
  { id: 'condlab-jacobi', pkg: 'condlab', suite: 'svd', call: 'engine.svd(A) — one-sided Jacobi, claims relative accuracy', options: { relativeAccuracy: true }, load: condlabJacobi },
  {
    id: 'condlab-bidiag',
    pkg: 'condlab',
    suite: 'svd',
    call: "engine.svd(A, { vectors: false, method: 'bidiag' }) — values only",
    options: { vectors: false },
    load: async () => {
      const engine = await condlabEngine();
      // present only if this build's svd knows a `method` option: an unknown method must then be rejected
      const probe = engine.matrix(2, 2, [1, 0, 0, 1]);
      let known = false;
      try {
        engine.svd(probe, { vectors: false, method: 'no-such-method' } as never);
      } catch {
        known = true;
      }
      probe.free();
      if (!known) return { unavailable: "this build's engine.svd has no `method` option (the bidiagonal path is not merged yet)" };
      return (_rows, a) => engine.scope(() => ({ s: engine.svd(engine.matrix(a.rows, a.cols, a.data), { vectors: false, method: 'bidiag' } as never).s.toArray() }));
    },
  },
  {
    id: 'ml-matrix',
    pkg: 'ml-matrix',
    suite: 'svd',
    call: 'new SVD(new Matrix(A)) — defaults',
    options: {},
    load: async () => {
      const { Matrix, SVD } = await import('ml-matrix');
      return (rows) => {
        const r = new SVD(new Matrix(rows));
        return { s: r.diagonal, U: r.leftSingularVectors.to2DArray(), V: r.rightSingularVectors.to2DArray() };
      };
    },
  },
  {
    id: 'ml-matrix-autoTranspose',
    pkg: 'ml-matrix',
    suite: 'svd',
    call: 'new SVD(new Matrix(A), { autoTranspose: true })',
    options: {},
    load: async () => {
      const { Matrix, SVD } = await import('ml-matrix');
      return (rows) => {
        const r = new SVD(new Matrix(rows), { autoTranspose: true });
        return { s: r.diagonal, U: r.leftSingularVectors.to2DArray(), V: r.rightSingularVectors.to2DArray() };
      };
    },
  },
  {
    id: 'numeric',
    pkg: 'numeric',
    suite: 'svd',
    call: 'numeric.svd(A)',
    options: {},
    load: async () => {
      const numeric = (await import('numeric')).default;
      return (rows) => {
        const r = numeric.svd(rows);
        return { s: r.S, U: r.U, V: r.V };
      };
    },
  },
  {
    id: 'svd-js',
    pkg: 'svd-js',
    suite: 'svd',
    call: "SVD(A) — documented for m ≥ n only and σ 'not necessarily ordered': run on tall A, order not claimed",
    options: { shape: 'tall', sorted: false },
    load: async () => {
      const { SVD } = await import('svd-js');
      return (rows) => {
        const r = SVD(rows);
        return { s: r.q, U: r.u, V: r.v };
      };
    },
  },
  { id: 'condlab-symmetricEigen', pkg: 'condlab', suite: 'eig', call: 'symmetricEigen(n, A) — cyclic Jacobi, descending', options: { order: 'descending' }, load: condlabEig },
  {
    id: 'ml-matrix-eig',
    pkg: 'ml-matrix',
    suite: 'eig',
    call: 'new EigenvalueDecomposition(new Matrix(A), { assumeSymmetric: true }) — ascending',
    options: { order: 'ascending' },
    load: async () => {
      const { Matrix, EigenvalueDecomposition } = await import('ml-matrix');
      return (rows) => {
        const r = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
        return { values: r.realEigenvalues, vectors: r.eigenvectorMatrix.to2DArray() };
      };
    },
  },
  {
    id: 'numeric-eig',
    pkg: 'numeric',
    suite: 'eig',
    call: 'numeric.eig(A) — general (non-symmetric) QR; complex output for a symmetric A counts as a failure',
    options: {},
    load: async () => {
      const numeric = (await import('numeric')).default;
      return (rows) => {
        const r = numeric.eig(rows) as unknown as { lambda: { x: number[]; y?: number[] }; E: { x: number[][] } };
        const im = r.lambda.y?.find((y) => y !== 0);
        if (im !== undefined) throw new Error(`complex eigenvalue (imaginary part ${im}) for a symmetric matrix`);
        return { values: r.lambda.x, vectors: r.E.x };
      };
    },
  },
  {
    id: 'mathjs-eigs',
    pkg: 'mathjs',
    suite: 'eig',
    call: 'math.eigs(A) — defaults; documented as sorted by |λ| ascending',
    options: { order: 'ascending-magnitude' },
    load: async () => {
      const { eigs } = await import('mathjs');
      return (rows) => {
        const r = eigs(rows) as unknown as { values: number[]; eigenvectors: { value: number; vector: number[] }[] };
        const n = rows.length;
        const values = Array.from(r.values as ArrayLike<unknown>, (x) => (typeof x === 'number' ? x : NaN));
        const V = Array.from({ length: n }, (_, i) => r.eigenvectors.map((e) => Number((e.vector as unknown as number[])[i])));
        return { values, vectors: V };
      };
    },
  },
  { id: 'condlab-lanczos', pkg: 'condlab', suite: 'lanczos', call: 'lanczos(op, { k, vectors: true, maxIter: n }) — single vector: no multiplicity claim', options: LANCZOS_SINGLE_CLAIMS, load: condlabLanczos(false) },
  { id: 'condlab-lanczos-block', pkg: 'condlab', suite: 'lanczos', call: 'lanczos(op, { k, blockSize: k, vectors: true, maxIter: n }) — block Lanczos, claims multiplicities ≤ k', options: LANCZOS_CLAIMS, load: condlabLanczos(true) },
];

// the self-check: each mutant must fail the properties listed (the bench reports any that passes)
const SVD_CATCH = SVD_MUTANT_CATCHES;
const EIG_CATCH = EIG_MUTANT_CATCHES;
const LANCZOS_CATCH = LANCZOS_MUTANT_CATCHES;

export const MUTANTS: Entry[] = [
  ...[...SVD_MUTANTS, 'hang' as const].map((m): Entry => ({
    id: `mutant:svd:${m}`,
    pkg: 'condlab',
    suite: 'svd',
    call: `condlab-jacobi with the bug '${m}'`,
    // 'slow' must trip the per-call limit; everything else runs with the defaults
    options: { relativeAccuracy: true, ...(m === 'slow' ? { timeLimitMs: 10 } : {}) },
    load: async () => mutateSvd(await condlabJacobi(), m),
    mutant: { of: 'condlab-jacobi', catches: SVD_CATCH[m] },
  })),
  ...EIG_MUTANTS.map((m): Entry => ({
    id: `mutant:eig:${m}`,
    pkg: 'condlab',
    suite: 'eig',
    call: `condlab-symmetricEigen with the bug '${m}'`,
    options: { order: 'descending' },
    load: async () => mutateEig(await condlabEig(), m),
    mutant: { of: 'condlab-symmetricEigen', catches: EIG_CATCH[m] },
  })),
  ...LANCZOS_MUTANTS.map((m): Entry => ({
    id: `mutant:lanczos:${m}`,
    pkg: 'condlab',
    suite: 'lanczos',
    call: `${m === 'merges-repeated' ? 'dense top-k' : 'condlab-lanczos'} with the bug '${m}'`,
    options: LANCZOS_CLAIMS,
    load: async () => mutateLanczos(m === 'merges-repeated' ? await denseTopK() : await condlabLanczos(false)(), m),
    mutant: { of: m === 'merges-repeated' ? 'dense top-k' : 'condlab-lanczos', catches: LANCZOS_CATCH[m] },
  })),
];

export const ENTRIES = [...LIBRARIES, ...MUTANTS];
