// abl-scale: W* → s·W* for s in the grid (the grid value replaces config.targetScale). SGD on this loss is
// equivariant in W − W*: with W₀ = 0 and no noise every relative error is exactly scale-free, so any dependence on
// s comes through the init std and the noise std, which stay absolute (the init-to-target and noise-to-signal ratios
// fall as 1/s).
import { linearSpec } from '../common.js';
import { pairedAblation, unique } from './paired.js';

export const ablScale = pairedAblation({
  id: 'abl-scale',
  title: 'Ablation: target scale',
  description: 'SGD on s·W* over the grid: the dynamics of W − W* are scale-equivariant, so relative errors can depend on s only through the absolute init std and noise.',
  cells: (config, d) => unique(config.targetScales).map((s) => ({ name: `scale=${s}`, spec: linearSpec(config, d), targetScale: s })),
});
