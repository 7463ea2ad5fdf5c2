// abl-batch (review W8/W9): batch size B ∈ batches, at a fixed number of steps (every B runs config.epochs steps,
// so larger B sees more samples) and at a fixed number of samples (B runs round(epochs·batch / B) steps, so every
// cell sees about epochs·batch samples; exact when B divides it). Cells `B=<b>,steps` and `B=<b>,samples`; extra
// metrics `epochs`, `samples`. All cells of a trial share W* and W₀ (the first d² normals of the training stream);
// the batches differ with B (the stream is drawn B×d at a time), so pairs are matched on target and init only.
// Every cell also carries the closed-form prediction (src/theory/linear_sgd.ts, which already has B in it: the
// fluctuation terms scale as η²(d+1)/B) at its own (B, epochs): pred… metrics.
import { CondlabError } from '../../engine/errors.js';
import type { RunConfig } from '../types.js';
import { linearSpec } from '../common.js';
import { pairedAblation, unique } from './paired.js';

/** Steps that keep the samples seen at the config's epochs·batch (at least 1). */
export function epochsAtFixedSamples(config: RunConfig, batch: number): number {
  if (!(Number.isInteger(batch) && batch >= 1)) throw new CondlabError(`abl-batch needs integer batch sizes ≥ 1, got ${batch}`, 'bad-config', { field: 'batch', value: batch });
  return Math.max(1, Math.round((config.epochs * config.batch) / batch));
}

export const ablBatch = pairedAblation({
  id: 'abl-batch',
  title: 'Ablation: batch size at fixed steps and at fixed samples',
  description: 'SGD with batch B ∈ batches, each run both for config.epochs steps and for round(epochs·batch/B) steps (equal samples); closed-form prediction per cell.',
  cells: (config, d) => unique(config.batches).flatMap((B) => [
    { name: `B=${B},steps`, spec: linearSpec(config, d, { batch: B }), epochs: config.epochs },
    { name: `B=${B},samples`, spec: linearSpec(config, d, { batch: B }), epochs: epochsAtFixedSamples(config, B) },
  ]),
  // the largest grid value costs 16 steps per step at B = 1024; the quick preset keeps the grid but fewer epochs
  quick: { epochs: 100 },
  extraMetrics: (cell) => ({ epochs: cell.epochs!, samples: cell.epochs! * cell.spec.batch }),
  closedForm: true,
});
