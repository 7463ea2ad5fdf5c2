// Spectral-transfer students for the transformer (assembly/train/transformer_st.ts, src/models/transformer_st.ts):
// per weight matrix, α = 0 is normalised Nesterov-momentum SGD and α = 1 the polar factor of the momentum — both
// against plain-TS oracles built from the eigen-decomposition of GᵀG or GGᵀ (not the engine's SVD), on square and
// rectangular matrices; every non-matrix parameter follows Adam bit for bit; adaptive α is what `mechanisms`'
// measurement gives; divergence is reported as diverged; bad options are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.js';
import { symmetricEigen } from '../src/curvature/symmetric_eigen.js';
import { dense, matmul, transpose, type Dense } from '../src/testing/index.js';
import { Transformer, LAYER_TYPES, type LayerType, type TransformerSpec } from '../src/models/transformer.js';
import { TransformerSpectralTransfer } from '../src/models/transformer_st.js';
import { resolveConfig } from '../src/experiments/index.js';
import { transformerExperiment } from '../src/experiments/transformer/index.js';
import { drawBatch, teacherParams, trainStudent, ST_ADAPT_K } from '../src/experiments/transformer/task.js';
import { analyseLayer } from '../src/experiments/transformer/layer_curvature.js';
import { isCondlabError } from '../src/engine/errors.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

// width 6, MLP 10: Q/K/V/out 6×6, MLP up 10×6 (tall), MLP down 6×10 (wide), head 5×6 (wide)
const SPEC: Partial<TransformerSpec> = { vocab: 5, context: 4, width: 6, heads: 2, mlpWidth: 10, blocks: 2 };
const BETA = 0.95;

/** Eigen-decomposition of the Gram matrix on the short side: G = U·diag(s)·Vᵀ with only U (wide) or V (tall) needed. */
function gram(G: Dense): { s: number[]; vecs: Float64Array; tall: boolean; n: number } {
  const tall = G.rows >= G.cols;
  const S = tall ? matmul(transpose(G), G) : matmul(G, transpose(G));
  const n = S.rows;
  const { values, vectors } = symmetricEigen(n, S.data);
  return { s: Array.from(values, (l) => Math.sqrt(Math.max(l, 0))), vecs: vectors, tall, n };
}

/** polar(G) = G·(GᵀG)^(−1/2) (tall) or (GGᵀ)^(−1/2)·G (wide). */
function polarRef(G: Dense): Dense {
  const { s, vecs, tall, n } = gram(G);
  const M = dense(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += (vecs[i * n + k] * vecs[j * n + k]) / s[k];
      M.data[i * n + j] = acc;
    }
  return tall ? matmul(G, M) : matmul(M, G);
}

const specNorm = (G: Dense) => Math.max(...gram(G).s);

function randomVector(n: number, seed: number, scale = 1): Float64Array {
  const r = engine.rng(seed, 7);
  return Float64Array.from({ length: n }, () => scale * r.normal());
}

/**
 * Two st steps from w0 with gradients g1, g2 (lr η): returns w0, w2 and the model's matrices. The momentum after
 * step 2 is buf = β·g1 + g2, the step direction G₂ = g2 + β·buf; step 1's direction is (1 + β)·g1.
 */
function twoSteps(alpha: number | Record<LayerType, number>, tau: number, eta: number, otherLr = 0.01) {
  const model = new Transformer(engine, SPEC, 2);
  const n = model.size;
  const w = model.init(engine.vector(n), engine.rng(3, 1));
  const w0 = w.toArray();
  const g1 = randomVector(n, 11), g2 = randomVector(n, 12);
  const m = engine.vector(n), v = engine.vector(n), g = engine.vector(n);
  const st = new TransformerSpectralTransfer(engine, model, { alpha, lr: eta, otherLr, tau });
  g.data().set(g1);
  expect(st.step(w, g, m, v, 1)).toBe(0);
  const w1 = w.toArray();
  g.data().set(g2);
  expect(st.step(w, g, m, v, 2)).toBe(0);
  const out = { model, st, w0, w1, w2: w.toArray(), g1, g2, m: m.toArray(), v: v.toArray() };
  st.free();
  for (const x of [w, m, v, g]) x.free();
  return out;
}

const sub = (a: Float64Array, l: { offset: number; rows: number; cols: number }) => dense(l.rows, l.cols, a.subarray(l.offset, l.offset + l.rows * l.cols));
function maxRelDiff(a: Dense, b: Dense): number {
  let mx = 0, nb = 0;
  for (let i = 0; i < a.data.length; i++) {
    mx = Math.max(mx, Math.abs(a.data[i] - b.data[i]));
    nb = Math.max(nb, Math.abs(b.data[i]));
  }
  return mx / nb;
}

describe('transformer spectral transfer: the step per weight matrix', () => {
  it('α = 0 is normalised Nesterov-momentum SGD on every matrix (two steps, τ = 0)', () => {
    const eta = 0.03;
    const r = twoSteps(0, 0, eta);
    try {
      expect(r.st.matrices.map((l) => l.type).sort()).toEqual([...LAYER_TYPES.filter((t) => t !== 'head').flatMap((t) => [t, t]), 'head'].sort());
      for (const l of r.st.matrices) {
        const G1 = sub(r.g1, l), G2 = sub(r.g2, l);
        // step 2's direction: g2 + β·(β·g1 + g2)
        const D2 = dense(l.rows, l.cols, G2.data.map((x, i) => x + BETA * (BETA * G1.data[i] + x)));
        const n1 = specNorm(G1), n2 = specNorm(D2);
        const d1 = dense(l.rows, l.cols, sub(r.w1, l).data.map((x, i) => (sub(r.w0, l).data[i] - x) / eta));
        const d2 = dense(l.rows, l.cols, sub(r.w2, l).data.map((x, i) => (sub(r.w1, l).data[i] - x) / eta));
        expect(maxRelDiff(d1, dense(l.rows, l.cols, G1.data.map((x) => x / n1))), `${l.type}${l.block} step 1`).toBeLessThan(1e-12);
        expect(maxRelDiff(d2, dense(l.rows, l.cols, D2.data.map((x) => x / n2))), `${l.type}${l.block} step 2`).toBeLessThan(1e-12);
      }
    } finally {
      r.model.free();
    }
  });

  it('α = 1 is the polar factor of the momentum, square, tall and wide, to rounding; α reaches its own layer type', () => {
    const eta = 0.05;
    // α = 1 everywhere except the attention values (α = 0): each matrix must use its own type's α (τ = 0)
    const alpha = { q: 1, k: 1, v: 0, attnOut: 1, mlpUp: 1, mlpDown: 1, head: 1 };
    const r = twoSteps(alpha, 0, eta);
    try {
      const shapes = new Set(r.st.matrices.map((l) => Math.sign(l.rows - l.cols)));
      expect([...shapes].sort()).toEqual([-1, 0, 1]);
      for (const l of r.st.matrices) {
        const G1 = sub(r.g1, l), G2 = sub(r.g2, l);
        const D2 = dense(l.rows, l.cols, G2.data.map((x, i) => x + BETA * (BETA * G1.data[i] + x)));
        const d2 = dense(l.rows, l.cols, sub(r.w2, l).data.map((x, i) => (sub(r.w1, l).data[i] - x) / eta));
        const n2 = specNorm(D2);
        const ref = l.type === 'v' ? dense(l.rows, l.cols, D2.data.map((x) => x / n2)) : polarRef(D2);
        expect(maxRelDiff(d2, ref), `${l.type}${l.block}`).toBeLessThan(1e-11);
      }
    } finally {
      r.model.free();
    }
  });

  it('every non-matrix parameter follows Adam exactly (values and moments), and the matrices do not', () => {
    const model = new Transformer(engine, SPEC, 2);
    try {
      const n = model.size;
      const wa = model.init(engine.vector(n), engine.rng(5, 1)), ws = engine.vector(n, wa.toArray());
      const ma = engine.vector(n), va = engine.vector(n), ms = engine.vector(n), vs = engine.vector(n), g = engine.vector(n);
      const st = new TransformerSpectralTransfer(engine, model, { alpha: 2, lr: 0.02, otherLr: 3e-3 });
      for (let t = 1; t <= 3; t++) {
        g.data().set(randomVector(n, 20 + t));
        model.adamStep(wa, g, ma, va, 3e-3, t);
        expect(st.step(ws, g, ms, vs, t)).toBe(0);
      }
      const inMatrix = new Uint8Array(n);
      for (const l of st.matrices) inMatrix.fill(1, l.offset, l.offset + l.rows * l.cols);
      const A = wa.toArray(), S = ws.toArray(), Ma = ma.toArray(), Ms = ms.toArray(), Va = va.toArray(), Vs = vs.toArray();
      let others = 0, differ = 0;
      for (let i = 0; i < n; i++) {
        if (inMatrix[i]) {
          if (A[i] !== S[i]) differ++;
          continue;
        }
        others++;
        expect(S[i], `parameter ${i}`).toBe(A[i]);
        expect(Ms[i]).toBe(Ma[i]);
        expect(Vs[i]).toBe(Va[i]);
      }
      // embeddings, positions, 4 LN vectors per block + final, biases: the first and the last entries included
      expect(inMatrix[0]).toBe(0);
      expect(inMatrix[n - 1]).toBe(0);
      expect(others).toBeGreaterThan(50);
      expect(differ).toBeGreaterThan(0.9 * (n - others));
      st.free();
    } finally {
      model.free();
    }
  });

  it('refuses bad α, τ, β and step lengths with a CondlabError naming the value', () => {
    const model = new Transformer(engine, SPEC, 2);
    try {
      const bad = [
        { alpha: Number.NaN, lr: 0.02, otherLr: 1e-3 },
        { alpha: 5, lr: 0.02, otherLr: 1e-3 },
        { alpha: 1, lr: -1, otherLr: 1e-3 },
        { alpha: 1, lr: 0.02, otherLr: Number.POSITIVE_INFINITY },
        { alpha: 1, lr: 0.02, otherLr: 1e-3, tau: 1 },
        { alpha: 1, lr: 0.02, otherLr: 1e-3, beta: 1 },
      ];
      for (const o of bad) {
        let err: unknown;
        try {
          new TransformerSpectralTransfer(engine, model, o).free();
        } catch (e) {
          err = e;
        }
        expect(isCondlabError(err, 'bad-config'), JSON.stringify(o)).toBe(true);
      }
    } finally {
      model.free();
    }
  });
});

describe('transformer spectral transfer: students', () => {
  it('adaptive α per layer type is the clamped mean of the mechanisms measurement on the first batch', () => {
    const config = resolveConfig(transformerExperiment, 'quick', { dims: [6], hidden: 10 });
    const spec = { ...SPEC, vocab: 16, context: 8 } as TransformerSpec;
    const teacher = new Transformer(engine, spec, 4);
    const tw = teacherParams(engine, teacher, engine.rng(9, 0));
    // the run: two steps, α measured at step 1 only (period 2: before the first step, on the first batch and the init)
    const run = trainStudent(engine, spec, teacher, tw, {
      optimizer: 'st', lr: config.adamLr, steps: 2, batch: 4, initRng: engine.rng(9, 1), dataRng: engine.rng(9, 2),
      st: { alpha: 1, lr: 0.02, tau: 0.01, adaptEvery: 2 },
    });
    // independently: the same init, the same first batch, the gradient, analyseLayer per matrix
    const model = new Transformer(engine, spec, 4);
    try {
      const w = model.init(engine.vector(model.size), engine.rng(9, 1));
      drawBatch(teacher, tw, model, engine.rng(9, 2));
      const g = engine.vector(model.size);
      model.gradient(w, g);
      const byType = new Map<string, number[]>();
      for (const l of model.layers()) {
        const a = analyseLayer(engine, model, w, g.toArray(), l, ST_ADAPT_K).metrics.alpha;
        byType.set(l.type, [...(byType.get(l.type) ?? []), a]);
      }
      let clamped = 0;
      for (const t of LAYER_TYPES) {
        // a failed fit (fewer than two positive curvatures) does not vote; a type with no vote keeps α = 1
        const xs = byType.get(t)!.filter((x) => Number.isFinite(x));
        if (xs.length === 0) {
          expect(run.stAlpha![t]).toBe(1);
          continue;
        }
        const raw = xs.reduce((p, c) => p + c, 0) / xs.length;
        if (raw < 0 || raw > 2) clamped++;
        expect(run.stAlpha![t], t).toBeCloseTo(Math.min(2, Math.max(0, raw)), 12);
      }
      // the measured exponents are not all the start value 1 (the update happened)
      expect(LAYER_TYPES.some((t) => Math.abs(run.stAlpha![t]! - 1) > 1e-3)).toBe(true);
      expect(clamped).toBeLessThan(LAYER_TYPES.length);
    } finally {
      model.free();
      teacher.free();
      run.params.free();
      tw.free();
    }
  });

  it('a step length that blows the weights up is reported as diverged, with no metrics', () => {
    const config = resolveConfig(transformerExperiment, 'quick', { dims: [8], hidden: 8, epochs: 10, batch: 4, stLr: 1e300 });
    for (const cell of ['st=0', 'st=2']) {
      const r = transformerExperiment.runCell({ engine, config, cell, trial: 0 });
      for (const t of ['q', 'head', 'stream']) {
        // step 1 throws the weights to ~1e300, so step 2's loss is the first non-finite one: caught where it happens
        expect(r[`${cell}/${t}`].diverged?.epoch, `${cell} ${t}`).toBe(2);
        expect(r[`${cell}/${t}`].metrics).toEqual({});
      }
    }
    // the same config at the default step length does not diverge
    const ok = transformerExperiment.runCell({ engine, config: { ...config, stLr: 0.02 }, cell: 'st=2', trial: 0 });
    expect(ok['st=2/q'].diverged).toBeUndefined();
  });

  it('names its cells from stAlphas and stAdaptEvery, and refuses an unknown one', () => {
    const config = resolveConfig(transformerExperiment, 'quick', {});
    expect(transformerExperiment.cells(config)).toEqual(['sgd', 'adam', 'st=0', 'st=1', 'st=2', 'st=adaptive']);
    expect(transformerExperiment.cells({ ...config, stAdaptEvery: 0, stAlphas: [1, 1, 0.5] })).toEqual(['sgd', 'adam', 'st=1', 'st=0.5']);
    let err: unknown;
    try {
      transformerExperiment.runCell({ engine, config, cell: 'st=3', trial: 0 });
    } catch (e) {
      err = e;
    }
    expect(isCondlabError(err, 'bad-config')).toBe(true);
  });
});
