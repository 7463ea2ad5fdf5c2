// Representative spectra (issue 17 part 3, review W8; docs/spectra.md). For a small fixed set of trials — trial 0 of
// every cell — Exp 1, 4, 7 and 9 keep each trained matrix's whole spectrum beside its target's, and σ₁ / σ_min at a
// few epochs of training. Only trial 0: the figures show one representative run, every trial would multiply the
// JSON by `trials` for curves that look alike, and trial 0 exists at every preset and every trial count, so the same
// run is shown whatever the preset. Which trials record depends only on the trial index, never on the worker that
// runs it, so the JSON stays identical for any worker count.
// Training is not changed: the trainer runs in chunks between sample epochs (trainRun continues the same stream,
// step counter and moments, so chunked and unchunked runs are bit-identical) and one values-only SVD is taken at each
// sample — no SVD per step.
import type { Engine } from '../engine/engine.js';
import type { Matrix } from '../engine/block.js';
import type { Trainer } from '../train/trainer.js';
import type { Spectrum } from './types.js';

/** The trials that record spectra. */
export const SPECTRA_TRIALS: readonly number[] = [0];
/** Trajectory intervals: σ₁, σ_min are sampled at epochs 0, E/K, 2E/K, …, E (K + 1 points). */
export const SPECTRUM_SAMPLES = 20;

export const recordsSpectra = (trial: number): boolean => SPECTRA_TRIALS.includes(trial);

/** ⌊k·E/K⌋ for k = 0 … K, without repeats (fewer points when E < K); always starts at 0 and ends at E. */
export function spectrumEpochs(epochs: number, samples = SPECTRUM_SAMPLES): number[] {
  const out: number[] = [];
  for (let k = 0; k <= samples; k++) {
    const e = Math.floor((k * epochs) / samples);
    if (out[out.length - 1] !== e) out.push(e);
  }
  return out;
}

/** σ(W), descending, by the fast values-only path (the one the metrics use, so endpoints agree with them). */
export function singularValuesOf(engine: Engine, W: Matrix): number[] {
  return engine.scope(() => Array.from(engine.singularValues(W, { method: 'bidiag' }).toArray()));
}

/** σ₁ and σ_min of named matrices at sample epochs, then their whole final spectra against targets. */
export class SpectrumRecorder {
  readonly epochs: number[] = [];
  private readonly sigma1: number[][];
  private readonly sigmaMin: number[][];

  constructor(private readonly engine: Engine, readonly names: readonly string[]) {
    this.sigma1 = names.map(() => []);
    this.sigmaMin = names.map(() => []);
  }

  /** `mats` in the order of `names`, at `epoch`. */
  sample(epoch: number, mats: Matrix[]): void {
    this.epochs.push(epoch);
    mats.forEach((M, i) => {
      const s = singularValuesOf(this.engine, M);
      this.sigma1[i].push(s[0]);
      this.sigmaMin[i].push(s[s.length - 1]);
    });
  }

  finish(targets: ArrayLike<number>[], finals: Matrix[]): Record<string, Spectrum> {
    const out: Record<string, Spectrum> = {};
    this.names.forEach((name, i) => {
      out[name] = {
        target: Array.from(targets[i]),
        trained: singularValuesOf(this.engine, finals[i]),
        epochs: [...this.epochs],
        sigma1: [...this.sigma1[i]],
        sigmaMin: [...this.sigmaMin[i]],
      };
    });
    return out;
  }
}

/**
 * Trains `t` through the sample epochs ≤ upTo that `rec` has not reached yet, sampling `mats()` at each (in a scope,
 * so the matrices are freed). Returns true if the run diverged.
 */
export function trainSampling(engine: Engine, t: Trainer, rec: SpectrumRecorder, sampleAt: readonly number[], upTo: number, mats: () => Matrix[]): boolean {
  for (const e of sampleAt) {
    if (e > upTo) break;
    if (rec.epochs.length && e <= rec.epochs[rec.epochs.length - 1]) continue;
    if (t.run(e)) return true;
    engine.scope(() => rec.sample(e, mats()));
  }
  return false;
}

/** The `spectra` option of runLinear for a trial: the K + 1 sample epochs if the trial records, else undefined. */
export const spectraSampling = (trial: number, epochs: number, at: number[] = spectrumEpochs(epochs)): number[] | undefined =>
  (recordsSpectra(trial) ? at : undefined);
