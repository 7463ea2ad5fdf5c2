// Exp 3 (paper §4.3): gradient signal per singular value. Plain SGD at d = 64. At every sampled epoch t
// (evalEvery, 2·evalEvery, …, epochs) we take the weights W the step-t gradient was computed at, its SVD
// W = Σ σ_i u_i v_iᵀ, and
//   gradient signal  |∂L/∂σ_i| = |u_iᵀ G v_i|, G = the step-t minibatch loss gradient (what SGD actually used);
//   population signal |u_iᵀ (W − W*) v_i| = |σ_i − u_iᵀ W* v_i| (the expected gradient, E[xxᵀ] = I).
// Conditions:
//   `sgd` — series over the sampled epochs: gradSigma1, gradSigmaMin, gradRatio (= gradSigma1/gradSigmaMin at
//     that epoch), popGradSigma1, popGradSigmaMin, and singular-value trajectories sigma1, sigmaQ1 (index d/4),
//     sigmaMedian (d/2), sigmaQ3 (3d/4), sigmaMin. Metrics: gradRatio = mean_t gradSigma1 / mean_t gradSigmaMin,
//     gradRatioMedian = median_t of the per-epoch ratio, gradRatioDecile = mean signal of the top 10% of indices /
//     mean of the bottom 10% (time-averaged), popGradRatio (as gradRatio, population signal), sigmaStar1,
//     sigmaStarMin, and the final COMPONENT_METRICS.
//   `spectrum` — series over singular-value index i = 1…d (seriesEpochs holds the indices, not epochs):
//     gradSignal and popGradSignal (time-averaged), sigmaFinal, sigmaTarget.
import type { CellContext, CellResult, Experiment } from './types.js';
import type { Engine } from '../engine/engine.js';
import type { Matrix } from '../engine/block.js';
import { Trainer } from '../train/trainer.js';
import { componentErrors, type Reference } from '../metrics/components.js';
import { baseSeed, diverged, linearTeacher, mean, median, methodSpec, seriesEpochs, seriesRunCost, trainStreams, trialTarget } from './common.js';
import { wasmOf } from '../engine/internal.js';

/** |u_iᵀ G v_i| for every i, with (U, V) from the SVD of W. Also returns σ(W) and |σ_i − u_iᵀ W* v_i|. */
export function signalPerSingularValue(engine: Engine, W: Matrix, G: Matrix, Wstar: Matrix): { signal: number[]; pop: number[]; sigma: number[] } {
  return engine.scope(() => {
    const { U, s, V } = engine.svd(W);
    const d = W.rows, k = s.length;
    const GV = engine.matmul(G, V!);
    const SV = engine.matmul(Wstar, V!);
    const u = U!.data(), gv = GV.data(), sv = SV.data(), sig = s.toArray();
    const signal: number[] = [], pop: number[] = [];
    for (let i = 0; i < k; i++) {
      let a = 0, b = 0;
      for (let r = 0; r < d; r++) {
        a += u[r * k + i] * gv[r * k + i];
        b += u[r * k + i] * sv[r * k + i];
      }
      signal.push(Math.abs(a));
      pop.push(Math.abs(sig[i] - b));
    }
    return { signal, pop, sigma: Array.from(sig) };
  });
}

function decileRatio(xs: number[]): number {
  const k = Math.max(1, Math.floor(xs.length / 10));
  return mean(xs.slice(0, k)) / mean(xs.slice(-k));
}

export function runExp3Trial(ctx: CellContext, ref: Reference): CellResult {
  const { engine, config, trial } = ctx;
  const d = ref.W.rows;
  return engine.scope(() => {
    const t = Trainer.create(engine, methodSpec(config, d, 'sgd'), linearTeacher(ref), trainStreams(engine, baseSeed(config, trial)));
    const epochs = seriesEpochs(config.epochs, config.evalEvery).filter((e) => e >= 1);
    const ser: Record<string, number[]> = {
      gradSigma1: [], gradSigmaMin: [], gradRatio: [], popGradSigma1: [], popGradSigmaMin: [],
      sigma1: [], sigmaQ1: [], sigmaMedian: [], sigmaQ3: [], sigmaMin: [],
    };
    const sumSignal = new Float64Array(d), sumPop = new Float64Array(d);
    for (const e of epochs) {
      if (t.run(e, true)) {
        const dv = diverged(t);
        return { sgd: dv, spectrum: dv };
      }
      const { signal, pop, sigma } = engine.scope(() => {
        const W = engine.matrix(d, d), G = engine.matrix(d, d);
        wasmOf(engine).copy(d * d, t.prev.ptr, W.ptr);
        wasmOf(engine).copy(d * d, t.grad.ptr, G.ptr);
        return signalPerSingularValue(engine, W, G, ref.W);
      });
      for (let i = 0; i < d; i++) {
        sumSignal[i] += signal[i];
        sumPop[i] += pop[i];
      }
      ser.gradSigma1.push(signal[0]);
      ser.gradSigmaMin.push(signal[d - 1]);
      ser.gradRatio.push(signal[0] / signal[d - 1]);
      ser.popGradSigma1.push(pop[0]);
      ser.popGradSigmaMin.push(pop[d - 1]);
      ser.sigma1.push(sigma[0]);
      ser.sigmaQ1.push(sigma[Math.floor(d / 4)]);
      ser.sigmaMedian.push(sigma[Math.floor(d / 2)]);
      ser.sigmaQ3.push(sigma[Math.floor((3 * d) / 4)]);
      ser.sigmaMin.push(sigma[d - 1]);
    }
    const gradSignal = Array.from(sumSignal, (x) => x / epochs.length);
    const popGradSignal = Array.from(sumPop, (x) => x / epochs.length);
    const final = engine.scope(() => {
      const W = t.weights();
      return { m: componentErrors(engine, W, ref, true), s: Array.from(engine.singularValues(W, { method: 'bidiag' }).toArray()) };
    });
    const star = Array.from(ref.c.sv);
    return {
      sgd: {
        metrics: {
          ...final.m,
          gradRatio: mean(ser.gradSigma1) / mean(ser.gradSigmaMin),
          gradRatioMedian: median(ser.gradRatio),
          gradRatioDecile: decileRatio(gradSignal),
          popGradRatio: mean(ser.popGradSigma1) / mean(ser.popGradSigmaMin),
          sigmaStar1: star[0],
          sigmaStarMin: star[d - 1],
        },
        series: ser,
        seriesEpochs: epochs,
      },
      spectrum: {
        metrics: {},
        series: { gradSignal, popGradSignal, sigmaFinal: final.s, sigmaTarget: star },
        seriesEpochs: Array.from({ length: d }, (_, i) => i + 1),
      },
    };
  });
}

export const exp3: Experiment = {
  id: 'exp3',
  title: 'Gradient signal per singular value',
  paperSection: '4.3',
  description: 'SGD at d = 64: |u_iᵀ G v_i| per singular value during training, and singular-value trajectories.',
  presets: {
    quick: { dims: [64], trials: 5, evalEvery: 2 },
    paper: { dims: [64], trials: 10, evalEvery: 1 },
  },
  cells: () => ['all'],
  cellCost: (config) => seriesRunCost(config, 1), // the spectrum cell's SVD of W with vectors per evaluation
  runCell(ctx: CellContext): CellResult {
    const d = ctx.config.dims[0];
    return ctx.engine.scope(() => runExp3Trial(ctx, trialTarget(ctx.engine, ctx.config, ctx.trial, d)));
  },
};
