// Ordinary least squares of y on x with slope, intercept and R², for the log-log exponent fits.
export interface LineFit {
  slope: number;
  intercept: number;
  r2: number;
  n: number;
}

export function fitLine(x: number[], y: number[]): LineFit {
  const n = Math.min(x.length, y.length);
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN, n };
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN;
  return { slope, intercept: my - slope * mx, r2: syy > 0 && sxx > 0 ? (sxy * sxy) / (sxx * syy) : Number.NaN, n };
}

/** Fit of log y against log x over the pairs where both are positive (pass engine.log for engine-independent bits). */
export function fitLogLog(x: number[], y: number[], log: (v: number) => number = Math.log): LineFit {
  const lx: number[] = [], ly: number[] = [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] > 0 && y[i] > 0) {
      lx.push(log(x[i]));
      ly.push(log(y[i]));
    }
  }
  return fitLine(lx, ly);
}
