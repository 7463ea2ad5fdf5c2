// abl-lrtime: the lr grid at a fixed "time" T = lr·epochs = config.lr·config.epochs: lr_i runs round(T / lr_i)
// epochs. In the gradient-flow limit the errors depend on T only; what changes with lr at fixed T is SGD's noise and
// the discretisation. Shorter runs see a prefix of the same batches. Extra metric: `epochs` (what the cell ran).
import { CondlabError } from '../../engine/errors.js';
import type { RunConfig } from '../types.js';
import { linearSpec } from '../common.js';
import { pairedAblation, unique } from './paired.js';

/** Epochs that keep lr·epochs at the config's lr·epochs (at least 1). */
export function epochsAtFixedTime(config: RunConfig, lr: number): number {
  if (!(lr > 0)) throw new CondlabError(`abl-lrtime needs every lr > 0 (epochs = lr·epochs / lr), got ${lr}`, 'bad-config', { lr });
  return Math.max(1, Math.round((config.lr * config.epochs) / lr));
}

export const ablLrTime = pairedAblation({
  id: 'abl-lrtime',
  title: 'Ablation: learning rate at fixed lr·epochs',
  description: 'Each lr runs round(lr₀·epochs₀ / lr) epochs (lr₀·epochs₀ from the config): equal "time" in the gradient-flow limit, so differences are SGD noise and discretisation.',
  cells: (config, d) => unique(config.lrs).map((lr) => ({ name: `lr=${lr}`, spec: linearSpec(config, d, { lr }), epochs: epochsAtFixedTime(config, lr) })),
  extraMetrics: (cell) => ({ epochs: cell.epochs! }),
});
