// A complete RunConfig with PROTOCOL.md's defaults, for tests that must not depend on the CLI's config layer.
import type { RunConfig } from '../../src/experiments/types.js';

export function protocolConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    preset: 'quick', dims: [64], trials: 1, epochs: 200, batch: 64, lr: 0.01, adamLr: 1e-3, noise: 0.01,
    init: 'gauss', initStd: 0.02, target: 'heterogeneous', targetScale: 1, multLrFactor: 0.1, specLambda: 1e-3,
    specClip: 1, svdCorrEvery: 20, svdCorrRate: 0.1, weightDecay: 0, lrs: [0.001, 0.005, 0.01, 0.02, 0.05],
    weightDecays: [0, 1e-4, 1e-3, 1e-2], depths: [1, 2, 3], hidden: 64, seed: 42, seedStride: 100, evalEvery: 1,
    orthLambda: 1e-3, pssEvery: 20, pssStrength: 0.1, inits: ['zeros', 'gauss', 'xavier'], noises: [0, 0.01, 0.1],
    targetScales: [0.1, 1, 10], multLrFactors: [0.01, 0.1, 1], specLambdas: [1e-4, 1e-3, 1e-2, 1e-1], specClips: [0.1, 1, 10],
    stAlpha: 2, stTau: 0.01, stLr: 0.02, stAdaptEvery: 10, stAlphas: [0, 0.5, 1, 1.5, 2], batches: [8, 16, 64, 256, 1024], structDecayLambda: 1, structDecayK: 8,
    ...overrides,
  };
}
