// A trainer on a seeded heterogeneous target (or MLP teacher), as the trainer tests build it.
import type { Engine } from '../../src/engine/index.js';
import { Trainer, type TrainSpec, type Teacher } from '../../src/train/trainer.js';
import { heterogeneousTarget, mlpTeacher } from '../../src/train/targets.js';
import { trainStreams } from '../../src/experiments/common.js';

export const baseSpec: TrainSpec = {
  model: 'linear', d: 6, batch: 5, optimizer: 'sgd', lr: 0.05, weightDecay: 0, noise: 0.01, init: 'gauss', initStd: 0.3,
};

/** Target from stream (seed, 0), training stream (seed, 1) — the experiments' layout. */
export function setupTrainer(engine: Engine, spec: TrainSpec, seed = 7, mlpHidden = 0): Trainer {
  const trng = engine.rng(seed, 0);
  let teacher: Teacher;
  if (mlpHidden) {
    const [W1, W2] = mlpTeacher(engine, trng, spec.d, mlpHidden);
    teacher = { kind: 'mlp', W1, W2 };
  } else {
    const W = heterogeneousTarget(engine, trng, spec.d, spec.d);
    teacher = { kind: 'linear', W, sigma: engine.singularValues(W).toArray() };
  }
  return Trainer.create(engine, spec, teacher, trainStreams(engine, seed));
}
