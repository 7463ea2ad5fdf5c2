// Power-law fit of an empirical spectral density, as WeightWatcher does it (Martin & Mahoney 2021, via Clauset,
// Shalizi & Newman 2009 and the `powerlaw` package): for each candidate lower cutoff x_min (every distinct value
// that leaves at least `minTail` points above it), the continuous maximum-likelihood exponent
//   α̂ = 1 + n / Σ_{xᵢ ≥ x_min} ln(xᵢ / x_min),
// and the Kolmogorov–Smirnov distance D between the tail's empirical CDF and the fitted P(x) = 1 − (x/x_min)^(1−α̂);
// the x_min with the smallest D wins. For a weight matrix W the data are the eigenvalues of WᵀW, λᵢ = σᵢ².
//
// The transcendentals are passed in (engine.log / engine.exp keep results inside the .wasm's deterministic math);
// Math.log / Math.exp are the defaults for plain use.

export interface PowerLawFit {
  /** The exponent α̂ of p(x) ∝ x^(−α) on [x_min, ∞). NaN when fewer than minTail positive values. */
  alpha: number;
  xmin: number;
  /** KS distance of the chosen fit. */
  ks: number;
  /** Points in the tail (x ≥ x_min). */
  nTail: number;
  /** Asymptotic standard error of α̂: (α̂ − 1)/√n_tail. */
  sigma: number;
}

export interface PowerLawOptions {
  /** Fewest tail points a candidate x_min may leave (tiny tails fit anything); default 10. */
  minTail?: number;
  log?: (x: number) => number;
  exp?: (x: number) => number;
}

const NONE: PowerLawFit = { alpha: Number.NaN, xmin: Number.NaN, ks: Number.NaN, nTail: 0, sigma: Number.NaN };

/** MLE exponent for a fixed x_min over the sorted-ascending positive data from index `start`. */
export function powerLawAlpha(sorted: ArrayLike<number>, start: number, log: (x: number) => number = Math.log): number {
  const xmin = sorted[start];
  let s = 0;
  for (let i = start; i < sorted.length; i++) s += log(sorted[i] / xmin);
  return s > 0 ? 1 + (sorted.length - start) / s : Number.NaN;
}

/** KS distance between the tail sorted[start…] and the power law (α, x_min = sorted[start]). */
export function powerLawKs(sorted: ArrayLike<number>, start: number, alpha: number, log = Math.log, exp = Math.exp): number {
  const n = sorted.length - start, xmin = sorted[start];
  let d = 0;
  for (let i = 0; i < n; i++) {
    const p = 1 - exp((1 - alpha) * log(sorted[start + i] / xmin));
    // the empirical CDF jumps from i/n to (i+1)/n at this point; compare with both sides
    d = Math.max(d, Math.abs((i + 1) / n - p), Math.abs(i / n - p));
  }
  return d;
}

/** Fits a power law to the positive entries of `values` (any order); non-positive and non-finite ones are ignored. */
export function fitPowerLaw(values: ArrayLike<number>, opts: PowerLawOptions = {}): PowerLawFit {
  const minTail = Math.max(2, opts.minTail ?? 10);
  const log = opts.log ?? Math.log, exp = opts.exp ?? Math.exp;
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] > 0 && Number.isFinite(values[i])) xs.push(values[i]);
  xs.sort((a, b) => a - b);
  const N = xs.length;
  if (N < minTail) return NONE;
  // logs once, and suffix sums of them, so each candidate's α̂ is O(1) and only its KS scan is O(n)
  const L = xs.map((x) => log(x));
  const suffix = new Float64Array(N + 1);
  for (let i = N - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + L[i];
  let best = NONE;
  for (let start = 0; start <= N - minTail; start++) {
    if (start > 0 && xs[start] === xs[start - 1]) continue; // each distinct value once, with its whole tail
    const n = N - start;
    const s = suffix[start] - n * L[start];
    if (!(s > 0)) continue;
    const alpha = 1 + n / s;
    let ks = 0;
    for (let i = 0; i < n && !(ks >= best.ks); i++) {
      const p = 1 - exp((1 - alpha) * (L[start + i] - L[start]));
      // the empirical CDF jumps from i/n to (i+1)/n at this point; compare with both sides
      ks = Math.max(ks, Math.abs((i + 1) / n - p), Math.abs(i / n - p));
    }
    if (best === NONE || ks < best.ks) best = { alpha, xmin: xs[start], ks, nTail: n, sigma: (alpha - 1) / Math.sqrt(n) };
  }
  return best;
}

/** WeightWatcher's ESD α of a matrix from its singular values: the fit of λᵢ = σᵢ². */
export function esdAlpha(singularValues: ArrayLike<number>, opts: PowerLawOptions = {}): PowerLawFit {
  return fitPowerLaw(Array.from(singularValues, (s) => s * s), opts);
}
