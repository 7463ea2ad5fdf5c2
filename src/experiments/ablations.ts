// Ablations that test the paper's explanations (issue "beyond the paper", causes): the single layer at d = dims[0]
// under Exp 4's conventions, one condition per cell so units parallelise and resume. Every cell of a trial uses the
// trial's target stream and training stream, so conditions are paired: same W* (up to the scale ablated in
// abl-scale), same W₀ draw, same batches (up to epochs in abl-lrtime).
//   abl-init     init ∈ inits (zeros, gauss with initStd, xavier)                 cells init=<kind>
//   abl-noise    label-noise std ∈ noises                                         cells noise=<σ>
//   abl-scale    W* multiplied by s ∈ targetScales                                cells scale=<s>
//   abl-multlr   row/column multipliers at lr·f, f ∈ multLrFactors, + plain SGD   cells multlr=<f>, sgd
//   abl-specreg  spectral regulariser (λ, clip) ∈ specLambdas × specClips, + SGD cells lambda=<λ>,clip=<c>, sgd
//   abl-lrtime   lr ∈ lrs at fixed "time" lr·epochs = config.lr·config.epochs    cells lr=<lr> (epochs = round(T/lr))
// Metrics: COMPONENT_METRICS, kappa, finalLoss (runLinear); abl-lrtime adds `epochs`.
import type { CellContext, CellResult, Experiment, RunConfig } from './types.js';
import type { TrainSpec } from '../train/trainer.js';
import { epochCost, linearSpec, runLinear, trialTarget } from './common.js';

interface Cell {
  name: string;
  spec: TrainSpec;
  /** Epochs for this cell (default config.epochs). */
  epochs?: number;
  /** Target scale for this cell (default config.targetScale). */
  targetScale?: number;
  /** Relative cost factor per epoch (an SVD per step ≈ 5 plain epochs at d = 64). */
  weight?: number;
}

interface AblationDef {
  id: string;
  title: string;
  description: string;
  cells(config: RunConfig, d: number): Cell[];
  /** Extra quick-preset overrides (e.g. a smaller grid). */
  quick?: Partial<RunConfig>;
}

/** Epochs that keep lr·epochs at the config's lr·epochs. */
export function epochsAtFixedTime(config: RunConfig, lr: number): number {
  if (!(lr > 0)) throw new Error(`abl-lrtime needs every lr > 0, got ${lr}`);
  return Math.max(1, Math.round((config.lr * config.epochs) / lr));
}

function ablation(def: AblationDef): Experiment {
  const cellsOf = (config: RunConfig) => def.cells(config, config.dims[0]);
  const find = (config: RunConfig, name: string): Cell => {
    const c = cellsOf(config).find((x) => x.name === name);
    if (!c) throw new Error(`${def.id}: unknown cell '${name}'`);
    return c;
  };
  return {
    id: def.id,
    title: def.title,
    paperSection: 'ablation (beyond the paper)',
    description: def.description,
    presets: { quick: { dims: [64], trials: 3, ...def.quick }, paper: { dims: [64], trials: 10 } },
    cells: (config) => cellsOf(config).map((c) => c.name),
    cellCost: (config, name) => {
      const c = find(config, name);
      return (c.epochs ?? config.epochs) * epochCost(config.dims[0], config.batch) * (c.weight ?? 1) + (config.dims[0] / 64) ** 3;
    },
    runCell(ctx: CellContext): CellResult {
      const c = find(ctx.config, ctx.cell);
      const config = { ...ctx.config, epochs: c.epochs ?? ctx.config.epochs, targetScale: c.targetScale ?? ctx.config.targetScale };
      return ctx.engine.scope(() => {
        const ref = trialTarget(ctx.engine, config, ctx.trial, c.spec.d);
        const r = runLinear({ ...ctx, config }, ref, c.spec);
        if (c.epochs !== undefined && !r.diverged) r.metrics.epochs = c.epochs;
        return { [c.name]: r };
      });
    },
  };
}

export const ablInit = ablation({
  id: 'abl-init',
  title: 'Ablation: initialisation (zeros, Gaussian, Xavier)',
  description: 'Does κ error come from the leftover init? SGD from W₀ = 0, N(0, initStd²) and Xavier N(0, 1/d) on the same targets and batches.',
  cells: (config, d) => config.inits.map((init) => ({ name: `init=${init}`, spec: linearSpec(config, d, { init }) })),
});

export const ablNoise = ablation({
  id: 'abl-noise',
  title: 'Ablation: label noise',
  description: 'Does κ error come from label noise acting on σ_min? SGD with noise std over the grid, same targets and inputs.',
  cells: (config, d) => config.noises.map((noise) => ({ name: `noise=${noise}`, spec: linearSpec(config, d, { noise }) })),
});

export const ablScale = ablation({
  id: 'abl-scale',
  title: 'Ablation: target scale',
  description: 'SGD on W* scaled by s: the dynamics of W − W* are scale-equivariant, so relative errors can depend on s only through the absolute init std and noise.',
  cells: (config, d) => config.targetScales.map((s) => ({ name: `scale=${s}`, spec: linearSpec(config, d), targetScale: s })),
});

export const ablMultLr = ablation({
  id: 'abl-multlr',
  title: 'Ablation: multiplier learning-rate factor',
  description: 'Row/column multipliers trained at lr × f over the grid, against plain SGD of the same trial.',
  cells: (config, d) => [
    { name: 'sgd', spec: linearSpec(config, d) },
    ...config.multLrFactors.map((f) => ({ name: `multlr=${f}`, spec: linearSpec(config, d, { multipliers: true, multLrFactor: f }) })),
  ],
});

export const ablSpecReg = ablation({
  id: 'abl-specreg',
  title: 'Ablation: spectral regulariser (λ, clip) grid',
  description: 'λ(log κ(W) − log κ*)² with its gradient clipped in Frobenius norm, over λ × clip, against plain SGD.',
  cells: (config, d) => [
    { name: 'sgd', spec: linearSpec(config, d) },
    ...config.specLambdas.flatMap((lambda) =>
      config.specClips.map((clip) => ({
        name: `lambda=${lambda},clip=${clip}`,
        spec: linearSpec(config, d, { specLambda: lambda, specClip: clip }),
        weight: 1 + 5 * (d / 64),
      })),
    ),
  ],
  quick: { specLambdas: [1e-4, 1e-2], specClips: [0.1, 10] },
});

export const ablLrTime = ablation({
  id: 'abl-lrtime',
  title: 'Ablation: learning rate at fixed lr·epochs',
  description: 'Each lr runs round(lr₀·epochs₀ / lr) epochs (lr₀·epochs₀ from the config): equal "time" in the gradient-flow limit, so differences are SGD noise and discretisation.',
  cells: (config, d) => config.lrs.map((lr) => ({ name: `lr=${lr}`, spec: linearSpec(config, d, { lr }), epochs: epochsAtFixedTime(config, lr) })),
});

export const ablationExperiments: Experiment[] = [ablInit, ablNoise, ablScale, ablMultLr, ablSpecReg, ablLrTime];
