// Figures of the Fashion-MNIST experiment: test and train accuracy by method, per-layer κ and curvature exponent by
// method, and over training (test accuracy, κ of each layer, ESD α of the first layer) one line per method.
// Same lazy-import arrangement as ablation_figures.ts (figures.ts spreads FMNIST_SPECS into its SPECS).
import type { ExperimentResults } from '../experiments/types.js';
import type { ErrorBars, Figure, Spec } from './figures.js';

const lib = () => import('./figures.js');

async function fmnistFigures(r: ExperimentResults, m: ErrorBars): Promise<Figure[]> {
  const { conditionFigure, seriesAcrossFigure } = await lib();
  const layers = [1, 2, 3, 4, 5, 6, 7, 8].filter((l) => Object.values(r.summaries ?? {}).some((s) => s.metrics?.[`kappa${l}`]));
  const out: Figure[] = [];
  const add = async (id: string, title: string, svg: Promise<string>) => out.push({ id, title, svg: await svg });
  await add('accuracy', 'Test and train accuracy by method (full test set, whole training slice)', conditionFigure(r, ['testAcc', 'trainAcc'], m, 'Accuracy by method'));
  await add('kappa', 'Per-layer condition number κ of the trained weights, by method', conditionFigure(r, layers.map((l) => `kappa${l}`), m, 'Per-layer κ by method'));
  await add('curvature', 'Per-layer curvature exponent α (exact HVPs along the top gradient directions), by method', conditionFigure(r, layers.map((l) => `curvAlpha${l}`), m, 'Curvature exponent α by layer'));
  await add('esd', 'Per-layer ESD power-law α and stable rank, by method', conditionFigure(r, [...layers.map((l) => `esdAlpha${l}`), ...layers.map((l) => `stableRank${l}`)], m, 'ESD α and stable rank'));
  for (const [name, label] of [['testAcc', 'test accuracy'], ...layers.map((l) => [`kappa${l}`, `κ of layer ${l}`]), ['esdAlpha1', 'ESD α of layer 1']]) {
    await add(`series-${name}`, `${label} over training, by method`, seriesAcrossFigure(r, name, m, { xLabel: 'step', yLabel: label, title: label }));
  }
  return out;
}

export const FMNIST_SPECS: Record<string, Spec> = { fmnist: fmnistFigures };
