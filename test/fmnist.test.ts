// The Fashion-MNIST experiment's parts: the 3-layer softmax-CE chain's gradient and exact HVP (finite differences,
// symmetry), the WASM classifier trainer (multiplier chain rule, spectral term, evaluation against an independent JS
// forward pass), learning on a slice of the real files when installed (else on IDX files written here), worker-count
// independent results, and the missing-data message / skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { writeIdx } from '../src/data/idx.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Engine } from '../src/engine/index.js';
import { DenseChain } from '../src/curvature/chain.js';
import { MlpClassifier, pixelMoments, type ClassifierSpec } from '../src/train/classifier.js';
import { FMNIST_DEFAULT_DIR, FMNIST_FILES, fashionMnist, fashionMnistMissing, type FashionMnist, type LabelledImages } from '../src/data/fmnist.js';
import { fmnistExperiment, layerMetrics } from '../src/experiments/fmnist.js';
import { buildConfig } from '../src/config/index.js';
import { runExperiment } from '../src/runner/run.js';
import { writeFakeFashionMnist } from './helpers/fmnist.js';
import { mulberry32 } from '../src/stats/prng.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const REAL = fashionMnistMissing(FMNIST_DEFAULT_DIR) === undefined;

/** A learnable stand-in when the real files are absent: each class lights up its own block of pixels, plus noise. */
function synthetic(n: number, seed: number): LabelledImages {
  const r = mulberry32(seed);
  const images = new Uint8Array(n * 784), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * 10);
    labels[i] = c;
    for (let j = 0; j < 784; j++) images[i * 784 + j] = Math.floor(r() * 60) + (Math.floor(j / 78.4) === c ? 150 : 0);
  }
  return { images, labels, n };
}

/** The real files when installed; otherwise the synthetic images written as the four IDX files and read back. */
function dataset(): { data: FashionMnist; real: boolean } {
  if (REAL) return { data: fashionMnist(FMNIST_DEFAULT_DIR), real: true };
  const dir = mkdtempSync(join(tmpdir(), 'condlab-fmnist-synth-'));
  const tr = synthetic(3000, 1), te = synthetic(500, 2);
  const put = (name: string, shape: number[], bytes: Uint8Array) => writeFileSync(join(dir, `${name}.gz`), gzipSync(writeIdx(shape, bytes)));
  put(FMNIST_FILES.trainImages, [tr.n, 28, 28], tr.images);
  put(FMNIST_FILES.trainLabels, [tr.n], tr.labels);
  put(FMNIST_FILES.testImages, [te.n, 28, 28], te.images);
  put(FMNIST_FILES.testLabels, [te.n], te.labels);
  return { data: fashionMnist(dir), real: false };
}

const sliceOf = (s: LabelledImages, n: number): LabelledImages => ({ images: s.images.subarray(0, n * 784), labels: s.labels.subarray(0, n), n });

describe('3-layer softmax cross-entropy chain', () => {
  const dims = [12, 9, 7, 10];
  const B = 6;
  const make = (seed: number) => {
    const r = mulberry32(seed);
    let n = 0;
    for (let l = 1; l < dims.length; l++) n += dims[l] * dims[l - 1];
    const p = engine.vector(n, Array.from({ length: n }, () => (r() - 0.5) * 0.8));
    const X = engine.matrix(B, dims[0], Array.from({ length: B * dims[0] }, () => r() * 2 - 1));
    const Y = engine.matrix(B, 10);
    for (let b = 0; b < B; b++) Y.data()[b * 10 + Math.floor(r() * 10)] = 1;
    return { p, chain: new DenseChain(engine, { dims, activation: 'relu', loss: 'cross-entropy' }, p, X, Y), n, r };
  };

  it('gradient and HVP agree with central differences, and the Hessian is symmetric', () => {
    engine.scope(() => {
      const { p, chain, n, r } = make(3);
      const g = engine.vector(n), gp = engine.vector(n), gm = engine.vector(n), hv = engine.vector(n), hu = engine.vector(n);
      chain.gradient(g);
      const p0 = p.toArray();
      const h = 1e-5;
      // gradient vs differences of the loss, on every coordinate
      let worst = 0;
      for (let i = 0; i < n; i++) {
        p.data()[i] = p0[i] + h;
        const lp = chain.loss();
        p.data()[i] = p0[i] - h;
        const lm = chain.loss();
        p.data()[i] = p0[i];
        worst = Math.max(worst, Math.abs((lp - lm) / (2 * h) - g.data()[i]));
      }
      expect(worst).toBeLessThan(1e-8);
      // HVP vs differences of the gradient along v
      const v = engine.vector(n, Array.from({ length: n }, () => r() - 0.5));
      const u = engine.vector(n, Array.from({ length: n }, () => r() - 0.5));
      chain.hvp(v, hv);
      for (let i = 0; i < n; i++) p.data()[i] = p0[i] + h * v.data()[i];
      chain.gradient(gp);
      for (let i = 0; i < n; i++) p.data()[i] = p0[i] - h * v.data()[i];
      chain.gradient(gm);
      p.data().set(p0);
      let err = 0, scale = 0;
      for (let i = 0; i < n; i++) {
        err = Math.max(err, Math.abs((gp.data()[i] - gm.data()[i]) / (2 * h) - hv.data()[i]));
        scale = Math.max(scale, Math.abs(hv.data()[i]));
      }
      expect(err / scale).toBeLessThan(1e-6);
      chain.hvp(u, hu);
      const uHv = u.toArray().reduce((a, x, i) => a + x * hv.data()[i], 0);
      const vHu = v.toArray().reduce((a, x, i) => a + x * hu.data()[i], 0);
      expect(Math.abs(uHv - vHu)).toBeLessThan(1e-12 * Math.max(1, Math.abs(uHv)));
      chain.free();
    });
  });
});

describe('WASM MLP classifier trainer', () => {
  const tiny = synthetic(64, 9);
  const spec = (s: Partial<ClassifierSpec>): ClassifierSpec => ({ dims: [784, 6, 5, 10], batch: 8, optimizer: 'sgd', lr: 0.1, ...s });

  it('learnable multipliers: the gradient of W, r and c matches central differences of the batch loss', () => {
    engine.scope(() => {
      const c = MlpClassifier.create(engine, spec({ multipliers: true, multLr: 0.01 }), tiny, undefined, engine.rng(5, 0), engine.rng(5, 1));
      const p = c.params;
      const r = mulberry32(4);
      // move r, c off 1 so that every factor of the chain rule matters
      for (let i = c.nWeights; i < p.length; i++) p.data()[i] = 0.5 + r();
      const { grad } = c.batchGradient();
      const p0 = p.toArray();
      const h = 1e-6;
      const picks = [...Array.from({ length: 30 }, () => Math.floor(r() * c.nWeights)), ...Array.from({ length: p.length - c.nWeights }, (_, k) => c.nWeights + k)];
      for (const i of picks) {
        p.data()[i] = p0[i] + h;
        const lp = c.batchGradient().loss;
        p.data()[i] = p0[i] - h;
        const lm = c.batchGradient().loss;
        p.data()[i] = p0[i];
        expect(Math.abs((lp - lm) / (2 * h) - grad[i])).toBeLessThan(1e-7 + 1e-5 * Math.abs(grad[i]));
      }
    });
  });

  it('spectral term: with fresh singular vectors it is the gradient of λ·Σ(log κ_l)²', () => {
    engine.scope(() => {
      const lambda = 0.05;
      const c = MlpClassifier.create(engine, spec({ specLambda: lambda, specClip: 1e9, specEvery: 1 }), tiny, undefined, engine.rng(6, 0), engine.rng(6, 1));
      const plain = c.batchGradient(false).grad;
      const withReg = c.batchGradient(true, 1).grad;
      const p = c.params, p0 = p.toArray();
      const reg = () => {
        let s = 0;
        for (let l = 1; l <= c.layers; l++) {
          const { offset, rows, cols } = c.layer(l);
          const k = layerMetrics(engine, p.toArray().subarray(offset, offset + rows * cols), rows, cols).kappa;
          s += Math.log(k) ** 2;
        }
        return lambda * s;
      };
      const r = mulberry32(8);
      const h = 1e-6;
      for (let t = 0; t < 20; t++) {
        const i = Math.floor(r() * c.nWeights);
        p.data()[i] = p0[i] + h;
        const rp = reg();
        p.data()[i] = p0[i] - h;
        const rm = reg();
        p.data()[i] = p0[i];
        const fd = (rp - rm) / (2 * h);
        expect(Math.abs(withReg[i] - plain[i] - fd)).toBeLessThan(1e-6 + 1e-4 * Math.abs(fd));
      }
    });
  });

  it('evaluation matches an independent JS forward pass (loss and argmax accuracy)', () => {
    engine.scope(() => {
      const data = synthetic(40, 10);
      const c = MlpClassifier.create(engine, spec({}), tiny, data, engine.rng(7, 0), engine.rng(7, 1));
      c.train(20);
      const got = c.evaluate('test');
      const { mean, std } = pixelMoments(tiny.images);
      const w = c.effectiveWeights().toArray();
      const dims = [784, 6, 5, 10];
      let loss = 0, correct = 0;
      for (let i = 0; i < data.n; i++) {
        let a = Array.from(data.images.subarray(i * 784, (i + 1) * 784), (x) => (x / 255 - mean) / std);
        let off = 0;
        for (let l = 1; l < dims.length; l++) {
          const out = new Array(dims[l]).fill(0);
          for (let r = 0; r < dims[l]; r++) for (let k = 0; k < dims[l - 1]; k++) out[r] += w[off + r * dims[l - 1] + k] * a[k];
          off += dims[l] * dims[l - 1];
          a = l < dims.length - 1 ? out.map((x) => Math.max(x, 0)) : out;
        }
        const mx = Math.max(...a);
        const lse = mx + Math.log(a.reduce((s, x) => s + Math.exp(x - mx), 0));
        loss += lse - a[data.labels[i]];
        if (a.indexOf(mx) === data.labels[i]) correct++;
      }
      expect(got.loss).toBeCloseTo(loss / data.n, 9);
      expect(got.accuracy).toBe(correct / data.n);
    });
  });

  it(`learns: ${REAL ? 'a 3000-image slice of the real Fashion-MNIST files' : 'synthetic images written as IDX files here (Fashion-MNIST not installed)'} to well above chance`, () => {
    const { data, real } = dataset();
    engine.scope(() => {
      const train = sliceOf(data.train, 3000), test = sliceOf(data.test, 500);
      for (const s of [spec({ dims: [784, 32, 10], batch: 32 }), spec({ dims: [784, 32, 10], batch: 32, optimizer: 'adam', lr: 1e-3 }), spec({ dims: [784, 32, 10], batch: 32, optimizer: 'muon', lr: 0.02 }), spec({ dims: [784, 32, 10], batch: 32, optimizer: 'st', lr: 0.02, stAlpha: 1 })]) {
        const c = MlpClassifier.create(engine, s, train, test, engine.rng(11, 0), engine.rng(11, 1));
        const before = c.evaluate('test').accuracy;
        expect(c.train(200)).toBe(true);
        const after = c.evaluate('test');
        expect(before).toBeLessThan(0.35);
        expect(after.accuracy).toBeGreaterThan(real ? 0.65 : 0.9);
        expect(Number.isFinite(after.loss)).toBe(true);
      }
    });
  });
});

describe('fmnist experiment', () => {
  it('same seed ⇒ identical results JSON in process and with 2 workers (files written here)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'condlab-fmnist-exp-'));
    writeFakeFashionMnist(dir, 200, 50, true);
    const cfg = buildConfig(fmnistExperiment, 'quick', { data: dir, dims: [16], trials: 2, batch: 16, trainSize: 0, testSize: 0 });
    const a = await runExperiment(fmnistExperiment, cfg, { workers: 0, engine });
    const b = await runExperiment(fmnistExperiment, cfg, { workers: 2 });
    expect(a.failures).toEqual([]);
    const strip = (r: typeof a.results) => JSON.stringify({ ...r, timing: undefined });
    expect(strip(b.results)).toBe(strip(a.results));
    const sgd = a.results.summaries.sgd;
    expect(sgd.n).toBe(2);
    for (const k of ['testAcc', 'kappa1', 'stableRank2', 'esdAlpha1', 'curvAlpha1', 'rowSpread1']) expect(Number.isFinite(sgd.metrics[k].mean)).toBe(true);
    // the spectral regulariser lowers the mean log κ against SGD from the same init and batches
    expect(a.results.summaries.spec.metrics.logKappaMean.mean).toBeLessThan(sgd.metrics.logKappaMean.mean);
    // per-layer spectral transfer: adaptive α per layer recorded and clamped; fixed α records none
    for (const l of [1, 2]) {
      const al = a.results.summaries['st=adaptive'].metrics[`stAlpha${l}`].mean;
      expect(al).toBeGreaterThanOrEqual(0);
      expect(al).toBeLessThanOrEqual(2);
    }
    expect(a.results.summaries['st=2'].metrics.stAlpha1).toBeUndefined();
  }, 120_000);

  it('missing data: one line naming the directory; alone an error, in a list skipped', () => {
    const entry = join(process.cwd(), 'test/fixtures/cli.ts');
    const nowhere = join(tmpdir(), 'condlab-no-such-dir');
    const alone = spawnSync(process.execPath, ['--import', 'tsx', entry, 'run', 'fmnist', '--data', nowhere, '--out', mkdtempSync(join(tmpdir(), 'o-'))], { encoding: 'utf8' });
    expect(alone.status).toBe(2);
    expect(alone.stderr.trim().split('\n')).toHaveLength(1);
    expect(alone.stderr).toContain(`Fashion-MNIST not found in ${nowhere}`);
    expect(alone.stderr).toContain('apt-get install dataset-fashion-mnist');
    const listed = spawnSync(process.execPath, ['--import', 'tsx', entry, 'run', 'fmnist,exp2', '--data', nowhere, '--trials', '1', '--epochs', '2', '--workers', '0', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'o-'))], { encoding: 'utf8' });
    expect(listed.stderr).toContain(`Fashion-MNIST not found in ${nowhere}`);
    expect(listed.stderr).toContain('skipped');
    expect(listed.status).toBe(0);
  }, 60_000);
});

describe('fmnist paired differences', () => {
  it('pairs by trial, leaves out diverged trials, and gives the Student-t interval', async () => {
    const { pairedDifferences } = await import('../src/experiments/fmnist_paired.js');
    const rec = (trial: number, sgd: number, adam: number | null) => ({
      trial, cell: 'x', seed: trial,
      result: { sgd: { metrics: { testAcc: sgd } }, adam: adam === null ? { diverged: { epoch: 1, reason: 'x' }, metrics: {} } : { metrics: { testAcc: adam } } },
    });
    const r = { trials: [rec(0, 0.8, 0.83), rec(1, 0.7, 0.71), rec(2, 0.9, 0.95), rec(3, 0.5, null)] } as never;
    const p = pairedDifferences(r, 'adam', 'testAcc');
    expect(p.n).toBe(3);
    const d = [0.03, 0.01, 0.05];
    const m = (0.03 + 0.01 + 0.05) / 3;
    expect(p.meanDiff).toBeCloseTo(m, 12);
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / 2);
    expect(p.tHigh - p.meanDiff).toBeCloseTo((4.303 * sd) / Math.sqrt(3), 10);
  });
});
