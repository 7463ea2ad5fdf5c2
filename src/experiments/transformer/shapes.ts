// Model shapes per preset (PROTOCOL.md "Beyond the paper": the project fixes these and keeps them as presets).
// config.dims[0] is the model width; the rest is fixed per preset so a run is reproducible from its config.
import type { RunConfig } from '../types.js';
import type { TransformerSpec } from '../../models/transformer.js';

export function baseSpec(cfg: RunConfig): TransformerSpec {
  const width = cfg.dims[0];
  const paper = cfg.preset === 'paper';
  return {
    vocab: paper ? 32 : 16,
    context: paper ? 16 : 8,
    width,
    heads: width % 4 === 0 ? 4 : width % 2 === 0 ? 2 : 1,
    mlpWidth: cfg.hidden,
    blocks: 2,
    layerNorm: true,
    residual: true,
    attention: true,
    mlp: true,
    activation: 'gelu',
  };
}
