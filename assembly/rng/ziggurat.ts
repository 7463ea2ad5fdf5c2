// Standard normals by the Ziggurat method (Marsaglia & Tsang 2000) with 256 layers and 52-bit abscissae drawn from
// one 64-bit output — the configuration numpy's Generator.standard_normal uses (Doornik's 52-bit refinement).
// About 99% of draws cost one generator step, one table load, one compare and one multiply.
//
// The tables are built inside this module, once per instance, from two numbers only: the base abscissa R (a
// published constant, the root of the 256-layer closure condition) and the tail mass, which is computed here from
// R by Laplace's continued fraction. Everything is IEEE arithmetic plus the module's own exp/log/sqrt, so the
// tables — and hence every normal — are bit-identical on every engine that runs the .wasm.
//
// Layout (after Marsaglia & Tsang's RNOR with f(x) = exp(−x²/2), unnormalised):
//   x[N−1] = R > x[N−2] > … > x[1] > 0, with every layer i ≥ 1 the rectangle [0, x[i]] × [f(x[i]), f(x[i−1])]
//   (f(x[0]) := 1) of area V; layer 0 is the base strip of width V/f(R), holding the rectangle [0, R] × [0, f(R)]
//   and the tail beyond R, together also of area V.
//   w[i] = width/2^52 (abscissa per integer unit), k[i] = ⌊2^52·(inner width / width)⌋ (the fast-accept bound),
//   f[i] = f(x[i]).

import { nextU64, nextUniform } from "./xoshiro256ss";

export const ZIG_LAYERS: i32 = 256;
/** The base abscissa of the 256-layer normal ziggurat (Marsaglia & Tsang; Doornik 2005). */
export const ZIG_R: f64 = 3.6541528853610088;
const TWO52: f64 = 4503599627370496.0;

// Tables live in the heap (not a static data segment), so instantiating the module again over a shared memory
// (a worker thread) cannot re-initialise them under the owner. They are built on the owning thread's first draw.
let tables: usize = 0; // [k: u64 × 256][w: f64 × 256][f: f64 × 256]
let layerArea: f64 = 0;

/** ∫_R^∞ exp(−t²/2) dt = f(R)·M(R), M the Mills ratio by its continued fraction 1/(x+1/(x+2/(x+3/…))). */
function tailMass(r: f64): f64 {
  let g = r;
  for (let k = 400; k >= 1; k--) g = r + <f64>k / g; // converges to double precision in ~60 terms at r ≈ 3.65
  return Math.exp(-0.5 * r * r) / g;
}

function build(): void {
  const t = heap.alloc(<usize>ZIG_LAYERS * 24);
  const K = t, W = t + (<usize>ZIG_LAYERS << 3), F = t + (<usize>ZIG_LAYERS << 4);
  const r = ZIG_R;
  const fr = Math.exp(-0.5 * r * r);
  const v = r * fr + tailMass(r);
  layerArea = v;
  const q = v / fr; // width of the base strip
  store<u64>(K, <u64>Math.floor(r / q * TWO52));
  store<f64>(W, q / TWO52);
  store<f64>(F, 1.0);
  const top = <usize>(ZIG_LAYERS - 1);
  store<f64>(W + (top << 3), r / TWO52);
  store<f64>(F + (top << 3), fr);
  let xi = r; // x[i+1] while x[i] is computed
  for (let i = ZIG_LAYERS - 2; i >= 1; i--) {
    const x = Math.sqrt(-2.0 * Math.log(v / xi + Math.exp(-0.5 * xi * xi)));
    store<u64>(K + (<usize>(i + 1) << 3), <u64>Math.floor(x / xi * TWO52));
    store<f64>(W + (<usize>i << 3), x / TWO52);
    store<f64>(F + (<usize>i << 3), Math.exp(-0.5 * x * x));
    xi = x;
  }
  store<u64>(K + 8, 0); // the top layer has no inner rectangle: x[0] = 0
  tables = t;
}

// @ts-ignore: decorator
@inline function ensureTables(): usize {
  if (!tables) build();
  return tables;
}

// @ts-ignore: decorator
@inline function signed(x: f64, r: u64): f64 {
  // bit 8 of the draw is the sign; x ≥ 0 here, so OR-ing it into the sign bit is exactly −x when set
  return reinterpret<f64>(reinterpret<u64>(x) | ((r << 55) & 0x8000000000000000));
}

/**
 * The rest of one normal after its first 64-bit draw `r` missed the fast path: the wedge or tail test, and on
 * rejection fresh draws from the start (fast path included), exactly as `zigNormal` would make them.
 */
function zigFinish(s: usize, r: u64): f64 {
  const t = tables;
  const W = t + (<usize>ZIG_LAYERS << 3), F = t + (<usize>ZIG_LAYERS << 4);
  for (;;) {
    const idx = <usize>(r & 0xff);
    const rabs = (r >> 9) & 0x000fffffffffffff;
    const x = <f64>rabs * load<f64>(W + (idx << 3));
    if (rabs < load<u64>(t + (idx << 3))) return signed(x, r); // inside the layer's inner rectangle
    if (idx == 0) {
      // the tail beyond R (Marsaglia 1964): x = −ln(U₁)/R, accept when −2 ln U₂ > x²; 1 − U avoids log(0)
      for (;;) {
        const xx = -Math.log1p(-nextUniform(s)) / ZIG_R;
        const yy = -Math.log1p(-nextUniform(s));
        if (yy + yy > xx * xx) return signed(ZIG_R + xx, r);
      }
    }
    // the wedge: accept a uniform point of the layer's rectangle when it lies under the curve
    const f0 = load<f64>(F + (idx << 3)), f1 = load<f64>(F + ((idx - 1) << 3));
    if (f0 + nextUniform(s) * (f1 - f0) < Math.exp(-0.5 * x * x)) return signed(x, r);
    r = nextU64(s);
  }
  return unreachable();
}

/** Standard normal: numpy's variant of the 256-layer ziggurat (8 bits layer, 1 bit sign, 52 bits abscissa). */
export function zigNormal(s: usize): f64 {
  const t = ensureTables();
  const r = nextU64(s);
  const idx = <usize>(r & 0xff);
  const rabs = (r >> 9) & 0x000fffffffffffff;
  if (rabs < load<u64>(t + (idx << 3))) return signed(<f64>rabs * load<f64>(t + (<usize>ZIG_LAYERS << 3) + (idx << 3)), r);
  return zigFinish(s, r);
}

/**
 * out[i] = mean + std·N(0,1), i < n: the same stream as n calls of `zigNormal`, with the generator state held in
 * locals through the fast path (written back only around the ~1% of draws that need the wedge or tail).
 */
export function zigFill(s: usize, out: usize, n: i32, mean: f64, std: f64): void {
  const t = ensureTables();
  const W = t + (<usize>ZIG_LAYERS << 3);
  let s0 = load<u64>(s), s1 = load<u64>(s, 8), s2 = load<u64>(s, 16), s3 = load<u64>(s, 24);
  for (let i = 0; i < n; i++) {
    const r = rotl(s1 * 5, 7) * 9;
    const sh = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= sh;
    s3 = rotl(s3, 45);
    const idx = <usize>(r & 0xff);
    const rabs = (r >> 9) & 0x000fffffffffffff;
    let z: f64;
    if (rabs < load<u64>(t + (idx << 3))) {
      z = signed(<f64>rabs * load<f64>(W + (idx << 3)), r);
    } else {
      store<u64>(s, s0);
      store<u64>(s, s1, 8);
      store<u64>(s, s2, 16);
      store<u64>(s, s3, 24);
      z = zigFinish(s, r);
      s0 = load<u64>(s); s1 = load<u64>(s, 8); s2 = load<u64>(s, 16); s3 = load<u64>(s, 24);
    }
    store<f64>(out + (<usize>i << 3), mean + std * z);
  }
  store<u64>(s, s0);
  store<u64>(s, s1, 8);
  store<u64>(s, s2, 16);
  store<u64>(s, s3, 24);
}

// @ts-ignore: decorator
@inline function rotl(x: u64, k: u64): u64 {
  return (x << k) | (x >> (64 - k));
}

/** The built tables, for tests: which 0 = k (as f64, exact below 2^53), 1 = w, 2 = f; and 3 = the layer area V. */
export function rngZigTable(which: i32, i: i32): f64 {
  const t = ensureTables();
  if (which == 3) return layerArea;
  if (i < 0 || i >= ZIG_LAYERS || which < 0 || which > 2) return NaN;
  const p = t + (<usize>which * <usize>ZIG_LAYERS << 3) + (<usize>i << 3);
  return which == 0 ? <f64>load<u64>(p) : load<f64>(p);
}
