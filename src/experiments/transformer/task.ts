// The transformer teacher–student task shared by the `transformer` and `mechanisms` experiments (choices stated in
// docs/transformer.md): a teacher of the student's shape whose weight matrices are PROTOCOL-style heterogeneous-row
// targets (entries N(0,1)/√cols, row i × exp(0.25·z_i); the head ×2 so next-token distributions are peaked),
// embeddings N(0,1), LayerNorm gains 1 and biases 0; inputs are uniform random token sequences and the targets are
// the teacher's next-token distributions at every position (soft labels: the student can reach zero excess loss).
import { wasmOf } from '../../engine/internal.js';
import type { Engine } from '../../engine/engine.js';
import type { Vector } from '../../engine/block.js';
import type { Rng } from '../../engine/rng.js';
import { heterogeneousTarget } from '../../train/targets.js';
import { Transformer, LAYER_TYPES, type LayerType, type TransformerSpec } from '../../models/transformer.js';
import { TransformerSpectralTransfer } from '../../models/transformer_st.js';
import { analyseLayer } from './layer_curvature.js';

export const TEACHER_HEAD_SCALE = 2;

/** Teacher parameters for `model`'s shape, drawn from the target stream in layer order. */
export function teacherParams(engine: Engine, model: Transformer, rng: Rng): Vector {
  const w = engine.vector(model.size);
  model.init(w, rng); // embeddings N(0,1), gains 1, biases 0; matrices overwritten below
  for (const l of model.layers()) {
    engine.scope(() => {
      const W = heterogeneousTarget(engine, rng, l.rows, l.cols, l.type === 'head' ? TEACHER_HEAD_SCALE : 1);
      w.data().set(W.data(), l.offset);
    });
  }
  return w;
}

/** Fills `student`'s batch: uniform random tokens, targets = the teacher's next-token distributions. */
export function drawBatch(teacher: Transformer, tw: Vector, student: Transformer, rng: Rng): void {
  const n = student.positions, V = student.spec.vocab;
  const tok = new Array<number>(n);
  for (let i = 0; i < n; i++) tok[i] = Math.min(V - 1, Math.floor(rng.uniform() * V));
  teacher.setTokens(tok);
  student.setTokens(tok);
  teacher.loss(tw);
  teacher.probs(student.targets);
}

/** Spectral-transfer student (optimizer 'st'): α per matrix, or adaptive (re-measured every `adaptEvery` steps). */
export interface StStudent {
  /** Fixed α for every weight matrix; ignored when adaptEvery > 0 (α then starts at 1). */
  alpha: number;
  /** Step length of every matrix (spectral norm); the other parameters take Adam at the run's `lr`. */
  lr: number;
  tau: number;
  /** > 0: α per layer type re-measured at steps 1, 1 + N, … (0: fixed). */
  adaptEvery: number;
}

/** Directions per matrix in the adaptive α fit (the single layer's H_ST_ADAPT_K). */
export const ST_ADAPT_K = 8;

export interface TrainResult {
  params: Vector;
  divergedAt?: number;
  /** Why the run diverged (undefined when it did not). */
  divergedReason?: string;
  finalLoss: number;
  /** Adaptive spectral transfer: α per layer type at the end, and the number of measurements. */
  stAlpha?: Partial<Record<LayerType, number>>;
}

/**
 * Adaptive α (seed 004's definition, measured as `mechanisms` does): per weight matrix, the slope of log λ_k on
 * log s_k over the top ST_ADAPT_K directions of the raw minibatch gradient, λ_k from exact HVPs on the same batch;
 * the mean over a type's blocks, clamped to [0, 2] (SGD … Spectral Newton), becomes that type's α. A type whose fits
 * all fail (fewer than two positive curvatures) keeps its α.
 */
function measureAlpha(engine: Engine, model: Transformer, w: Vector, g: Vector, st: TransformerSpectralTransfer): void {
  const ga = g.toArray();
  const sums = new Map<LayerType, number[]>();
  for (const l of st.matrices) {
    const a = analyseLayer(engine, model, w, ga, l, ST_ADAPT_K).metrics.alpha;
    if (Number.isFinite(a)) (sums.get(l.type) ?? sums.set(l.type, []).get(l.type)!).push(a);
  }
  for (const [type, xs] of sums) {
    const mean = xs.reduce((p, c) => p + c, 0) / xs.length;
    st.setAlpha(type, Math.min(2, Math.max(0, mean)));
  }
}

export interface TrainResult {
  params: Vector;
  divergedAt?: number;
  finalLoss: number;
}

/**
 * Trains a student of `spec` from its GPT-style init by SGD, Adam (β = 0.9, 0.999, ε = 1e-8) or spectral transfer
 * (`st`: matrices per `o.st`, the rest Adam at `lr`) for `steps` steps, a fresh batch of `batch` sequences each step.
 * One model, gradient buffer, optimiser state and scratch for the whole run.
 */
export function trainStudent(
  engine: Engine, spec: TransformerSpec, teacher: Transformer, tw: Vector,
  o: { optimizer: 'sgd' | 'adam' | 'st'; lr: number; steps: number; batch: number; initRng: Rng; dataRng: Rng; st?: StStudent; progress?: (f: number) => void },
): TrainResult {
  const model = new Transformer(engine, spec, o.batch);
  const params = model.init(engine.vector(model.size), o.initRng);
  const g = engine.vector(model.size);
  const m = engine.vector(model.size), v = engine.vector(model.size);
  let divergedAt: number | undefined;
  let divergedReason: string | undefined;
  let finalLoss = Number.NaN;
  const adaptive = o.optimizer === 'st' && o.st!.adaptEvery > 0;
  const st = o.optimizer === 'st' ? new TransformerSpectralTransfer(engine, model, { alpha: adaptive ? 1 : o.st!.alpha, lr: o.st!.lr, otherLr: o.lr, tau: o.st!.tau }) : undefined;
  let stAlpha: Partial<Record<LayerType, number>> | undefined;
  try {
    for (let t = 1; t <= o.steps; t++) {
      drawBatch(teacher, tw, model, o.dataRng);
      const loss = model.gradient(params, g);
      if (!Number.isFinite(loss) || wasmOf(engine).firstNonFinite(g.length, g.ptr) >= 0) {
        divergedAt = t;
        divergedReason = 'non-finite loss or gradient';
        break;
      }
      finalLoss = loss;
      if (o.optimizer === 'sgd') engine.axpy(-o.lr, g, params);
      else if (o.optimizer === 'adam') model.adamStep(params, g, m, v, o.lr, t);
      else {
        if (adaptive && (t - 1) % o.st!.adaptEvery === 0) measureAlpha(engine, model, params, g, st!);
        const status = st!.step(params, g, m, v, t);
        if (status < 0) {
          divergedAt = t;
          divergedReason = `the SVD of a weight matrix's momentum failed (status ${status})`;
          break;
        }
      }
      if (o.progress && t % 50 === 0) o.progress(t / o.steps);
    }
    // the last update can overflow the weights with a finite gradient: that run diverged too, at its last step
    if (divergedAt === undefined && wasmOf(engine).firstNonFinite(params.length, params.ptr) >= 0) {
      divergedAt = o.steps;
      divergedReason = 'non-finite weights after the last step';
    }
    if (adaptive) stAlpha = Object.fromEntries(LAYER_TYPES.map((t) => [t, st!.alpha(t)]));
  } finally {
    st?.free();
    model.free();
    g.free();
    m.free();
    v.free();
  }
  return { params, divergedAt, divergedReason, finalLoss, stAlpha };
}
