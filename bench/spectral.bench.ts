// Cost per training step of the `spectral` experiment's conditions (SGD, Muon, spectral transfer at each α, adaptive
// α) relative to plain SGD, on the exact specs the experiment runs, at d = 64 (and 128), batch 64. Same run, same
// process, peers side by side (the machine is shared and noisy: read the ratios, not the milliseconds).
import b from 'benny';
import { Engine } from '../src/engine/index.js';
import { spectralConditions, spectralExperiment } from '../src/experiments/spectral.js';
import { resolveConfig } from '../src/experiments/index.js';
import { trainStreams, trialTarget, linearTeacher } from '../src/experiments/common.js';
import { Trainer } from '../src/train/trainer.js';
import type { CorrectiveCostRow } from './correctives.bench.js';

const STEPS = 20;

export async function runSpectralBench(opts: { dims?: number[]; maxTime?: number } = {}): Promise<CorrectiveCostRow[]> {
  const engine = await Engine.load();
  const rows: CorrectiveCostRow[] = [];
  for (const d of opts.dims ?? [64, 128]) {
    const config = resolveConfig(spectralExperiment, 'paper', { dims: [d], epochs: 1_000_000 });
    const ref = trialTarget(engine, config, 0, d);
    const conds = spectralConditions(config, d);
    const trainers = conds.map((c) => Trainer.create(engine, c.spec, linearTeacher(ref), trainStreams(engine, 7)));
    const summary = await b.suite(
      `spectral d=${d}`,
      ...conds.map((c, i) => b.add(c.name, () => void trainers[i].run(trainers[i].epoch + STEPS), { maxTime: opts.maxTime ?? 1, minSamples: 5 })),
    );
    const times: Record<string, number> = {};
    for (const r of summary.results) times[r.name] = (r.details.median * 1e3) / STEPS;
    for (const c of conds) rows.push({ method: c.name, d, msPerStep: times[c.name], overSgd: times[c.name] / times.sgd });
  }
  return rows;
}
