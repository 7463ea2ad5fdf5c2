// The WASM transformer (assembly/models/transformer.ts): loss against an independent plain-TS forward pass,
// gradient and exact HVP against Richardson-extrapolated central differences, symmetry, an assembled Hessian,
// Gauss–Newton = Hessian at zero residual, and each mechanism switch on its own; 1–3 blocks throughout.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { Transformer, type TransformerSpec } from '../src/models/transformer.js';
import { refLayout, refTransformerLoss, refTransformerProbs } from './helpers/transformer-ref.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

interface Case {
  spec: TransformerSpec;
  batch: number;
  tokens: number[];
  targets: number[];
  w: number[];
  u: number[];
  v: number[];
}

/** Magnitudes in [0.2, 1]: near-zero weights make LayerNorm inputs nearly constant, where the function is curved on
 * scales below any difference step (variance ≪ ε = 1e-5) and differences, not the HVP, lose accuracy. */
const unit = fc.tuple(fc.boolean(), fc.integer({ min: 200, max: 1000 })).map(([s, k]) => (s ? 1 : -1) * k / 1000);

function specArb(opts: { activation?: 'gelu' | 'relu'; maxBlocks?: number; maxVocab?: number } = {}): fc.Arbitrary<TransformerSpec> {
  return fc
    .record({
      vocab: fc.integer({ min: 2, max: opts.maxVocab ?? 6 }),
      context: fc.integer({ min: 1, max: 4 }),
      heads: fc.integer({ min: 1, max: 2 }),
      headWidth: fc.integer({ min: 1, max: 3 }),
      mlpWidth: fc.integer({ min: 1, max: 5 }),
      blocks: fc.integer({ min: 1, max: opts.maxBlocks ?? 3 }),
      layerNorm: fc.boolean(),
      residual: fc.boolean(),
      attention: fc.boolean(),
      mlp: fc.boolean(),
      activation: opts.activation ? fc.constant(opts.activation) : fc.constantFrom<'gelu' | 'relu'>('gelu', 'relu'),
    })
    .map(({ headWidth, ...s }) => ({ ...s, width: s.heads * headWidth }));
}

function sizeOf(spec: TransformerSpec): number {
  return refLayout(spec).reduce((n, e) => n + e.rows * e.cols, 0);
}

function caseArb(spec: fc.Arbitrary<TransformerSpec> = specArb({ activation: 'gelu' }), softTargets = true): fc.Arbitrary<Case> {
  return fc.tuple(spec, fc.integer({ min: 1, max: 3 })).chain(([s, batch]) => {
    const n = sizeOf(s), N = batch * s.context;
    const vec = (k: number) => fc.array(unit, { minLength: k, maxLength: k });
    const targets = softTargets
      ? fc.array(fc.integer({ min: 1, max: 100 }), { minLength: N * s.vocab, maxLength: N * s.vocab }).map((a) =>
          a.map((x, i) => x / a.slice(i - (i % s.vocab), i - (i % s.vocab) + s.vocab).reduce((p, q) => p + q, 0)),
        )
      : fc.array(fc.integer({ min: 0, max: s.vocab - 1 }), { minLength: N, maxLength: N }).map((t) => t.flatMap((c) => Array.from({ length: s.vocab }, (_, j) => (j === c ? 1 : 0))));
    return fc.record({
      spec: fc.constant(s),
      batch: fc.constant(batch),
      tokens: fc.array(fc.integer({ min: 0, max: s.vocab - 1 }), { minLength: N, maxLength: N }),
      targets,
      w: vec(n),
      u: vec(n),
      v: vec(n),
    });
  });
}

/** Runs fn with a model holding c's batch; params are passed per call so differences can move them. */
function withModel<T>(c: Case, fn: (m: Transformer, at: (w: ArrayLike<number>) => ReturnType<Engine['vector']>) => T): T {
  return engine.scope(() => {
    const m = new Transformer(engine, c.spec, c.batch);
    try {
      m.setTokens(c.tokens);
      m.targets.data().set(c.targets);
      return fn(m, (w) => engine.vector(w.length, w));
    } finally {
      m.free();
    }
  });
}

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));
const dotp = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

function grad(m: Transformer, w: ArrayLike<number>): Float64Array {
  return engine.scope(() => {
    const g = engine.vector(m.size);
    m.gradient(engine.vector(w.length, w), g);
    return g.toArray();
  });
}
function hvp(m: Transformer, w: ArrayLike<number>, v: ArrayLike<number>, gn = false): Float64Array {
  return engine.scope(() => {
    const out = engine.vector(m.size);
    m.hvp(engine.vector(w.length, w), engine.vector(v.length, v), out, gn);
    return out.toArray();
  });
}

/**
 * Richardson-extrapolated central difference of f at 0: (4·D(h/2) − D(h))/3, error O(h⁴). Steps are h = 1e-4
 * (rounding ≈ ε/h ≈ 1e-12): width-2 LayerNorm is a smoothed sign function whose h⁴ term at h = 1e-3 reaches 1e-4
 * relative (checked: the error falls 10⁴-fold from h = 1e-3 to 1e-4, truncation, not the HVP).
 */
function richardson<T extends ArrayLike<number>>(f: (t: number) => T, h: number, n: number): Float64Array {
  const a = f(h), b = f(-h), c = f(h / 2), d = f(-h / 2);
  return Float64Array.from({ length: n }, (_, i) => (4 * (c[i] - d[i]) / h - (a[i] - b[i]) / (2 * h)) / 3);
}

const along = (w: number[], v: number[], t: number) => w.map((x, i) => x + t * v[i]);
const unitVec = (v: number[]) => {
  const n = norm(v);
  return v.map((x) => x / n);
};

describe('transformer: forward pass and layout', () => {
  it('lays parameters out as the independent reference does', () => {
    fc.assert(
      fc.property(specArb(), (s) => {
        engine.scope(() => {
          const m = new Transformer(engine, s, 1);
          try {
            expect(m.size).toBe(sizeOf(s));
            let off = 0;
            for (const e of refLayout(s)) {
              const got = m.slice(e.name as never, e.block);
              expect(got).toEqual({ offset: off, rows: e.rows, cols: e.cols });
              off += e.rows * e.cols;
            }
          } finally {
            m.free();
          }
        });
      }),
      { numRuns: 100 },
    );
  });

  it('gives the loss of the plain-TS forward pass (every switch, ReLU and GELU, 1–3 blocks)', () => {
    fc.assert(
      fc.property(caseArb(specArb()), (c) => {
        withModel(c, (m, at) => {
          const ref = refTransformerLoss(c.spec, c.w, c.tokens, c.targets, c.batch);
          expect(Math.abs(m.loss(at(c.w)) - ref)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref)));
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe('transformer: gradient', () => {
  it('directional derivative gᵀu equals Richardson differences of the plain-TS loss', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const u = unitVec(c.u);
        withModel(c, (m) => {
          const g = grad(m, c.w);
          const fd = richardson((t) => [refTransformerLoss(c.spec, along(c.w, u, t), c.tokens, c.targets, c.batch)], 1e-4, 1)[0];
          expect(Math.abs(dotp(g, u) - fd)).toBeLessThanOrEqual(1e-7 * Math.max(1, norm(g)));
        });
      }),
      { numRuns: 60 },
    );
  });

  it('every coordinate matches differences of the plain-TS loss (one small model per switch setting)', () => {
    fc.assert(
      fc.property(caseArb(specArb({ activation: 'gelu', maxBlocks: 2 })), (c) => {
        withModel(c, (m) => {
          const g = grad(m, c.w);
          for (let i = 0; i < c.w.length; i++) {
            const e = c.w.map((_, j) => (j === i ? 1 : 0));
            const fd = richardson((t) => [refTransformerLoss(c.spec, along(c.w, e, t), c.tokens, c.targets, c.batch)], 1e-4, 1)[0];
            expect(Math.abs(g[i] - fd)).toBeLessThanOrEqual(1e-7 * Math.max(1, norm(g)));
          }
        });
      }),
      { numRuns: 8 },
    );
  });
});

describe('transformer: Hessian-vector products', () => {
  it('H·v equals Richardson differences of the gradient (relative error ≤ 1e-6)', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const v = unitVec(c.v);
        withModel(c, (m) => {
          const hv = hvp(m, c.w, v);
          const fd = richardson((t) => grad(m, along(c.w, v, t)), 1e-4, m.size);
          const scale = Math.max(norm(hv), 1e-2 * norm(grad(m, c.w)), 1e-6);
          expect(norm(hv.map((x, i) => x - fd[i])) / scale).toBeLessThanOrEqual(1e-6);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('vᵀHv equals the second difference of the plain-TS loss', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const v = unitVec(c.v);
        withModel(c, (m) => {
          const q = dotp(v, hvp(m, c.w, v));
          const f = (t: number) => refTransformerLoss(c.spec, along(c.w, v, t), c.tokens, c.targets, c.batch);
          // h small enough for width-2 LayerNorm, a smoothed sign function that bends sharply near x₁ = x₂
          const h = 5e-4;
          const d2 = (k: number) => (f(k) - 2 * f(0) + f(-k)) / (k * k);
          const fd = (4 * d2(h / 2) - d2(h)) / 3;
          expect(Math.abs(q - fd)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(q)));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('are symmetric, uᵀ(Hv) = vᵀ(Hu), for the Hessian and the Gauss–Newton matrix (ReLU and GELU)', () => {
    fc.assert(
      fc.property(caseArb(specArb()), fc.boolean(), (c, gn) => {
        withModel(c, (m) => {
          const hv = hvp(m, c.w, c.v, gn), hu = hvp(m, c.w, c.u, gn);
          const scale = norm(c.u) * norm(hv) + norm(c.v) * norm(hu);
          // rounding of two length-n sums whose terms can be far larger than the (cancelled) result
          expect(Math.abs(dotp(c.u, hv) - dotp(c.v, hu))).toBeLessThanOrEqual(1e-13 * Math.max(scale, 1) * m.size);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('assemble, column by column, the Hessian that differences of the gradient give (≤ 300 parameters)', () => {
    fc.assert(
      fc.property(caseArb().filter((c) => c.w.length <= 300), (c) => {
        withModel(c, (m) => {
          const n = m.size;
          const g0 = grad(m, c.w);
          const cols: Float64Array[] = [];
          for (let j = 0; j < n; j++) {
            const e = c.w.map((_, i) => (i === j ? 1 : 0));
            const col = hvp(m, c.w, e);
            cols.push(col);
            const fd = richardson((t) => grad(m, along(c.w, e, t)), 1e-4, n);
            const scale = Math.max(1, norm(col), 1e-2 * norm(g0));
            for (let i = 0; i < n; i++) expect(Math.abs(col[i] - fd[i])).toBeLessThanOrEqual(1e-6 * scale);
          }
          for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Math.abs(cols[i][j] - cols[j][i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(cols[i][j])));
        });
      }),
      { numRuns: 12 },
    );
  });
});

describe('transformer: Gauss–Newton product', () => {
  it('equals H·v where the targets are the model’s own softmax (residual p − y = 0), differs elsewhere, and is PSD', () => {
    fc.assert(
      fc.property(caseArb(specArb()), (c) => {
        // H − G = Σ_n Σ_j (p_nj − y_nj)·∇²z_nj / N: zero exactly when y = p, whatever the curvature of the logits
        const own = refTransformerProbs(c.spec, c.w, c.tokens, c.batch);
        withModel({ ...c, targets: own }, (m) => {
          const hv = hvp(m, c.w, c.v), gv = hvp(m, c.w, c.v, true);
          // the targets are JS-computed probabilities, so p − y is rounding-sized, not 0: H·v − G·v is then of order
          // ε·‖v‖ however small H·v is (FC_SEED=949173184: 1.11e-15 against a purely relative bound of 1.106e-15)
          expect(norm(hv.map((x, i) => x - gv[i]))).toBeLessThanOrEqual(1e-10 * Math.max(norm(hv), 1e-12) + 1e-13 * norm(c.v));
          expect(dotp(c.v, gv)).toBeGreaterThanOrEqual(-1e-12 * norm(c.v) ** 2);
        });
      }),
      { numRuns: 80 },
    );
  });

  it('differs from H·v away from zero residual once the logits are nonlinear in the parameters', () => {
    // embedding + attention + head: logits are products of parameters, so ∇²z ≠ 0 and one-hot targets leave p ≠ y
    const spec: TransformerSpec = { vocab: 5, context: 3, width: 4, heads: 2, mlpWidth: 4, blocks: 2, layerNorm: true, residual: true, attention: true, mlp: true, activation: 'gelu' };
    fc.assert(
      fc.property(caseArb(fc.constant(spec), false), (c) => {
        withModel(c, (m) => {
          const hv = hvp(m, c.w, c.v), gv = hvp(m, c.w, c.v, true);
          expect(norm(hv.map((x, i) => x - gv[i]))).toBeGreaterThan(1e-3 * norm(hv));
        });
      }),
      { numRuns: 20 },
    );
  });
});

describe('transformer: each mechanism on its own', () => {
  const base: TransformerSpec = { vocab: 5, context: 3, width: 4, heads: 2, mlpWidth: 5, blocks: 2, layerNorm: true, residual: false, attention: true, mlp: true, activation: 'gelu' };

  it('LayerNorm: the loss ignores the scale of the embeddings, so g·θ_e = 0 and H·[θ_e; 0] = [−g_e; 0]; without LN it does not', () => {
    for (const layerNorm of [true, false]) {
      fc.assert(
        fc.property(caseArb(fc.constant({ ...base, layerNorm })), (c0) => {
          // LN's ε = 1e-5 under the square root breaks the invariance: measured, the relative defect is ≈ 7e-4 at
          // unit embeddings and falls as 1/scale (H·d matches differences of the gradient to 1e-8 throughout), so
          // scale the embeddings ×100 with LN on; a wrong R-term would be an O(1) defect
          const nEmb = (c0.spec.vocab + c0.spec.context) * c0.spec.width;
          // a ramp across each row keeps every LN input row away from constant (variance ≥ 0.1 before the ×100)
          const W = c0.spec.width;
          const c = { ...c0, w: c0.w.map((x, i) => (i < nEmb ? (layerNorm ? 100 : 1) * (x + 0.3 * (i % W)) : x)) };
          withModel(c, (m) => {
            const e = m.slice('embed')!, p = m.slice('pos')!;
            const end = p.offset + p.rows * p.cols; // embed then pos, contiguous from 0
            expect(e.offset).toBe(0);
            const dir = c.w.map((x, i) => (i < end ? x : 0));
            const g = grad(m, c.w), hd = hvp(m, c.w, dir);
            const want = g.map((x, i) => (i < end ? -x : 0));
            const err = norm(hd.map((x, i) => x - want[i])) / Math.max(norm(hd), norm(g), 1e-12);
            if (layerNorm) {
              // ε-defect again (relative ≈ 1e-11 at ×100), far below the O(1) of an LN without the invariance
              expect(Math.abs(dotp(g, dir))).toBeLessThanOrEqual(1e-8 * Math.max(1e-3, norm(g) * norm(dir)));
              expect(err).toBeLessThanOrEqual(1e-4);
            } else {
              expect(err).toBeGreaterThan(1e-3);
            }
          });
        }),
        { numRuns: 20 },
      );
    }
  });

  it('residual: with every branch output zeroed, the model is embed → LN → head, and so are gradient and H there', () => {
    fc.assert(
      fc.property(caseArb(fc.constant({ ...base, residual: true })), (c) => {
        const bare = { ...c.spec, attention: false, mlp: false };
        withModel(c, (m) => {
          const w = [...c.w];
          for (let b = 0; b < c.spec.blocks; b++)
            for (const k of ['attnOut', 'mlpDown', 'mlpDown.b'] as const) {
              const s = m.slice(k, b)!;
              for (let i = 0; i < s.rows * s.cols; i++) w[s.offset + i] = 0;
            }
          const shared = ['embed', 'pos', 'lnf.g', 'lnf.b', 'head', 'head.b'] as const;
          withModel({ ...c, spec: bare }, (mb, at) => {
            const wb = new Array<number>(mb.size).fill(0), vb = new Array<number>(mb.size).fill(0);
            const vFull = new Array<number>(m.size).fill(0);
            for (const k of shared) {
              const s = m.slice(k)!, t = mb.slice(k)!;
              for (let i = 0; i < s.rows * s.cols; i++) {
                wb[t.offset + i] = w[s.offset + i];
                vb[t.offset + i] = c.v[s.offset + i];
                vFull[s.offset + i] = c.v[s.offset + i];
              }
            }
            expect(Math.abs(m.loss(at(w)) - mb.loss(at(wb)))).toBeLessThanOrEqual(1e-13);
            const g = grad(m, w), gb = grad(mb, wb), h = hvp(m, w, vFull), hb = hvp(mb, wb, vb);
            for (const k of shared) {
              const s = m.slice(k)!, t = mb.slice(k)!;
              for (let i = 0; i < s.rows * s.cols; i++) {
                expect(Math.abs(g[s.offset + i] - gb[t.offset + i])).toBeLessThanOrEqual(1e-13);
                expect(Math.abs(h[s.offset + i] - hb[t.offset + i])).toBeLessThanOrEqual(1e-12);
              }
            }
          });
        });
      }),
      { numRuns: 20 },
    );
  });

  it('attention is causal: logits at positions before t ignore the token at t', () => {
    fc.assert(
      fc.property(caseArb(fc.constant({ ...base, context: 4, residual: true })), fc.integer({ min: 0, max: 3 }), (c, t) => {
        withModel(c, (m, at) => {
          const P = engine.matrix(m.positions, c.spec.vocab);
          m.loss(at(c.w));
          m.probs(P);
          const before = P.toArray();
          const tok = [...c.tokens];
          tok[t] = (tok[t] + 1) % c.spec.vocab;
          m.setTokens(tok);
          m.loss(at(c.w));
          m.probs(P);
          const after = P.toArray();
          for (let i = 0; i < t * c.spec.vocab; i++) expect(after[i]).toBe(before[i]);
          expect(norm(after.map((x, i) => x - before[i]))).toBeGreaterThan(0);
        });
      }),
      { numRuns: 20 },
    );
  });

  it('heads: with W_Q = W_K = 0 attention is uniform, so 1 and 2 heads agree; with random W_Q, W_K they do not', () => {
    fc.assert(
      fc.property(caseArb(fc.constant({ ...base, heads: 1 })), (c) => {
        const two = { ...c.spec, heads: 2 };
        withModel(c, (m1, at) => {
          withModel({ ...c, spec: two }, (m2) => {
            expect(Math.abs(m1.loss(at(c.w)) - m2.loss(at(c.w)))).toBeGreaterThan(1e-9);
            const w = [...c.w];
            for (let b = 0; b < c.spec.blocks; b++)
              for (const k of ['q', 'k'] as const) {
                const s = m1.slice(k, b)!;
                for (let i = 0; i < s.rows * s.cols; i++) w[s.offset + i] = 0;
              }
            expect(Math.abs(m1.loss(at(w)) - m2.loss(at(w)))).toBeLessThanOrEqual(1e-13);
          });
        });
      }),
      { numRuns: 20 },
    );
  });

  it('vocabulary: the head-bias block of H is the mean of diag(p) − ppᵀ over positions, for 2 to 128 classes', () => {
    fc.assert(
      fc.property(caseArb(specArb({ activation: 'gelu', maxBlocks: 2, maxVocab: 128 }).map((s) => ({ ...s, context: Math.min(s.context, 2) }))), (c) => {
        withModel(c, (m, at) => {
          const V = c.spec.vocab, N = m.positions;
          const hb = m.slice('head.b')!;
          const P = engine.matrix(N, V);
          m.loss(at(c.w));
          m.probs(P);
          const p = P.toArray();
          for (const j of [0, V - 1]) {
            const col = hvp(m, c.w, c.w.map((_, i) => (i === hb.offset + j ? 1 : 0)));
            for (let i = 0; i < V; i++) {
              let want = 0;
              for (let n = 0; n < N; n++) want += ((i === j ? p[n * V + i] : 0) - p[n * V + i] * p[n * V + j]) / N;
              expect(Math.abs(col[hb.offset + i] - want)).toBeLessThanOrEqual(1e-14);
            }
          }
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('transformer: bad input', () => {
  it('names bad specs, tokens and lengths', () => {
    expect(() => new Transformer(engine, { width: 5, heads: 2 }, 1)).toThrow(/width 5 must be a multiple of heads 2/);
    expect(() => new Transformer(engine, { activation: 'tanh' as never }, 1)).toThrow(/activation must be 'gelu' or 'relu', got tanh/);
    expect(() => new Transformer(engine, { vocab: 100000, context: 512, width: 512 }, 64)).toThrow(/MiB of workspace/);
    engine.scope(() => {
      const m = new Transformer(engine, { vocab: 4, context: 2 }, 1);
      try {
        expect(() => m.setTokens([0, 4])).toThrow(/tokens\[1\] is 4; token ids are integers from 0 to 3/);
        expect(() => m.setTokens([0])).toThrow(/tokens has length 1; need batch×context = 2/);
        expect(() => m.loss(engine.vector(3))).toThrow(/params has length 3; this transformer has \d+ parameters/);
        const w = engine.vector(m.size), bad = engine.vector(m.size);
        bad.data()[1] = Number.NaN;
        expect(() => m.hvp(w, bad, engine.vector(m.size))).toThrow(/direction .*non-finite entry NaN at \[1\]/);
        expect(() => m.slice('q', 5)).toThrow(/block must be an integer from 0 to 1, got 5/);
      } finally {
        m.free();
      }
    });
  });
});
