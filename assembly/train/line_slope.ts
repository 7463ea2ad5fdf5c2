// The least-squares slope the adaptive spectral-transfer steps fit (log curvature on log gradient singular value),
// shared by the single layer (spectral_transfer.ts) and the chains (chain_steps.ts) so both fit exactly alike.
import { at } from "./layout";

/**
 * Least-squares slope of ys on xs over n points (two passes: means, then centred sums). NaN when n < 2 or the xs
 * are all equal.
 */
export function lineSlope(n: i32, xs: usize, ys: usize): f64 {
  if (n < 2) return NaN;
  let mx = 0.0, my = 0.0;
  for (let i = 0; i < n; i++) {
    mx += load<f64>(at(xs, i));
    my += load<f64>(at(ys, i));
  }
  mx /= <f64>n;
  my /= <f64>n;
  let sxx = 0.0, sxy = 0.0;
  for (let i = 0; i < n; i++) {
    const dx = load<f64>(at(xs, i)) - mx;
    sxx += dx * dx;
    sxy += dx * (load<f64>(at(ys, i)) - my);
  }
  return sxx > 0.0 ? sxy / sxx : NaN;
}
