// Figures of the Fashion-MNIST experiment: test and train accuracy by method, per-layer κ and curvature exponent by
// method, and over training (test accuracy, κ of each layer, ESD α of the first layer) one line per method.
// Same lazy-import arrangement as ablation_figures.ts (figures.ts spreads FMNIST_SPECS into its SPECS).
import type { ExperimentResults } from '../experiments/types.js';
import type { ErrorBars, Figure, Spec } from './figures.js';

const lib = () => import('./figures.js');

async function fmnistFigures(r: ExperimentResults, m: ErrorBars): Promise<Figure[]> {
  const { bars, groupedFigure, seriesAcrossFigure } = await lib();
  const byMethod = (metrics: string[], title: string, yLabel: string) => {
    const points = metrics.flatMap((k) => Object.entries(r.summaries ?? {}).flatMap(([c, s]) => {
      const b = bars(s.metrics?.[k], m);
      return b ? [{ group: k, member: c, ...b }] : [];
    }));
    return groupedFigure(points, { title, xLabel: 'metric (layer l = 1 is the input layer)', yLabel: `${yLabel} (${m === 'std' ? 'mean ± 1 std' : 'median, IQR'})`, members: Object.keys(r.summaries ?? {}) });
  };
  const layers = [1, 2, 3, 4, 5, 6, 7, 8].filter((l) => Object.values(r.summaries ?? {}).some((s) => s.metrics?.[`kappa${l}`]));
  const out: Figure[] = [];
  const add = async (id: string, title: string, svg: Promise<string>) => out.push({ id, title, svg: await svg });
  await add('accuracy', 'Test and train accuracy by method (full test set, whole training slice)', byMethod(['testAcc', 'trainAcc'], 'Accuracy by method', 'accuracy'));
  await add('kappa', 'Per-layer condition number κ of the trained weights, by method', byMethod(layers.map((l) => `kappa${l}`), 'Per-layer κ by method', 'κ = σ₁/σ_min'));
  await add('curvature', 'Per-layer curvature exponent α (exact HVPs along the top gradient directions), by method', byMethod(layers.map((l) => `curvAlpha${l}`), 'Curvature exponent α by layer', 'slope of log λ vs log s'));
  await add('esd', 'Per-layer ESD power-law α (WeightWatcher fit of σᵢ²), by method', byMethod(layers.map((l) => `esdAlpha${l}`), 'ESD power-law α by layer', 'α of p(λ) ∝ λ^−α'));
  for (const [name, label] of [['testAcc', 'test accuracy'], ...layers.map((l) => [`kappa${l}`, `κ of layer ${l}`]), ['esdAlpha1', 'ESD α of layer 1']]) {
    await add(`series-${name}`, `${label} over training, by method`, seriesAcrossFigure(r, name, m, { xLabel: 'step', yLabel: label, title: label }));
  }
  return out;
}

export const FMNIST_SPECS: Record<string, Spec> = { fmnist: fmnistFigures };
