// PROTOCOL.md's defaults as a complete RunConfig, and how a preset and user overrides combine with them.
import type { Experiment, PresetName, RunConfig } from './types.js';

export const DEFAULT_CONFIG: Readonly<RunConfig> = Object.freeze({
  preset: 'paper',
  dims: [64],
  trials: 10,
  epochs: 200,
  batch: 64,
  lr: 0.01,
  adamLr: 1e-3,
  noise: 0.01,
  init: 'gauss',
  initStd: 0.02,
  target: 'heterogeneous',
  targetScale: 1,
  multLrFactor: 0.1,
  specLambda: 1e-3,
  specClip: 1.0,
  svdCorrEvery: 20,
  svdCorrRate: 0.1,
  weightDecay: 0,
  lrs: [0.001, 0.005, 0.01, 0.02, 0.05],
  weightDecays: [0, 1e-4, 1e-3, 1e-2],
  depths: [1, 2, 3],
  hidden: 64,
  seed: 42,
  seedStride: 100,
  evalEvery: 1,
  orthLambda: 1e-3,
  pssEvery: 20,
  pssStrength: 0.1,
  stAlpha: 2,
  stTau: 0.01,
  stLr: 0.02,
  stAdaptEvery: 10,
  stAlphas: [0, 0.5, 1, 1.5, 2],
  batches: [8, 16, 64, 256, 1024],
  structDecayLambda: 1,
  structDecayK: 8,
  inits: ['zeros', 'gauss', 'xavier'],
  noises: [0, 0.01, 0.1],
  targetScales: [0.1, 1, 10],
  multLrFactors: [0.01, 0.1, 1],
  specLambdas: [1e-4, 1e-3, 1e-2, 1e-1],
  specClips: [0.1, 1, 10],
} satisfies RunConfig) as Readonly<RunConfig>;

const LIST_KEYS = ['inits', 'noises', 'targetScales', 'multLrFactors', 'specLambdas', 'specClips', 'stAlphas', 'batches'] as const;

/** defaults ← experiment preset ← overrides (later wins); arrays are copied so callers may mutate them. */
export function resolveConfig(exp: Experiment, preset: PresetName, overrides: Partial<RunConfig> = {}): RunConfig {
  const cfg: RunConfig = { ...DEFAULT_CONFIG, ...exp.presets[preset], ...overrides, preset };
  cfg.dims = [...cfg.dims];
  cfg.lrs = [...cfg.lrs];
  cfg.weightDecays = [...cfg.weightDecays];
  cfg.depths = [...cfg.depths];
  for (const k of LIST_KEYS) (cfg as unknown as Record<string, unknown[]>)[k] = [...(cfg[k] as unknown[])];
  return cfg;
}
