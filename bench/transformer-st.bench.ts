// Cost per training step of the `transformer` experiment's students (sgd, adam, st=<α>, st=adaptive) at the preset's
// model, batch and α-measurement period: each sample trains a fresh student for one measurement period
// (stAdaptEvery steps, so the adaptive student's HVP measurements are amortised as in a run), including the
// teacher's forward pass that makes each batch (the same for every student). Same process, students interleaved by
// benny; the machine is shared and noisy: read the ratios to SGD, not the milliseconds.
import b from 'benny';
import { Engine } from '../src/engine/index.js';
import { resolveConfig } from '../src/experiments/index.js';
import { transformerExperiment, transformerCells, studentOf } from '../src/experiments/transformer/teacher_student.js';
import { baseSpec } from '../src/experiments/transformer/shapes.js';
import { teacherParams, trainStudent } from '../src/experiments/transformer/task.js';
import { Transformer } from '../src/models/transformer.js';

export interface TransformerStCostRow {
  student: string;
  preset: string;
  msPerStep: number;
  overSgd: number;
}

export async function runTransformerStBench(opts: { preset?: 'quick' | 'paper'; maxTime?: number } = {}): Promise<TransformerStCostRow[]> {
  const engine = await Engine.load();
  const preset = opts.preset ?? 'paper';
  const config = resolveConfig(transformerExperiment, preset, {});
  const spec = baseSpec(config);
  const steps = config.stAdaptEvery > 0 ? config.stAdaptEvery : 100;
  const teacher = new Transformer(engine, spec, config.batch);
  const tw = teacherParams(engine, teacher, engine.rng(config.seed, 0));
  const cells = transformerCells(config);
  const once = (cell: string) => () => {
    const run = trainStudent(engine, spec, teacher, tw, { ...studentOf(config, cell), steps, batch: config.batch, initRng: engine.rng(7, 1), dataRng: engine.rng(7, 2) });
    run.params.free();
  };
  const summary = await b.suite(`transformer students (${preset})`, ...cells.map((c) => b.add(c, once(c), { maxTime: opts.maxTime ?? 2, minSamples: 3 })));
  const times: Record<string, number> = {};
  for (const r of summary.results) times[r.name] = (r.details.median * 1e3) / steps;
  teacher.free();
  tw.free();
  return cells.map((c) => ({ student: c, preset, msPerStep: times[c], overSgd: times[c] / times.sgd }));
}
