// Cost per training step of every corrective (the `correctives` experiment's exact specs) relative to plain SGD, at
// d = 64 and 128, batch 64. Each sample runs 20 steps, so the periodic correctives (SVD correction, PSS: every 20
// epochs) pay their SVD once per sample, as in training.
import b from 'benny';
import { Engine } from '../src/engine/index.js';
import { CORRECTIVES, correctiveSpec, correctivesExperiment } from '../src/experiments/correctives.js';
import { resolveConfig } from '../src/experiments/index.js';
import { trainStreams, trialTarget, linearTeacher } from '../src/experiments/common.js';
import { Trainer } from '../src/train/trainer.js';

export interface CorrectiveCostRow {
  method: string;
  d: number;
  msPerStep: number;
  overSgd: number;
}

const STEPS = 20;

export async function runCorrectivesBench(opts: { dims?: number[]; maxTime?: number } = {}): Promise<CorrectiveCostRow[]> {
  const engine = await Engine.load();
  const rows: CorrectiveCostRow[] = [];
  for (const d of opts.dims ?? [64, 128]) {
    const config = resolveConfig(correctivesExperiment, 'paper', { dims: [d], epochs: 1_000_000 });
    const ref = trialTarget(engine, config, 0, d);
    const times: Record<string, number> = {};
    const trainers = CORRECTIVES.map((m) => Trainer.create(engine, correctiveSpec(config, d, m), linearTeacher(ref), trainStreams(engine, 7)));
    const summary = await b.suite(
      `correctives d=${d}`,
      ...CORRECTIVES.map((m, i) => b.add(m, () => void trainers[i].run(trainers[i].epoch + STEPS), { maxTime: opts.maxTime ?? 1, minSamples: 5 })),
    );
    for (const r of summary.results) times[r.name] = (r.details.median * 1e3) / STEPS;
    for (const m of CORRECTIVES) rows.push({ method: m, d, msPerStep: times[m], overSgd: times[m] / times.sgd });
  }
  return rows;
}
