// exp and log as compiled into this module (AssemblyScript's NativeMath, IEEE arithmetic only), for the JS side:
// JS engines' own Math.exp/Math.log differ in the last bit between V8 versions (Node 20 vs current Chromium), which
// would make a results JSON depend on where it was computed. Every transcendental that reaches a result goes here.
export function mathExp(x: f64): f64 {
  return Math.exp(x);
}

export function mathLog(x: f64): f64 {
  return Math.log(x);
}
