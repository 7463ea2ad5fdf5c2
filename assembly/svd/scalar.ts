// Scalar helpers shared by the Householder QR and the bidiagonalisation: one definition, so both reflector
// constructions round alike.

/** √(a² + b²) without overflow or harmful underflow (scaled by the larger magnitude). */
// @ts-ignore: decorator
@inline export function hypot(a: f64, b: f64): f64 {
  a = abs(a); b = abs(b);
  const hi = max(a, b), lo = min(a, b);
  if (hi == 0.0) return 0.0;
  const r = lo / hi;
  return hi * Math.sqrt(1.0 + r * r);
}

/** |x| with the sign of y (y = −0 counts as positive, as the reflectors need). */
// @ts-ignore: decorator
@inline export function copysign(x: f64, y: f64): f64 {
  return y < 0.0 ? -abs(x) : abs(x);
}
