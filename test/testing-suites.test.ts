// condlab/testing's invariant suites, run on condlab's own implementations (which must pass every property) and on
// deliberately broken mutants of them (each property must be seen to fail on at least one, with the matrix named).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { lanczos, symmetricEigen } from '../src/curvature/index.js';
import {
  EIG_MUTANTS, EIG_MUTANT_CATCHES, LANCZOS_MUTANTS, LANCZOS_MUTANT_CATCHES, SVD_MUTANTS, SVD_MUTANT_CATCHES, eigProperties, lanczosProperties, mutateEig, mutateLanczos, mutateSvd, runProperty, svdProperties,
  type EigFunction, type LanczosFunction, type SpectralProperty, type SvdFunction,
} from '../src/testing/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const jacobi: SvdFunction = (_rows, a) =>
  engine.scope(() => {
    const r = engine.svd(engine.matrix(a.rows, a.cols, a.data));
    const k = Math.min(a.rows, a.cols);
    return { s: r.s.toArray(), U: { rows: a.rows, cols: k, data: r.U!.toArray() }, V: { rows: a.cols, cols: k, data: r.V!.toArray() } };
  });
const eig: EigFunction = (_rows, a) => {
  const r = symmetricEigen(a.rows, a.data);
  return { values: r.values, vectors: { rows: a.rows, cols: a.rows, data: r.vectors } };
};
const lz: LanczosFunction = (op, k) => {
  const r = lanczos(op, { k, vectors: true, maxIter: op.size, seed: 1 });
  return { values: r.values, vectors: r.vectors };
};
/** Block Lanczos with one start vector per wanted value: what claims a top eigenvalue's multiplicity (≤ k). */
const lzBlock: LanczosFunction = (op, k) => {
  const r = lanczos(op, { k, blockSize: k, vectors: true, maxIter: op.size, seed: 1 });
  return { values: r.values, vectors: r.vectors };
};

const RUNS = 60;
const seed = () => Number(process.env.FC_SEED ?? 20261201);

function expectAllPass(props: SpectralProperty<any>[]) {
  for (const p of props) {
    const r = runProperty(p, { seed: seed(), numRuns: RUNS });
    expect(r.failure ?? '', p.name).toBe('');
    expect(r.worstRatio, p.name).toBeLessThanOrEqual(1);
  }
}

/** Which property names fail on this mutant (with the same seed). */
function failing(props: SpectralProperty<any>[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of props) {
    // only whether each property fails matters here; shrinking a slow solver's counterexample took minutes
    const r = runProperty(p, { seed: seed(), numRuns: RUNS, shrink: false });
    if (!r.passed) out.set(p.name, r.failure!);
  }
  return out;
}

describe('condlab passes its own suites', () => {
  it('Jacobi SVD: every svd property, relative accuracy included', () => {
    const props = svdProperties(jacobi, { relativeAccuracy: true });
    expect(props.map((p) => p.name)).toEqual([
      'svd.shape', 'svd.order', 'svd.values', 'svd.reconstruction', 'svd.orthogonality', 'svd.transpose', 'svd.frobenius', 'svd.scale', 'svd.reference', 'svd.relative',
    ]);
    expectAllPass(props);
  });

  it('symmetricEigen: every eig property, descending order', () => {
    expectAllPass(eigProperties(eig, { order: 'descending' }));
  });

  it('Lanczos (full reorthogonalisation, restart on breakdown): every lanczos property it claims', () => {
    // not `multiplicity`: a single-vector Krylov space holds a repeated eigenvalue once until it breaks down, and
    // in floating point it often converges (residuals ~1e-11) just before; the block variant below claims it
    expectAllPass(lanczosProperties(lz, { tol: 1e-8, vectors: true, residualTol: 1e-6, maxDim: 20 }));
  });

  it('block Lanczos (blockSize = k): every lanczos property, multiplicity included', () => {
    expectAllPass(lanczosProperties(lzBlock, { tol: 1e-8, vectors: true, residualTol: 1e-6, multiplicity: true, maxDim: 20 }));
  });

  it('the suites also run under plain fc.assert, as a user would write them', () => {
    for (const p of svdProperties(jacobi, { maxDim: 6 })) fc.assert(p.property, { numRuns: 20 });
  });
});

describe('every property fails on a deliberately broken implementation', () => {
  // the mutant → the properties that must catch it (others may also fail)
  // 'slow' needs a per-call time limit (its own test above) and 'hang' a worker watchdog (the bench)
  const svdExpect = Object.fromEntries(Object.entries(SVD_MUTANT_CATCHES).filter(([m]) => m !== 'slow' && m !== 'hang'));

  it.each(Object.keys(svdExpect))('svd mutant %s', (mutant) => {
    const fails = failing(svdProperties(mutateSvd(jacobi, mutant as never), { relativeAccuracy: true }));
    for (const name of svdExpect[mutant]) expect([...fails.keys()], `${mutant} should fail ${name}`).toContain(name);
    // a failure message names the invariant, the excess and the matrix
    const msg = fails.get(svdExpect[mutant][0])!;
    expect(msg).toMatch(new RegExp(`^${svdExpect[mutant][0].replace('.', '\\.')}: `));
    expect(msg).toMatch(/A = \[\[/);
  });

  it('the unsorted mutant fails ONLY the order property (its vectors are permuted consistently)', () => {
    const fails = failing(svdProperties(mutateSvd(jacobi, 'unsorted'), { relativeAccuracy: true }));
    expect([...fails.keys()]).toEqual(['svd.order']);
  });

  it('a slow call fails with its time; a wrong shape or a throw names what was wrong', () => {
    const slow = svdProperties(mutateSvd(jacobi, 'slow'), { timeLimitMs: 10, maxDim: 3 })[0];
    expect(runProperty(slow, { seed: 1, numRuns: 3 }).failure).toMatch(/svd took \d+ ms, over the 10 ms limit per call/);
    const thrower = svdProperties(mutateSvd(jacobi, 'throws-on-vector-shape'))[0];
    expect(runProperty(thrower, { seed: 1, numRuns: 100 }).failure).toMatch(/svd\.shape: svd threw Error: matrix must be at least 2×2\non a 1×\d+|on a \d+×1/);
    const garbage = svdProperties(() => ({ s: [1], U: 'nope' }) as never)[0];
    expect(runProperty(garbage, { seed: 1, numRuns: 5 }).failure).toMatch(/svd\.shape: /);
  });

  const eigExpect: Record<string, string[]> = EIG_MUTANT_CATCHES;
  it.each(Object.keys(eigExpect))('eig mutant %s', (mutant) => {
    const fails = failing(eigProperties(mutateEig(eig, mutant as never), { order: 'descending' }));
    for (const name of eigExpect[mutant]) expect([...fails.keys()], `${mutant} should fail ${name}`).toContain(name);
  });

  const lzExpect: Record<string, string[]> = LANCZOS_MUTANT_CATCHES;
  // the multiplicity property needs a solver that has it: the top k of a dense eigensolver (condlab's Lanczos
  // lacks it, see above), so the mutants wrap that one for 'merges-repeated'
  const denseTopK: LanczosFunction = (op, k) => {
    const r = eig(op.rows, { rows: op.size, cols: op.size, data: Float64Array.from(op.rows.flat()) });
    const V = r.vectors as { data: ArrayLike<number> };
    return { values: Array.from(r.values).slice(0, k), vectors: Array.from({ length: k }, (_, j) => Array.from({ length: op.size }, (_, i) => V.data[i * op.size + j])) };
  };
  it('a dense top-k solver passes every lanczos property incl. multiplicity (the baseline for the mutants)', () => {
    expectAllPass(lanczosProperties(denseTopK, { tol: 1e-8, vectors: true, residualTol: 1e-6, multiplicity: true, maxDim: 20 }));
  });
  it.each(Object.keys(lzExpect))('lanczos mutant %s', (mutant) => {
    const good = mutant === 'merges-repeated' ? denseTopK : lz;
    const fails = failing(lanczosProperties(mutateLanczos(good, mutant as never), { tol: 1e-8, vectors: true, residualTol: 1e-6, multiplicity: true, maxDim: 20 }));
    for (const name of lzExpect[mutant]) expect([...fails.keys()], `${mutant} should fail ${name}`).toContain(name);
  });

  it('the mutant lists cover every property of the three suites', () => {
    const caught = new Set([...Object.values(svdExpect), ...Object.values(eigExpect), ...Object.values(lzExpect)].flat());
    const all = [
      ...svdProperties(jacobi, { relativeAccuracy: true }),
      ...eigProperties(eig, { order: 'descending' }),
      ...lanczosProperties(lz, { vectors: true, multiplicity: true }),
    ].map((p) => p.name);
    expect(all.filter((n) => !caught.has(n))).toEqual([]);
    expect(SVD_MUTANTS.length + EIG_MUTANTS.length + LANCZOS_MUTANTS.length).toBeGreaterThan(15);
  });
});
