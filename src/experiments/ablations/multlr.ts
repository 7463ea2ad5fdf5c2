// abl-multlr: learnable row/column multipliers W_eff = diag(r)·W·diag(c) (Exp 4's `multipliers`, metrics on W_eff)
// trained at lr·f for f in the grid, beside plain SGD of the same trial (`sgd`, which is f = 0: r = c = 1 forever).
import { linearSpec, methodSpec } from '../common.js';
import { pairedAblation, unique } from './paired.js';

export const ablMultLr = pairedAblation({
  id: 'abl-multlr',
  title: 'Ablation: multiplier learning-rate factor',
  description: 'Row/column multipliers trained at lr × f over the grid, against plain SGD of the same trial.',
  cells: (config, d) => [
    { name: 'sgd', spec: methodSpec(config, d, 'sgd') },
    ...unique(config.multLrFactors).map((f) => ({ name: `multlr=${f}`, spec: linearSpec(config, d, { multipliers: true, multLrFactor: f }) })),
  ],
});
