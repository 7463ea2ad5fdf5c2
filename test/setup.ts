// One fast-check seed per test run: FC_SEED when set (CI sets it, so CI is reproducible), otherwise a fresh one,
// printed so any failure can be replayed with FC_SEED=<seed> npm test.
import fc from 'fast-check';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : (Date.now() ^ (process.pid << 8)) >>> 0;
fc.configureGlobal({ seed });
if (!process.env.FC_SEED_PRINTED) {
  process.env.FC_SEED_PRINTED = '1';
  console.log(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);
}

// CONDLAB_ENGINE=fma runs the tests against the opt-in FMA build (.ci/run does so for the engine, GEMM, SVD and
// trainer files): every Engine.load() without an explicit source then loads build/condlab-fma.wasm. It fails loudly
// rather than testing the plain build twice when the JS engine lacks relaxed SIMD.
if (process.env.CONDLAB_ENGINE === 'fma') {
  const { Engine, relaxedSimdAvailable, fmaWasmUrl } = await import('../src/engine/index.js');
  if (!(await relaxedSimdAvailable())) throw new Error('CONDLAB_ENGINE=fma: this Node has no WebAssembly relaxed SIMD');
  const load = Engine.load.bind(Engine);
  Engine.load = async (source) => {
    const e = await load(source ?? fmaWasmUrl());
    if (source === undefined) e.variant = 'fma';
    return e;
  };
} else if (process.env.CONDLAB_ENGINE !== undefined && process.env.CONDLAB_ENGINE !== 'plain') {
  throw new Error(`CONDLAB_ENGINE must be 'plain' or 'fma', got '${process.env.CONDLAB_ENGINE}'`);
}
