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
import { Transformer, type TransformerSpec } from '../../models/transformer.js';

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

export interface TrainResult {
  params: Vector;
  divergedAt?: number;
  finalLoss: number;
}

/**
 * Trains a student of `spec` from its GPT-style init by SGD or Adam (β = 0.9, 0.999, ε = 1e-8) for `steps` steps,
 * a fresh batch of `batch` sequences each step. One model, gradient buffer and Adam state for the whole run.
 */
export function trainStudent(
  engine: Engine, spec: TransformerSpec, teacher: Transformer, tw: Vector,
  o: { optimizer: 'sgd' | 'adam'; lr: number; steps: number; batch: number; initRng: Rng; dataRng: Rng; progress?: (f: number) => void },
): TrainResult {
  const model = new Transformer(engine, spec, o.batch);
  const params = model.init(engine.vector(model.size), o.initRng);
  const g = engine.vector(model.size);
  const m = engine.vector(model.size), v = engine.vector(model.size);
  let divergedAt: number | undefined;
  let finalLoss = Number.NaN;
  try {
    for (let t = 1; t <= o.steps; t++) {
      drawBatch(teacher, tw, model, o.dataRng);
      const loss = model.gradient(params, g);
      if (!Number.isFinite(loss) || wasmOf(engine).firstNonFinite(g.length, g.ptr) >= 0) {
        divergedAt = t;
        break;
      }
      finalLoss = loss;
      if (o.optimizer === 'sgd') engine.axpy(-o.lr, g, params);
      else model.adamStep(params, g, m, v, o.lr, t);
      if (o.progress && t % 50 === 0) o.progress(t / o.steps);
    }
    // the last update can overflow the weights with a finite gradient: that run diverged too, at its last step
    if (divergedAt === undefined && wasmOf(engine).firstNonFinite(params.length, params.ptr) >= 0) divergedAt = o.steps;
  } finally {
    model.free();
    g.free();
    m.free();
    v.free();
  }
  return { params, divergedAt, finalLoss };
}
