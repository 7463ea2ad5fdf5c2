// `transformer`: the paper's question asked of a transformer. A student of the teacher's shape (task.ts) trains by
// SGD, by Adam and by spectral-transfer steps per weight matrix (transformerCells); per layer type (Q, K, V, attention out, MLP up, MLP down, head — averaged over blocks) we report
// the PROTOCOL component errors against the teacher's matrix (row/column norms, κ, |log κ̂ − log κ*|, overall), the
// same row/column-norm errors after sorting (the student can only be compared up to permutations of heads and MLP
// units, which reorder rows/columns but keep singular values), the circuits W_Qᵀ·W_K and W_O·W_V that attention's
// reparametrisation symmetries leave invariant, and κ of the linearised residual stream Π_l (I + W_O W_V)(I + W_2 W_1).
import type { Engine } from '../../engine/engine.js';
import type { Matrix, Vector } from '../../engine/block.js';
import type { CellContext, CellResult, Experiment, RunConfig } from '../types.js';
import { components, componentErrorsFrom, overallError, kappaOf } from '../../metrics/components.js';
import { Transformer, LAYER_TYPES, type LayerType } from '../../models/transformer.js';
import { baseSpec } from './shapes.js';
import { drawBatch, teacherParams, trainStudent, type StStudent } from './task.js';
import { CondlabError } from '../../engine/errors.js';
import { wasmOf } from '../../engine/internal.js';

export const TS_TYPES = [...LAYER_TYPES, 'qk', 'ov'] as const;
const OPTIMIZERS = ['sgd', 'adam'] as const;

/**
 * The students: sgd, adam, then spectral transfer (weight matrices by W ← W − stLr·U·diag(φ)·Vᵀ of their Nesterov
 * momentum, φ ∝ s^(1−α); everything else by Adam at adamLr, as the adam student) at each α of stAlphas (`st=<α>`),
 * and `st=adaptive` (α per layer type re-measured every stAdaptEvery steps from exact HVPs; omitted when 0).
 */
export function transformerCells(config: RunConfig): string[] {
  const alphas = [...new Set(config.stAlphas)];
  return [...OPTIMIZERS, ...alphas.map((a) => `st=${a}`), ...(config.stAdaptEvery > 0 ? ['st=adaptive'] : [])];
}

export function studentOf(config: RunConfig, cell: string): { optimizer: 'sgd' | 'adam' | 'st'; lr: number; st?: StStudent } {
  if (cell === 'sgd') return { optimizer: 'sgd', lr: config.lr };
  if (cell === 'adam') return { optimizer: 'adam', lr: config.adamLr };
  if (!transformerCells(config).includes(cell)) {
    throw new CondlabError(`transformer: unknown cell '${cell}'; cells are ${transformerCells(config).join(', ')}`, 'bad-config', { cell });
  }
  const adaptive = cell === 'st=adaptive';
  return { optimizer: 'st', lr: config.adamLr, st: { alpha: adaptive ? 1 : Number(cell.slice(3)), lr: config.stLr, tau: config.stTau, adaptEvery: adaptive ? config.stAdaptEvery : 0 } };
}
/** Errors also reported at initialisation, as init<Name>. */
const INIT_KEYS = ['rowNormSortedErr', 'colNormSortedErr', 'logKappaErr', 'overallErr'];
/** Sequences in the evaluation batch for the excess loss. */
const EVAL_SEQUENCES = 128;

function matrixOf(engine: Engine, w: Vector, l: { offset: number; rows: number; cols: number }): Matrix {
  return engine.matrix(l.rows, l.cols, w.data().subarray(l.offset, l.offset + l.rows * l.cols));
}

/** The layer matrices of one block (or the head) plus the invariant circuits, by type. */
function matrices(engine: Engine, model: Transformer, w: Vector, block: number): Partial<Record<(typeof TS_TYPES)[number], Matrix>> {
  const out: Partial<Record<(typeof TS_TYPES)[number], Matrix>> = {};
  for (const t of LAYER_TYPES) {
    if (t === 'head') continue;
    const s = model.slice(t, block);
    if (s) out[t] = matrixOf(engine, w, s);
  }
  if (out.q && out.k) out.qk = engine.matmul(out.q, out.k, { transA: true });
  if (out.attnOut && out.v) out.ov = engine.matmul(out.attnOut, out.v);
  return out;
}

const sortDesc = (a: Float64Array) => Float64Array.from(a).sort((x, y) => y - x);

function errors(engine: Engine, W: Matrix, Wt: Matrix): Record<string, number> {
  const c = components(engine, W), r = components(engine, Wt);
  const e = componentErrorsFrom(c, r, overallError(engine, W, Wt), (x) => engine.log(x));
  const sc = { ...c, rowNorms: sortDesc(c.rowNorms), colNorms: sortDesc(c.colNorms) };
  const sr = { ...r, rowNorms: sortDesc(r.rowNorms), colNorms: sortDesc(r.colNorms) };
  const es = componentErrorsFrom(sc, sr, 0, (x) => engine.log(x));
  return {
    rowNormErr: e.rowNormErr, colNormErr: e.colNormErr, svErr: e.svErr, kappaErr: e.kappaErr, logKappaErr: e.logKappaErr,
    overallErr: e.overallErr, rowNormSortedErr: es.rowNormErr, colNormSortedErr: es.colNormErr, kappa: c.kappa, targetKappa: r.kappa,
  };
}

/** κ of Π_l (I + W_O W_V)(I + W_2 W_1), later blocks on the left: the residual stream with attention mixing removed. */
function streamKappa(engine: Engine, model: Transformer, w: Vector): number {
  return engine.scope(() => {
    const D = model.spec.width;
    let P = engine.matrix(D, D);
    for (let i = 0; i < D; i++) P.data()[i * D + i] = 1;
    for (let b = 0; b < model.spec.blocks; b++) {
      const m = matrices(engine, model, w, b);
      for (const pair of [[m.attnOut, m.v], [m.mlpDown, m.mlpUp]] as const) {
        if (!pair[0] || !pair[1]) continue;
        const F = engine.matmul(pair[0], pair[1]);
        for (let i = 0; i < D; i++) F.data()[i * D + i] += 1;
        P = engine.matmul(F, P);
      }
    }
    // weights that are finite but huge (a blown-up run's last steps) overflow the product: no κ to report
    if (wasmOf(engine).firstNonFinite(P.length, P.ptr) >= 0) return Number.NaN;
    return kappaOf(engine.singularValues(P).toArray());
  });
}

export function runTransformerCell(ctx: CellContext): CellResult {
  const { engine, config, cell, trial } = ctx;
  const optimizer = cell;
  const student = studentOf(config, cell);
  const base = config.seed + config.seedStride * trial;
  const spec = baseSpec(config);
  return engine.scope(() => {
    const targetRng = engine.rng(base, 0), initRng = engine.rng(base, 1), dataRng = engine.rng(base, 2), evalRng = engine.rng(base, 3);
    const teacher = new Transformer(engine, spec, config.batch);
    const evalTeacher = new Transformer(engine, spec, EVAL_SEQUENCES);
    const evalStudent = new Transformer(engine, spec, EVAL_SEQUENCES);
    try {
      const tw = teacherParams(engine, teacher, targetRng);
      const run = trainStudent(engine, spec, teacher, tw, { ...student, steps: config.epochs, batch: config.batch, initRng, dataRng, progress: ctx.progress });
      const out: CellResult = {};
      const diverged = (epoch: number, reason: string): CellResult => {
        for (const t of [...TS_TYPES, 'stream']) out[`${optimizer}/${t}`] = { diverged: { epoch, reason }, metrics: {} };
        run.params.free();
        return out;
      };
      if (run.divergedAt !== undefined) return diverged(run.divergedAt, run.divergedReason ?? 'non-finite loss or gradient');
      const ks = streamKappa(engine, evalStudent, run.params);
      if (!Number.isFinite(ks)) return diverged(config.epochs, 'trained weights overflow the residual-stream product');
      // excess loss (KL from the teacher) on a fresh batch: student CE minus the teacher's entropy on the same targets
      drawBatch(evalTeacher, tw, evalStudent, evalRng);
      evalTeacher.targets.data().set(evalStudent.targets.data());
      const kl = evalStudent.loss(run.params) - evalTeacher.loss(tw);
      const acc: Record<string, Record<string, number[]>> = {};
      const push = (t: string, e: Record<string, number>) => {
        acc[t] ??= {};
        for (const [k, x] of Object.entries(e)) (acc[t][k] ??= []).push(x);
      };
      // the same errors at the student's initialisation (same init stream): what training changed, not what init gave
      const w0 = evalStudent.init(engine.vector(evalStudent.size), engine.rng(base, 1));
      const withInit = (W: Matrix, W0: Matrix, Wt: Matrix) => {
        const e = errors(engine, W, Wt), e0 = errors(engine, W0, Wt);
        for (const k of INIT_KEYS) e[`init${k[0].toUpperCase()}${k.slice(1)}`] = e0[k];
        return e;
      };
      for (let b = 0; b < spec.blocks; b++) {
        engine.scope(() => {
          const ms = matrices(engine, evalStudent, run.params, b), m0 = matrices(engine, evalStudent, w0, b), mt = matrices(engine, evalStudent, tw, b);
          for (const t of TS_TYPES) if (ms[t] && mt[t]) push(t, withInit(ms[t]!, m0[t]!, mt[t]!));
        });
      }
      engine.scope(() => {
        const h = evalStudent.slice('head')!;
        push('head', withInit(matrixOf(engine, run.params, h), matrixOf(engine, w0, h), matrixOf(engine, tw, h)));
      });
      w0.free();
      for (const t of TS_TYPES) {
        const metrics: Record<string, number> = {};
        for (const [k, xs] of Object.entries(acc[t] ?? {})) metrics[k] = xs.reduce((a, c) => a + c, 0) / xs.length;
        const a = run.stAlpha?.[t as LayerType];
        if (a !== undefined) metrics.stAlpha = a; // adaptive: the layer type's α at the end of training
        out[`${optimizer}/${t}`] = { metrics };
      }
      const kt = streamKappa(engine, evalStudent, tw);
      out[`${optimizer}/stream`] = {
        metrics: { productKappa: ks, targetProductKappa: kt, productLogKappaErr: Math.abs(engine.log(ks) - engine.log(kt)), excessLoss: kl, finalTrainLoss: run.finalLoss },
      };
      run.params.free();
      return out;
    } finally {
      teacher.free();
      evalTeacher.free();
      evalStudent.free();
    }
  });
}

export const transformerExperiment: Experiment = {
  id: 'transformer',
  title: 'Transformer teacher–student: are norms learned and shape not, inside attention?',
  paperSection: 'beyond the paper (review W1b)',
  description:
    'A 2-block pre-LN transformer student learns a heterogeneous-row teacher of its shape on random token ' +
    'sequences (soft next-token targets), by SGD and Adam; per layer type: row/column-norm, κ, |log κ̂ − log κ*| and ' +
    'overall errors against the teacher, permutation-invariant norm errors, the QK and OV circuits, and κ of the ' +
    'linearised residual stream; spectral-transfer students (α ∈ stAlphas, adaptive α) beside SGD and Adam.',
  presets: {
    // spectral transfer at α = 0, 1, 2 and adaptive (α re-measured every 100 steps), η = stLr = 0.02 (the family's
    // default, Muon's lr) — docs/spectral-transfer.md "Transformer"
    quick: { dims: [16], hidden: 32, trials: 2, epochs: 300, batch: 16, lr: 0.5, adamLr: 3e-3, stAlphas: [0, 1, 2], stAdaptEvery: 100 },
    // 6 trials (the fewest at which an exact paired test can pass) and 1000 steps instead of 3000: minutes (docs/transformer.md)
    paper: { dims: [32], hidden: 64, trials: 6, epochs: 1000, batch: 32, lr: 0.5, adamLr: 1e-3, stAlphas: [0, 1, 2], stAdaptEvery: 100 },
  },
  cells: transformerCells,
  // in the estimate's units (one SGD step at d = 64): 0.0058 per step·sequence·D², from the 0.5.0 paper run (20–22 s
  // per sgd/adam unit); a fixed-α st cell adds one small SVD per weight matrix per step (×1.15), the adaptive one
  // also 8 HVPs per matrix every stAdaptEvery steps (×2.5 at 100)
  cellCost: (cfg: RunConfig, cell: string) =>
    0.0058 * cfg.epochs * cfg.batch * cfg.dims[0] ** 2 * (cell === 'st=adaptive' ? 1.15 + 135 / Math.max(1, cfg.stAdaptEvery) : cell.startsWith('st=') ? 1.15 : 1),
  runCell: runTransformerCell,
};
