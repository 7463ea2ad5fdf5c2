// An independent JS model of the engine's Ziggurat normal sampler (assembly/rng/ziggurat.ts), written from
// Marsaglia & Tsang (2000) and numpy's bit layout: tables from the layer recursion in plain JS Math, 64-bit draws
// handled as two u32 halves in exact double arithmetic (no BigInt in the hot loop). Used as the oracle of the
// known-answer tests and, with a deliberate defect switched on, to show the distribution tests have power.

export const ZIG_R = 3.6541528853610088;
const TWO52 = 2 ** 52;

export interface ZigTables {
  k: Float64Array; // fast-accept bounds (integers < 2^52, exact as doubles)
  w: Float64Array; // abscissa per integer unit
  f: Float64Array; // exp(−x²/2) at each layer's right edge
  v: number; // the common layer area
}

/** Defects for power checks: a wrong layer area, a wedge reading the wrong neighbour, a tail with the wrong rate. */
export type ZigBreak = 'none' | 'area' | 'wedge' | 'tail';

const f = (x: number) => Math.exp(-0.5 * x * x);

/** ∫_r^∞ e^{−t²/2} dt by Laplace's continued fraction for the Mills ratio. */
export function tailMass(r: number): number {
  let g = r;
  for (let k = 400; k >= 1; k--) g = r + k / g;
  return f(r) / g;
}

export function buildTables(brk: ZigBreak = 'none'): ZigTables {
  const N = 256, r = ZIG_R;
  const k = new Float64Array(N), w = new Float64Array(N), fi = new Float64Array(N);
  const v = (r * f(r) + tailMass(r)) * (brk === 'area' ? 1.01 : 1);
  const q = v / f(r);
  k[0] = Math.floor((r / q) * TWO52);
  w[0] = q / TWO52;
  fi[0] = 1;
  w[N - 1] = r / TWO52;
  fi[N - 1] = f(r);
  let xi = r;
  for (let i = N - 2; i >= 1; i--) {
    const x = Math.sqrt(-2 * Math.log(v / xi + f(xi)));
    k[i + 1] = Math.floor((x / xi) * TWO52);
    w[i] = x / TWO52;
    fi[i] = f(x);
    xi = x;
  }
  k[1] = 0;
  return { k, w, f: fi, v };
}

/** A source of 64-bit words as [lo, hi] u32 halves. */
export type Words = () => [number, number];

/** U[0,1) with the top 53 bits of a word, as the engine's nextUniform. */
const uniform = (next: Words) => {
  const [lo, hi] = next();
  return (hi * 2 ** 21 + (lo >>> 11)) * 2 ** -53;
};

export function zigSampler(next: Words, t: ZigTables, brk: ZigBreak = 'none'): () => number {
  return () => {
    for (;;) {
      const [lo, hi] = next();
      const idx = lo & 0xff;
      const neg = (lo >>> 8) & 1;
      const rabs = (lo >>> 9) + (hi & 0x1fffffff) * 2 ** 23; // bits 9..60 of the word
      const x = rabs * t.w[idx];
      const s = neg ? -1 : 1;
      if (rabs < t.k[idx]) return s * x;
      if (idx === 0) {
        for (;;) {
          const xx = (-Math.log1p(-uniform(next)) / ZIG_R) * (brk === 'tail' ? ZIG_R : 1);
          const yy = -Math.log1p(-uniform(next));
          if (yy + yy > xx * xx) return s * (ZIG_R + xx);
        }
      }
      const j = brk === 'wedge' ? Math.min(idx + 1, 255) : idx - 1;
      if (t.f[idx] + uniform(next) * (t.f[j] - t.f[idx]) < f(x)) return s * x;
    }
  };
}

/** A fast non-cryptographic word source for power checks (splitmix64 on two u32 lanes is overkill; xorshift128). */
export function xorshiftWords(seed: number): Words {
  let a = seed | 1, b = 0x9e3779b9, c = 0x243f6a88, d = 0xb7e15162;
  const step = () => {
    const t = a ^ (a << 11);
    a = b; b = c; c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return d;
  };
  return () => [step(), step()];
}
