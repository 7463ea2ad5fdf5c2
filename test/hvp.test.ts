// Exact Hessian-vector products (assembly/models/dense_chain.ts) against finite differences, symmetry, an
// independently assembled Hessian, and closed forms.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../src/engine/index.js';
import { DenseChain, type ChainSpec } from '../src/curvature/index.js';
import { refForward, refGradient, refLoss, reluPattern, type RefChain } from './helpers/chain-ref.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

type Kind = 'linear' | 'deep2' | 'deep3' | 'mlp' | 'mlp3' | 'mlp4' | 'mlp5' | 'classifier' | 'classifier4';
/** ReLU chains of 3–5 layers: with two layers a mask taken from the wrong layer (H_l for H_{l−1}) goes unseen. */
const deepRelu: Kind[] = ['mlp3', 'mlp4', 'mlp5', 'classifier4'];

interface Case {
  kind: Kind;
  spec: ChainSpec;
  batch: number;
  w: number[];
  x: number[];
  y: number[];
  u: number[];
  v: number[];
}

function specFor(kind: Kind, d: number[]): ChainSpec {
  switch (kind) {
    case 'linear': return { dims: [d[0], d[1]], activation: 'linear', loss: 'mse' };
    case 'deep2': return { dims: [d[0], d[1], d[2]], activation: 'linear', loss: 'mse' };
    case 'deep3': return { dims: [d[0], d[1], d[2], d[3]], activation: 'linear', loss: 'mse' };
    case 'mlp': return { dims: [d[0], d[1], d[2]], activation: 'relu', loss: 'mse' };
    case 'mlp3': return { dims: d.slice(0, 4), activation: 'relu', loss: 'mse' };
    case 'mlp4': return { dims: d.slice(0, 5), activation: 'relu', loss: 'mse' };
    case 'mlp5': return { dims: d.slice(0, 6), activation: 'relu', loss: 'mse' };
    case 'classifier': return { dims: [d[0], d[1], d[2]], activation: 'relu', loss: 'cross-entropy' };
    case 'classifier4': return { dims: d.slice(0, 5), activation: 'relu', loss: 'cross-entropy' };
  }
}

const unit = fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true });
/** Values bounded away from 0: fast-check's doubles love exact zeros, which park ReLU units on their kink. */
const generic = fc.integer({ min: -1000, max: 999 }).map((k) => (k + 0.5) / 1000);

const allKinds: Kind[] = ['linear', 'deep2', 'deep3', 'mlp', 'mlp3', 'mlp4', 'mlp5', 'classifier', 'classifier4'];

function caseArb(maxDim = 6, values: fc.Arbitrary<number> = unit, kinds: Kind[] = allKinds): fc.Arbitrary<Case> {
  const vec = (n: number) => fc.array(values, { minLength: n, maxLength: n });
  return fc
    .tuple(
      fc.constantFrom<Kind>(...kinds),
      // hidden widths ≥ 2 for the deep ReLU chains, so a unit that is dead on the whole batch does not zero the signal
      fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: 6, maxLength: 6 }),
      fc.integer({ min: 1, max: 8 }),
    )
    .chain(([kind, d0, batch]) => {
      const d = deepRelu.includes(kind) ? d0.map((x, i) => (i > 0 ? Math.max(2, x) : x)) : d0;
      const spec = specFor(kind, kind === 'classifier' ? [d[0], d[1], Math.max(2, d[2])] : d);
      const dims = spec.dims;
      let size = 0;
      for (let l = 1; l < dims.length; l++) size += dims[l] * dims[l - 1];
      const dOut = dims[dims.length - 1];
      const yArb =
        spec.loss === 'cross-entropy'
          ? fc.array(fc.integer({ min: 0, max: dOut - 1 }), { minLength: batch, maxLength: batch }).map((cls) => cls.flatMap((c) => Array.from({ length: dOut }, (_, j) => (j === c ? 1 : 0))))
          : vec(batch * dOut);
      return fc.record({
        kind: fc.constant(kind),
        spec: fc.constant(spec),
        batch: fc.constant(batch),
        w: vec(size),
        x: vec(batch * dims[0]),
        y: yArb,
        u: vec(size),
        v: vec(size),
      });
    });
}

const ref = (c: Case): RefChain => ({ dims: c.spec.dims, relu: c.spec.activation === 'relu', ce: c.spec.loss === 'cross-entropy' });

function withChain<T>(c: Case, fn: (chain: DenseChain) => T): T {
  return engine.scope(() => {
    const dims = c.spec.dims;
    const chain = new DenseChain(engine, c.spec, engine.vector(c.w.length, c.w), engine.matrix(c.batch, dims[0], c.x), engine.matrix(c.batch, dims[dims.length - 1], c.y));
    try {
      return fn(chain);
    } finally {
      chain.free();
    }
  });
}

function hvp(chain: DenseChain, v: ArrayLike<number>, gn = false): Float64Array {
  return engine.scope(() => {
    const out = engine.vector(chain.size);
    chain.hvp(engine.vector(chain.size, v), out, gn);
    return out.toArray();
  });
}

function grad(chain: DenseChain): Float64Array {
  return engine.scope(() => {
    const g = engine.vector(chain.size);
    chain.gradient(g);
    return g.toArray();
  });
}

/** ‖a‖₂, scaled so tiny entries do not underflow when squared. */
const norm = (a: ArrayLike<number>) => {
  const m = Math.max(0, ...Array.from(a, Math.abs));
  return m === 0 ? 0 : m * Math.sqrt(Array.from(a).reduce((s, x) => s + (x / m) ** 2, 0));
};
const dotp = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

/**
 * H·v against central differences of the gradient at h and h/2 combined by Richardson extrapolation (unit
 * direction, h = 1e-3: truncation O(h⁴) ≈ 1e-12, rounding ≈ ε·‖g‖/h ≈ 1e-13·‖g‖).
 */
function checkAgainstDifferences(c: Case): void {
  const nv = norm(c.v);
  fc.pre(nv > 1e-3);
  // unit direction, central differences at h and h/2 combined by Richardson extrapolation: truncation
  // O(h⁴) ≈ 1e-12 and rounding ≈ ε·‖g‖/h ≈ 1e-13·‖g‖ at h = 1e-3
  const v = c.v.map((x) => x / nv);
  const h = 1e-3;
  const r = ref(c);
  const X = Float64Array.from(c.x);
  const at = (t: number) => c.w.map((x, i) => x + t * v[i]);
  const steps = [h, -h, h / 2, -h / 2];
  // a difference that crosses a ReLU kink measures a jump, not a derivative: skip such draws
  const pattern = reluPattern(r, Float64Array.from(c.w), X, c.batch);
  fc.pre(steps.every((t) => reluPattern(r, Float64Array.from(at(t)), X, c.batch) === pattern));
  withChain(c, (chain) => {
    const hv = hvp(chain, v);
    const g0 = grad(chain);
    const [gp, gm, gp2, gm2] = steps.map((t) => withChain({ ...c, w: at(t) }, grad));
    const fd = gp.map((x, i) => (4 * (gp2[i] - gm2[i]) / h - (x - gm[i]) / (2 * h)) / 3);
    // where H·v is tiny beside the gradient, differences cannot resolve it: floor the denominator there
    const scale = Math.max(norm(hv), 1e-2 * norm(g0), 1e-6);
    expect(norm(hv.map((x, i) => x - fd[i])) / scale).toBeLessThanOrEqual(1e-6);
  });
}

describe('gradient', () => {
  it('matches an independent plain-TS back-propagation for every model family', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        withChain(c, (chain) => {
          const g = grad(chain);
          const r = refGradient(ref(c), Float64Array.from(c.w), Float64Array.from(c.x), Float64Array.from(c.y), c.batch);
          const scale = Math.max(norm(r), 1e-300);
          expect(norm(g.map((x, i) => x - r[i]))).toBeLessThanOrEqual(1e-12 * Math.max(scale, 1));
          expect(Math.abs(chain.loss() - refLoss(ref(c), Float64Array.from(c.w), Float64Array.from(c.x), Float64Array.from(c.y), c.batch))).toBeLessThanOrEqual(1e-12 * Math.max(1, chain.loss()));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('Hessian-vector products', () => {
  it('agree with central differences of the gradient (relative error ≤ 1e-6)', () => {
    fc.assert(fc.property(caseArb(), checkAgainstDifferences), { numRuns: 200 });
  });

  it('agree with central differences on ReLU models with generic (kink-free) weights and inputs', () => {
    fc.assert(
      fc.property(caseArb(6, generic, ['mlp', 'classifier', ...deepRelu]), checkAgainstDifferences),
      { numRuns: 100 },
    );
  });

  it('are symmetric: uᵀ(Hv) = vᵀ(Hu), for the Hessian and the Gauss–Newton matrix', () => {
    fc.assert(
      fc.property(caseArb(), fc.boolean(), (c, gn) => {
        withChain(c, (chain) => {
          const hv = hvp(chain, c.v, gn), hu = hvp(chain, c.u, gn);
          const scale = norm(c.u) * norm(hv) + norm(c.v) * norm(hu);
          expect(Math.abs(dotp(c.u, hv) - dotp(c.v, hu))).toBeLessThanOrEqual(1e-13 * Math.max(scale, 1e-300) * chain.size + 1e-300);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('are symmetric on ReLU chains of 3–5 layers (kink-free draws)', () => {
    fc.assert(
      fc.property(caseArb(5, generic, deepRelu), fc.boolean(), (c, gn) => {
        withChain(c, (chain) => {
          const hv = hvp(chain, c.v, gn), hu = hvp(chain, c.u, gn);
          const scale = norm(c.u) * norm(hv) + norm(c.v) * norm(hu);
          expect(Math.abs(dotp(c.u, hv) - dotp(c.v, hu))).toBeLessThanOrEqual(1e-13 * Math.max(scale, 1e-300) * chain.size + 1e-300);
        });
      }),
      { numRuns: 100 },
    );
  });

  for (const [label, arb, runs] of [
    ['tiny models', caseArb(3), 60],
    ['ReLU chains of 3–5 layers', caseArb(3, generic, deepRelu), 40],
  ] as const) it(`build, column by column, the Hessian that finite differences of the plain-TS gradient give (${label})`, () => {
    fc.assert(
      fc.property(arb, (c) => {
        const r = ref(c);
        const X = Float64Array.from(c.x), Y = Float64Array.from(c.y);
        const n = c.w.length;
        const h = 1e-5;
        const pattern = reluPattern(r, Float64Array.from(c.w), X, c.batch);
        withChain(c, (chain) => {
          for (let j = 0; j < n; j++) {
            const e = Array.from({ length: n }, (_, i) => (i === j ? 1 : 0));
            const col = hvp(chain, e);
            const wp = Float64Array.from(c.w, (x, i) => x + (i === j ? h : 0));
            const wm = Float64Array.from(c.w, (x, i) => x - (i === j ? h : 0));
            if (reluPattern(r, wp, X, c.batch) !== pattern || reluPattern(r, wm, X, c.batch) !== pattern) continue;
            const gp = refGradient(r, wp, X, Y, c.batch), gm = refGradient(r, wm, X, Y, c.batch);
            const scale = Math.max(1, norm(col));
            for (let i = 0; i < n; i++) expect(Math.abs(col[i] - (gp[i] - gm[i]) / (2 * h))).toBeLessThanOrEqual(1e-6 * scale);
          }
        });
      }),
      { numRuns: runs },
    );
  });

  it("linear model: H = (XᵀX/B) ⊗ I, i.e. H·V = V·XᵀX/B for V shaped like W", () => {
    fc.assert(
      fc.property(caseArb(6, unit, ['linear']), (c) => {
        const [din, dout] = c.spec.dims;
        withChain(c, (chain) => {
          const hv = hvp(chain, c.v);
          for (let i = 0; i < dout; i++)
            for (let j = 0; j < din; j++) {
              let s = 0;
              for (let k = 0; k < din; k++) {
                let xtx = 0;
                for (let b = 0; b < c.batch; b++) xtx += c.x[b * din + k] * c.x[b * din + j];
                s += c.v[i * din + k] * xtx / c.batch;
              }
              expect(Math.abs(hv[i * din + j] - s)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(s)) * din * c.batch);
            }
        });
      }),
      { numRuns: 100 },
    );
  });

  it('Gauss–Newton product equals the HVP at a zero-residual point (linear and deep linear)', () => {
    fc.assert(
      fc.property(caseArb(6, unit, ['linear', 'deep2', 'deep3']), (c) => {
        const y = Array.from(refForward(ref(c), Float64Array.from(c.w), Float64Array.from(c.x), c.batch));
        withChain({ ...c, y }, (chain) => {
          const hv = hvp(chain, c.v), gv = hvp(chain, c.v, true);
          const scale = Math.max(norm(hv), 1e-300);
          // δ = f(X) − Y is rounding-level, not exactly zero: GN and H differ by terms proportional to δ
          expect(norm(hv.map((x, i) => x - gv[i]))).toBeLessThanOrEqual(1e-12 * Math.max(scale, 1));
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('bad input', () => {
  it('names mismatched lengths, non-finite directions and bad layers', () => {
    const c: Case = { kind: 'linear', spec: specFor('linear', [2, 2, 0, 0]), batch: 1, w: [1, 0, 0, 1], x: [1, 2], y: [0, 0], u: [], v: [] };
    withChain(c, (chain) => {
      expect(() => chain.hvp(engine.vector(3), engine.vector(4))).toThrow(/direction has length 3; this model has 4 parameters/);
      expect(() => chain.hvp(engine.vector(4, [0, Number.NaN, 0, 0].map((x) => (Number.isNaN(x) ? 0 : x))), engine.vector(5))).toThrow(/output has length 5/);
      const bad = engine.vector(4);
      bad.data()[2] = Infinity;
      expect(() => chain.hvp(bad, engine.vector(4))).toThrow(/direction .*non-finite entry Infinity at \[2\]/);
      expect(() => chain.layer(2)).toThrow(/layer must be an integer from 1 to 1, got 2/);
      expect(() => chain.operator().apply(new Float64Array(3), new Float64Array(4))).toThrow(/direction has length 3; the operator acts on vectors of length 4/);
    });
    expect(() => engine.scope(() => new DenseChain(engine, { dims: [2, 2], activation: 'linear', loss: 'mse' }, engine.vector(3), engine.matrix(1, 2), engine.matrix(1, 2)))).toThrow(/params has length 3; dims 2→2 need 4/);
  });
});
