// Figures of the representative trials' spectra (src/experiments/spectra.ts, docs/spectra.md), for any results whose
// trial records carry `spectra` (Exp 1, 4, 7, 9):
//   spectra            σ̂ᵢ trained and σᵢ* target against the normalised index i/d (log y), one line per matrix;
//   spectrum-gap       ln σ̂ᵢ − ln σᵢ* against i/d (0 = exact; < 0: the trained matrix is too small there);
//   sigma-trajectory   σ₁ and σ_min over training (log y).
// One trial, so no error bars: the figures are `single` (the report shows them once, not per error-bar mode).
// The gap is a figure-only quantity computed here from the stored values (it never reaches the results JSON).
// figures.ts calls spectraFigures from figuresFor, and this file needs figures.ts's plotting helpers, so they are
// imported lazily (only types statically), as in ablation_figures.ts.
import type { ExperimentResults, Spectrum } from '../experiments/types.js';
import type { Figure, Point } from './figures.js';

const lib = () => import('./figures.js');

/** One stored spectrum with the name its lines carry: the condition, plus the matrix when it is not the only one. */
export interface NamedSpectrum {
  label: string;
  trial: number;
  spectrum: Spectrum;
}

/** Every stored spectrum, from the lowest trial that has one per condition, in condition order. */
export function storedSpectra(r: ExperimentResults): NamedSpectrum[] {
  const out: NamedSpectrum[] = [];
  const seen = new Set<string>();
  const trials = Array.isArray(r?.trials) ? [...r.trials].sort((a, b) => a.trial - b.trial) : [];
  for (const rec of trials) {
    for (const [cond, res] of Object.entries(rec.result ?? {})) {
      if (!res?.spectra || seen.has(cond)) continue;
      seen.add(cond);
      const keys = Object.keys(res.spectra);
      for (const k of keys) out.push({ label: keys.length === 1 && k === 'W' ? cond : `${cond} ${k}`, trial: rec.trial, spectrum: res.spectra[k] });
    }
  }
  return out;
}

/** ln σ̂ᵢ − ln σᵢ* per index (NaN where either is not positive, or past the shorter spectrum). */
export function spectrumGap(trained: ArrayLike<number | null>, target: ArrayLike<number | null>): number[] {
  const n = Math.min(trained.length, target.length);
  return Array.from({ length: n }, (_, i) => {
    const a = trained[i], b = target[i];
    return typeof a === 'number' && typeof b === 'number' && a > 0 && b > 0 ? Math.log(a / b) : Number.NaN;
  });
}

const byIndex = (series: string, values: ArrayLike<number | null>): Point[] =>
  Array.from(values, (v, i) => ({ series, x: (i + 1) / values.length, y: v as number, lo: v as number, hi: v as number }))
    .filter((p) => typeof p.y === 'number' && Number.isFinite(p.y));

/** Targets shared by several matrices (Exp 4's conditions, Exp 7's depths) are drawn once. */
function targetLines(all: NamedSpectrum[]): Point[] {
  const groups = new Map<string, { labels: string[]; values: number[] }>();
  for (const s of all) {
    const key = JSON.stringify(s.spectrum.target);
    if (!groups.has(key)) groups.set(key, { labels: [], values: s.spectrum.target });
    groups.get(key)!.labels.push(s.label);
  }
  const one = groups.size === 1;
  return [...groups.values()].flatMap((g) => byIndex(one ? 'σ* target' : `σ* ${g.labels.join(', ')}`, g.values));
}

const trialText = (all: NamedSpectrum[]) => {
  const ts = [...new Set(all.map((s) => s.trial))];
  return `trial ${ts.join(', ')}`;
};

/** The three spectra figures, or none when the results store no spectra. */
export async function spectraFigures(r: ExperimentResults): Promise<Figure[]> {
  const all = storedSpectra(r);
  if (all.length === 0) return [];
  const { linesFigure } = await lib();
  const which = trialText(all);
  const trained = all.flatMap((s) => byIndex(`σ̂ ${s.label}`, s.spectrum.trained));
  const gap = all.flatMap((s) => byIndex(s.label, spectrumGap(s.spectrum.trained, s.spectrum.target)));
  const traj = all.flatMap((s) => (['sigma1', 'sigmaMin'] as const).flatMap((k) =>
    s.spectrum.epochs.map((e, i) => {
      const v = s.spectrum[k][i];
      return { series: `${k === 'sigma1' ? 'σ₁' : 'σ_min'} ${s.label}`, x: e, y: v, lo: v, hi: v };
    }).filter((p) => typeof p.y === 'number' && Number.isFinite(p.y))));
  // at most 30 samples per line: a marker on each; more (Exp 9 samples every evalEvery): a marker every ~tenth
  const longest = Math.max(...all.map((s) => s.spectrum.epochs.length));
  return [
    {
      id: 'spectra', single: true,
      title: `Trained (σ̂) vs target (σ*) singular values against the normalised index i/d, ${which} (log scale)`,
      svg: await linesFigure([...targetLines(all), ...trained], { title: 'Singular-value spectra', xLabel: 'normalised index i/d (σ₁ … σ_min)', yLabel: 'singular value σᵢ (log scale)', band: true, forceLogY: true }),
    },
    {
      id: 'spectrum-gap', single: true,
      title: `Gap per index ln σ̂ᵢ − ln σᵢ* (0 = exact, < 0 = trained too small), ${which}`,
      svg: await linesFigure(gap, { title: 'Spectrum gap per index', xLabel: 'normalised index i/d (σ₁ … σ_min)', yLabel: 'ln σ̂ᵢ − ln σᵢ*', band: true, forceLinearY: true }),
    },
    {
      id: 'sigma-trajectory', single: true,
      title: `σ₁ and σ_min of the trained matrix over training, ${which} (log scale)`,
      svg: await linesFigure(traj, { title: 'σ₁ and σ_min over training', xLabel: 'epoch', yLabel: 'singular value (log scale)', band: longest > 30, forceLogY: true }),
    },
  ];
}
