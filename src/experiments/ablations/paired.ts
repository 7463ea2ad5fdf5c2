// The shared shape of the ablations: the single layer of Exp 4 at d = config.dims[0], ONE condition per cell (so
// units parallelise, resume and report ETA per grid value) and every cell of a trial PAIRED with the others: each
// cell re-derives the trial's target stream and training stream (common.ts), so all conditions of a trial see the
// same W* (up to the scale that abl-scale varies), the same W₀ draw (scaled per init kind in abl-init; the trainer
// always draws it, even for zeros) and the same batches X, ε (ε is drawn even at noise 0; abl-lrtime's shorter runs
// see a prefix of the same sequence). Metrics: runLinear's COMPONENT_METRICS, kappa, finalLoss; a diverged run is
// reported as diverged (never averaged).
import { CondlabError } from '../../engine/errors.js';
import type { TrainSpec } from '../../train/trainer.js';
import type { CellContext, CellResult, Experiment, RunConfig } from '../types.js';
import { epochCost, runLinear, trialTarget } from '../common.js';
import { closedFormMetrics, overlayOf } from '../../theory/trial.js';

export interface AblationCell {
  /** Cell name = condition name, e.g. `noise=0.01`. */
  name: string;
  spec: TrainSpec;
  /** Epochs of this condition (default config.epochs; abl-lrtime varies it). */
  epochs?: number;
  /** W* = targetScale·(the trial's target) for this condition (default config.targetScale; abl-scale varies it). */
  targetScale?: number;
}

export interface AblationDef {
  id: string;
  title: string;
  description: string;
  /** The conditions, in report order; names must be unique (grids are de-duplicated with `unique`). */
  cells(config: RunConfig, d: number): AblationCell[];
  /** Quick-preset overrides beyond the shared ones (e.g. a smaller grid). */
  quick?: Partial<RunConfig>;
  /** Extra metrics of a finished (non-diverged) condition, e.g. the epochs it ran. */
  extraMetrics?(cell: AblationCell, config: RunConfig): Record<string, number>;
  /** Attach the closed-form prediction (src/theory/trial.ts) for plain-SGD cells: pred… metrics at the cell's epochs. */
  closedForm?: boolean;
}

/**
 * Cost of one step in units of one plain SGD step at d = 64, B = 64 (the unit of every cellCost, so costs of
 * different experiments are comparable): two B×d×d GEMMs, ×1.05 with multipliers (measured by the correctives
 * bench), plus about 8 such steps per d×d SVD (the spectral regulariser's per-step SVD: 9× plain SGD at d = 64).
 */
export function stepCost(spec: TrainSpec): number {
  const svd = (spec.specLambda ?? 0) > 0 ? 8 * (spec.d / 64) ** 3 : 0;
  return epochCost(spec.d, spec.batch) * (spec.multipliers ? 1.05 : 1) + svd;
}

/** Grid values without repeats (a repeated value would make two cells of the same name). */
export function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export function pairedAblation(def: AblationDef): Experiment {
  const all = (config: RunConfig) => {
    const cells = def.cells(config, config.dims[0]);
    const names = new Set(cells.map((c) => c.name));
    if (names.size !== cells.length) throw new CondlabError(`${def.id}: two cells share a name (${cells.map((c) => c.name).join(', ')})`, 'bad-config');
    return cells;
  };
  const find = (config: RunConfig, name: string): AblationCell => {
    const c = all(config).find((x) => x.name === name);
    if (!c) throw new CondlabError(`${def.id}: unknown cell '${name}'`, 'bad-config', { cell: name });
    return c;
  };
  return {
    id: def.id,
    title: def.title,
    paperSection: 'ablation (beyond the paper)',
    description: def.description,
    // d = 64 both; quick: 3 trials (all six ablations take a few seconds on 2 cores), paper: 10 trials as Exp 4
    presets: { quick: { dims: [64], trials: 3, ...def.quick }, paper: { dims: [64], trials: 10 } },
    cells: (config) => all(config).map((c) => c.name),
    // training steps plus the two SVD-sized evaluations (target reference, final metrics)
    cellCost: (config, name) => {
      const c = find(config, name);
      return (c.epochs ?? config.epochs) * stepCost(c.spec) + 2 * 8 * (c.spec.d / 64) ** 3;
    },
    runCell(ctx: CellContext): CellResult {
      const c = find(ctx.config, ctx.cell);
      const config: RunConfig = { ...ctx.config, epochs: c.epochs ?? ctx.config.epochs, targetScale: c.targetScale ?? ctx.config.targetScale };
      return ctx.engine.scope(() => {
        const ref = trialTarget(ctx.engine, config, ctx.trial, c.spec.d);
        const start: { W0?: Float64Array } = {};
        const r = runLinear({ ...ctx, config }, ref, c.spec, def.closedForm ? { onStart: (W) => void (start.W0 = W.toArray()) } : {});
        if (!r.diverged && def.extraMetrics) Object.assign(r.metrics, def.extraMetrics(c, config));
        const overlay = start.W0 && !r.diverged ? overlayOf(ref, start.W0, c.spec) : undefined;
        if (overlay) Object.assign(r.metrics, closedFormMetrics(overlay, ref, config.epochs, ctx.engine));
        ctx.progress?.(1);
        return { [c.name]: r };
      });
    },
  };
}
