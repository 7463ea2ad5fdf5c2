// abl-init: is the κ error the leftover random init? SGD from W₀ = 0, from N(0, initStd²) (the protocol) and from
// Xavier N(0, 1/d). The three scale the same normal draws, so the trials are paired down to W₀'s direction.
import { linearSpec } from '../common.js';
import { pairedAblation, unique } from './paired.js';

export const ablInit = pairedAblation({
  id: 'abl-init',
  title: 'Ablation: initialisation (zeros, Gaussian, Xavier)',
  description: 'Does κ error come from the leftover init? SGD from W₀ = 0, N(0, initStd²) and Xavier N(0, 1/d) on the same targets and batches.',
  cells: (config, d) => unique(config.inits).map((init) => ({ name: `init=${init}`, spec: linearSpec(config, d, { init }) })),
});
