// abl-noise: is the κ error label noise acting on σ_min? SGD with label-noise std over the grid; the same targets,
// W₀ and inputs X (the noise draws are the same normals, scaled).
import { linearSpec } from '../common.js';
import { pairedAblation, unique } from './paired.js';

export const ablNoise = pairedAblation({
  id: 'abl-noise',
  title: 'Ablation: label noise',
  description: 'Does κ error come from label noise acting on σ_min? SGD with noise std over the grid, same targets, W₀ and inputs.',
  cells: (config, d) => unique(config.noises).map((noise) => ({ name: `noise=${noise}`, spec: linearSpec(config, d, { noise }) })),
});
