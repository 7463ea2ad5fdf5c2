// Cost of one exact Hessian-vector product (and Gauss–Newton product) relative to one gradient, for each model
// family at d = 256, batch 64, and for the transformer (d_model 64, 16 sequences of 32 tokens): the design target is
// HVP ≤ 3× gradient.
import b from 'benny';
import { Engine } from '../src/engine/index.js';
import { DenseChain, type ChainSpec } from '../src/curvature/index.js';
import { Transformer, type TransformerSpec } from '../src/models/transformer.js';

export interface HvpBenchRow {
  model: string;
  d: number;
  gradientMs: number;
  hvpMs: number;
  gaussNewtonMs: number;
  hvpOverGradient: number;
}

export async function runHvpBench(opts: { d?: number; batch?: number; maxTime?: number } = {}): Promise<HvpBenchRow[]> {
  const d = opts.d ?? 256, batch = opts.batch ?? 64, maxTime = opts.maxTime ?? 1;
  const engine = await Engine.load();
  const models: [string, ChainSpec][] = [
    ['linear', { dims: [d, d], activation: 'linear', loss: 'mse' }],
    ['deep linear L=2', { dims: [d, d, d], activation: 'linear', loss: 'mse' }],
    ['deep linear L=3', { dims: [d, d, d, d], activation: 'linear', loss: 'mse' }],
    ['ReLU MLP', { dims: [d, d, d], activation: 'relu', loss: 'mse' }],
    ['MLP + softmax CE', { dims: [d, d, 10], activation: 'relu', loss: 'cross-entropy' }],
  ];
  const rows: HvpBenchRow[] = [];
  for (const [name, spec] of models) {
    // handles live across the async benchmark, so they are freed by hand rather than by a scope
    const row = (() => {
      const rng = engine.rng(5);
      let size = 0;
      for (let l = 1; l < spec.dims.length; l++) size += spec.dims[l] * spec.dims[l - 1];
      const params = rng.normalVector(size, 0, 1 / Math.sqrt(d));
      const X = rng.normalMatrix(batch, d);
      const Y = engine.matrix(batch, spec.dims[spec.dims.length - 1]);
      if (spec.loss === 'cross-entropy') for (let r = 0; r < batch; r++) Y.put(r, r % 10, 1);
      else rng.fillNormal(Y);
      const chain = new DenseChain(engine, spec, params, X, Y);
      const v = rng.normalVector(size), out = engine.vector(size);
      return { chain, v, out, owned: [params, X, Y, v, out, rng] };
    })();
    const times: Record<string, number> = {};
    const summary = await b.suite(
      `hvp ${name}`,
      b.add('gradient', () => void row.chain.gradient(row.out), { maxTime, minSamples: 5 }),
      b.add('hvp', () => row.chain.hvp(row.v, row.out), { maxTime, minSamples: 5 }),
      b.add('gauss-newton', () => row.chain.hvp(row.v, row.out, true), { maxTime, minSamples: 5 }),
    );
    for (const r of summary.results) times[r.name] = r.details.median * 1e3;
    rows.push({ model: name, d, gradientMs: times.gradient, hvpMs: times.hvp, gaussNewtonMs: times['gauss-newton'], hvpOverGradient: times.hvp / times.gradient });
    row.chain.free();
    for (const h of row.owned) h.free();
  }
  // the transformer (assembly/models/transformer.ts) in the same run: d_model 64, context 32, 2 blocks, 16 sequences
  const tspecs: [string, Partial<TransformerSpec>][] = [
    ['transformer L=2', { vocab: 64, context: 32, width: 64, heads: 4, mlpWidth: 256, blocks: 2 }],
    ['transformer L=2 ReLU, no LN', { vocab: 64, context: 32, width: 64, heads: 4, mlpWidth: 256, blocks: 2, activation: 'relu', layerNorm: false }],
  ];
  for (const [name, spec] of tspecs) {
    const rng = engine.rng(6);
    const model = new Transformer(engine, spec, 16);
    const params = model.init(engine.vector(model.size), rng);
    model.setTokens(Array.from({ length: model.positions }, (_, i) => (i * 7 + 3) % 64));
    model.setTargetTokens(Array.from({ length: model.positions }, (_, i) => (i * 5 + 1) % 64));
    const v = rng.normalVector(model.size), out = engine.vector(model.size);
    const times: Record<string, number> = {};
    const summary = await b.suite(
      `hvp ${name}`,
      b.add('gradient', () => void model.gradient(params, out), { maxTime, minSamples: 5 }),
      b.add('hvp', () => void model.hvp(params, v, out), { maxTime, minSamples: 5 }),
      b.add('gauss-newton', () => void model.hvp(params, v, out, true), { maxTime, minSamples: 5 }),
    );
    for (const r of summary.results) times[r.name] = r.details.median * 1e3;
    rows.push({ model: name, d: spec.width!, gradientMs: times.gradient, hvpMs: times.hvp, gaussNewtonMs: times['gauss-newton'], hvpOverGradient: times.hvp / times.gradient });
    model.free();
    for (const h of [params, v, out, rng]) h.free();
  }
  return rows;
}
