// abl-specreg: the spectral regulariser λ(log κ(W) − log κ*)² (Exp 4's `specreg`) over λ × clip, where clip bounds
// the Frobenius norm of its gradient, beside plain SGD of the same trial (`sgd`, which is λ = 0).
import { linearSpec, methodSpec } from '../common.js';
import { pairedAblation, unique } from './paired.js';

export const ablSpecReg = pairedAblation({
  id: 'abl-specreg',
  title: 'Ablation: spectral regulariser (λ, clip) grid',
  description: 'λ(log κ(W) − log κ*)² with its gradient clipped in Frobenius norm, over λ × clip, against plain SGD.',
  cells: (config, d) => [
    { name: 'sgd', spec: methodSpec(config, d, 'sgd') },
    ...unique(config.specLambdas).flatMap((lambda) =>
      unique(config.specClips).map((clip) => ({ name: `lambda=${lambda},clip=${clip}`, spec: linearSpec(config, d, { specLambda: lambda, specClip: clip }) })),
    ),
  ],
  // a per-step SVD makes every regularised cell ~9× a plain one: the quick grid keeps the protocol's (1e-3, 1) and
  // the extremes λ = 0.1, clip = 10 (the paper grid is 4 λ × 3 clips)
  quick: { specLambdas: [1e-3, 1e-1], specClips: [1, 10] },
});
