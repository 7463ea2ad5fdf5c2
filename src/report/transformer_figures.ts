// Figures of the transformer experiments (src/experiments/transformer/): per layer type, grouped by layer type with
// one marker per optimiser (transformer) or per ablation (mechanisms). Conditions are `<member>/<layer type>`.
// Like ablation_figures.ts, the plotting helpers are imported lazily: figures.ts spreads TRANSFORMER_SPECS into its
// SPECS, so a static import back would be a cycle.
import type { ExperimentResults } from '../experiments/types.js';
import type { ErrorBars, Figure, Spec } from './figures.js';

const lib = () => import('./figures.js');
const TYPES = ['q', 'k', 'v', 'attnOut', 'mlpUp', 'mlpDown', 'head', 'qk', 'ov'];

async function byType(r: ExperimentResults, metric: string, mode: ErrorBars, o: { title: string; yLabel: string }): Promise<string> {
  const { bars, groupedFigure } = await lib();
  const points = Object.entries(r?.summaries ?? {}).flatMap(([c, s]) => {
    const [member, type] = c.split('/');
    const b = type && TYPES.includes(type) ? bars(s.metrics?.[metric], mode) : undefined;
    return b ? [{ group: type, member, ...b }] : [];
  });
  return groupedFigure(points, { title: o.title, xLabel: 'layer type', yLabel: `${o.yLabel} (${mode === 'std' ? 'mean ± 1 std' : 'median, IQR'})`, groups: TYPES });
}

const fig = async (id: string, title: string, svg: Promise<string>): Promise<Figure> => ({ id, title, svg: await svg });

export const TRANSFORMER_SPECS: Record<string, Spec> = {
  transformer: async (r, m) => [
    await fig('log-kappa', '|log κ̂ − log κ*| per layer type and student (SGD, Adam, spectral transfer)', byType(r, 'logKappaErr', m, { title: '|log κ̂ − log κ*| by layer type', yLabel: '|log κ̂ − log κ*|' })),
    await fig('row-norms', 'Row-norm error (sorted: permutation-invariant) per layer type', byType(r, 'rowNormSortedErr', m, { title: 'Sorted row-norm error by layer type', yLabel: 'relative error' })),
    await fig('overall', 'Overall error ‖W − W*‖/‖W*‖ per layer type (not identifiable up to the model’s symmetries)', byType(r, 'overallErr', m, { title: 'Overall error by layer type', yLabel: 'relative error' })),
  ],
  mechanisms: async (r, m) => [
    await fig('alpha', 'Curvature exponent α per layer type and mechanism (seed 004: MLP 2.18, GPT-2 attention 1.30, MLP 1.00, head 4.53)', byType(r, 'alpha', m, { title: 'Curvature exponent α', yLabel: 'α' })),
    await fig('transfer', 'Transfer error |s − αγ|/|s| per layer type and mechanism (seed: median 1–2%)', byType(r, 'transferRelErr', m, { title: 'Spectral transfer error', yLabel: '|s − αγ|/|s|' })),
    await fig('participation', 'Curvature participation ratio (Σλ)²/Σλ² per layer type and mechanism', byType(r, 'curvaturePR', m, { title: 'Curvature participation ratio', yLabel: 'participation ratio' })),
  ],
};
