// The run configuration: DEFAULT_CONFIG (PROTOCOL.md) ← the experiment's preset ← user overrides, later wins,
// and the merged result validated as a whole before any work starts.
import type { Experiment, PresetName, RunConfig } from '../experiments/types.js';
import { resolveConfig } from '../experiments/defaults.js';
import { validateConfig, validateOverrides } from './schema.js';

export { FIELDS, FIELD_NAMES, validateConfig, validateOverrides, didYouMean, editDistance, kebab, type FieldName } from './schema.js';
export { estimate, checkResources, formatDuration, type Estimate } from './estimate.js';

/** The complete, validated config of one experiment run. `overrides` may be unvalidated (it is checked here). */
export function buildConfig(exp: Experiment, preset: PresetName, overrides: Record<string, unknown> = {}): RunConfig {
  const checked = validateOverrides(overrides, 'overrides');
  return validateConfig(resolveConfig(exp, preset, checked), `${exp.id} (${preset}) config`);
}
