// The registry: the paper's nine experiments, then the experiments beyond the paper (curvature, correctives, ablations).
// `condlab run all` runs every registered experiment; `paperExperiments` are the nine the claims table judges.
import type { Experiment } from './types.js';
import { CondlabError } from '../engine/errors.js';
import { curvatureExperiment } from '../curvature/experiment.js';
import { correctivesExperiment } from './correctives.js';
import { ablationExperiments } from './ablations/index.js';
import { fmnistExperiment } from './fmnist.js';
import { transformerExperiment, mechanismsExperiment } from './transformer/index.js';
import { spectralExperiment } from './spectral.js';
import { spectralChainsExperiment } from './spectral_chains.js';
import { exp1 } from './exp1.js';
import { exp2 } from './exp2.js';
import { exp3 } from './exp3.js';
import { exp4 } from './exp4.js';
import { exp5 } from './exp5.js';
import { exp6 } from './exp6.js';
import { exp7 } from './exp7.js';
import { exp8 } from './exp8.js';
import { exp9 } from './exp9.js';

export const paperExperiments: Experiment[] = [exp1, exp2, exp3, exp4, exp5, exp6, exp7, exp8, exp9];
export const extensionExperiments: Experiment[] = [
  curvatureExperiment, correctivesExperiment, spectralExperiment, spectralChainsExperiment, ...ablationExperiments, fmnistExperiment, transformerExperiment,
  mechanismsExperiment,
];
export const experiments: Experiment[] = [...paperExperiments, ...extensionExperiments];

export function getExperiment(id: string): Experiment {
  const e = experiments.find((x) => x.id === id);
  if (!e) {
    throw new CondlabError(`unknown experiment '${id}'; known: ${experiments.map((x) => x.id).join(', ')}`, 'unknown-experiment', { id });
  }
  return e;
}

export { exp1, exp2, exp3, exp4, exp5, exp6, exp7, exp8, exp9 };
export { DEFAULT_CONFIG, resolveConfig } from './defaults.js';
export type * from './types.js';
