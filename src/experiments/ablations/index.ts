// The ablations that test the paper's explanations (review, issue 7): d = dims[0] = 64, Exp 4's conventions, one
// paired condition per cell (paired.ts).
//   abl-init     init ∈ inits (zeros, gauss with initStd, xavier)                  cells init=<kind>
//   abl-noise    label-noise std ∈ noises                                          cells noise=<σ>
//   abl-scale    W* multiplied by s ∈ targetScales                                 cells scale=<s>
//   abl-multlr   row/column multipliers at lr·f, f ∈ multLrFactors, + plain SGD    cells sgd, multlr=<f>
//   abl-specreg  spectral regulariser (λ, clip) ∈ specLambdas × specClips, + SGD   cells sgd, lambda=<λ>,clip=<c>
//   abl-lrtime   lr ∈ lrs at fixed lr·epochs = config.lr·config.epochs            cells lr=<lr> (epochs = round(T/lr))
//   abl-batch    B ∈ batches at fixed steps and at fixed samples (+ closed form)    cells B=<b>,steps, B=<b>,samples
import type { Experiment } from '../types.js';
import { ablInit } from './init.js';
import { ablNoise } from './noise.js';
import { ablScale } from './scale.js';
import { ablMultLr } from './multlr.js';
import { ablSpecReg } from './specreg.js';
import { ablLrTime, epochsAtFixedTime } from './lrtime.js';
import { ablBatch, epochsAtFixedSamples } from './batch.js';

export const ablationExperiments: Experiment[] = [ablInit, ablNoise, ablScale, ablMultLr, ablSpecReg, ablLrTime, ablBatch];

export { ablInit, ablNoise, ablScale, ablMultLr, ablSpecReg, ablLrTime, epochsAtFixedTime, ablBatch, epochsAtFixedSamples };
export { pairedAblation, stepCost, type AblationCell, type AblationDef } from './paired.js';
