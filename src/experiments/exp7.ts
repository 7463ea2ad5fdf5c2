// Exp 7 (paper §4.7): depth. d = 64, SGD, 200 epochs. One cell per depth L ∈ config.depths and one for the MLP.
//   `depth1` is the single-layer run of the other experiments (W₀ ~ N(0, initStd²)); `depthL`, L ≥ 2, trains
//   y = W_L⋯W_1 x with layers ~ N(0, 1/d) on the same target W* and batches. Metrics on the product P = W_L⋯W_1:
//   COMPONENT_METRICS (kappaErr is the product κ error), productKappa, targetKappa, layerKappa<l> (l = 1…L),
//   layerKappaMean (arithmetic), initProductKappa and initLayerKappaMean (before training: how much of the
//   product's κ is inherited from the random initial layers), finalLoss.
//   `mlp`: y = W₂·ReLU(W₁x), hidden = config.hidden, teacher = two heterogeneous targets (W₁* hidden×d, then
//   W₂* d×hidden, from the target stream), student layers ~ N(0, 1/d). Metrics: overallErr = ‖f(X) − f*(X)‖_F /
//   ‖f*(X)‖_F on 2000 fresh noise-free inputs (eval stream), layerKappa1/2, teacherKappa1/2, kappaErrLayer1/2,
//   kappaErr = their mean (PROTOCOL.md), logKappaErr = mean |log κ̂_l − log κ*_l|, initLayerKappa1/2, finalLoss.
// Trial 0 also keeps spectra (src/experiments/spectra.ts): `W` = the product vs W* (depthL), `layer1`, `layer2` vs
// the teacher's layers (mlp).
import type { CellContext, CellResult, ConditionResult, Experiment, RunConfig } from './types.js';
import type { Engine } from '../engine/engine.js';
import type { Matrix } from '../engine/block.js';
import { Trainer, type TrainSpec } from '../train/trainer.js';
import { mlpTeacher } from '../train/targets.js';
import { componentErrors, kappaOf, scalarRelErr } from '../metrics/components.js';
import { STREAM, baseSeed, diverged, epochCost, linearSpec, linearTeacher, mean, spectraCost, trainStreams, trialTarget } from './common.js';
import { SpectrumRecorder, recordsSpectra, singularValuesOf, spectrumEpochs, trainSampling } from './spectra.js';

export const MLP_EVAL_INPUTS = 2000;

function kappa(engine: Engine, W: Matrix): number {
  return engine.scope(() => kappaOf(engine.singularValues(W, { method: 'bidiag' }).toArray()));
}

function layerKappas(engine: Engine, t: Trainer): number[] {
  return t.shapes.map((_, l) => engine.scope(() => kappa(engine, t.layer(l))));
}

/**
 * How another experiment reuses Exp 7's protocol with a different optimiser (the `spectral-chains` experiment):
 * `spec` overrides the training spec, `onEnd` adds metrics from the trained run, `spectra: false` skips trial 0's
 * spectra. Without options the cell is Exp 7's own.
 */
export interface ChainRunOptions {
  spec?: Partial<TrainSpec>;
  onEnd?: (t: Trainer) => Record<string, number>;
  spectra?: boolean;
}

export function runDepth(ctx: CellContext, L: number, opts: ChainRunOptions = {}): ConditionResult {
  const { engine, config, trial } = ctx;
  const d = config.dims[0];
  return engine.scope(() => {
    const ref = trialTarget(engine, config, trial, d);
    const base: TrainSpec = L === 1 ? linearSpec(config, d) : { ...linearSpec(config, d), model: 'deep', depth: L };
    const spec: TrainSpec = { ...base, ...opts.spec };
    const t = Trainer.create(engine, spec, linearTeacher(ref), trainStreams(engine, baseSeed(config, trial)));
    const initLayers = layerKappas(engine, t);
    const initProductKappa = engine.scope(() => kappa(engine, t.weights()));
    const rec = opts.spectra !== false && recordsSpectra(trial) ? new SpectrumRecorder(engine, ['W']) : undefined;
    if (rec && trainSampling(engine, t, rec, spectrumEpochs(config.epochs), config.epochs, () => [t.weights()])) return diverged(t);
    if (t.run(config.epochs)) return diverged(t);
    const layers = layerKappas(engine, t);
    const m = engine.scope(() => componentErrors(engine, t.weights(), ref, true));
    const metrics: Record<string, number> = {
      ...m,
      productKappa: m.kappa,
      targetKappa: ref.c.kappa,
      layerKappaMean: mean(layers),
      initProductKappa,
      initLayerKappaMean: mean(initLayers),
      finalLoss: t.lastLoss,
      ...opts.onEnd?.(t),
    };
    layers.forEach((k, l) => (metrics[`layerKappa${l + 1}`] = k));
    if (!rec) return { metrics };
    return { metrics, spectra: engine.scope(() => rec.finish([ref.c.sv], [t.weights()])) };
  });
}

/** W₂·ReLU(W₁·x) for the rows x of X, as a new matrix. */
export function mlpForward(engine: Engine, W1: Matrix, W2: Matrix, X: Matrix): Matrix {
  return engine.scope(() => {
    const H = engine.matmul(X, W1, { transB: true });
    const h = H.data();
    for (let i = 0; i < h.length; i++) if (!(h[i] > 0)) h[i] = 0;
    return engine.matmul(H, W2, { transB: true });
  });
}

export function runMlp(ctx: CellContext, opts: ChainRunOptions = {}): ConditionResult {
  const { engine, config, trial } = ctx;
  const d = config.dims[0];
  const base = baseSeed(config, trial);
  return engine.scope(() => {
    const trng = engine.rng(base, STREAM.target);
    const [T1, T2] = mlpTeacher(engine, trng, d, config.hidden, config.targetScale);
    const spec: TrainSpec = { ...linearSpec(config, d), model: 'mlp', hidden: config.hidden, ...opts.spec };
    const t = Trainer.create(engine, spec, { kind: 'mlp', W1: T1, W2: T2 }, trainStreams(engine, base));
    const init = layerKappas(engine, t);
    const rec = opts.spectra !== false && recordsSpectra(trial) ? new SpectrumRecorder(engine, ['layer1', 'layer2']) : undefined;
    if (rec && trainSampling(engine, t, rec, spectrumEpochs(config.epochs), config.epochs, () => [t.layer(0), t.layer(1)])) return diverged(t);
    if (t.run(config.epochs)) return diverged(t);
    const layers = layerKappas(engine, t);
    const teacher = [kappa(engine, T1), kappa(engine, T2)];
    const overallErr = engine.scope(() => {
      const X = engine.rng(base, STREAM.eval).normalMatrix(MLP_EVAL_INPUTS, d);
      const F = mlpForward(engine, t.layer(0), t.layer(1), X);
      const Fs = mlpForward(engine, T1, T2, X);
      engine.axpy(-1, Fs, F);
      return engine.frobenius(F) / engine.frobenius(Fs);
    });
    const errs = layers.map((k, l) => scalarRelErr(k, teacher[l]));
    const spectra = rec && engine.scope(() => rec.finish([singularValuesOf(engine, T1), singularValuesOf(engine, T2)], [t.layer(0), t.layer(1)]));
    return {
      metrics: {
        overallErr,
        kappaErr: mean(errs),
        logKappaErr: mean(layers.map((k, l) => Math.abs(engine.log(k) - engine.log(teacher[l])))),
        kappaErrLayer1: errs[0],
        kappaErrLayer2: errs[1],
        layerKappa1: layers[0],
        layerKappa2: layers[1],
        teacherKappa1: teacher[0],
        teacherKappa2: teacher[1],
        initLayerKappa1: init[0],
        initLayerKappa2: init[1],
        finalLoss: t.lastLoss,
        ...opts.onEnd?.(t),
      },
      ...(spectra && { spectra }),
    };
  });
}

export const exp7: Experiment = {
  id: 'exp7',
  title: 'Depth: deep linear networks and a ReLU MLP',
  paperSection: '4.7',
  description: 'Product condition number and its error for depth 1, 2, 3 linear networks on the same target, and a 2-layer ReLU MLP teacher–student.',
  presets: {
    quick: { dims: [64], hidden: 64, trials: 5 },
    paper: { dims: [64], hidden: 64, trials: 10 },
  },
  cells: (config: RunConfig) => [...config.depths.map((L) => `depth${L}`), 'mlp'],
  cellCost: (config, cell) => {
    const d = config.dims[0];
    // a deep linear step costs ~0.6 of a single-layer step per extra layer (0.4.0 paper run: depth 2 and 3 took
    // 1.56× and 2.34× depth 1); the MLP (two layers, ReLU, hidden width) ~3×
    if (cell === 'mlp') return config.epochs * epochCost(d, config.batch) * 3 * Math.max(1, config.hidden / d);
    return config.epochs * epochCost(d, config.batch) * (1 + 0.6 * (Number(cell.slice(5)) - 1));
  },
  trialZeroCost: (config, cell) => spectraCost(config, Math.max(config.dims[0], cell === 'mlp' ? config.hidden : 0), cell === 'mlp' ? 2 : 1),
  runCell(ctx: CellContext): CellResult {
    if (ctx.cell === 'mlp') return { mlp: runMlp(ctx) };
    const L = Number(ctx.cell.slice(5));
    if (!ctx.cell.startsWith('depth') || !Number.isInteger(L) || L < 1) throw new Error(`exp7: unknown cell ${ctx.cell}`);
    return { [ctx.cell]: runDepth(ctx, L) };
  },
};
