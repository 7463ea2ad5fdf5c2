// `spectral-chains` (seed 004 §7.3, issue 17): the spectral-transfer steps of `spectral` on Exp 7's deep linear nets
// and ReLU MLP student, per weight matrix. Exp 7's protocol exactly (src/experiments/exp7.ts: same targets, teacher,
// initial layers and batches per trial, so every condition of a model is paired with SGD on the same trial), with
// one cell per model × condition, `<model>/<condition>`:
//   models      depth<L> for every L ≥ 2 in config.depths (y = W_L⋯W_1 x), and mlp (y = W₂·ReLU(W₁x), hidden width)
//   sgd         Exp 7's own SGD (lr)
//   muon        per layer: W_l ← W_l − MUON_LR·NS₅(G_l) of the layer's slice of one Nesterov momentum (β = 0.95)
//   st=<α>      per layer: W_l ← W_l − stLr·U_l·diag(φ)·V_lᵀ, φ ∝ s^(1−α), ‖step_l‖₂ = stLr, s < stTau·s₁ dropped
//   st=adaptive α per layer, from 1, re-measured every stAdaptEvery steps from exact HVPs along the top-8 directions
//               of the layer's raw gradient block (assembly/train/chain_steps.ts); metrics stAlpha<l>, stAlphaFit<l>
// Metrics: Exp 7's (depth: COMPONENT_METRICS of the product, layer κs; mlp: overallErr, kappaErr, logKappaErr, layer
// κs vs the teacher's). A diverged run is reported as diverged. No spectra (Exp 7 records them for SGD).
import type { CellContext, CellResult, Experiment, RunConfig } from './types.js';
import type { TrainSpec, Trainer } from '../train/trainer.js';
import { CondlabError } from '../engine/errors.js';
import { epochCost, stLayerMetrics, svdVectorsCost } from './common.js';
import { unique } from './ablations/paired.js';
import { MUON_LR } from './correctives.js';
import { runDepth, runMlp } from './exp7.js';

export interface ChainCondition {
  name: string;
  spec: Partial<TrainSpec>;
}

/** The optimiser conditions, in report order (the same for every model). */
export function chainConditions(config: RunConfig): ChainCondition[] {
  const out: ChainCondition[] = [
    { name: 'sgd', spec: {} },
    { name: 'muon', spec: { optimizer: 'muon', lr: MUON_LR } },
    ...unique(config.stAlphas).map((a) => ({ name: `st=${a}`, spec: { optimizer: 'st' as const, lr: config.stLr, stAlpha: a, stTau: config.stTau } })),
  ];
  if (config.stAdaptEvery > 0) out.push({ name: 'st=adaptive', spec: { optimizer: 'st', lr: config.stLr, stAlpha: 1, stTau: config.stTau, stAdaptEvery: config.stAdaptEvery } });
  return out;
}

export function chainModels(config: RunConfig): string[] {
  return [...unique(config.depths.filter((L) => L >= 2)).map((L) => `depth${L}`), 'mlp'];
}

function parse(config: RunConfig, cell: string): { model: string; cond: ChainCondition } {
  const [model, name] = cell.split('/');
  const cond = chainConditions(config).find((c) => c.name === name);
  if (!cond || !chainModels(config).includes(model)) {
    throw new CondlabError(`spectral-chains: unknown cell '${cell}'; cells are <model>/<condition> with models ${chainModels(config).join(', ')} and conditions ${chainConditions(config).map((c) => c.name).join(', ')}`, 'bad-config', { cell });
  }
  return { model, cond };
}

export const spectralChainsExperiment: Experiment = {
  id: 'spectral-chains',
  title: 'Spectral transfer per layer on deep linear nets and a ReLU MLP (Exp 7\'s models)',
  paperSection: 'beyond the paper (seed 004 §7.3)',
  description: 'Seed 004 §7.3 on Exp 7\'s deep linear nets and MLP student: SGD, per-layer Muon and per-layer spectral-transfer steps (fixed α and adaptive α per layer) on the same targets, initial layers and batches; does a step larger along small gradient directions learn the product\'s or the layers\' κ?',
  presets: { quick: { dims: [16], hidden: 16, trials: 3, epochs: 100 }, paper: { dims: [64], hidden: 64, trials: 10 } },
  cells: (config) => chainModels(config).flatMap((m) => chainConditions(config).map((c) => `${m}/${c.name}`)),
  // Exp 7's step cost; + per layer per spectral-transfer step one d×d Jacobi SVD with vectors, the U·diag(φ)·Vᵀ
  // product and the momentum: ≈ 2 SVDs' worth of the model's unit (calibrated on the 0.5.0 paper run: 4.7 ms a step
  // at depth 3, d = 64), since svdVectorsCost is the in-trainer SVD of Exp 3/4, not this one's fresh scratch
  cellCost: (config, cell) => {
    const { model, cond } = parse(config, cell);
    const d = config.dims[0];
    const L = model === 'mlp' ? 2 : Number(model.slice(5));
    const step = model === 'mlp' ? epochCost(d, config.batch) * 3 * Math.max(1, config.hidden / d) : epochCost(d, config.batch) * (1 + 0.6 * (L - 1));
    const matrix = cond.spec.optimizer === 'st' ? 2 * L * svdVectorsCost(Math.max(d, model === 'mlp' ? config.hidden : d)) : 0;
    return config.epochs * (step + matrix);
  },
  runCell(ctx: CellContext): CellResult {
    const { model, cond } = parse(ctx.config, ctx.cell);
    const opts = { spec: cond.spec, spectra: false, ...(cond.name === 'st=adaptive' && { onEnd: (t: Trainer) => stLayerMetrics(t.stLayerAlphas) }) };
    const r = model === 'mlp' ? runMlp(ctx, opts) : runDepth(ctx, Number(model.slice(5)), opts);
    ctx.progress?.(1);
    return { [ctx.cell]: r };
  },
};
